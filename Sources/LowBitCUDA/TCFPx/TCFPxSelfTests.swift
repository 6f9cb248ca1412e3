import LowBitCore

/// `lowbit selftest --device cuda` checks of the TC-FPx GEMM: every format, odd shapes, batches 1…600, FP16 and
/// BF16, both paths, against a float64 CPU reference on the same codes, outputs poisoned before each run.
extension GPUSelfTests {
    public static let tcfpx: [GPUSelfTest] = {
        var tests: [GPUSelfTest] = []
        let formats: [(String, String)] = [("fp6", "e3m2"), ("fpe2m3", "e2m3"), ("fp5", "e2m2"), ("fpe3m1", "e3m1"),
                                           ("fp4", "e2m1")]
        for (name, label) in formats {
            tests.append(tcfpxTest("tcfpx \(label) f16 OC=1031 IC=577 N=1,7,16,33,64", format: name, oc: 1031, ic: 577,
                                   batches: [1, 7, 16, 33, 64], activation: .float16, path: .auto))
        }
        tests.append(tcfpxTest("tcfpx e3m2 f16 OC=576 IC=192 (SmolLM2) N=1,5,16", format: "fp6", oc: 576, ic: 192,
                               batches: [1, 5, 16], activation: .float16, path: .auto))
        tests.append(tcfpxTest("tcfpx e3m2 f16 split-K OC=4099 IC=4096 N=1,16,40", format: "fp6", oc: 4099, ic: 4096,
                               batches: [1, 16, 40], activation: .float16, path: .auto))
        tests.append(tcfpxTest("tcfpx e3m2 bf16 OC=1031 IC=577 N=1,9,33", format: "fp6", oc: 1031, ic: 577,
                               batches: [1, 9, 33], activation: .bfloat16, path: .auto))
        tests.append(tcfpxTest("tcfpx e2m2 bf16 split-K OC=2053 IC=3000 N=3,16", format: "fp5", oc: 2053, ic: 3000,
                               batches: [3, 16], activation: .bfloat16, path: .auto))
        tests.append(tcfpxTest("tcfpx e3m2 f16 fused OC=515 IC=1000 N=130,600", format: "fp6", oc: 515, ic: 1000,
                               batches: [130, 600], activation: .float16, path: .fused))
        tests.append(tcfpxTest("tcfpx e3m2 f16 dequant+cublas OC=515 IC=1000 N=3,600", format: "fp6", oc: 515, ic: 1000,
                               batches: [3, 600], activation: .float16, path: .dequantizeCublas))
        // BF16 cannot hold scale·fpx exactly (8 significant bits), so the dense BF16 weights of this path add about
        // 2^-9/√3 relative error: a looser bound, and `auto` never picks this path for BF16.
        tests.append(tcfpxTest("tcfpx e2m3 bf16 dequant+cublas OC=1031 IC=577 N=200", format: "fpe2m3", oc: 1031, ic: 577,
                               batches: [200], activation: .bfloat16, path: .dequantizeCublas, bound: 4e-3))
        tests.append(tcfpxTest("tcfpx e3m2 f16 8 warps × 1 tile OC=1031 IC=577 N=1,16,33,64", format: "fp6", oc: 1031,
                               ic: 577, batches: [1, 16, 33, 64], activation: .float16, path: .fused, tuning: TCFPxTuning(warps: 8, kWarps: 1)))
        tests.append(tcfpxTest("tcfpx e2m3 bf16 8 warps × 1 tile split-K OC=4099 IC=4096 N=5,16", format: "fpe2m3",
                               oc: 4099, ic: 4096, batches: [5, 16], activation: .bfloat16, path: .fused, tuning: TCFPxTuning(warps: 8, kWarps: 1)))
        tests.append(tcfpxTest("tcfpx e3m2 f16 split accumulators OC=1031 IC=577 N=1,16,33,64", format: "fp6", oc: 1031,
                               ic: 577, batches: [1, 16, 33, 64], activation: .float16, path: .fused,
                               tuning: TCFPxTuning(splitAccumulators: true)))
        tests.append(tcfpxTest("tcfpx e3m1 bf16 8 warps + split accumulators split-K OC=4099 IC=4096 N=3,16",
                               format: "fpe3m1", oc: 4099, ic: 4096, batches: [3, 16], activation: .bfloat16, path: .fused,
                               tuning: TCFPxTuning(warps: 8, splitAccumulators: true)))
        // Bulk-copy weight stages (cp.async.bulk + mbarrier; compute capability ≥ 9, else the option is ignored).
        tests.append(tcfpxTest("tcfpx e3m2 f16 bulk copy OC=1031 IC=577 N=1,7,16,33,64", format: "fp6", oc: 1031,
                               ic: 577, batches: [1, 7, 16, 33, 64], activation: .float16, path: .fused,
                               tuning: TCFPxTuning(bulkCopy: true, kWarps: 1)))
        tests.append(tcfpxTest("tcfpx e2m3 f16 bulk copy split-K OC=4099 IC=4096 N=1,16,40", format: "fpe2m3", oc: 4099,
                               ic: 4096, batches: [1, 16, 40], activation: .float16, path: .fused,
                               tuning: TCFPxTuning(bulkCopy: true, kWarps: 1)))
        tests.append(tcfpxTest("tcfpx e2m2 bf16 bulk copy + 8 warps split-K OC=2053 IC=3000 N=3,16,64", format: "fp5",
                               oc: 2053, ic: 3000, batches: [3, 16, 64], activation: .bfloat16, path: .fused,
                               tuning: TCFPxTuning(warps: 8, bulkCopy: true)))
        tests.append(tcfpxTest("tcfpx e2m1 f16 bulk copy + 8 warps + split accumulators OC=515 IC=1000 N=1,130,600",
                               format: "fp4", oc: 515, ic: 1000, batches: [1, 130, 600], activation: .float16, path: .fused,
                               tuning: TCFPxTuning(warps: 8, splitAccumulators: true, bulkCopy: true)))
        // The defaults pick split accumulators and, for multi-wave grids, the cluster reduction: keep the other
        // paths covered explicitly.
        tests.append(tcfpxTest("tcfpx e3m2 f16 global split-K, single accumulators OC=4099 IC=4096 N=1,16,40",
                               format: "fp6", oc: 4099, ic: 4096, batches: [1, 16, 40], activation: .float16,
                               path: .fused, tuning: TCFPxTuning(splitAccumulators: false, clusterReduction: false)))
        // Split-K reduced through a thread-block cluster's distributed shared memory (≤ 8 splits, cc ≥ 9).
        tests.append(tcfpxTest("tcfpx e3m2 f16 cluster split-K OC=4099 IC=4096 N=1,8,16,40,64", format: "fp6", oc: 4099,
                               ic: 4096, batches: [1, 8, 16, 40, 64], activation: .float16, path: .fused,
                               tuning: TCFPxTuning(clusterReduction: true)))
        tests.append(tcfpxTest("tcfpx e2m3 bf16 cluster split-K + 8 warps + acc2 OC=2053 IC=3000 N=3,16,33", format: "fpe2m3",
                               oc: 2053, ic: 3000, batches: [3, 16, 33], activation: .bfloat16, path: .fused,
                               tuning: TCFPxTuning(warps: 8, splitAccumulators: true, clusterReduction: true)))
        tests.append(tcfpxTest("tcfpx e2m1 f16 cluster + bulk OC=1031 IC=577 N=1,7,16,33,64", format: "fp4", oc: 1031,
                               ic: 577, batches: [1, 7, 16, 33, 64], activation: .float16, path: .fused,
                               tuning: TCFPxTuning(bulkCopy: true, clusterReduction: true)))
        tests.append(GPUSelfTest("tcfpx e3m2 cluster split-K determinism OC=8192 IC=8192 N=4 (3 runs bitwise)") { t in
            try tcfpxDeterminism(t, oc: 8192, ic: 8192, batch: 4, tuning: TCFPxTuning(clusterReduction: true, kWarps: 1),
                                 splits: 6)
        })
        tests.append(GPUSelfTest("tcfpx e3m2 split-K determinism OC=8192 IC=8192 N=4 (3 runs bitwise)") { t in
            try tcfpxDeterminism(t, oc: 8192, ic: 8192, batch: 4, tuning: TCFPxTuning(kWarps: 1), splits: 6)
        })
        // Intra-CTA split-K (warps along K, partials added in shared memory), the small-batch default; explicit
        // shapes beside the defaults: 64-row CTAs (2 warps along K), 16-row CTAs of 8 warps (with split-K across
        // CTAs on top), and on a row count that leaves a partial row block.
        tests.append(tcfpxTest("tcfpx e3m2 f16 kw=2 × 2 row tiles OC=1031 IC=577 N=1,7,16,33,64", format: "fp6", oc: 1031,
                               ic: 577, batches: [1, 7, 16, 33, 64], activation: .float16, path: .fused,
                               tuning: TCFPxTuning(kWarps: 2, rowTilesPerWarp: 2)))
        tests.append(tcfpxTest("tcfpx e2m3 bf16 kw=8 8 warps split-K OC=4099 IC=4096 N=1,5,16", format: "fpe2m3",
                               oc: 4099, ic: 4096, batches: [1, 5, 16], activation: .bfloat16, path: .fused,
                               tuning: TCFPxTuning(warps: 8, kWarps: 8, rowTilesPerWarp: 1)))
        tests.append(tcfpxTest("tcfpx e3m1 f16 kw=4 × 1 row tile OC=4099 IC=4104 N=1,3,8,16,64", format: "fpe3m1",
                               oc: 4099, ic: 4104, batches: [1, 3, 8, 16, 64], activation: .float16, path: .fused,
                               tuning: TCFPxTuning(kWarps: 4, rowTilesPerWarp: 1)))
        tests.append(GPUSelfTest("tcfpx e3m2 kw=4 split-K determinism OC=4099 IC=4096 N=3 (3 runs bitwise)") { t in
            try tcfpxDeterminism(t, oc: 4099, ic: 4096, batch: 3, tuning: TCFPxTuning(kWarps: 4), splits: 3)
        })
        return tests
    }()

    static func tcfpxTest(_ name: String, format: String, oc: Int, ic: Int, batches: [Int],
                          activation: GPUActivationType, path: TCFPxPath, bound: Double = 1e-3,
                          tuning: TCFPxTuning = TCFPxTuning()) -> GPUSelfTest {
        GPUSelfTest(name) { t in
            let fmt = try TCFPxFormat(name: format)
            let (codes, scales) = TCFPxGemmBuilder.randomCodes(format: fmt, outFeatures: oc, inFeatures: ic,
                                                               seed: t.random.next())
            let gemm = try TCFPxGemm(context: t.context, format: fmt, outFeatures: oc, inFeatures: ic,
                                     codes: codes, scales: scales, tuning: tuning)
            // Reference weights straight from the format's definition (not from the device copy).
            let table = (0..<fmt.codeCount).map { fmt.value(ofCode: UInt8($0)) }
            var w = [Double](repeating: 0, count: oc * ic)
            for r in 0..<oc {
                let s = Double(Float16(bitPattern: scales[r]))
                for k in 0..<ic { w[r * ic + k] = table[Int(codes[r * ic + k])] * s }
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
                try gemm.encode(x: x.pointer(), y: y.pointer(), batch: n, activation: activation, stream: t.stream,
                                path: path)
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
                // BF16 outputs carry 8 significant bits: compare with the reference rounded to BF16 (the best
                // any kernel can return); FP16 outputs with the exact reference.
                let target = activation == .bfloat16
                    ? ref.map { Double(bfloat16BitsToFloat(floatToBFloat16Bits(Float($0)))) } : ref
                let err = relativeError(out, target)
                worst = max(worst, err.isNaN ? .infinity : err)
                details.append("N=\(n) \(formatScientific(err))")
            }
            let outcome = GPUSelfTestOutcome(metric: worst, bound: bound, name: "max rel err")
            return GPUSelfTestOutcome(passed: outcome.passed, detail: outcome.detail + " [" + details.joined(separator: ", ") + "]")
        }
    }

    /// Three runs bitwise identical, with `splits` K splits pinned (the planner's choice moves with the device).
    static func tcfpxDeterminism(_ t: GPUSelfTestContext, oc: Int, ic: Int, batch: Int,
                                 tuning: TCFPxTuning = TCFPxTuning(), splits: Int) throws -> GPUSelfTestOutcome {
        let fmt = try TCFPxFormat(name: "fp6")
        let (codes, scales) = TCFPxGemmBuilder.randomCodes(format: fmt, outFeatures: oc, inFeatures: ic, seed: t.random.next())
        let gemm = try TCFPxGemm(context: t.context, format: fmt, outFeatures: oc, inFeatures: ic, codes: codes, scales: scales,
                                 tuning: tuning)
        gemm.forcedSplits = splits
        let plan = try gemm.launchPlan(batch: batch, activation: .float16, path: .fused)
        guard plan.splits > 1 else {
            return GPUSelfTestOutcome(passed: false, detail: "plan has no split-K (\(plan)); the test needs one")
        }
        let x = try t.context.upload(t.uniformFloats(batch * ic).map(floatToHalfBits))
        var first: [UInt16] = []
        var differing = 0
        for run in 0..<3 {
            let y = try t.context.allocate(UInt16.self, count: batch * oc)
            try y.fill(half: 0x7E00)
            try gemm.encode(x: x.pointer(), y: y.pointer(), batch: batch, activation: .float16, stream: t.stream, path: .fused)
            try t.stream.synchronize()
            let out = try y.download(UInt16.self, count: batch * oc)
            if out.contains(where: { Float16(bitPattern: $0).isNaN }) {
                return GPUSelfTestOutcome(passed: false, detail: "run \(run): unwritten (NaN) outputs")
            }
            if run == 0 { first = out } else { differing += zip(out, first).filter { $0 != $1 }.count }
        }
        return GPUSelfTestOutcome(passed: differing == 0,
                                  detail: differing == 0 ? "bitwise identical, \(plan)" : "\(differing) outputs differ between runs")
    }
}
