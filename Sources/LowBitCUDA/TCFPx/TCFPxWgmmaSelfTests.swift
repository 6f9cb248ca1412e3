import LowBitCore

/// `lowbit selftest --device cuda` checks of the wgmma large-batch path (TCFPxWgmma.swift), through the same
/// harness as the other TC-FPx paths: float64 CPU reference on the same codes, NaN-poisoned outputs, odd shapes,
/// batches up to 600, split-K and single-pass tiles, every spacing of the layout, FP16 and BF16. Skipped (passes
/// with a note) below or above compute capability 9.
extension GPUSelfTests {
    public static let tcfpxWgmma: [GPUSelfTest] = {
        func test(_ what: String, format: String, oc: Int, ic: Int, batches: [Int], activation: GPUActivationType = .float16)
            -> GPUSelfTest {
            let inner = tcfpxTest("tcfpx wgmma \(what) OC=\(oc) IC=\(ic) N=\(batches.map(String.init).joined(separator: ","))",
                                  format: format, oc: oc, ic: ic, batches: batches, activation: activation, path: .wgmma)
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
        ]
    }()
}
