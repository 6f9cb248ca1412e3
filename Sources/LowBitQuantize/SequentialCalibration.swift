import LowBitCore
import LowBitKernels
import LowBitModel

// Sequential calibration (GPTQ's "true sequential", arXiv 2210.17323 §4): the block linear layers are quantized in
// the order the model reads them, block by block and, inside a block, q/k/v → o → gate/up → down. Each layer's
// statistics come from its inputs in the model whose earlier layers are already quantized (their dequantized
// weights), so each layer sees, and GPTQ / scale tuning can compensate, the errors of the layers before it. The
// calibration windows' residual streams are carried from block to block (`LlamaModel.forwardBlock`): one pass over
// the blocks, not one model run per layer.
//
// `--fp-target` (the asymmetric calibration of GPTAQ, arXiv 2504.02692): with x the unquantized model's input of a
// layer and x̃ its input in the partially quantized model, minimise ‖W X − Ŵ X̃‖² rather than ‖W X̃ − Ŵ X̃‖². With
// H̃ = Σ x̃ x̃ᵀ and D = Σ (x − x̃) x̃ᵀ, and W* = W + W D (H̃ + λI)⁻¹, the cross term of ‖W X − W* X̃ + (W* − Ŵ) X̃‖²
// vanishes (for λ = 0; λ regularises W* towards W), so GPTQ and scale tuning run unchanged on the target W* with
// the Hessian H̃.

/// A layer whose weights can be replaced after the model is built (by the quantized layer's dequantized weights).
// @unchecked Sendable: `base` changes only between block passes (in the block observer, before the layer is read).
final class SwappableLinear: LinearWeight, @unchecked Sendable {
    var base: any LinearWeight
    init(_ base: any LinearWeight) { self.base = base }
    var outFeatures: Int { base.outFeatures }
    var inFeatures: Int { base.inFeatures }
    var weightBytes: Int { base.weightBytes }
    func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        base.apply(x, tokens: tokens, into: y)
    }
}

/// A weight source whose block linear layers are `SwappableLinear`s (everything else is `inner`'s).
final class SwappableWeights: WrappingWeightSource {
    let inner: any WeightSource
    private(set) var layers: [String: SwappableLinear] = [:]

    init(_ inner: any WeightSource) { self.inner = inner }
    func linear(_ name: String, rows: Int, cols: Int) throws -> any LinearWeight {
        let base = try inner.linear(name, rows: rows, cols: cols)
        guard ModelQuantizer.isBlockLinear(name) else { return base }
        let layer = SwappableLinear(base)
        layers[name] = layer
        return layer
    }
}

/// The GPTAQ target W* = W + W D (H̃ + λ·mean(diag H̃)·I)⁻¹ of every layer that reads one input (see above).
struct FPTarget {
    let n: Int
    /// D = Σ_t (x_t − x̃_t) x̃_tᵀ, row-major [n, n].
    let d: [Double]
    /// Lᵀ (upper, row-major) of the Cholesky factor L Lᵀ = H̃ + λI.
    let u: [Double]

    /// `fp`, `quantized`: the layer's inputs [tokens × n] in the unquantized and in the partially quantized model.
    init(fp: UnsafePointer<Float>, quantized: UnsafePointer<Float>, tokens: Int, width n: Int, hessian: [Double],
         dampening: Double, name: String) throws {
        self.n = n
        let diff = UnsafeMutablePointer<Float>.allocate(capacity: tokens * n)
        defer { diff.deallocate() }
        for i in 0..<(tokens * n) { diff[i] = fp[i] - quantized[i] }
        let acc = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
        defer { acc.deallocate() }
        acc.initialize(repeating: 0, count: n * n)
        accumulateOuterProducts(UnsafePointer(diff), quantized, tokens: tokens, width: n, into: acc)
        d = (0..<(n * n)).map { Double(acc[$0]) }
        u = try GPTQ.withDampenedCholesky(hessian, n: n, dampening: dampening, minimumMeanDiagonal: .leastNormalMagnitude,
                                          name: name, user: "--fp-target") { GPTQ.upperFromLower($0, n: n) }
    }

    /// W* for the row-major [rows, n] weights `w`.
    func target(_ w: [Float], rows: Int) -> [Float] {
        precondition(w.count == rows * n)
        var out = w
        let n = self.n
        d.withUnsafeBufferPointer { db in
            u.withUnsafeBufferPointer { ub in
                w.withUnsafeBufferPointer { wb in
                    out.withUnsafeMutableBufferPointer { ob in
                        let D = db.baseAddress!, U = ub.baseAddress!, W = wb.baseAddress!, O = ob.baseAddress!
                        Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                            let z = UnsafeMutablePointer<Double>.allocate(capacity: n)
                            defer { z.deallocate() }
                            for r in range {
                                // z = w D (row vector), then y solving (H̃ + λI) yᵀ = zᵀ: L v = z, Lᵀ y = v; W* row = w + y.
                                z.initialize(repeating: 0, count: n)
                                for i in 0..<n {
                                    let wi = Double(W[r * n + i])
                                    if wi == 0 { continue }
                                    let row = D + i * n
                                    for j in 0..<n { z[j] += wi * row[j] }
                                }
                                // Forward: L v = z with L[i][k] = U[k][i]; column access of U, so go by columns of
                                // L: v_i = z_i / L_ii, then z_k −= L[k][i] v_i = U[i][k] v_i for k > i.
                                for i in 0..<n {
                                    let vi = z[i] / U[i * n + i]
                                    z[i] = vi
                                    if vi == 0 { continue }
                                    let row = U + i * n
                                    for k in (i + 1)..<max(i + 1, n) { z[k] -= row[k] * vi }
                                }
                                // Backward: Lᵀ y = v, Lᵀ = U upper: y_i = (v_i − U[i][i+1…] · y[i+1…]) / U_ii.
                                var i = n - 1
                                while i >= 0 {
                                    let s = i + 1 < n ? ScaleTuning.dotDouble(U + i * n + i + 1, z + i + 1, n - i - 1) : 0
                                    z[i] = (z[i] - s) / U[i * n + i]
                                    i -= 1
                                }
                                for j in 0..<n { O[r * n + j] = Float(Double(W[r * n + j]) + z[j]) }
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}

/// acc[i][j] += Σ_t a_t[i] · b_t[j] for rows a_t, b_t of width n (Float32, vectorised along j, rows i over the cores;
/// `InputStatistics.add` is the case a = b).
func accumulateOuterProducts(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, tokens t: Int, width d: Int,
                             into acc: UnsafeMutablePointer<Float>) {
    Parallel.forRanges(count: d, granule: 16) { range in
        for i in range {
            for s in 0..<t {
                let ai = a[s * d + i]
                if ai != 0 { axpy(ai, b + s * d, acc + i * d, d) }
            }
        }
    }
}

/// Every value of a quantized tensor of the code scheme as the model computes with it (`QuantizedCodeLinear`'s
/// dequantization, as `LowBitCheckpointWeights.dequantized` gives it after saving), row-major.
func dequantizedValues(_ q: QuantizedTensor) throws -> [Float] {
    let layout = q.layout
    guard layout.scheme == .codes else {
        throw LowBitError.unsupported("\(q.name): sequential calibration handles the code formats (int*, nf*, lut*, fp*) only")
    }
    func data(_ suffix: String) throws -> [UInt8] {
        guard let e = q.entries.first(where: { $0.name == q.name + suffix }) else {
            throw LowBitError.invalidArgument(q.name, "quantized tensor has no \(suffix)")
        }
        return e.data
    }
    let codes = try data(LowBitCheckpointKeys.qweight), scales = try data(LowBitCheckpointKeys.scales)
    let zeros = layout.zeroPoint == "stored" ? try data(LowBitCheckpointKeys.zeros) : nil
    let rows = layout.rows, cols = layout.cols
    var out = [Float](repeating: 0, count: rows * cols)
    func read(_ z: UnsafeRawBufferPointer?) {
        codes.withUnsafeBytes { cb in
            scales.withUnsafeBytes { sb in
                let layer = QuantizedCodeLinear(layout: layout, bytes: QuantizedTensorBytes(qweight: cb, scales: sb, zeros: z,
                                                                                           outlierWeight: nil))
                out.withUnsafeMutableBufferPointer { o in
                    for r in 0..<rows { layer.lookup(r, into: o.baseAddress! + r * cols) }
                }
            }
        }
    }
    if let zeros { zeros.withUnsafeBytes { read($0) } } else { read(nil) }
    return out
}

extension ModelQuantizer {
    /// The layers of block `block` that read `input`, in the model's order.
    static func layers(block: Int, reading input: LlamaModel.BlockInput) -> [String] {
        let suffixes: [String]
        switch input {
        case .attention: suffixes = ["attn_q", "attn_k", "attn_v"]
        case .attentionOutput: suffixes = ["attn_output"]
        case .mlp: suffixes = ["ffn_gate", "ffn_up"]
        case .mlpDown: suffixes = ["ffn_down"]
        }
        return suffixes.map { "blk.\(block).\($0).weight" }
    }

    /// What a sequential run produced: every quantized layer, and (when asked) the statistics each layer was
    /// quantized with (inputs in the partially quantized model).
    struct SequentialResult {
        var tensors: [String: QuantizedTensor] = [:]
        var statistics: [String: InputStatistics] = [:]
    }

    /// Quantizes the block linear layers in `names` sequentially (see the top of this file) on `tokens`, cut into
    /// independent windows of `context` tokens.
    static func quantizeSequentially(weights: any WeightSource, config: LlamaConfig, tokens: [Int], context: Int,
                                     names: Set<String>, options: QuantizeOptions,
                                     keepStatistics: Bool = false) throws -> SequentialResult {
        let swappable = SwappableWeights(weights)
        let model = try LlamaModel(config: config, weights: swappable)
        let fpModel = options.fpTarget ? try LlamaModel(config: config, weights: weights) : nil
        let T = tokens.count
        var xq = try model.embed(tokens)
        var xfp = fpModel == nil ? [] : xq
        var result = SequentialResult()
        let work = Double(config.layerCount * LlamaModel.BlockInput.allCases.count)
        var progress = ProgressBar(total: Int(work), label: "sequential \(options.formatName)", enabled: options.showProgress)
        var done = 0.0
        for block in 0..<config.layerCount {
            // The unquantized model's inputs of this block's layers (the residual carried from the last block).
            var fpInputs: [LlamaModel.BlockInput: [Float]] = [:]
            if let fpModel {
                try xfp.withUnsafeMutableBufferPointer { xb in
                    try fpModel.forwardBlock(block, residual: xb.baseAddress!, tokens: T, sequenceLength: context) { input, x, t, width in
                        fpInputs[input] = Array(UnsafeBufferPointer(start: x, count: t * width))
                    }
                }
            }
            try xq.withUnsafeMutableBufferPointer { xb in
                try model.forwardBlock(block, residual: xb.baseAddress!, tokens: T, sequenceLength: context) { input, x, t, width in
                    defer {
                        done += 1
                        progress.update(done: done, item: "block \(block) of \(config.layerCount)")
                    }
                    let layerNames = layers(block: block, reading: input).filter { names.contains($0) }
                    guard let first = layerNames.first, let key = RecordingWeights.inputKey(first) else { return }
                    let stats = InputStatistics(width: width)
                    stats.add(x, tokens: t)
                    if keepStatistics { result.statistics[key] = stats }
                    var target: FPTarget?
                    if let fp = fpInputs[input] {
                        target = try fp.withUnsafeBufferPointer {
                            try FPTarget(fp: $0.baseAddress!, quantized: x, tokens: t, width: width, hessian: stats.hessian,
                                         dampening: options.fpTargetDampening, name: first)
                        }
                    }
                    let cache = FactorCache()
                    for name in layerNames {
                        guard let shape = weights.shape(of: name), shape.count == 2 else { continue }
                        let rows = shape[0], cols = shape[1]
                        let values = try weights.floats(name)
                        let goal = target?.target(values, rows: rows) ?? values
                        let q = try quantizeBlockLinear(name, values: goal, rows: rows, cols: cols, options: options,
                                                        statistics: [key: stats], cache: cache)
                        result.tensors[name] = q
                        swappable.layers[name]?.base = DenseF32Linear(rows: rows, cols: cols, values: try dequantizedValues(q))
                    }
                }
            }
        }
        progress.finish()
        return result
    }
}
