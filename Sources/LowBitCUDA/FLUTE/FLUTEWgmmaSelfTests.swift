import LowBitCore

/// `lowbit selftest --device cuda --filter "flute wgmma"`: the Hopper wgmma path of FLUTE (FLUTEWgmma.swift) through
/// the same harness as the other FLUTE paths (float64 CPU reference from the given table × fp16 scale on the same
/// codes, NaN-poisoned outputs, fresh random inputs per batch): every bit width × group size 32/64/128/256/per-row,
/// random tables, odd OC and IC, batches 1…600, FP16 and BF16, every tile shape with and without split-K, and
/// determinism (3 runs bitwise identical, split-K). Skipped (passes with a note) off compute capability 9.
extension GPUSelfTests {
    public static let fluteWgmma: [GPUSelfTest] = {
        func hopper(_ inner: GPUSelfTest) -> GPUSelfTest {
            GPUSelfTest(inner.name) { t in
                guard t.context.properties.computeCapability.major == 9 else {
                    return GPUSelfTestOutcome(passed: true, detail: "skipped: needs compute capability 9.0")
                }
                return try inner.run(t)
            }
        }
        func test(_ format: String, oc: Int, ic: Int, batches: [Int], activation: GPUActivationType = .float16,
                  note: String = "", plan: (@Sendable (FLUTEGemm, Int) -> TCFPxWgmmaPlan)? = nil) -> GPUSelfTest {
            let act = activation == .bfloat16 ? "bf16" : "f16"
            let name = "flute wgmma \(format) \(act)\(note) OC=\(oc) IC=\(ic) N=\(batches.map(String.init).joined(separator: ","))"
            return hopper(fluteTest(name, format: format, oc: oc, ic: ic, batches: batches, activation: activation,
                                    path: .wgmma, plan: plan))
        }
        var tests: [GPUSelfTest] = []
        for group in ["g32", "g64", "g128", "g256", "grow"] {
            tests.append(test("nf4" + group, oc: 1031, ic: 577, batches: [1, 37, 130, 600]))
            tests.append(test("nf3" + group, oc: 1031, ic: 577, batches: [3, 64, 257]))
            tests.append(test("nf2" + group, oc: 1031, ic: 577, batches: [3, 64, 257]))
        }
        for table in ["lut4", "lut3", "lut2"] {
            tests.append(test(table + "g128", oc: 300, ic: 1000, batches: [100], note: " (random table)"))
        }
        for format in ["nf4g128", "nf4g64", "nf3g32", "nf2grow"] {
            tests.append(test(format, oc: 1031, ic: 577, batches: [9, 200, 600], activation: .bfloat16))
        }
        // Every tile shape (those that fit: 4-bit BN = 256 does not), unsplit and with 3 K splits; the 64-column tiles
        // copy weights with cp.async, the others with bulk copies.
        // (One format per tile and split count, rotating, to keep the number of compiled configurations small.)
        let rotation = ["nf4g32", "nf3grow", "nf2g128", "nf4grow", "nf3g64", "nf2g32"]
        for (i, (slabs, bn)) in FLUTEGemm.wgmmaTiles.enumerated() {
            for (j, splits) in [1, 3].enumerated() {
                tests.append(test(rotation[(2 * i + j) % rotation.count], oc: 515, ic: 1000, batches: [70, 300],
                                  note: " tile \(128 * slabs)×\(bn) split-K \(splits)") { gemm, n in
                    gemm.wgmmaPlan(batch: n, tile: (slabs, bn), splits: splits)
                })
            }
        }
        tests.append(test("nf4", oc: 4099, ic: 4096, batches: [16, 128, 300], note: " planner"))
        tests.append(test("nf3g64", oc: 4099, ic: 4096, batches: [40], note: " planner"))
        tests.append(test("nf4g64", oc: 576, ic: 192, batches: [256, 257], note: " SmolLM2"))
        tests.append(test("nf3g64", oc: 192, ic: 576, batches: [64], note: " SmolLM2"))
        tests.append(hopper(GPUSelfTest("flute wgmma nf4/nf3g64 determinism OC=4096 IC=4096 N=200 (3 runs bitwise)") { t in
            try fluteDeterminism(t, formats: ["nf4", "nf3g64"], oc: 4096, ic: 4096, batch: 200, path: .wgmma)
        }))
        return tests
    }()
}
