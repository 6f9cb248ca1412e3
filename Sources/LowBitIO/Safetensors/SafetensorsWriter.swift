#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import LowBitCore

#if canImport(Glibc)
private let posixWrite = Glibc.write
#elseif canImport(Musl)
private let posixWrite = Musl.write
#elseif canImport(Darwin)
private let posixWrite = Darwin.write
#endif

/// A tensor to write: little-endian bytes of `dtype`, row-major `shape`.
public struct SafetensorsEntry: Sendable {
    public var name: String
    public var dtype: ElementType
    public var shape: [Int]
    public var data: [UInt8]

    public init(name: String, dtype: ElementType, shape: [Int], data: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.data = data
    }

    /// An F32 tensor.
    public init(name: String, shape: [Int], floats: [Float]) {
        var bytes = [UInt8](repeating: 0, count: floats.count * 4)
        bytes.withUnsafeMutableBytes { raw in
            for (i, v) in floats.enumerated() { raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
        }
        self.init(name: name, dtype: .float32, shape: shape, data: bytes)
    }
}

/// Writes safetensors files atomically: everything goes to a temporary file in the destination's folder,
/// which is flushed to disk and renamed over the destination only when complete, so readers never see a
/// half-written file. The header is padded with spaces to a multiple of 8 bytes (as the reference does) so
/// the data starts 8-byte aligned.
public enum SafetensorsWriter {
    public static func write(_ entries: [SafetensorsEntry], metadata: [String: String] = [:], to path: String) throws {
        var seen = Set<String>()
        for entry in entries {
            guard !entry.name.isEmpty, entry.name != "__metadata__" else {
                throw LowBitError.invalidArgument(path, "tensor name \"\(entry.name)\" is not allowed")
            }
            guard seen.insert(entry.name).inserted else { throw LowBitError.invalidArgument(path, "tensor \"\(entry.name)\" given twice") }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw LowBitError.invalidArgument(path, "tensor \"\(entry.name)\" has a negative dimension in \(entry.shape)")
            }
            let expected = entry.shape.reduce(1, *) * entry.dtype.byteSize
            guard entry.data.count == expected else {
                throw LowBitError.shapeMismatch("\(path): tensor \"\(entry.name)\" has \(entry.data.count) bytes but shape \(entry.shape) × \(entry.dtype.rawValue) needs \(expected)")
            }
        }
        var json = "{"
        var first = true
        if !metadata.isEmpty {
            json += "\"__metadata__\":{"
            json += metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }.joined(separator: ",")
            json += "}"
            first = false
        }
        var offset = 0
        for entry in entries {
            if !first { json += "," }
            first = false
            let end = offset + entry.data.count
            json += "\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(entry.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(end)]}"
            offset = end
        }
        json += "}"
        var header = Array(json.utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }

        try AtomicFile.write(to: path) { sink in
            var length = UInt64(header.count).littleEndian
            try withUnsafeBytes(of: &length) { try sink.write($0) }
            try header.withUnsafeBytes { try sink.write($0) }
            for entry in entries { try entry.data.withUnsafeBytes { try sink.write($0) } }
        }
    }

    /// JSON string literal with the escapes JSON requires.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

/// Atomic replacement of a file: temp file in the same folder, fsync, rename, fsync of the folder.
public enum AtomicFile {
    public struct Sink {
        let fd: Int32
        let path: String

        public func write(_ bytes: UnsafeRawBufferPointer) throws {
            var done = 0
            while done < bytes.count {
                let n = posixWrite(fd, bytes.baseAddress! + done, bytes.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw LowBitError.io(path, "write failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }

    public static func write(to path: String, _ body: (Sink) throws -> Void) throws {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let base = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temp = (folder.isEmpty ? "" : folder + "/") + ".\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LowBitError.io(path, "cannot create \(temp): \(String(cString: strerror(errno)))") }
        var committed = false
        defer {
            if !committed {
                close(fd)
                unlink(temp)
            }
        }
        try body(Sink(fd: fd, path: temp))
        guard fsync(fd) == 0 else { throw LowBitError.io(path, "fsync failed: \(String(cString: strerror(errno)))") }
        committed = true
        guard close(fd) == 0 else {
            unlink(temp)
            throw LowBitError.io(path, "close failed: \(String(cString: strerror(errno)))")
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw LowBitError.io(path, "cannot rename \(temp) into place: \(reason)")
        }
        let dirfd = open(folder.isEmpty ? "/" : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirfd >= 0 {
            _ = fsync(dirfd)
            close(dirfd)
        }
    }
}
