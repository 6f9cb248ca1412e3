import LowBitCore
import LowBitFormats
import LowBitIO
import LowBitKernels

/// GGUF metadata through the `ModelMetadata` accessors.
public struct GGUFMetadata: ModelMetadata {
    public let file: GGUFFile
    public init(_ file: GGUFFile) { self.file = file }
    public func int(_ key: String) -> Int? { file.metadata[key]?.intValue }
    public func double(_ key: String) -> Double? { file.metadata[key]?.floatValue }
    public func string(_ key: String) -> String? { file.metadata[key]?.stringValue }
    public func bool(_ key: String) -> Bool? { file.metadata[key]?.boolValue }
    public func strings(_ key: String) -> [String]? { file.metadata[key]?.stringArray }
    public func ints(_ key: String) -> [Int]? { file.metadata[key]?.intArray }
    public func floats(_ key: String) -> [Float]? { file.metadata[key]?.floatArray }
}

/// A GGUF file's tensors. Q4_1 and Q8_0 stay in the mapped file as GGML blocks (dequantized on the fly),
/// F32/F16 are copied, other types are dequantized to Float32 on load.
public struct GGUFWeights: WeightSource {
    public let file: GGUFFile
    public init(_ file: GGUFFile) { self.file = file }

    public var sourceDescription: String { file.path }
    public var tensorNames: [String] { file.tensors.map(\.name) }
    public func shape(of name: String) -> [Int]? { file.tensor(named: name)?.shape }

    public func payload(_ name: String) throws -> TensorPayload {
        guard let info = file.tensor(named: name) else {
            throw LowBitError.notFound("\(file.path): tensor \(name) is missing")
        }
        switch info.type {
        case .q4_1 where info.rowLength % 32 == 0: return .ggml(.q4_1, file.rawData(info), owner: file)
        case .q8_0 where info.rowLength % 32 == 0: return .ggml(.q8_0, file.rawData(info), owner: file)
        case .f16:
            let raw = file.rawData(info)
            let n = info.elementCount
            return .float16([Float16](unsafeUninitializedCapacity: n) { buf, count in
                for i in 0..<n { buf[i] = Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
                count = n
            })
        default:
            return .float32(try file.dequantize(info))
        }
    }
}
