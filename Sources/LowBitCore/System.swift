#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Thin wrappers over the C library so other targets need not import Glibc themselves.

public func getEnvironment(_ name: String) -> String? {
    guard let value = getenv(name) else { return nil }
    return String(cString: value)
}

public func activeProcessorCount() -> Int {
    Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
}

/// Monotonic clock in seconds.
public func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Writes to standard error without buffering (progress, warnings).
public func printError(_ text: String, terminator: String = "\n") {
    var line = text + terminator
    line.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(2, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 { break }
            offset += written
        }
    }
}

/// The user's cache folder for downloads and compiled kernels: $LOWBIT_CACHE, else $XDG_CACHE_HOME/lowbit,
/// else ~/.cache/lowbit.
public func lowbitCacheDirectory() -> String {
    if let dir = getEnvironment("LOWBIT_CACHE"), !dir.isEmpty { return dir }
    if let xdg = getEnvironment("XDG_CACHE_HOME"), !xdg.isEmpty { return xdg + "/lowbit" }
    let home = getEnvironment("HOME") ?? "/tmp"
    return home + "/.cache/lowbit"
}
