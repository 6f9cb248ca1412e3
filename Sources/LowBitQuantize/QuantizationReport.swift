import Foundation
import LowBitCore
import LowBitKernels
import LowBitModel

/// `LOWBIT_QUANTIZE_REPORT=FILE lowbit quantize …`: after writing the checkpoint, one JSON line per block linear
/// layer with the output error of what the checkpoint really computes with (ŵ from its dequantization) on the
/// calibration inputs x_t (t = 1…T), e = ŵ − w per row, H = Σ_t x_t x_tᵀ, S = Σ_t x_t:
///
/// - `rel_error` = Σ_rows eᵀHe / Σ_rows wᵀHw: output error power relative to the output power;
/// - `rel_bias` = Σ_rows (e·S)² / T / Σ_rows wᵀHw: the part of it that every token shares (the error of the mean
///   input: Σ_t (e·x_t)² = T (e·μ)² + Σ_t (e·(x_t − μ))², μ = S / T), i.e. a constant shift of the outputs;
/// - `bias_share` = rel_bias / rel_error;
/// - `mean_error`, `rms_error`: mean and rms of e over the layer's weights, in units of the rms of w.
///
/// The calibration text is `--calibration` (statistics already collected) or `LOWBIT_QUANTIZE_REPORT_TEXT`
/// (`--calibration-tokens` tokens of it); without either the report is skipped with a message.
enum QuantizationReport {
    static func write(to path: String, checkpoint: String, source: any WeightSource, metadata: [String: Any],
                      statistics given: [String: InputStatistics], options: QuantizeOptions) throws {
        var statistics = given
        if statistics.isEmpty {
            guard let text = options.calibrationPath ?? getEnvironment("LOWBIT_QUANTIZE_REPORT_TEXT") else {
                printError("LOWBIT_QUANTIZE_REPORT: no calibration text (--calibration or LOWBIT_QUANTIZE_REPORT_TEXT); no report")
                return
            }
            (statistics, _) = try ModelQuantizer.calibrate(weights: source, metadata: JSONModelMetadata(metadata),
                                                           textPath: text, options: options)
        }
        let quantized = try LowBitCheckpointWeights(path: checkpoint)
        var lines: [String] = []
        for name in source.tensorNames where ModelQuantizer.isBlockLinear(name) && quantized.config?.tensors[name] != nil {
            guard let key = RecordingWeights.inputKey(name), let stats = statistics[key],
                  let shape = source.shape(of: name), shape.count == 2 else { continue }
            let w = try source.floats(name), q = try quantized.dequantized(name)
            let line = layer(name, w: w, q: q, rows: shape[0], cols: shape[1], stats: stats)
            lines.append(line)
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// One layer's JSON line.
    static func layer(_ name: String, w: [Float], q: [Float], rows: Int, cols: Int, stats: InputStatistics) -> String {
        let n = cols, tokens = Double(max(stats.tokens, 1))
        let e = zip(q, w).map { $0 - $1 }
        var errorPower = [Double](repeating: 0, count: rows), signalPower = [Double](repeating: 0, count: rows)
        var shared = [Double](repeating: 0, count: rows)
        let sum = stats.sum.map { Float($0) }
        e.withUnsafeBufferPointer { eb in
            w.withUnsafeBufferPointer { wb in
                sum.withUnsafeBufferPointer { sb in
                    errorPower.withUnsafeMutableBufferPointer { ep in
                        signalPower.withUnsafeMutableBufferPointer { sp in
                            shared.withUnsafeMutableBufferPointer { bp in
                                let E = eb.baseAddress!, W = wb.baseAddress!, S = sb.baseAddress!, H = stats.h
                                let EP = ep.baseAddress!, SP = sp.baseAddress!, BP = bp.baseAddress!
                                Parallel.forRanges(count: rows, granule: 4) { range in
                                    for r in range {
                                        var he = 0.0, hw = 0.0
                                        for i in 0..<n {
                                            he += Double(E[r * n + i]) * Double(dot(H + i * n, E + r * n, n))
                                            hw += Double(W[r * n + i]) * Double(dot(H + i * n, W + r * n, n))
                                        }
                                        EP[r] = he
                                        SP[r] = hw
                                        let es = Double(dot(E + r * n, S, n))
                                        BP[r] = es * es / tokens
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // The shared shift b_r = e_r·μ of each output: its mean over the outputs (in units of the rms output) and
        // how much of it is one same-sign shift of every output, (Σ_r b_r)² / (rows Σ_r b_r²) (1/rows for
        // independent signs, 1 when every output moves by the same amount).
        var shiftSum = 0.0
        e.withUnsafeBufferPointer { eb in
            sum.withUnsafeBufferPointer { sb in
                for r in 0..<rows { shiftSum += Double(dot(eb.baseAddress! + r * n, sb.baseAddress!, n)) / tokens }
            }
        }
        let rmsOutput = (signalPower.reduce(0, +) / tokens / Double(rows)).squareRoot()
        let coherence = shiftSum * shiftSum / max(Double(rows) * shared.reduce(0, +) / tokens, .leastNormalMagnitude)
        let signal = max(signalPower.reduce(0, +), .leastNormalMagnitude)
        let error = errorPower.reduce(0, +), bias = shared.reduce(0, +)
        let rmsW = (w.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(w.count, 1))).squareRoot()
        let meanE = e.reduce(0.0) { $0 + Double($1) } / Double(max(e.count, 1))
        let rmsE = (e.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(e.count, 1))).squareRoot()
        return String(format: "{\"name\": \"%@\", \"rel_error\": %.6g, \"rel_bias\": %.6g, \"bias_share\": %.6g, \"mean_error\": %.6g, \"rms_error\": %.6g, \"shift_mean\": %.6g, \"shift_coherence\": %.6g}",
                      name, error / signal, bias / signal, error > 0 ? bias / error : 0, meanE / rmsW, rmsE / rmsW,
                      shiftSum / Double(rows) / max(rmsOutput, .leastNormalMagnitude), coherence)
    }
}
