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
