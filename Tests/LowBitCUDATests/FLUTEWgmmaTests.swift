import Testing
@testable import LowBitCUDA

/// The FLUTE wgmma planner (no GPU): plans fit the shared memory of an H100/H200 (227 KiB opt-in), splits are
/// non-empty and cover K, every tile is reachable, and small batches get the narrow tile.
@Suite struct FLUTEWgmmaPlanTests {
    static let sharedLimit = 232_448  // H100/H200 opt-in shared memory per block
    static let shapes: [(Int, Int)] = [(8192, 8192), (57344, 8192), (8192, 28672), (1031, 577), (4099, 4096), (192, 576)]

    @Test(arguments: [2, 3, 4])
    func plansFitAndCoverK(bits: Int) throws {
        for group in [LUTGroupSize.group(32), .group(64), .group(128), .group(256), .perRow] {
            for (oc, ic) in Self.shapes {
                let shape = try FLUTEShape(bits: bits, outputs: oc, inputs: ic, groupSize: group)
                let kt = (shape.paddedInputs + 127) / 128
                for batch in [1, 16, 32, 64, 128, 600, 4096] {
                    let plan = FLUTEGemm.wgmmaPlan(shape: shape, batch: batch, multiprocessors: 132,
                                                   sharedLimit: Self.sharedLimit)
                    #expect(plan.sharedMemoryBytes + 256 <= Self.sharedLimit, "\(shape) N=\(batch) \(plan)")
                    #expect(plan.stages >= 3 && plan.stages <= 6)
                    #expect(plan.unitsPerSplit >= 1 && plan.splits * plan.unitsPerSplit >= kt
                            && (plan.splits - 1) * plan.unitsPerSplit < kt, "\(shape) N=\(batch) \(plan)")
                    #expect(plan.columnBlocks * plan.bn >= batch && plan.rowBlocks * 128 * plan.slabs >= oc)
                    // The epilogue tile (BN × (BM + 8) halves) fits in the stages (static_assert in the kernel).
                    #expect(plan.bn * (128 * plan.slabs + 8) * 2 <= plan.sharedMemoryBytes - (1 << (2 * bits)) * 128 - 1024)
                }
            }
        }
    }

    @Test func everyTileIsPlannableAndFourBitBN256DoesNotFit() throws {
        for bits in [2, 3, 4] {
            let shape = try FLUTEShape(bits: bits, outputs: 1031, inputs: 577, groupSize: .group(64))
            for (slabs, bn) in FLUTEGemm.wgmmaTiles {
                let plan = FLUTEGemm.wgmmaPlan(shape: shape, batch: 300, multiprocessors: 132, sharedLimit: Self.sharedLimit,
                                               tile: (slabs, bn), splits: 3)
                let fits = FLUTEGemm.wgmmaSharedBytes(bits: bits, slabs: slabs, bn: bn, stages: 3, perRow: false) + 256
                    <= Self.sharedLimit
                #expect(fits == !(bits == 4 && bn == 256), "bits=\(bits) \(slabs)×\(bn)")
                if fits { #expect(plan.bn == bn && plan.slabs == slabs && plan.splits == 3, "\(plan)") }
            }
        }
    }

    @Test func smallBatchesTakeTheNarrowTileAndSplitK() throws {
        let shape = try FLUTEShape(bits: 4, outputs: 8192, inputs: 8192, groupSize: .group(128))
        let small = FLUTEGemm.wgmmaPlan(shape: shape, batch: 32, multiprocessors: 132, sharedLimit: Self.sharedLimit)
        #expect(small.bn == 64 && small.splits > 1, "\(small)")
        let large = FLUTEGemm.wgmmaPlan(shape: shape, batch: 4096, multiprocessors: 132, sharedLimit: Self.sharedLimit)
        #expect(large.bn >= 128 && large.splits == 1, "\(large)")
    }
}

/// Every FLUTE wgmma configuration (bits × FP16/BF16 × tile × per-group/per-row scales, at the deepest pipeline the
/// planner gives it) compiles for sm_90a without spills and without ptxas serializing the wgmma pipeline (C7512,
/// C7513, C7515: each cost 2–3× silently in development). Runs where NVRTC is present (CI installs it).
@Suite struct FLUTEWgmmaCompileTests {
    static let nvrtcReady: Bool = (try? NVRTC.shared()) != nil

    @Test(.enabled(if: nvrtcReady, "NVRTC not found (scripts/ci-cuda-compile.sh installs it)"), arguments: [2, 3, 4])
    func everyConfigurationCompilesWithoutSpillsOrSerializedWgmma(bits: Int) throws {
        let nvrtc = try NVRTC.shared()
        for (slabs, bn) in FLUTEGemm.wgmmaTiles {
            for perRow in [false, true] {
                for bf16 in [false, true] {
                    // BF16 only on two tiles (the instruction strings differ, the code does not).
                    if bf16 && !(bn == 128 || bn == 64) { continue }
                    let shape = try FLUTEShape(bits: bits, outputs: 4096, inputs: 4096,
                                               groupSize: perRow ? .perRow : .group(64))
                    let fits = FLUTEGemm.wgmmaSharedBytes(bits: bits, slabs: slabs, bn: bn, stages: 3, perRow: perRow)
                        + 256 <= FLUTEWgmmaPlanTests.sharedLimit
                    guard fits else { continue }
                    let plan = FLUTEGemm.wgmmaPlan(shape: shape, batch: 600, multiprocessors: 132,
                                                   sharedLimit: FLUTEWgmmaPlanTests.sharedLimit, tile: (slabs, bn), splits: 1)
                    // KG = 4 (the default, most registers) everywhere; KG = 1 on the widest tiles.
                    let defines = FLUTEGemm.wgmmaDefines(bits: bits, bf16: bf16, plan: plan, postScale: perRow,
                                                         kg: bf16 && bn == 128 ? 1 : 4)
                    let module = try nvrtc.compile(.fluteWgmma, architecture: CUDAArchitecture("sm_90a"), defines: defines,
                                                   useCache: false)
                    #expect(Set(module.loweredNames.keys) == Set(CUDAKernelSource.fluteWgmma.kernels), "\(defines)")
                    #expect(module.spillViolations.isEmpty, "\(defines): \(module.spillViolations)")
                    #expect(!module.log.contains("C7512") && !module.log.contains("C7513") && !module.log.contains("C7515"),
                            "\(defines): wgmma serialized")
                }
            }
        }
    }
}
