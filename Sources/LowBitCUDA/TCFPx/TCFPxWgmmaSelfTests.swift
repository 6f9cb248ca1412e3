import LowBitCore

/// `lowbit selftest --device cuda` checks of the wgmma large-batch path (TCFPxWgmma.swift), through the same
/// harness as the other TC-FPx paths: float64 CPU reference on the same codes, NaN-poisoned outputs, odd shapes,
/// batches up to 600, split-K and single-pass tiles, every spacing of the layout, FP16 and BF16. Skipped (passes
/// with a note) below or above compute capability 9.
extension GPUSelfTests {
    public static let tcfpxWgmma: [GPUSelfTest] = {
        func test(_ what: String, format: String, oc: Int, ic: Int, batches: [Int], activation: GPUActivationType = .float16,
                  tuning: TCFPxTuning = TCFPxTuning()) -> GPUSelfTest {
            let inner = tcfpxTest("tcfpx wgmma \(what) OC=\(oc) IC=\(ic) N=\(batches.map(String.init).joined(separator: ","))",
                                  format: format, oc: oc, ic: ic, batches: batches, activation: activation, path: .wgmma,
                                  tuning: tuning)
            return GPUSelfTest(inner.name) { t in
                guard t.context.properties.computeCapability.major == 9 else {
                    return GPUSelfTestOutcome(passed: true, detail: "skipped: needs compute capability 9.0")
                }
                return try inner.run(t)
            }
        }
        return [
            test("e3m2 f16", format: "fp6", oc: 1031, ic: 577, batches: [1, 7, 130, 600]),
            test("e3m2 f16 split-K", format: "fp6", oc: 4099, ic: 4096, batches: [128, 300]),
            test("e3m2 f16 one pass", format: "fp6", oc: 8192, ic: 1024, batches: [512]),
            test("e3m2 f16 SmolLM2", format: "fp6", oc: 576, ic: 192, batches: [256, 257]),
            test("e2m3 f16", format: "fpe2m3", oc: 1031, ic: 577, batches: [200, 513]),
            test("e2m2 f16", format: "fp5", oc: 515, ic: 1000, batches: [129]),
            test("e3m1 f16", format: "fpe3m1", oc: 515, ic: 1000, batches: [255]),
            test("e2m1 f16", format: "fp4", oc: 2053, ic: 3000, batches: [160]),
            test("e3m2 bf16", format: "fp6", oc: 2053, ic: 3000, batches: [129, 600], activation: .bfloat16),
            test("e2m3 bf16", format: "fpe2m3", oc: 1031, ic: 577, batches: [300], activation: .bfloat16),
            // Small-batch tiles (BN = 32 / 64, 1 or 2 slabs), pinned, with and without split-K, several column blocks.
            test("e3m2 f16 BN=64 2 slabs split-K", format: "fp6", oc: 4099, ic: 4096, batches: [1, 33, 64, 65],
                 tuning: TCFPxTuning(wgmmaBN: 64, wgmmaSlabs: 2, wgmmaSplits: 4)),
            test("e3m2 f16 BN=64 1 slab", format: "fp6", oc: 1031, ic: 577, batches: [2, 64, 130],
                 tuning: TCFPxTuning(wgmmaBN: 64, wgmmaSlabs: 1, wgmmaSplits: 1)),
            test("e3m2 f16 BN=32 2 slabs split-K", format: "fp6", oc: 2053, ic: 3000, batches: [1, 17, 32, 100],
                 tuning: TCFPxTuning(wgmmaBN: 32, wgmmaSlabs: 2, wgmmaSplits: 5)),
            test("e2m1 f16 BN=32 1 slab", format: "fp4", oc: 515, ic: 1000, batches: [7, 32, 600],
                 tuning: TCFPxTuning(wgmmaBN: 32, wgmmaSlabs: 1)),
            test("e2m2 f16 BN=64", format: "fp5", oc: 576, ic: 192, batches: [31, 64], tuning: TCFPxTuning(wgmmaBN: 64)),
            test("e3m1 f16 BN=32", format: "fpe3m1", oc: 1031, ic: 577, batches: [20], tuning: TCFPxTuning(wgmmaBN: 32)),
            test("e2m3 bf16 BN=64 split-K", format: "fpe2m3", oc: 2053, ic: 3000, batches: [40, 64], activation: .bfloat16,
                 tuning: TCFPxTuning(wgmmaBN: 64, wgmmaSplits: 3)),
            // Aligned activations (IC % 8 = 0) through the permute pass.
            test("e3m2 f16 aligned X BN=64", format: "fp6", oc: 4099, ic: 4096, batches: [33, 64, 200],
                 tuning: TCFPxTuning(wgmmaBN: 64)),
            test("e2m2 f16 aligned X", format: "fp5", oc: 2053, ic: 3000, batches: [16, 300]),
            // 4 consumer warpgroups (1 slab, 256 rows per CTA).
            test("e3m2 f16 4 warpgroups BN=64 split-K", format: "fp6", oc: 4099, ic: 4096, batches: [1, 40, 64, 130],
                 tuning: TCFPxTuning(wgmmaBN: 64, wgmmaSplits: 3, wgmmaWarpgroups: 4)),
            test("e2m3 f16 4 warpgroups BN=32", format: "fpe2m3", oc: 1031, ic: 577, batches: [5, 32, 33],
                 tuning: TCFPxTuning(wgmmaBN: 32, wgmmaWarpgroups: 4)),
            test("e2m1 bf16 4 warpgroups BN=64", format: "fp4", oc: 2053, ic: 3000, batches: [64, 100], activation: .bfloat16,
                 tuning: TCFPxTuning(wgmmaBN: 64, wgmmaWarpgroups: 4)),
            test("e3m2 f16 4 warpgroups BN=32 aligned X", format: "fp6", oc: 515, ic: 1000, batches: [17, 32],
                 tuning: TCFPxTuning(wgmmaBN: 32, wgmmaWarpgroups: 4)),
            // Three wgmma groups in flight (A-register ring of 4), pinned on tiles where it is not the default.
            test("e3m2 f16 ring 4 BN=64 2 slabs split-K", format: "fp6", oc: 4099, ic: 4096, batches: [1, 33, 64, 65],
                 tuning: TCFPxTuning(wgmmaBN: 64, wgmmaSlabs: 2, wgmmaSplits: 3, wgmmaRing: 4)),
            test("e2m3 bf16 ring 4 4 warpgroups BN=32", format: "fpe2m3", oc: 1031, ic: 577, batches: [7, 32, 100],
                 activation: .bfloat16, tuning: TCFPxTuning(wgmmaBN: 32, wgmmaWarpgroups: 4, wgmmaRing: 4)),
            test("e2m1 f16 ring 4 BN=128", format: "fp4", oc: 2053, ic: 3000, batches: [129, 300],
                 tuning: TCFPxTuning(wgmmaBN: 128, wgmmaSlabs: 2, wgmmaRing: 4)),
            test("e3m2 bf16 BN=32", format: "fp6", oc: 1031, ic: 577, batches: [9, 33], activation: .bfloat16,
                 tuning: TCFPxTuning(wgmmaBN: 32, wgmmaSlabs: 2)),
        ]
    }()
}
