import LowBitCore
import LowBitKernels

/// How a tensor is stored, as a weight source hands it to the model.
public enum TensorPayload {
    case float32([Float])
    case float16([Float16])
    /// GGML blocks in place; `owner` keeps the bytes alive.
    case ggml(GGMLBlockKind, UnsafeRawBufferPointer, owner: AnyObject)
}

/// A checkpoint's tensors under the model's canonical names (llama.cpp GGUF names: `token_embd.weight`,
/// `blk.N.attn_q.weight`, …). Shapes are row-major: [rows, cols] for matrices, [n] for vectors.
/// Sources that hold other formats (a GPU copy, a LowBit quantized format) override `linear`.
public protocol WeightSource {
    /// The file or folder, for error messages.
    var sourceDescription: String { get }
    var tensorNames: [String] { get }
    func shape(of name: String) -> [Int]?
    func payload(_ name: String) throws -> TensorPayload
    /// The linear layer for a [rows, cols] tensor. The default builds it from `payload`.
    func linear(_ name: String, rows: Int, cols: Int) throws -> any LinearWeight
    /// The embedding table for a [vocabulary, width] tensor. The default builds it from `payload`.
    func embedding(_ name: String, rows: Int, cols: Int) throws -> any EmbeddingTable
}

extension WeightSource {
    public func linear(_ name: String, rows: Int, cols: Int) throws -> any LinearWeight {
        try denseOrBlockLayer(name, rows: rows, cols: cols)
    }

    public func embedding(_ name: String, rows: Int, cols: Int) throws -> any EmbeddingTable {
        try denseOrBlockLayer(name, rows: rows, cols: cols)
    }

    /// A layer over the tensor's own storage: F32, F16 or GGML blocks, checking its size and values.
    public func denseOrBlockLayer(_ name: String, rows: Int, cols: Int) throws -> any LinearWeight & EmbeddingTable {
        switch try payload(name) {
        case .float32(let v):
            guard v.count == rows * cols else { throw sizeError(name, v.count, rows * cols) }
            try checkFinite(name, v)
            return DenseF32Linear(rows: rows, cols: cols, values: v)
        case .float16(let v):
            guard v.count == rows * cols else { throw sizeError(name, v.count, rows * cols) }
            if let bad = v.firstIndex(where: { !$0.isFinite }) {
                throw LowBitError.invalidFile(sourceDescription, "tensor \(name) has a non-finite value at \(bad)")
            }
            return DenseF16Linear(rows: rows, cols: cols, values: v)
        case .ggml(let kind, let bytes, let owner):
            do {
                return try GGMLBlockLinear(kind: kind, rows: rows, cols: cols, bytes: bytes, owner: owner)
            } catch let error as LowBitError {
                throw LowBitError(error.kind, "\(sourceDescription): tensor \(name): \(error.message)")
            }
        }
    }

    /// The tensor as Float values (norm weights and other small vectors).
    public func floats(_ name: String) throws -> [Float] {
        let values: [Float]
        switch try payload(name) {
        case .float32(let v): values = v
        case .float16(let v): values = v.map { Float($0) }
        case .ggml(let kind, let bytes, _):
            let count = (shape(of: name) ?? []).reduce(1, *)
            guard count % 32 == 0, bytes.count >= count / 32 * kind.blockBytes else {
                throw LowBitError.invalidFile(sourceDescription, "tensor \(name): block data does not fit its shape")
            }
            var out = [Float](repeating: 0, count: count)
            out.withUnsafeMutableBufferPointer { o in
                GGMLBlockMatmul.dequantizeRow(kind, bytes.baseAddress!, cols: count, into: o.baseAddress!)
            }
            values = out
        }
        try checkFinite(name, values)
        return values
    }

    func sizeError(_ name: String, _ got: Int, _ want: Int) -> LowBitError {
        LowBitError.shapeMismatch("\(sourceDescription): tensor \(name) holds \(got) values, expected \(want)")
    }

    func checkFinite(_ name: String, _ values: [Float]) throws {
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw LowBitError.invalidFile(sourceDescription, "tensor \(name) has a non-finite value (\(values[bad])) at \(bad)")
        }
    }
}

/// Tensors held in memory under canonical names (tests, converted checkpoints).
public struct InMemoryWeights: WeightSource {
    public var sourceDescription: String
    public var tensors: [String: (shape: [Int], payload: TensorPayload)]

    public init(description: String = "<memory>", tensors: [String: (shape: [Int], payload: TensorPayload)] = [:]) {
        self.sourceDescription = description
        self.tensors = tensors
    }

    public mutating func set(_ name: String, shape: [Int], _ values: [Float]) {
        tensors[name] = (shape, .float32(values))
    }

    public var tensorNames: [String] { Array(tensors.keys) }
    public func shape(of name: String) -> [Int]? { tensors[name]?.shape }
    public func payload(_ name: String) throws -> TensorPayload {
        guard let t = tensors[name] else { throw LowBitError.notFound("\(sourceDescription): no tensor \(name)") }
        return t.payload
    }
}
