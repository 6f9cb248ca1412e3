#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LowBitCore

/// A whole file mapped read-only into memory. Model files are read by offset straight from the page cache:
/// opening costs no copy, and only the pages a tensor touches are ever read.
///
/// @unchecked Sendable: the mapping (or copy) is read-only and immutable for the object's lifetime, so
/// concurrent reads from any thread are safe; munmap happens only in deinit, when no one can hold it.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    /// The file's bytes; valid while this object lives. Empty (with a nil base) for an empty file.
    public let bytes: UnsafeRawBufferPointer
    public var count: Int { bytes.count }

    public init(path: String) throws {
        self.path = path
        storage = .mapped
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LowBitError.io(path, "cannot open: \(MappedFile.errnoText())") }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LowBitError.io(path, "cannot stat: \(MappedFile.errnoText())") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw LowBitError.invalidFile(path, "not a regular file") }
        let size = Int(info.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw LowBitError.io(path, "cannot map \(size) bytes: \(MappedFile.errnoText())")
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// A private in-memory copy of `contents` that reads like a file called `path` (for parsing bytes that
    /// were built or changed in memory, such as in tests).
    public init(path: String, copying contents: UnsafeRawBufferPointer) {
        self.path = path
        storage = .owned
        if contents.isEmpty {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: contents.count, alignment: 64)
        memory.copyMemory(from: contents)
        bytes = UnsafeRawBufferPointer(memory)
    }

    /// Reads `contents` in place, without copying, as a file called `path`. The caller keeps `contents` alive
    /// and unchanged for this object's whole lifetime (used to parse many variants of one large buffer).
    public init(path: String, unsafeBorrowing contents: UnsafeRawBufferPointer) {
        self.path = path
        storage = .borrowed
        bytes = contents.isEmpty ? UnsafeRawBufferPointer(start: nil, count: 0) : contents
    }

    /// Who releases the bytes: munmap (a mapped file), deallocate (an in-memory copy), or nobody (borrowed).
    private enum Storage { case mapped, owned, borrowed }
    private let storage: Storage

    deinit {
        guard let base = bytes.baseAddress else { return }
        switch storage {
        case .mapped: munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        case .owned: base.deallocate()
        case .borrowed: break
        }
    }

    /// The bytes in `range` (which the caller has checked lies inside the file).
    public func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "\(path): \(range) outside \(count) bytes")
        if range.isEmpty { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
