import LowBitCore
import LowBitKernels
import LowBitModel

/// Statistics of one linear layer's inputs over the calibration tokens: H = Σ_t x_t x_tᵀ (GPTQ's Hessian up to
/// a factor) and max_t |x_t[k]| per input column (QUIK's outlier statistic).
// @unchecked Sendable: written only from the model's forward pass (one caller at a time), read afterwards.
public final class InputStatistics: @unchecked Sendable {
    public let width: Int
    public private(set) var tokens = 0
    let h: UnsafeMutablePointer<Float>
    public private(set) var columnMax: [Float]
    /// Σ_t x_t per input column (the mean input is sum / tokens: the part of the output error that every token
    /// shares, `QuantizationReport`).
    public private(set) var sum: [Double]

    init(width: Int) {
        self.width = width
        h = .allocate(capacity: width * width)
        h.initialize(repeating: 0, count: width * width)
        columnMax = [Float](repeating: 0, count: width)
        sum = [Double](repeating: 0, count: width)
    }

    deinit { h.deallocate() }

    func add(_ x: UnsafePointer<Float>, tokens t: Int) {
        let d = width
        // Row i of H gains Σ_t x_t[i] · x_t (vectorized along the row; rows split over the cores).
        accumulateOuterProducts(x, x, tokens: t, width: d, into: h)
        for s in 0..<t {
            for k in 0..<d {
                columnMax[k] = max(columnMax[k], x[s * d + k].magnitude)
                sum[k] += Double(x[s * d + k])
            }
        }
        tokens += t
    }

    /// H in Float64, row-major [width, width].
    public var hessian: [Double] { (0..<(width * width)).map { Double(h[$0]) } }
}

/// Wraps a layer so every input it sees is added to `statistics` (nil: the input is shared with a layer that
/// already records it, e.g. k/v after q).
// @unchecked Sendable: see InputStatistics.
final class RecordingLinear: LinearWeight, @unchecked Sendable {
    let base: any LinearWeight
    let statistics: InputStatistics?
    init(base: any LinearWeight, statistics: InputStatistics?) {
        self.base = base
        self.statistics = statistics
    }
    var outFeatures: Int { base.outFeatures }
    var inFeatures: Int { base.inFeatures }
    var weightBytes: Int { base.weightBytes }
    func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        statistics?.add(x, tokens: tokens)
        base.apply(x, tokens: tokens, into: y)
    }
}

/// A weight source that serves `inner`'s tensors and embeddings and wraps some of its linear layers.
protocol WrappingWeightSource: WeightSource {
    var inner: any WeightSource { get }
}

extension WrappingWeightSource {
    var sourceDescription: String { inner.sourceDescription }
    var tensorNames: [String] { inner.tensorNames }
    func shape(of name: String) -> [Int]? { inner.shape(of: name) }
    func payload(_ name: String) throws -> TensorPayload { try inner.payload(name) }
    func embedding(_ name: String, rows: Int, cols: Int) throws -> any EmbeddingTable {
        try inner.embedding(name, rows: rows, cols: cols)
    }
}

/// A weight source that hands the model recording layers for every block linear layer.
final class RecordingWeights: WrappingWeightSource {
    let inner: any WeightSource
    /// Input key (layers sharing an input share statistics) → statistics.
    private(set) var statistics: [String: InputStatistics] = [:]

    init(_ inner: any WeightSource) { self.inner = inner }

    func linear(_ name: String, rows: Int, cols: Int) throws -> any LinearWeight {
        let base = try inner.linear(name, rows: rows, cols: cols)
        guard let key = RecordingWeights.inputKey(name) else { return base }
        if statistics[key] != nil { return RecordingLinear(base: base, statistics: nil) }
        let s = InputStatistics(width: cols)
        statistics[key] = s
        return RecordingLinear(base: base, statistics: s)
    }

    /// q/k/v read the same normalized input, as do gate/up; the output head is not calibrated.
    static func inputKey(_ name: String) -> String? {
        guard name.hasPrefix("blk."), let dot = name.dropFirst(4).firstIndex(of: ".") else { return nil }
        let block = name[..<dot]
        for (suffix, key) in [("attn_q.weight", "attn_in"), ("attn_k.weight", "attn_in"), ("attn_v.weight", "attn_in"),
                              ("attn_output.weight", "attn_out"), ("ffn_gate.weight", "ffn_in"),
                              ("ffn_up.weight", "ffn_in"), ("ffn_down.weight", "ffn_down")] where name.hasSuffix(suffix) {
            return "\(block).\(key)"
        }
        return nil
    }
}
