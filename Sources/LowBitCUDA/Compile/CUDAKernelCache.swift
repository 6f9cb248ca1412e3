import Foundation
#if canImport(Glibc)
import Glibc
#endif
import LowBitCore

/// Compiled cubins on disk under <cache>/kernels, named `<source>-<arch>-<key>.cubin` where the key hashes
/// (source, headers, options, kernel list, architecture, NVRTC version). A `.meta` file beside it holds the
/// lowered names and NVRTC's log; it is written last (temp file + rename), so a cubin without its meta is
/// ignored. Set LOWBIT_KERNEL_CACHE=0 to compile every time.
enum CUDAKernelCache {
    static var directory: String { lowbitCacheDirectory() + "/kernels" }
    static var enabled: Bool { getEnvironment("LOWBIT_KERNEL_CACHE") != "0" }

    /// 128-bit hash (two FNV-1a 64 lanes with different offsets) of the parts, as 32 hex digits.
    static func key(parts: [String]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for part in parts {
            for byte in part.utf8 {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
                b = (b &+ UInt64(byte)) &* 0x9E37_79B9_7F4A_7C15
                b ^= b >> 29
            }
            // separator between parts, so ("ab","c") and ("a","bc") differ
            a = (a ^ 0xFF) &* 0x0000_0100_0000_01B3
            b = (b &+ 0x1FF) &* 0x9E37_79B9_7F4A_7C15
        }
        func hex(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return hex(a) + hex(b)
    }

    static func load(name: String, source: CUDAKernelSource, architecture: CUDAArchitecture,
                     directory: String = CUDAKernelCache.directory) -> CUDACompiledModule? {
        guard enabled,
              let cubin = readFile(directory + "/" + name + ".cubin"), !cubin.isEmpty,
              let metaBytes = readFile(directory + "/" + name + ".meta") else { return nil }
        let meta = String(decoding: metaBytes, as: UTF8.self)
        guard meta.hasPrefix("lowbit-kernel-cache 1\n"), let logRange = meta.range(of: "\nlog\n") else { return nil }
        var lowered: [String: String] = [:]
        for line in meta[..<logRange.lowerBound].split(separator: "\n").dropFirst() {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "lowered" else { return nil }
            lowered[String(fields[1])] = String(fields[2])
        }
        guard Set(lowered.keys) == Set(source.kernels) else { return nil }
        return CUDACompiledModule(source: source, architecture: architecture, cubin: cubin, loweredNames: lowered,
                                  log: String(meta[logRange.upperBound...]))
    }

    /// Best effort: a cache that cannot be written only costs a recompile next time.
    static func store(_ module: CUDACompiledModule, name: String, directory: String = CUDAKernelCache.directory) {
        guard enabled else { return }
        let dir = directory
        guard makeDirectories(dir) else { return }
        var meta = "lowbit-kernel-cache 1\n"
        for (expression, mangled) in module.loweredNames.sorted(by: { $0.key < $1.key }) {
            meta += "lowered\t\(expression)\t\(mangled)\n"
        }
        meta += "log\n" + module.log
        guard writeAtomically(dir + "/" + name + ".cubin", module.cubin) else { return }
        _ = writeAtomically(dir + "/" + name + ".meta", Array(meta.utf8))
    }

    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size >= 0, st.st_size < 1 << 30 else { return nil }
        let size = Int(st.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        let ok = bytes.withUnsafeMutableBytes { raw -> Bool in
            var offset = 0
            while offset < size {
                let n = read(fd, raw.baseAddress! + offset, size - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        return ok ? bytes : nil
    }

    static func writeAtomically(_ path: String, _ bytes: [UInt8]) -> Bool {
        let temp = path + ".tmp.\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return false }
        let ok = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n <= 0 { return false }
                offset += n
            }
            return true
        }
        close(fd)
        if !ok || rename(temp, path) != 0 { unlink(temp); return false }
        return true
    }

    static func makeDirectories(_ path: String) -> Bool {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, 0o755) != 0 && errno != EEXIST { return false }
        }
        return true
    }
}
