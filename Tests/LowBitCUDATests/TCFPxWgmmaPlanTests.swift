import Testing
@testable import LowBitCUDA

/// The wgmma planner's cost model (no GPU): every split is non-empty (the kernel's main loop assumes ≥ 1 K unit),
/// splits cover K exactly, and the choice follows the waves (split when the tiles fill too little of the GPU).
@Suite struct TCFPxWgmmaPlanTests {
    @Test(arguments: [1, 2, 3, 5, 7, 8, 9, 16])
    func splitsAreNonEmptyAndCoverK(splits: Int) {
        for kt in [1, 2, 5, 64, 65, 224] {
            let r = TCFPxGemm.wgmmaCost(rowTiles: 512, columnTiles: kt, batch: 128, slabs: 2, bn: 128, splits: splits,
                                        unitMicroseconds: 1.42, multiprocessors: 132)
            #expect(r.splits >= 1 && r.splits <= min(splits, kt))
            #expect(r.per >= 1 && r.per * r.splits >= kt && r.per * (r.splits - 1) < kt, "kt=\(kt) splits=\(splits)")
        }
    }

    @Test func splitsOnlyWhenTheTilesLeaveTheGPUIdle() {
        // 8192×8192: 32 tiles of 256 rows at N = 128 → split; 1024 tiles at N = 4096 → no split.
        func best(batch: Int) -> Int {
            (1...16).map {
                TCFPxGemm.wgmmaCost(rowTiles: 512, columnTiles: 64, batch: batch, slabs: 2, bn: 128, splits: $0,
                                    unitMicroseconds: 1.42, multiprocessors: 132)
            }.min { $0.cost < $1.cost }!.splits
        }
        #expect(best(batch: 128) > 1)
        #expect(best(batch: 4096) == 1)
    }
}

/// Every tile shape the planner offers compiles for sm_90a without spills and without ptxas serializing the wgmma
/// pipeline (C7512: too few registers, C7515: accumulators defined by other instructions inside the pipeline) —
/// both happened during development and cost 2–3× silently. Runs where NVRTC is present (CI installs it).
@Suite struct TCFPxWgmmaCompileTests {
    static let nvrtcReady: Bool = (try? NVRTC.shared()) != nil

    @Test(.enabled(if: nvrtcReady, "NVRTC not found (scripts/ci-cuda-compile.sh installs it)"))
    func tileShapesCompileWithoutSpillsOrSerializedWgmma() throws {
        let nvrtc = try NVRTC.shared()
        // (E, M, BF16, BN, slabs, stages): the three planner tiles with FP6, the dense e2m3 layout in BF16, and the
        // widest unit (e3m3, 7 bits: fewer stages fit).
        let configs: [(Int, Int, Int, Int, Int, Int)] = [
            (3, 2, 0, 128, 2, 4), (3, 2, 0, 128, 1, 5), (3, 2, 0, 192, 1, 3), (2, 3, 1, 128, 2, 4), (3, 3, 0, 128, 2, 3),
        ]
        for (e, m, bf16, bn, slabs, stages) in configs {
            let defines = ["TCFPX_E": "\(e)", "TCFPX_M": "\(m)", "TCFPX_BF16": "\(bf16)", "WGM_BN": "\(bn)",
                           "WGM_SLABS": "\(slabs)", "WGM_STAGES": "\(stages)"]
            let module = try nvrtc.compile(.tcfpxWgmma, architecture: CUDAArchitecture("sm_90a"), defines: defines,
                                           useCache: false)
            #expect(Set(module.loweredNames.keys) == Set(CUDAKernelSource.tcfpxWgmma.kernels), "\(defines)")
            #expect(module.spillViolations.isEmpty, "\(defines): \(module.spillViolations)")
            #expect(!module.log.contains("C7512") && !module.log.contains("C7515"), "\(defines): wgmma serialized")
        }
    }
}
