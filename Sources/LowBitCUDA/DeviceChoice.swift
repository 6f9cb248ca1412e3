import LowBitCore

/// `--device auto|cpu|cuda` for every command that can run on either.
public enum DeviceChoice: String, Sendable, CaseIterable {
    case auto, cpu, cuda

    public enum Resolved: Sendable {
        case cuda(CUDAContext)
        /// Running on the CPU; `note` says why when the GPU was wanted but not usable (print it).
        case cpu(note: String?)

        public var isCUDA: Bool { if case .cuda = self { return true } else { return false } }
    }

    /// Parses "auto", "cpu", "cuda" (also "gpu", "cuda:0"); the error names the flag.
    public static func parse(_ text: String) throws -> DeviceChoice {
        switch text.lowercased() {
        case "auto": return .auto
        case "cpu": return .cpu
        case "cuda", "gpu", "cuda:0": return .cuda
        default: throw LowBitError.invalidArgument("--device", "'\(text)' is not one of auto, cpu, cuda")
        }
    }

    /// `.cuda` → the context of GPU `ordinal` or the reason it is unavailable (thrown: exit non-zero);
    /// `.auto` → the GPU if usable, else the CPU with a note saying why; `.cpu` → the CPU.
    public func resolve(ordinal: Int = 0) throws -> Resolved {
        switch self {
        case .cpu:
            return .cpu(note: nil)
        case .cuda:
            return .cuda(try CUDA.shared().context(device: ordinal))
        case .auto:
            do {
                return .cuda(try CUDA.shared().context(device: ordinal))
            } catch {
                return .cpu(note: "--device auto: using the CPU (\(error))")
            }
        }
    }
}
