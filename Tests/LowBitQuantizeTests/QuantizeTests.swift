import Foundation
import LowBitCore
import LowBitFormats
import LowBitIO
import LowBitModel
import Testing
@testable import LowBitQuantize

struct Rand {
    var base: SplitMix64
    init(_ seed: UInt64) { base = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { base.next() }
    mutating func float() -> Float { Float(next() >> 40) / Float(1 << 24) * 2 - 1 }
    /// Roughly normal (sum of 4 uniforms).
    mutating func normal() -> Float { (float() + float() + float() + float()) * 0.87 }
}

func temporaryDirectory() -> String {
    let dir = NSTemporaryDirectory() + "lowbit-quantize-tests-\(UInt64.random(in: 0...UInt64.max))"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// A tiny llama-shaped model: 2 blocks, width 40, FFN 72, vocab 50 (GGUF names), random weights.
func tinyModel(seed: UInt64 = 1, poison: String? = nil) -> (InMemoryWeights, [String: Any]) {
    var rng = Rand(seed)
    var w = InMemoryWeights(description: "tiny")
    let d = 40, ff = 72, vocab = 50, kv = 20
    func matrix(_ name: String, _ rows: Int, _ cols: Int) {
        var v = (0..<(rows * cols)).map { _ in rng.normal() * 0.05 }
        v[3] = 0.4  // one large weight per matrix: absmax rows differ
        if name == poison { v[rows * cols / 2 + 1] = .nan }
        w.set(name, shape: [rows, cols], v)
    }
    matrix("token_embd.weight", vocab, d)
    for i in 0..<2 {
        w.set("blk.\(i).attn_norm.weight", shape: [d], (0..<d).map { _ in 1 + rng.float() * 0.1 })
        w.set("blk.\(i).ffn_norm.weight", shape: [d], (0..<d).map { _ in 1 + rng.float() * 0.1 })
        matrix("blk.\(i).attn_q.weight", d, d)
        matrix("blk.\(i).attn_k.weight", kv, d)
        matrix("blk.\(i).attn_v.weight", kv, d)
        matrix("blk.\(i).attn_output.weight", d, d)
        matrix("blk.\(i).ffn_gate.weight", ff, d)
        matrix("blk.\(i).ffn_up.weight", ff, d)
        matrix("blk.\(i).ffn_down.weight", d, ff)
    }
    w.set("output_norm.weight", shape: [d], (0..<d).map { _ in 1 })
    let md: [String: Any] = [
        "general.architecture": "llama", "llama.block_count": 2, "llama.embedding_length": d,
        "llama.feed_forward_length": ff, "llama.attention.head_count": 4, "llama.attention.head_count_kv": 2,
        "llama.context_length": 64, "llama.rope.freq_base": 10000.0, "llama.attention.layer_norm_rms_epsilon": 1e-5,
        "llama.vocab_size": vocab,
    ]
    return (w, md)
}

/// A fused layer's x·Ŵᵀ on `tokens` random tokens against the Float64 product with `values` (its dequantized
/// weights, row-major); allowed error `relative` × Σ|ŵ·x| + 1e-6 per output, plus, for a decode kernel whose table
/// is approximate (`PackedCodeMatrix.tableError` δ: the two-level octet table of nf3), δ × Σ|s·x| with the weights'
/// scales `weightScales` (row-major, one per weight).
func expectLayerMatchesFloat64(_ layer: any LinearWeight, values: [Float], rows: Int, cols: Int, tokens: Int, seed: UInt64,
                               relative: Double, tableError: Double = 0, weightScales: [Float]? = nil, _ label: String) {
    var rng = Rand(seed)
    let x = (0..<(tokens * cols)).map { _ in rng.float() }
    var y = [Float](repeating: .nan, count: tokens * rows)
    x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { layer.apply(xb.baseAddress!, tokens: tokens, into: $0.baseAddress!) } }
    for t in 0..<tokens {
        for r in 0..<rows {
            var want = 0.0, mag = 0.0, slack = 0.0
            for k in 0..<cols {
                want += Double(values[r * cols + k]) * Double(x[t * cols + k])
                mag += abs(Double(values[r * cols + k]) * Double(x[t * cols + k]))
                if let weightScales { slack += tableError * abs(Double(weightScales[r * cols + k]) * Double(x[t * cols + k])) }
            }
            #expect(abs(Double(y[t * rows + r]) - want) <= relative * mag + slack + 1e-6,
                    "\(label) token \(t) row \(r): \(y[t * rows + r]) vs \(want)")
        }
    }
}

/// The e3m2 value nearest to q (Float32 input), ties to the even code, found by brute force over all codes.
func nearestE3M2(_ q: Float) throws -> Float {
    let table = try FPxFormat(exponentBits: 3, mantissaBits: 2).decodeTable
    var best = 0, bestDistance = Double.infinity
    for c in 0..<table.count {
        let dist = abs(Double(table[c]) - Double(q))
        if dist < bestDistance || (dist == bestDistance && c % 2 == 0 && best % 2 == 1) {
            best = c
            bestDistance = dist
        }
    }
    return table[best]
}

@Suite("LowBit checkpoints: quantize, load, dequantize")
struct QuantizeTests {
    func quantize(_ format: String, groupSize: Int? = nil, dir: String, model: (InMemoryWeights, [String: Any]) = tinyModel(),
                  embeddings: Bool = false) throws -> String {
        let out = dir + "/\(format).safetensors"
        let options = QuantizeOptions(formatName: format, format: try QuantizationFormat.parse(format), groupSize: groupSize,
                                      quantizeEmbeddings: embeddings, showProgress: false)
        _ = try ModelQuantizer.quantize(weights: model.0, metadata: model.1, sourceName: "tiny", output: out, options: options)
        return out
    }

    /// Acceptance (issue 4): every dequantized fp6 weight is exactly s × v with s = fp16(row absmax / 28) and v the
    /// e3m2 value nearest to w / s (Float32, ties to even, saturating).
    @Test func fp6DequantizesToScaleTimesNearestE3M2() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (source, md) = tinyModel()
        let q = try quantize("fp6", dir: dir, model: (source, md))
        let out = dir + "/dequantized.safetensors"
        _ = try ModelDequantizer.dequantize(checkpoint: q, output: out, showProgress: false)
        let file = try SafetensorsFile(path: out)
        var checked = 0
        for name in source.tensorNames where name.hasPrefix("blk.") && !name.contains("norm") {
            let shape = source.shape(of: name)!
            let (rows, cols) = (shape[0], shape[1])
            let w = try source.floats(name)
            let info = try #require(file.tensor(named: name))
            #expect(info.dtype == .float32 && info.shape == shape)
            let got = file.floats(info)
            for r in 0..<rows {
                let absmax = (0..<cols).map { w[r * cols + $0].magnitude }.max()!
                let s = Float(Float16(absmax / 28))
                for c in 0..<cols {
                    let v = try nearestE3M2(w[r * cols + c] / s)
                    #expect(got[r * cols + c] == s * v, "\(name)[\(r), \(c)]")
                    checked += 1
                }
            }
        }
        #expect(checked == 2 * (40 * 40 * 2 + 20 * 40 * 2 + 72 * 40 * 3))
        // Norms come back unchanged, the embedding as int8.
        #expect(file.floats(file.tensor(named: "blk.0.attn_norm.weight")!) == (try source.floats("blk.0.attn_norm.weight")))
    }

    /// quantize → save → load → dequantize gives the codec's own values, and each loaded layer computes x·Ŵᵀ.
    @Test(arguments: ["fp6", "fp5", "fpe2m3", "nf4", "nf3", "nf2", "int8", "int4", "int3", "int2", "bipolar-w2a8"])
    func roundTripAndLayers(_ format: String) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (source, md) = tinyModel(seed: 3)
        let q = try quantize(format, groupSize: format.hasPrefix("fp") ? nil : 64, dir: dir, model: (source, md))
        let ckpt = try LowBitCheckpointWeights(path: q)
        let parsed = try QuantizationFormat.parse(format)
        for name in ["blk.0.attn_q.weight", "blk.1.ffn_down.weight", "blk.0.attn_k.weight"] {
            let shape = source.shape(of: name)!
            let (rows, cols) = (shape[0], shape[1])
            let w = try source.floats(name)
            let grouping: ScaleGrouping = format.hasPrefix("fp") || cols <= 64 ? .perRow : .columns(64)
            let expected: [Float]
            switch parsed {
            case .fpx(let f): expected = try FPxMatrix.quantize(w, rows: rows, columns: cols, format: f, grouping: grouping).dequantize()
            case .lut(let t): expected = try LUTMatrix.quantize(w, rows: rows, columns: cols, table: t, grouping: grouping).dequantize()
            case .int(let b): expected = try IntMatrix.quantize(w, rows: rows, columns: cols, bits: b, symmetric: false, grouping: grouping).dequantize()
            case .bipolar(let b, _): expected = try BipolarMatrix.quantize(w, rows: rows, columns: cols, bits: b, grouping: grouping).dequantize()
            case .quik: expected = []
            }
            let got = try ckpt.dequantized(name)
            #expect(got == expected, "\(format) \(name) round trip")
            // The fused layer against the dequantized matrix in Float64 (bipolar quantizes activations: looser).
            expectLayerMatchesFloat64(try ckpt.linear(name, rows: rows, cols: cols), values: got, rows: rows, cols: cols,
                                      tokens: 3, seed: 9, relative: parsed.isWeightOnly ? 1e-4 : 0.02, "\(format) \(name)")
        }
    }

    /// `lowbit quantize` turns signed scales on by default exactly for the tables that are not sign-symmetric.
    @Test func signedScalesByDefaultForAsymmetricTables() throws {
        for name in ["nf4", "nf3", "nf2"] { #expect(try QuantizationFormat.parse(name).allowsSignedScales, "\(name)") }
        let symmetric = try LookupTable(values: [-1, -0.25, 0.25, 1], name: "lut2")
        #expect(!QuantizationFormat.lut(symmetric).allowsSignedScales)
        for name in ["int4", "int2", "fp6", "bipolar-w2a8", "quik-w4a4"] {
            #expect(!(try QuantizationFormat.parse(name).allowsSignedScales), "\(name)")
        }
    }

    /// `--signed-scales`: quantize → save → load → dequantize gives `LUTMatrix`'s signed quantization (some scales
    /// negative in the file, values s × table[code] with the negative s), the model dequantizer writes the same
    /// values, and the fused layers (the packed kernel at groups of 32, the generic one at groups of 8) compute
    /// x·Ŵᵀ against a float64 reference.
    @Test(arguments: [("nf2", 32), ("nf2", 8), ("nf3", 32), ("nf4", 8)])
    func signedScalesRoundTrip(_ format: String, _ group: Int) throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (source, md) = tinyModel(seed: 4)
        let out = dir + "/\(format)-signed.safetensors"
        let parsed = try QuantizationFormat.parse(format)
        guard case .lut(let table) = parsed else { Issue.record("\(format) is not a table format"); return }
        let options = QuantizeOptions(formatName: format, format: parsed, groupSize: group, signedScales: true, showProgress: false)
        _ = try ModelQuantizer.quantize(weights: source, metadata: md, sourceName: "tiny", output: out, options: options)
        let ckpt = try LowBitCheckpointWeights(path: out)
        let dequantizedPath = dir + "/dequantized.safetensors"
        _ = try ModelDequantizer.dequantize(checkpoint: out, output: dequantizedPath, showProgress: false)
        let dequantized = try SafetensorsFile(path: dequantizedPath)
        var negative = 0, total = 0
        for name in source.tensorNames where ModelQuantizer.isBlockLinear(name) {
            let shape = source.shape(of: name)!
            let (rows, cols) = (shape[0], shape[1])
            let w = try source.floats(name)
            let expected = try LUTMatrix.quantize(w, rows: rows, columns: cols, table: table, grouping: .columns(group),
                                                  signedScales: true)
            let scales = ckpt.file.floats(try #require(ckpt.file.tensor(named: name + ".scales")))
            #expect(scales == expected.scales.map { Float(Float16(bitPattern: $0)) }, "\(name) scales")
            negative += scales.filter { $0 < 0 }.count
            total += scales.count
            let got = try ckpt.dequantized(name)
            #expect(got == expected.dequantize(), "\(name) round trip")
            #expect(dequantized.floats(try #require(dequantized.tensor(named: name))) == got, "\(name) lowbit dequantize")
            // Decode (1 token) may use an approximate table (nf3's two-level octet table): its δ per |s·x|.
            let layer = try ckpt.linear(name, rows: rows, cols: cols)
            let groups = scales.count / rows
            let weightScales = (0..<(rows * cols)).map { i in scales[(i / cols) * groups + (i % cols) / group] }
            let delta = Double((layer as? QuantizedCodeLinear)?.packed?.tableError ?? 0)
            for tokens in [1, 2] {
                expectLayerMatchesFloat64(layer, values: got, rows: rows, cols: cols, tokens: tokens, seed: 21, relative: 1e-4,
                                          tableError: tokens == 1 ? delta : 0, weightScales: weightScales,
                                          "\(format) signed \(name) tokens \(tokens)")
            }
        }
        #expect(negative > total / 5 && negative < total * 4 / 5, "\(negative) of \(total) scales negative")
    }

    /// A quantized checkpoint loads as a Llama model and gives nearly the logits of the float model.
    @Test func quantizedModelRunsLikeTheFloatModel() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (source, md) = tinyModel(seed: 5)
        let q = try quantize("int8", groupSize: 32, dir: dir, model: (source, md))
        let ckpt = try LowBitCheckpointWeights(path: q)
        var config = try LlamaConfig.fromGGUF(JSONModelMetadata(md), source: "tiny")
        config.tiedEmbeddings = true
        let float = try LlamaModel(config: config, weights: source)
        let quant = try LlamaModel(config: config, weights: ckpt)
        let tokens = [1, 5, 7, 30, 2, 49]
        let a = try float.forward(tokens, cache: float.makeCache(), logits: .all)
        let b = try quant.forward(tokens, cache: quant.makeCache(), logits: .all)
        #expect(a.count == b.count && !b.contains { !$0.isFinite })
        let maxDiff = zip(a, b).map { abs($0 - $1) }.max()!
        let scale = a.map(\.magnitude).max()!
        #expect(maxDiff <= 0.05 * scale, "int8 logits differ by \(maxDiff) (max |logit| \(scale))")
    }

    @Test func nanWeightNamesTheTensorAndWritesNothing() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let model = tinyModel(poison: "blk.1.ffn_up.weight")
        for format in ["fp6", "nf4", "int4", "bipolar-w2a8"] {
            do {
                _ = try quantize(format, dir: dir, model: model)
                Issue.record("\(format): NaN weight accepted")
            } catch let e as LowBitError {
                #expect(e.message.contains("blk.1.ffn_up.weight"), "\(format): \(e.message)")
            }
            #expect(!FileManager.default.fileExists(atPath: dir + "/\(format).safetensors"))
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
    }

    @Test func badFlagsAreClearErrors() throws {
        func fails(_ body: () throws -> Void, mentioning word: String) {
            do {
                try body()
                Issue.record("accepted; expected an error about \(word)")
            } catch let e as LowBitError {
                #expect(e.message.contains(word), "\(e.message)")
            } catch { Issue.record("\(error)") }
        }
        fails({ _ = try QuantizationFormat.parse("fp9") }, mentioning: "--format")
        fails({ _ = try QuantizationFormat.parse("int5") }, mentioning: "unknown format")
        fails({ _ = try QuantizationFormat.parse("bipolar-w9a2") }, mentioning: "bipolar-wNaM")
        fails({ _ = try QuantizationFormat.parse("lut4") }, mentioning: "--table")
        fails({ _ = try QuantizationFormat.parse("nf4", tableFile: "/tmp/x") }, mentioning: "--table")
        let nf4 = try QuantizationFormat.parse("nf4")
        fails({ try QuantizeOptions(formatName: "nf4", format: nf4, groupSize: 30).validate() }, mentioning: "--group-size")
        fails({ try QuantizeOptions(formatName: "nf4", format: nf4, gptq: true).validate() }, mentioning: "--calibration")
        // fp6 takes --gptq (codes only; its scale rule is fixed) but not --tune-scales.
        try QuantizeOptions(formatName: "fp6", format: try QuantizationFormat.parse("fp6"), gptq: true, calibrationPath: "x").validate()
        fails({ try QuantizeOptions(formatName: "fp6", format: try QuantizationFormat.parse("fp6"), gptq: true,
                                    calibrationPath: "x", tuneScales: true).validate() }, mentioning: "--tune-scales")
        fails({ try QuantizeOptions(formatName: "quik-w4a4", format: .quik).validate() }, mentioning: "--calibration")
        fails({ try QuantizeOptions(formatName: "int2", format: .int(bits: 2), signedScales: true).validate() },
              mentioning: "--signed-scales")
        fails({ try QuantizeOptions(formatName: "bipolar-w2a2", format: .bipolar(weightBits: 2, activationBits: 2),
                                    groupSize: 32).validate() }, mentioning: "64")
        fails({ try QuantizeOptions(formatName: "bipolar-w2a2", format: .bipolar(weightBits: 2, activationBits: 2),
                                    quantizeEmbeddings: true).validate() }, mentioning: "--quantize-embeddings")
        // A table file with the wrong number of entries.
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "-1 -0.5 0 0.5 1".write(toFile: dir + "/t.txt", atomically: true, encoding: .utf8)
        fails({ _ = try QuantizationFormat.parse("lut2", tableFile: dir + "/t.txt") }, mentioning: "values")
        try "-1 -0.2 0.3 1".write(toFile: dir + "/t4.txt", atomically: true, encoding: .utf8)
        #expect(try QuantizationFormat.parse("lut2", tableFile: dir + "/t4.txt") == .lut(try LookupTable(values: [-1, -0.2, 0.3, 1])))
    }

    /// GPTQ (Hessian from correlated inputs) has a smaller layer output error ‖XWᵀ − XŴᵀ‖² than round-to-nearest.
    @Test(arguments: ["int3", "int4", "nf3"])
    func gptqBeatsRoundToNearest(_ format: String) throws {
        var rng = Rand(11)
        let rows = 48, cols = 160, tokens = 400, group = 32
        let w = (0..<(rows * cols)).map { _ in rng.normal() }
        // Correlated inputs: x = z · M with a random mixing matrix.
        let mix = (0..<(cols * cols)).map { _ in rng.float() * 0.3 }
        var x = [Float](repeating: 0, count: tokens * cols)
        for t in 0..<tokens {
            let z = (0..<cols).map { _ in rng.normal() }
            for j in 0..<cols { var s: Float = z[j]; for i in 0..<cols where i % 7 == 0 { s += z[i] * mix[i * cols + j] }; x[t * cols + j] = s }
        }
        var h = [Double](repeating: 0, count: cols * cols)
        for t in 0..<tokens { for i in 0..<cols { for j in 0..<cols { h[i * cols + j] += Double(x[t * cols + i] * x[t * cols + j]) } } }
        let parsed = try QuantizationFormat.parse(format)
        let rtn = try TensorQuantizer.roundToNearest("w", weights: w, rows: rows, cols: cols, format: parsed, groupSize: group)
        let gptq = try TensorQuantizer.gptq("w", weights: w, rows: rows, cols: cols, format: parsed, groupSize: group, hessian: h)
        func dequant(_ q: QuantizedTensor) throws -> [Float] {
            let dir = temporaryDirectory()
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let path = dir + "/w.safetensors"
            let config = LowBitQuantizationConfig(format: format, groupSize: group, gptq: false, calibration: nil,
                                                  calibrationTokens: nil, embeddings: "", modulesNotConverted: [], source: "",
                                                  tensors: ["w": q.layout])
            let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
            try SafetensorsWriter.write(q.entries, metadata: ["quantization_config": json, "lowbit.model_metadata": "{}"], to: path)
            return try LowBitCheckpointWeights(path: path).dequantized("w")
        }
        func error(_ v: [Float]) -> Double {
            var e = 0.0
            for t in 0..<tokens {
                for r in 0..<rows {
                    var d = 0.0
                    for k in 0..<cols { d += Double(w[r * cols + k] - v[r * cols + k]) * Double(x[t * cols + k]) }
                    e += d * d
                }
            }
            return e
        }
        let eR = error(try dequant(rtn)), eG = error(try dequant(gptq))
        #expect(eG < 0.9 * eR, "\(format): GPTQ output error \(eG) vs round-to-nearest \(eR)")
    }

    /// QUIK: outliers are the largest-|x| columns, layer output close to the float layer, checkpoint round trip.
    @Test func quikKeepsOutlierColumnsAndTracksTheFloatLayer() throws {
        var rng = Rand(21)
        let rows = 24, cols = 96, tokens = 200
        let w = (0..<(rows * cols)).map { _ in rng.normal() * 0.1 }
        var x = (0..<(tokens * cols)).map { _ in rng.normal() }
        let hot = [5, 40, 77]
        for t in 0..<tokens { for c in hot { x[t * cols + c] *= 30 } }
        var h = [Double](repeating: 0, count: cols * cols)
        var colMax = [Float](repeating: 0, count: cols)
        for t in 0..<tokens {
            for i in 0..<cols {
                colMax[i] = max(colMax[i], abs(x[t * cols + i]))
                for j in 0..<cols { h[i * cols + j] += Double(x[t * cols + i] * x[t * cols + j]) }
            }
        }
        let q = try TensorQuantizer.quik("w", weights: w, rows: rows, cols: cols, weightBits: 4, activationBits: 4,
                                         outlierCount: 3, hessian: h, columnMax: colMax)
        #expect(q.layout.outlierColumns == hot)
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/q.safetensors"
        let config = LowBitQuantizationConfig(format: "quik-w4a4", groupSize: nil, gptq: true, calibration: nil, calibrationTokens: nil,
                                              embeddings: "", modulesNotConverted: [], source: "", tensors: ["w": q.layout])
        try SafetensorsWriter.write(q.entries, metadata: ["quantization_config": String(decoding: try JSONEncoder().encode(config), as: UTF8.self),
                                                          "lowbit.model_metadata": "{}"], to: path)
        let ckpt = try LowBitCheckpointWeights(path: path)
        let layer = try ckpt.linear("w", rows: rows, cols: cols)
        let wq = try ckpt.dequantized("w")
        var y = [Float](repeating: .nan, count: 4 * rows)
        x.withUnsafeBufferPointer { xb in y.withUnsafeMutableBufferPointer { layer.apply(xb.baseAddress!, tokens: 4, into: $0.baseAddress!) } }
        var errQ = 0.0, norm = 0.0
        for t in 0..<4 {
            for r in 0..<rows {
                var exact = 0.0
                for k in 0..<cols { exact += Double(w[r * cols + k]) * Double(x[t * cols + k]) }
                errQ += pow(Double(y[t * rows + r]) - exact, 2)
                norm += exact * exact
            }
        }
        #expect(errQ / norm < 0.05, "QUIK relative output error \(errQ / norm)")
        // Outlier weights are stored (fp16) at their original column positions.
        for r in 0..<rows { for c in hot { #expect(abs(wq[r * cols + c] - w[r * cols + c]) < 0.2) } }
    }
}
