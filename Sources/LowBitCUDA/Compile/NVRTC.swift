import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LowBitCore

/// NVRTC loaded with dlopen, and the compile of a CUDAKernelSource to a cubin (cached on disk).
/// Independent of the driver: CI compiles every kernel on a machine with no GPU.
public final class NVRTC: @unchecked Sendable {  // immutable after init
    let api: NVRTCAPI
    public let version: (major: Int, minor: Int)
    /// Architectures this NVRTC can emit cubins for (numbers: 75, 80, 90, ...).
    public let supportedArchitectures: [Int]
    /// The CUDA include folder given to every compile (`-I`), or nil if none was found.
    public let includeDirectory: String?
    public var libraryPath: String { api.library.path }

    private static let loaded: Result<NVRTC, LowBitError> = {
        do { return .success(try NVRTC()) } catch let error as LowBitError {
            return .failure(LowBitError(.device, "NVRTC unavailable: \(error.message)"))
        } catch {
            return .failure(LowBitError(.device, "NVRTC unavailable: \(error)"))
        }
    }()

    /// The loaded compiler, or why it could not be loaded ("NVRTC unavailable: …").
    public static func shared() throws -> NVRTC { try loaded.get() }

    /// nil when NVRTC loaded, else why not ("NVRTC unavailable: …").
    public static var unavailableReason: String? {
        if case .failure(let error) = loaded { return error.message }
        return nil
    }

    private init() throws {
        let library = try DynamicLibrary.open(candidates: NVRTCAPI.libraryCandidates, what: "NVRTC (libnvrtc)")
        api = try NVRTCAPI(library: library)
        var major: Int32 = 0, minor: Int32 = 0
        try api.check(api.nvrtcVersion(&major, &minor), "nvrtcVersion")
        version = (Int(major), Int(minor))
        var count: Int32 = 0
        try api.check(api.nvrtcGetNumSupportedArchs(&count), "nvrtcGetNumSupportedArchs")
        var archs = [Int32](repeating: 0, count: Int(count))
        try api.check(api.nvrtcGetSupportedArchs(&archs), "nvrtcGetSupportedArchs")
        supportedArchitectures = archs.map(Int.init)
        includeDirectory = NVRTC.findIncludeDirectory(nvrtcPath: library.path)
    }

    /// The first folder holding cuda_fp16.h: $LOWBIT_CUDA_INCLUDE, $CUDA_HOME/include, $CUDA_PATH/include,
    /// /usr/local/cuda/include, the include folder beside a pip NVRTC (nvidia/cu13/include), then pip's.
    static func findIncludeDirectory(nvrtcPath: String) -> String? {
        var candidates: [String] = []
        if let dir = getEnvironment("LOWBIT_CUDA_INCLUDE"), !dir.isEmpty { candidates.append(dir) }
        for variable in ["CUDA_HOME", "CUDA_PATH"] {
            if let dir = getEnvironment(variable), !dir.isEmpty { candidates.append(dir + "/include") }
        }
        candidates.append("/usr/local/cuda/include")
        candidates += PipCUDALayout.globPaths("/usr/local/cuda-1*/include").reversed()
        if nvrtcPath.contains("/") {
            let libDir = String(nvrtcPath[..<nvrtcPath.lastIndex(of: "/")!])
            candidates.append(libDir + "/../include")
        }
        candidates += PipCUDALayout.folders("cu13/include")
        candidates += PipCUDALayout.folders("cuda_runtime/include")
        guard let found = candidates.first(where: { fileExists($0 + "/cuda_fp16.h") }) else { return nil }
        guard let resolved = realpath(found, nil) else { return found }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    public var versionString: String { "\(version.major).\(version.minor)" }

    /// Compiles `source` for `architecture` (e.g. sm_90a) to a cubin, or returns the cached one.
    /// `defines` become `-DNAME=VALUE`. Errors carry NVRTC's log.
    public func compile(_ source: CUDAKernelSource, architecture: CUDAArchitecture,
                        defines: [String: String] = [:], useCache: Bool = true) throws -> CUDACompiledModule {
        guard supportedArchitectures.contains(architecture.number) else {
            throw LowBitError(.device, "NVRTC \(versionString) cannot compile for \(architecture) "
                + "(supports sm_\(supportedArchitectures.map(String.init).joined(separator: ", sm_")))")
        }
        guard let includeDirectory else {
            throw LowBitError(.device, "compiling \(source.name).cu needs the CUDA headers (cuda_fp16.h); none found in "
                + "$LOWBIT_CUDA_INCLUDE, $CUDA_HOME/include, /usr/local/cuda/include or a pip nvidia/cu13/include")
        }
        var options = [
            "--gpu-architecture=\(architecture.name)",
            "-I\(includeDirectory)",
            "--std=c++17",
            "--ptxas-options=-v",   // resource usage (registers, spills) in the log, for CI and selftest
            "-default-device",
            "-DLOWBIT_NVRTC=1",
        ]
        options += defines.sorted { $0.key < $1.key }.map { "-D\($0.key)=\($0.value)" }
        options += source.options
        let headers = CUDAKernelSources.headers
        let key = CUDAKernelCache.key(parts: [
            source.code, headers.map { $0.name + "\u{0}" + $0.code }.joined(separator: "\u{1}"),
            options.joined(separator: "\u{0}"), source.kernels.joined(separator: "\u{0}"),
            architecture.name, "nvrtc \(versionString)", "cache-format 1",
        ])
        let cacheName = "\(source.name)-\(architecture.name)-\(key)"
        if useCache, let cached = CUDAKernelCache.load(name: cacheName, source: source, architecture: architecture) {
            return cached
        }
        let compiled = try compileUncached(source, architecture: architecture, options: options, headers: headers)
        if useCache { CUDAKernelCache.store(compiled, name: cacheName) }
        return compiled
    }

    private func compileUncached(_ source: CUDAKernelSource, architecture: CUDAArchitecture, options: [String],
                                 headers: [CUDAHeader]) throws -> CUDACompiledModule {
        // Every C string NVRTC reads is strdup'ed and freed after the calls (no escaping temporary pointers).
        var owned: [UnsafeMutablePointer<CChar>] = []
        defer { owned.forEach { free($0) } }
        func cString(_ s: String) -> UnsafePointer<CChar> {
            let p = strdup(s)!
            owned.append(p)
            return UnsafePointer(p)
        }
        let headerSources: [UnsafePointer<CChar>?] = headers.map { cString($0.code) }
        let headerNames: [UnsafePointer<CChar>?] = headers.map { cString($0.name) }
        let optionPointers: [UnsafePointer<CChar>?] = options.map { cString($0) }
        let fileName = source.name + ".cu"

        var program: OpaquePointer? = nil
        try headerSources.withUnsafeBufferPointer { hs in
            try headerNames.withUnsafeBufferPointer { hn in
                try api.check(api.nvrtcCreateProgram(&program, cString(source.code), cString(fileName), Int32(headers.count),
                                                     hs.baseAddress, hn.baseAddress),
                              "nvrtcCreateProgram(\(fileName))")
            }
        }
        defer { _ = api.nvrtcDestroyProgram(&program) }
        for expression in source.kernels {
            try api.check(api.nvrtcAddNameExpression(program, cString(expression)),
                          "nvrtcAddNameExpression(\(expression)) in \(fileName)")
        }
        let status = optionPointers.withUnsafeBufferPointer {
            api.nvrtcCompileProgram(program, Int32(options.count), $0.baseAddress)
        }
        let log = programLog(program)
        if status != 0 {
            let reason = api.nvrtcGetErrorString(status).map { String(cString: $0) } ?? "error \(status)"
            throw LowBitError(.device, "NVRTC \(versionString) failed to compile \(fileName) for \(architecture) (\(reason)):\n\(log)")
        }
        var lowered: [String: String] = [:]
        for expression in source.kernels {
            var name: UnsafePointer<CChar>? = nil
            try api.check(api.nvrtcGetLoweredName(program, cString(expression), &name),
                          "nvrtcGetLoweredName(\(expression)) in \(fileName)")
            guard let name else { throw LowBitError(.device, "NVRTC gave no lowered name for \(expression)") }
            lowered[expression] = String(cString: name)
        }
        var size = 0
        try api.check(api.nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize(\(fileName))")
        var cubin = [UInt8](repeating: 0, count: size)
        try cubin.withUnsafeMutableBytes { raw in
            try api.check(api.nvrtcGetCUBIN(program, raw.baseAddress!.assumingMemoryBound(to: CChar.self)),
                          "nvrtcGetCUBIN(\(fileName))")
        }
        return CUDACompiledModule(source: source, architecture: architecture, cubin: cubin, loweredNames: lowered, log: log)
    }

    private func programLog(_ program: OpaquePointer?) -> String {
        var size = 0
        guard api.nvrtcGetProgramLogSize(program, &size) == 0, size > 1 else { return "" }
        var buffer = [CChar](repeating: 0, count: size)
        guard api.nvrtcGetProgramLog(program, &buffer) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// A compiled kernel source: the cubin, the mangled name of every kernel expression, NVRTC's log and the
/// resource use ptxas reported for each kernel.
public struct CUDACompiledModule: Sendable {
    public let source: CUDAKernelSource
    public let architecture: CUDAArchitecture
    public let cubin: [UInt8]
    /// Name expression -> mangled (lowered) symbol.
    public let loweredNames: [String: String]
    public let log: String

    /// Registers, stack and spills per kernel expression, parsed from the ptxas lines of the log.
    public var resources: [String: CUDAKernelResources] {
        let byMangled = CUDAKernelResources.parse(ptxasLog: log)
        var result: [String: CUDAKernelResources] = [:]
        for (expression, mangled) in loweredNames { result[expression] = byMangled[mangled] }
        return result
    }

    /// Kernels whose spills exceed what the source allows, as messages (empty when all are within bounds).
    public var spillViolations: [String] {
        resources.sorted { $0.key < $1.key }.compactMap { expression, usage in
            let allowed = source.allowedSpillBytes[expression] ?? 0
            let spilled = usage.spillStoreBytes + usage.spillLoadBytes
            return spilled > allowed
                ? "\(source.name).cu \(expression) on \(architecture): \(usage.spillStoreBytes) bytes spill stores, "
                    + "\(usage.spillLoadBytes) bytes spill loads (allowed: \(allowed))"
                : nil
        }
    }
}

/// What ptxas reported for one kernel.
public struct CUDAKernelResources: Sendable, Equatable {
    public var registers = 0
    public var stackFrameBytes = 0
    public var spillStoreBytes = 0
    public var spillLoadBytes = 0
    public var sharedMemoryBytes = 0

    public init() {}

    /// Parses ptxas -v output:
    ///   ptxas info    : Compiling entry function '_Z3fooPf' for 'sm_90a'
    ///   ptxas info    : Function properties for _Z3fooPf
    ///       8 bytes stack frame, 4 bytes spill stores, 4 bytes spill loads
    ///   ptxas info    : Used 32 registers, used 1 barriers, 4096 bytes smem, 380 bytes cmem[0]
    /// Keyed by mangled name.
    public static func parse(ptxasLog log: String) -> [String: CUDAKernelResources] {
        var result: [String: CUDAKernelResources] = [:]
        var current: String? = nil
        for rawLine in log.split(separator: "\n") {
            let line = rawLine.trimmingSet(" \t")
            if let name = quoted(after: "Compiling entry function ", in: line) {
                current = name
                result[name] = CUDAKernelResources()
            } else if line.contains("Function properties for ") {
                let name = String(line[line.range(of: "Function properties for ")!.upperBound...])
                    .trimmingSet(" \t")
                current = name
                if result[name] == nil { result[name] = CUDAKernelResources() }
            } else if let name = current {
                let numbers = numbersBefore(in: line)
                if let v = numbers["bytes stack frame"] { result[name]?.stackFrameBytes = v }
                if let v = numbers["bytes spill stores"] { result[name]?.spillStoreBytes = v }
                if let v = numbers["bytes spill loads"] { result[name]?.spillLoadBytes = v }
                if let v = numbers["registers"] { result[name]?.registers = v }
                if let v = numbers["bytes smem"] { result[name]?.sharedMemoryBytes = v }
            }
        }
        return result
    }

    private static func quoted(after marker: String, in line: String) -> String? {
        guard let range = line.range(of: marker) else { return nil }
        let rest = line[range.upperBound...]
        guard let open = rest.firstIndex(of: "'") else { return nil }
        let afterOpen = rest[rest.index(after: open)...]
        guard let close = afterOpen.firstIndex(of: "'") else { return nil }
        return String(afterOpen[..<close])
    }

    /// "Used 32 registers, used 1 barriers, 8 bytes stack frame" -> ["registers": 32, "barriers": 1, ...]
    /// (each label is the text after a number up to the next comma).
    private static func numbersBefore(in line: String) -> [String: Int] {
        var result: [String: Int] = [:]
        let body = line.contains(":") && line.hasPrefix("ptxas") ? String(line[line.firstIndex(of: ":")!...].dropFirst()) : line
        for part in body.split(separator: ",") {
            let words = part.split(separator: " ")
            for (i, word) in words.enumerated() {
                if let n = Int(word), i + 1 < words.count {
                    result[words[(i + 1)...].joined(separator: " ")] = n
                    break
                }
            }
        }
        return result
    }
}

fileprivate extension String {
    func trimmingSet(_ set: String) -> String {
        var s = Substring(self)
        while let c = s.first, set.contains(c) { s.removeFirst() }
        while let c = s.last, set.contains(c) { s.removeLast() }
        return String(s)
    }
}

fileprivate extension Substring {
    func trimmingSet(_ set: String) -> String { String(self).trimmingSet(set) }
}
