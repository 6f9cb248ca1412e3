#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import LowBitCore

/// File-system helpers for fetched assets: nothing is ever half-written (temp file in the same folder, then
/// rename), and every failure names the path.
enum AssetFiles {
    /// Size in bytes, or nil when there is no regular file at `path`.
    static func size(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw LowBitError.io(path, "cannot create folder: \(error.localizedDescription)")
        }
    }

    static func remove(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// A fresh empty folder `<parent>/.<prefix>-XXXXXX`.
    static func makeTemporaryDirectory(in parent: String, prefix: String) throws -> String {
        try makeDirectory(parent)
        var template = Array("\(parent)/.\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else {
            throw LowBitError.io(parent, "cannot create a temporary folder: \(String(cString: strerror(errno)))")
        }
        return template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// The name used for the temporary copy of `path` while it is written.
    static func temporaryName(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(folder)/.\(name).partial-\(getpid())"
    }

    /// Writes `bytes` to a temporary file next to `path`. The caller renames it into place (`commit`) after
    /// any checks, or removes it.
    static func writeTemporary(_ bytes: UnsafeRawBufferPointer, for path: String) throws -> String {
        let temp = temporaryName(for: path)
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd < 0 { throw LowBitError.io(temp, "cannot create: \(String(cString: strerror(errno)))") }
        var offset = 0
        while offset < bytes.count {
            let written = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                close(fd)
                unlink(temp)
                throw LowBitError.io(temp, "write failed: \(reason)")
            }
            offset += written
        }
        if close(fd) != 0 {
            unlink(temp)
            throw LowBitError.io(temp, "close failed: \(String(cString: strerror(errno)))")
        }
        return temp
    }

    /// Atomically replaces `path` with the file at `temporary`.
    static func commit(_ temporary: String, to path: String) throws {
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw LowBitError.io(path, "cannot move \(temporary) into place: \(reason)")
        }
    }

    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        let temp = try bytes.withUnsafeBytes { try writeTemporary($0, for: path) }
        try commit(temp, to: path)
    }
}
