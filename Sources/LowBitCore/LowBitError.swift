/// The one error type users see. Every message names what was wrong (a file, a tensor, an argument)
/// and why, so the CLI can print it as is and exit non-zero.
public struct LowBitError: Error, CustomStringConvertible, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case invalidFile        // a file that is truncated, corrupt or lies about itself
        case invalidArgument    // a flag, option or parameter out of range
        case unsupported        // valid input that LowBit does not handle (yet)
        case shapeMismatch      // tensors whose shapes do not fit together
        case io                 // the operating system refused (open, read, write, rename)
        case device             // GPU driver, NVRTC, cuBLAS
        case notFound           // a model, tensor or file that is not there
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func invalidFile(_ path: String, _ reason: String) -> LowBitError {
        LowBitError(.invalidFile, "\(path): \(reason)")
    }

    public static func invalidArgument(_ name: String, _ reason: String) -> LowBitError {
        LowBitError(.invalidArgument, "\(name): \(reason)")
    }

    public static func unsupported(_ what: String) -> LowBitError {
        LowBitError(.unsupported, what)
    }

    public static func shapeMismatch(_ what: String) -> LowBitError {
        LowBitError(.shapeMismatch, what)
    }

    public static func io(_ path: String, _ reason: String) -> LowBitError {
        LowBitError(.io, "\(path): \(reason)")
    }

    public static func notFound(_ what: String) -> LowBitError {
        LowBitError(.notFound, what)
    }
}
