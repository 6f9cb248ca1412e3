#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LowBitCore

/// A whole file mapped read-only, for the archive readers in this folder (ZIP, R data). Small and private to
/// Data/ on purpose: the model-file readers have their own mapping type.
final class ArchiveFileMapping: @unchecked Sendable {
    // Immutable after init; the mapping is read-only, so sharing it between threads is safe.
    let path: String
    let bytes: UnsafeRawBufferPointer
    private let mappedLength: Int

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY)
        if fd < 0 { throw LowBitError.io(path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LowBitError.io(path, "cannot stat: \(String(cString: strerror(errno)))") }
        let size = Int(info.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            mappedLength = 0
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw LowBitError.io(path, "cannot map: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
        mappedLength = size
    }

    deinit {
        if mappedLength > 0 { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress!), mappedLength) }
    }
}
