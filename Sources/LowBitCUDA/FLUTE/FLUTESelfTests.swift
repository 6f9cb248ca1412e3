import LowBitCore
import LowBitFormats

/// `lowbit selftest --device cuda` checks of the FLUTE GEMM: every bit width and group size, odd shapes,
/// batches 1…600, FP16 and BF16, both paths, against a float64 CPU reference on the same codes (table value ×
/// fp16 scale), outputs poisoned with NaN first; and a determinism check (3 runs bitwise identical).
extension GPUSelfTests {
    public static let flute: [GPUSelfTest] = {
        var tests: [GPUSelfTest] = []
        for table in ["nf4", "nf3", "nf2"] {
            for group in ["g32", "g64", "g128", "g256", "grow"] {
                tests.append(fluteTest("flute \(table)\(group) f16 OC=1031 IC=577 N=1,7,16,33,64", format: table + group,
                                       oc: 1031, ic: 577, batches: [1, 7, 16, 33, 64], activation: .float16, path: .auto))
            }
        }
        for table in ["lut4", "lut3", "lut2"] {
            tests.append(fluteTest("flute \(table)g128 (random table) f16 OC=300 IC=1000 N=1,9", format: table + "g128",
                                   oc: 300, ic: 1000, batches: [1, 9], activation: .float16, path: .auto))
        }
        tests.append(fluteTest("flute nf4g64 f16 OC=576 IC=192 (SmolLM2) N=1,5,16", format: "nf4g64", oc: 576, ic: 192,
                               batches: [1, 5, 16], activation: .float16, path: .auto))
        tests.append(fluteTest("flute nf3g64 f16 OC=192 IC=576 (SmolLM2) N=1,3", format: "nf3g64", oc: 192, ic: 576,
                               batches: [1, 3], activation: .float16, path: .auto))
        tests.append(fluteTest("flute nf4 f16 OC=4099 IC=4096 N=1,16,40", format: "nf4", oc: 4099, ic: 4096,
                               batches: [1, 16, 40], activation: .float16, path: .auto))
        for table in ["nf4g128", "nf3g32", "nf2grow"] {
            tests.append(fluteTest("flute \(table) bf16 OC=1031 IC=577 N=1,9,33", format: table, oc: 1031, ic: 577,
                                   batches: [1, 9, 33], activation: .bfloat16, path: .auto))
        }
        tests.append(fluteTest("flute nf4 f16 fused OC=515 IC=1000 N=100,600", format: "nf4", oc: 515, ic: 1000,
                               batches: [100, 600], activation: .float16, path: .fused))
        tests.append(fluteTest("flute nf3g64 f16 dequant+cublas OC=515 IC=1000 N=3,600", format: "nf3g64", oc: 515,
                               ic: 1000, batches: [3, 600], activation: .float16, path: .dequantizeCublas))
        tests.append(fluteTest("flute nf2g32 bf16 dequant+cublas OC=1031 IC=577 N=200", format: "nf2g32", oc: 1031,
                               ic: 577, batches: [200], activation: .bfloat16, path: .dequantizeCublas))
        tests.append(GPUSelfTest("flute nf4/nf3 stream-K determinism OC=8192 IC=8192 N=4 (3 runs bitwise)") { t in
            try fluteDeterminism(t, formats: ["nf4", "nf3g64"], oc: 8192, ic: 8192, batch: 4)
        })
        return tests
    }()

    /// `plan`: a fixed wgmma plan per batch (path .wgmma; covers tiles and splits the planner would not pick).
    static func fluteTest(_ name: String, format: String, oc: Int, ic: Int, batches: [Int],
                          activation: GPUActivationType, path: FLUTEPath,
                          plan: (@Sendable (FLUTEGemm, Int) -> TCFPxWgmmaPlan)? = nil) -> GPUSelfTest {
        GPUSelfTest(name) { t in
            let seed = t.random.next()
            let (table, tableName, bits, group) = try FLUTEGemmBuilder.parse(format, seed: seed)
            let (codes, scales) = try FLUTEGemmBuilder.randomCodes(bits: bits, outFeatures: oc, inFeatures: ic,
                                                                   group: group, seed: seed)
            let packed = try FLUTELayout.pack(codes: codes, scales: scales, bits: bits, outputs: oc, inputs: ic,
                                              groupSize: group)
            let gemm = try FLUTEGemm(context: t.context, table: table, tableName: tableName, packed: packed)
            // Reference weights from the definition (given table × fp16 scale), not from the device copy.
            let shape = packed.shape
            let g = shape.groupsPerRow == 1 ? Int.max : shape.kernelGroupSize
            var w = [Double](repeating: 0, count: oc * ic)
            for r in 0..<oc {
                for k in 0..<ic {
                    let s = Double(halfBitsToFloat(scales[r * shape.groupsPerRow + (g == Int.max ? 0 : k / g)]))
                    w[r * ic + k] = Double(table[Int(codes[r * ic + k])]) * s
                }
            }
            var worst = 0.0
            var details: [String] = []
            for n in batches {
                let xf = t.uniformFloats(n * ic)
                let xBits = xf.map { activation == .bfloat16 ? floatToBFloat16Bits($0) : floatToHalfBits($0) }
                let xd = xBits.map { activation == .bfloat16 ? Double(bfloat16BitsToFloat($0)) : Double(halfBitsToFloat($0)) }
                let x = try t.context.upload(xBits)
                let y = try t.context.allocate(UInt16.self, count: n * oc)
                try y.fill(half: 0x7E00)  // NaN: an unwritten output fails
                if let plan {
                    try gemm.encodeWgmma(x: x.pointer(), y: y.pointer(), batch: n, activation: activation, stream: t.stream,
                                         plan: plan(gemm, n))
                } else {
                    try gemm.encode(x: x.pointer(), y: y.pointer(), batch: n, activation: activation, stream: t.stream, path: path)
                }
                try t.stream.synchronize()
                let outBits = try y.download(UInt16.self, count: n * oc)
                let out = outBits.map { activation == .bfloat16 ? Double(bfloat16BitsToFloat($0)) : Double(halfBitsToFloat($0)) }
                var ref = [Double](repeating: 0, count: n * oc)
                ref.withUnsafeMutableBufferPointer { refBuf in
                    let refBase = refBuf.baseAddress!
                    w.withUnsafeBufferPointer { wb in
                        xd.withUnsafeBufferPointer { xb in
                            Parallel.forRanges(count: oc) { rows in
                                for r in rows {
                                    for i in 0..<n {
                                        var acc = 0.0
                                        for k in 0..<ic { acc += xb[i * ic + k] * wb[r * ic + k] }
                                        refBase[i * oc + r] = acc
                                    }
                                }
                            }
                        }
                    }
                }
                let err = relativeError(out, ref)
                worst = max(worst, err.isNaN ? .infinity : err)
                details.append("N=\(n) \(formatScientific(err))" + (path == .wgmma ? " (\(plan?(gemm, n) ?? gemm.wgmmaPlan(batch: n)))" : ""))
            }
            // FP16: table entries and products rounded to 11 significant bits; BF16 operands carry 8, so the
            // weights themselves are off by up to 2^-9 relative (METHOD.md: bf16 between 1e-3 and 1e-2).
            let bound = activation == .bfloat16 ? 1e-2 : 1e-3
            let outcome = GPUSelfTestOutcome(metric: worst, bound: bound, name: "max rel err")
            return GPUSelfTestOutcome(passed: outcome.passed,
                                      detail: outcome.detail + " [" + details.joined(separator: ", ") + "] \(gemm.plan(batch: batches[0]))")
        }
    }

    static func fluteDeterminism(_ t: GPUSelfTestContext, formats: [String], oc: Int, ic: Int,
                                 batch: Int, path: FLUTEPath = .auto) throws -> GPUSelfTestOutcome {
        var notes: [String] = []
        for format in formats {
            guard let gemm = try FLUTEGemmBuilder().makeRandom(format: format, outFeatures: oc, inFeatures: ic,
                                                               seed: t.random.next(), context: t.context) as? FLUTEGemm else {
                return GPUSelfTestOutcome(passed: false, detail: "\(format) is not a FLUTE format")
            }
            let x = try t.context.upload(t.uniformFloats(batch * ic).map(floatToHalfBits))
            var first: [UInt16] = []
            var differing = 0
            for run in 0..<3 {
                let y = try t.context.allocate(UInt16.self, count: batch * oc)
                try y.fill(half: 0x7E00)
                try gemm.encode(x: x.pointer(), y: y.pointer(), batch: batch, activation: .float16, stream: t.stream, path: path)
                try t.stream.synchronize()
                let out = try y.download(UInt16.self, count: batch * oc)
                if out.contains(where: { Float16(bitPattern: $0).isNaN }) {
                    return GPUSelfTestOutcome(passed: false, detail: "\(format) run \(run): unwritten (NaN) outputs")
                }
                if run == 0 { first = out } else { differing += zip(out, first).filter { $0 != $1 }.count }
            }
            if differing != 0 {
                return GPUSelfTestOutcome(passed: false, detail: "\(format): \(differing) outputs differ between runs")
            }
            notes.append("\(format) bitwise identical (\(gemm.plan(batch: batch, path: path)))")
        }
        return GPUSelfTestOutcome(passed: true, detail: notes.joined(separator: "; "))
    }
}
