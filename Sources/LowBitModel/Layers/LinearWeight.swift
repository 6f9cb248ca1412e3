import LowBitCore
import LowBitKernels
import Synchronization

/// A linear layer's weight W [outFeatures, inFeatures], in whatever storage and on whatever device.
///
/// The model only ever asks for y = x·Wᵀ over a batch of token rows, so a new format (FPx, lookup tables,
/// bipolar-INT, QUIK) or a GPU backend plugs in by conforming to this protocol and being returned from a
/// `WeightSource.linear(_:rows:cols:)`. Implementations are immutable after creation and may be called
/// from several threads (they parallelize internally).
public protocol LinearWeight: AnyObject, Sendable {
    var outFeatures: Int { get }
    var inFeatures: Int { get }
    /// Bytes of weight storage read by one call (the decode roofline's numerator).
    var weightBytes: Int { get }
    /// y [tokens, outFeatures] = x [tokens, inFeatures] · Wᵀ. y is fully overwritten.
    func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>)
}

/// y_i = x·W_iᵀ for layers that read the same input (q/k/v, gate/up). For one token over GGML block layers
/// with the same width, the input is quantized once and all rows run in one parallel dispatch (decode makes
/// ~210 matvec calls per token otherwise, each waking the worker threads); anything else calls `apply` per
/// layer, with identical results.
public func applySharingInput(_ layers: [any LinearWeight], _ x: UnsafePointer<Float>, tokens: Int,
                              into outputs: [UnsafeMutablePointer<Float>]) {
    precondition(layers.count == outputs.count)
    if tokens == 1, let cols = layers.first?.inFeatures, cols % GGMLBlockKind.blockSize == 0 {
        var parts: [GGMLMatvecPart] = []
        parts.reserveCapacity(layers.count)
        for (layer, y) in zip(layers, outputs) {
            guard let block = layer as? GGMLBlockLinear, block.inFeatures == cols else { parts = []; break }
            parts.append(GGMLMatvecPart(block.decodeRows, y: y))
        }
        if !parts.isEmpty {
            let xq = DecodeActivations(x, cols: cols)
            GGMLBlockMatmul.matvecGroup(parts, xq: xq)
            return
        }
    }
    for (layer, y) in zip(layers, outputs) { layer.apply(x, tokens: tokens, into: y) }
}

/// A token-embedding table: row `token` of a [vocabulary, width] matrix.
public protocol EmbeddingTable: AnyObject, Sendable {
    var vocabularySize: Int { get }
    var width: Int { get }
    func lookup(_ token: Int, into out: UnsafeMutablePointer<Float>)
}

/// An element type of dense row-major weights: its dense matmul kernel and its widening to Float.
public protocol DenseWeightElement: Sendable {
    static func matmul(weights: UnsafePointer<Self>, rows: Int, cols: Int, x: UnsafePointer<Float>, tokens: Int,
                       y: UnsafeMutablePointer<Float>)
    var floatValue: Float { get }
}

extension Float: DenseWeightElement {
    public static func matmul(weights: UnsafePointer<Float>, rows: Int, cols: Int, x: UnsafePointer<Float>, tokens: Int,
                              y: UnsafeMutablePointer<Float>) {
        DenseMatmul.f32(weights: weights, rows: rows, cols: cols, x: x, tokens: tokens, y: y)
    }
    public var floatValue: Float { self }
}

extension Float16: DenseWeightElement {
    /// Half the bytes of F32; the kernel widens with vcvtph2ps.
    public static func matmul(weights: UnsafePointer<Float16>, rows: Int, cols: Int, x: UnsafePointer<Float>, tokens: Int,
                              y: UnsafeMutablePointer<Float>) {
        DenseMatmul.f16(weights: weights, rows: rows, cols: cols, x: x, tokens: tokens, y: y)
    }
    public var floatValue: Float { Float(self) }
}

/// Dense weights, row-major, in Float32 or Float16. Also serves as an embedding table.
// @unchecked Sendable: the storage is written once in init and only read afterwards.
public final class DenseLinear<Element: DenseWeightElement>: LinearWeight, EmbeddingTable, @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    let storage: UnsafeMutablePointer<Element>

    public init(rows: Int, cols: Int, values: [Element]) {
        precondition(values.count == rows * cols)
        outFeatures = rows
        inFeatures = cols
        storage = .allocate(capacity: max(1, values.count))
        values.withUnsafeBufferPointer { storage.initialize(from: $0.baseAddress!, count: values.count) }
    }

    deinit { storage.deallocate() }

    public var weightBytes: Int { outFeatures * inFeatures * MemoryLayout<Element>.stride }
    public var vocabularySize: Int { outFeatures }
    public var width: Int { inFeatures }

    public func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        Element.matmul(weights: storage, rows: outFeatures, cols: inFeatures, x: x, tokens: tokens, y: y)
    }

    public func lookup(_ token: Int, into out: UnsafeMutablePointer<Float>) {
        let row = storage + token * inFeatures
        for i in 0..<inFeatures { out[i] = row[i].floatValue }
    }
}

public typealias DenseF32Linear = DenseLinear<Float>
public typealias DenseF16Linear = DenseLinear<Float16>

/// GGML Q4_1 / Q8_0 blocks used in place (typically inside a memory-mapped GGUF file, kept alive by
/// `owner`): the weights stay at 5 or 8.5 bits each and are dequantized on the fly. Decode (one token) reads
/// a copy of the same bytes with 8 rows interleaved (`GGMLInterleavedRows`), made on the first one-token call:
/// a model that never decodes (perplexity) and an embedding table that is only looked up never pay for it.
// @unchecked Sendable: the bytes are never written; `owner` only keeps them mapped; `interleaved` is
// guarded by its Mutex and immutable once made.
public final class GGMLBlockLinear: LinearWeight, EmbeddingTable, @unchecked Sendable {
    public let outFeatures: Int
    public let inFeatures: Int
    public let kind: GGMLBlockKind
    let bytes: UnsafeRawPointer
    let owner: AnyObject
    private let interleaved = Mutex<GGMLInterleavedRows?>(nil)

    /// The decode layout of the rows (made once, on first use).
    var decodeRows: GGMLInterleavedRows {
        interleaved.withLock { rows in
            if let rows { return rows }
            let made = GGMLInterleavedRows(kind: kind, weights: bytes, rows: outFeatures, cols: inFeatures)
            rows = made
            return made
        }
    }

    /// `bytes` must hold rows · kind.rowBytes(cols) bytes and stay valid while `owner` lives.
    public init(kind: GGMLBlockKind, rows: Int, cols: Int, bytes: UnsafeRawBufferPointer, owner: AnyObject) throws {
        guard cols % GGMLBlockKind.blockSize == 0 else {
            throw LowBitError.shapeMismatch("GGML block tensor with \(cols) columns: not a multiple of 32")
        }
        guard bytes.count >= rows * kind.rowBytes(cols: cols), let base = bytes.baseAddress else {
            throw LowBitError.shapeMismatch("GGML block tensor [\(rows), \(cols)]: \(bytes.count) bytes is too short")
        }
        self.kind = kind
        outFeatures = rows
        inFeatures = cols
        self.bytes = base
        self.owner = owner
    }

    public var weightBytes: Int { outFeatures * kind.rowBytes(cols: inFeatures) }
    public var vocabularySize: Int { outFeatures }
    public var width: Int { inFeatures }

    public func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        if tokens == 1 {
            GGMLBlockMatmul.matvec(decodeRows, xq: DecodeActivations(x, cols: inFeatures), y: y)
        } else {
            GGMLBlockMatmul.matmul(kind, weights: bytes, rows: outFeatures, cols: inFeatures, x: x, tokens: tokens, y: y)
        }
    }

    public func lookup(_ token: Int, into out: UnsafeMutablePointer<Float>) {
        GGMLBlockMatmul.dequantizeRow(kind, bytes + token * kind.rowBytes(cols: inFeatures), cols: inFeatures, into: out)
    }
}

/// Owns a byte buffer for GGML blocks that do not live in a mapped file (tests, converted weights).
public final class OwnedBytes: @unchecked Sendable {
    // @unchecked Sendable: immutable after init.
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
}
