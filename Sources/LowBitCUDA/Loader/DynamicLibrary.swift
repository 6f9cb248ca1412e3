#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import LowBitCore

/// A shared library opened with dlopen, and typed lookups of its exported symbols.
///
/// Nothing in LowBit links against CUDA: the package builds and runs without it, and every entry point is
/// resolved here by its exact exported name (`cuMemAlloc_v2`, not the `cuMemAlloc` macro of cuda.h).
/// Handles are never closed: the function pointers taken from them live as long as the process.
struct DynamicLibrary: @unchecked Sendable {  // a dlopen handle is an immutable token, valid on any thread
    let handle: UnsafeMutableRawPointer
    /// The name or path it was opened by.
    let path: String

    /// Opens the first candidate that loads; the error lists every candidate tried and dlerror()'s reason.
    static func open(candidates: [String], what: String) throws -> DynamicLibrary {
        var reasons: [String] = []
        for candidate in candidates {
            if let handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL) {
                return DynamicLibrary(handle: handle, path: candidate)
            }
            let reason = dlerror().map { String(cString: $0) } ?? "not found"
            reasons.append(reason)
        }
        throw LowBitError(.device, "\(what) not found (tried \(candidates.joined(separator: ", "))): "
            + (reasons.first ?? "no candidates"))
    }

    /// The symbol `name` as the C function type `F`. `F` must match the C prototype exactly.
    func symbol<F>(_ name: String, as type: F.Type = F.self) throws -> F {
        guard let address = dlsym(handle, name) else {
            throw LowBitError(.device, "\(path) does not export \(name) (library too old?)")
        }
        return unsafeBitCast(address, to: F.self)
    }

    /// The first of `names` that is exported (for entry points renamed between versions: `_v2` and plain).
    func symbol<F>(anyOf names: [String], as type: F.Type = F.self) throws -> F {
        for name in names {
            if let address = dlsym(handle, name) { return unsafeBitCast(address, to: F.self) }
        }
        throw LowBitError(.device, "\(path) exports none of \(names.joined(separator: ", ")) (library too old?)")
    }

    func optionalSymbol<F>(_ name: String, as type: F.Type = F.self) -> F? {
        guard let address = dlsym(handle, name) else { return nil }
        return unsafeBitCast(address, to: F.self)
    }
}

/// Where pip puts CUDA's libraries and headers (`nvidia/cu13/lib`, `nvidia/cu13/include`, or the
/// per-package `nvidia/cuda_nvrtc/lib` of CUDA 12 wheels), searched in the usual Python prefixes.
enum PipCUDALayout {
    /// Folders matching `nvidia/<sub>` under the site-packages folders of common Python installs,
    /// including the CI venv under the LowBit cache.
    static func folders(_ sub: String) -> [String] {
        var prefixes: [String] = []
        if let venv = getEnvironment("VIRTUAL_ENV") { prefixes.append(venv) }
        prefixes.append(lowbitCacheDirectory() + "/cuda-ci/venv")
        if let home = getEnvironment("HOME") { prefixes.append(home + "/.local") }
        prefixes += ["/usr/local", "/usr", "/opt/torch/.venv", "/opt/conda"]
        var found: [String] = []
        for prefix in prefixes {
            for pattern in ["\(prefix)/lib/python3*/site-packages/nvidia/\(sub)",
                            "\(prefix)/lib/python3*/dist-packages/nvidia/\(sub)"] {
                found += globPaths(pattern)
            }
        }
        return found
    }

    static func globPaths(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard glob(pattern, 0, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for i in 0..<Int(result.gl_pathc) {
            if let p = result.gl_pathv[i] { paths.append(String(cString: p)) }
        }
        return paths.sorted()
    }
}

func fileExists(_ path: String) -> Bool {
    access(path, F_OK) == 0
}
