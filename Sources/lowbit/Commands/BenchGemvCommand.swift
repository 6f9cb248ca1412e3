import ArgumentParser
import Foundation
import LowBitCore
import LowBitFormats
import LowBitKernels
import LowBitModel
import LowBitQuantize

/// `lowbit bench gemv`: matrix-vector time of every format on Llama-7B-sized shapes, against FP32/FP16 measured
/// in the same run and against the memory roofline (read bandwidth of a large buffer, also measured here).
struct BenchGemvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemv",
        abstract: "Matrix-vector speed of each format vs FP32/FP16 and vs the measured memory roofline.",
        discussion: """
            Weights are random codes and scales in each format's real layout (speed does not depend on the values). \
            Time = median of repeated calls after a warm-up. Roofline time = bytes of weight storage / read bandwidth \
            (best of 5 multi-threaded sums over a 512 MB buffer). Target for weight-only formats: ≥ 60% of the \
            roofline and ≥ 0.7 × 16/bits times faster than FP16. Build with `swift build -c release` first.
            """)

    @Option(help: "Device (only cpu).")
    var device: String = "cpu"
    @Option(parsing: .upToNextOption, help: "Formats (default: all): fp6 fp5 nf4 nf3 nf2 int8 int4 int3 int2 bipolar-w2a8 bipolar-w4a4 quik-w4a4.")
    var format: [String] = []
    @Option(help: "Minimum seconds of timed calls per measurement.")
    var seconds: Double = 0.3
    @Flag(help: "Print one JSON object.")
    var json = false

    static let allFormats = ["fp6", "fp5", "nf4", "nf3", "nf2", "int8", "int4", "int3", "int2",
                             "bipolar-w2a8", "bipolar-w4a4", "quik-w4a4"]
    static let shapes = [(4096, 4096), (11008, 4096), (4096, 11008)]

    func run() throws {
        guard device == "cpu" else { throw LowBitError.unsupported("bench gemv: --device \(device) is not supported (cpu)") }
        let formats = format.isEmpty ? Self.allFormats : format.map { $0.lowercased() }
        for f in formats { _ = try QuantizationFormat.parse(f, tableFile: nil) }
        let bandwidth = measureBandwidth()
        printError(String(format: "read bandwidth %.2f GB/s (%d threads)", bandwidth / 1e9, Parallel.threadCount))
        var rows: [[String: Any]] = []
        if !json {
            print(String(format: "read bandwidth: %.2f GB/s over %d threads", bandwidth / 1e9, Parallel.threadCount))
            print("| shape (out×in) | format | bits/w | time ms | CPU ms | GB/s | GB per CPU-s | roofline | × FP16 | target × FP16 | ok |")
            print("|---|---|---|---|---|---|---|---|---|---|---|")
        }
        for (out, inp) in Self.shapes {
            var rng = SplitMix(seed: UInt64(out * 31 + inp))
            let x = (0..<inp).map { _ in rng.nextFloat() - 0.5 }
            var layers: [(String, any LinearWeight, Double, Bool)] = []
            let f32 = DenseF32Linear(rows: out, cols: inp, values: (0..<(out * inp)).map { _ in rng.nextFloat() - 0.5 })
            layers.append(("fp32", f32, 32, false))
            let f16 = DenseF16Linear(rows: out, cols: inp, values: (0..<(out * inp)).map { _ in Float16(rng.nextFloat() - 0.5) })
            layers.append(("fp16", f16, 16, false))
            let fp16Time = time(f16, x)
            for name in ["fp32", "fp16"] + formats {
                let layer: any LinearWeight, bits: Double, weightOnly: Bool
                if let base = layers.first(where: { $0.0 == name }) {
                    (layer, bits, weightOnly) = (base.1, base.2, base.3)
                } else {
                    let fmt = try QuantizationFormat.parse(name, tableFile: nil)
                    let (l, layout) = try randomLayer(fmt, rows: out, cols: inp, rng: &rng)
                    (layer, bits, weightOnly) = (l, layout.bitsPerWeight, fmt.isWeightOnly)
                }
                let (t, cpu) = name == "fp16" ? fp16Time : time(layer, x)
                let bytes = Double(layer.weightBytes)
                let roofline = bytes / bandwidth / t
                let speedup = fp16Time.0 / t
                let target = 0.7 * 16 / bits
                let ok = !weightOnly || name.hasPrefix("fp3") ? "" : (roofline >= 0.6 && speedup >= target ? "yes" : "no")
                rows.append(["shape": "\(out)x\(inp)", "format": name, "bits_per_weight": bits, "seconds": t, "cpu_seconds": cpu,
                             "bytes": bytes, "gbps": bytes / t / 1e9, "roofline_fraction": roofline,
                             "speedup_vs_fp16": speedup, "target_speedup": weightOnly ? target : 0,
                             "weight_only": weightOnly, "meets_target": ok == "yes"])
                if !json {
                    print(String(format: "| %d×%d | %@ | %.3f | %.3f | %.3f | %.2f | %.2f | %.0f%% | %.2f | %@ | %@ |", out, inp, name, bits,
                                 t * 1e3, cpu * 1e3, bytes / t / 1e9, bytes / cpu / 1e9, roofline * 100, speedup,
                                 weightOnly ? String(format: "%.2f", target) : "–", ok.isEmpty ? "–" : ok))
                }
            }
        }
        if json {
            let object: [String: Any] = ["device": "cpu", "threads": Parallel.threadCount,
                                         "read_bandwidth_gbps": bandwidth / 1e9, "results": rows]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        }
    }

    /// Median wall seconds per call, and process CPU seconds (all threads, user + system) per call over the
    /// same timed calls: the steadier number on a shared machine.
    func time(_ layer: any LinearWeight, _ x: [Float]) -> (Double, Double) {
        var y = [Float](repeating: 0, count: layer.outFeatures)
        var samples: [Double] = []
        var cpuStart = 0.0
        x.withUnsafeBufferPointer { xb in
            y.withUnsafeMutableBufferPointer { yb in
                for _ in 0..<2 { layer.apply(xb.baseAddress!, tokens: 1, into: yb.baseAddress!) }
                let start = monotonicSeconds()
                cpuStart = processCPUSeconds()
                while samples.count < 5 || (monotonicSeconds() - start < seconds && samples.count < 1000) {
                    let t0 = monotonicSeconds()
                    layer.apply(xb.baseAddress!, tokens: 1, into: yb.baseAddress!)
                    samples.append(monotonicSeconds() - t0)
                }
            }
        }
        let cpu = (processCPUSeconds() - cpuStart) / Double(samples.count)
        samples.sort()
        return (samples[samples.count / 2], cpu)
    }

    /// Bytes per second reading a 512 MB buffer with all threads (best of 5), as `bench decode` measures it.
    func measureBandwidth() -> Double { MemoryBandwidth.measureRead() }

    /// A layer of `format` with random codes and scales in the checkpoint layout.
    func randomLayer(_ format: QuantizationFormat, rows: Int, cols: Int, rng: inout SplitMix) throws
        -> (any LinearWeight, QuantizedTensorLayout) {
        let scheme: QuantizedTensorLayout.Scheme, bits: Int, decoding: String, table: [Float]
        var e: Int?, m: Int?, zero = "none", zc: Float?, act: Int?, outl: [Int]?
        var group = format.defaultGroupSize ?? cols
        switch format {
        case .fpx(let f):
            (scheme, bits, decoding, table, e, m) = (.codes, f.bitWidth, "fpx", f.decodeTable, f.exponentBits, f.mantissaBits)
        case .lut(let t):
            (scheme, bits, decoding, table) = (.codes, t.bits, "lookup", t.values)
        case .int(let b):
            (scheme, bits, decoding, table, zero) = (.codes, b, "integer", (0..<(1 << b)).map { Float($0) }, "stored")
        case .bipolar(let w, let a):
            (scheme, bits, decoding, table, act) = (.bipolar, w, "lookup", (0..<(1 << w)).map { Float(2 * $0 - (1 << w) + 1) }, a)
        case .quik:
            (scheme, bits, decoding, table, zero, zc, act) = (.quik, 4, "integer", (0..<16).map { Float($0) }, "constant", 8, 4)
            outl = Array(stride(from: 0, to: cols, by: cols / 128).prefix(128))
            group = cols - outl!.count
        }
        let layout = QuantizedTensorLayout(scheme: scheme, codec: "bench", rows: rows, cols: cols, bits: bits,
                                           groupSize: group, decoding: decoding, exponentBits: e, mantissaBits: m,
                                           table: table, zeroPoint: zero, zeroConstant: zc, activationBits: act,
                                           outlierColumns: outl)
        let groups = scheme == .quik ? 1 : layout.groups
        var codes = [UInt8](repeating: 0, count: rows * layout.rowBytes)
        for i in codes.indices { codes[i] = UInt8(truncatingIfNeeded: rng.next()) }
        let scales = (0..<(rows * groups)).map { _ in Float16(0.01 + 0.01 * rng.nextFloat()).bitPattern }
        let zeros = (0..<(rows * groups)).map { _ in UInt8(truncatingIfNeeded: rng.next()) & UInt8((1 << bits) - 1) }
        let outW = (0..<(rows * (outl?.count ?? 0))).map { _ in Float16(rng.nextFloat() - 0.5).bitPattern }
        let layer: any LinearWeight = try codes.withUnsafeBytes { cb in
            try scales.withUnsafeBytes { sb in
                try zeros.withUnsafeBytes { zb in
                    try outW.withUnsafeBytes { ob in
                        let b = QuantizedTensorBytes(qweight: cb, scales: sb, zeros: zb, outlierWeight: ob)
                        switch scheme {
                        case .codes: return QuantizedCodeLinear(layout: layout, bytes: b)
                        case .bipolar: return BipolarLinear(layout: layout, bytes: b)
                        case .quik: return try QuikLinear(layout: layout, bytes: b)
                        }
                    }
                }
            }
        }
        return (layer, layout)
    }
}

/// A small deterministic generator for bench data.
typealias SplitMix = SplitMix64
