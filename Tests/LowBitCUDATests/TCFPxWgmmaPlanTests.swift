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

    /// The four Llama-2-70B shapes (FP6) with H200 constants (132 SMs; 93 % of 3201 MHz × 6016 bit = 4.48 TB/s).
    static let shapes = [(8192, 8192), (10240, 8192), (57344, 8192), (8192, 28672)]
    static let bandwidth = 0.93 * 3201e3 * 1e3 * 2 * 6016 / 8 / 1e6
    static func choose(_ oc: Int, _ ic: Int, batch: Int) -> (cost: Double, tile: TCFPxWgmmaTile, splits: Int, per: Int) {
        TCFPxGemm.wgmmaChoose(rowTiles: (oc + 15) / 16, columnTiles: (ic + 127) / 128, batch: batch,
                              weightBytes: oc * ic * 6 / 8 + 2 * oc, multiprocessors: 132, bandwidth: Self.bandwidth)
    }

    @Test func smallBatchesTakeNarrowTilesAndLargeOnesWideTiles() {
        for (oc, ic) in Self.shapes {
            #expect(Self.choose(oc, ic, batch: 32).tile.bn <= 64, "\(oc)x\(ic)")
            #expect(Self.choose(oc, ic, batch: 64).tile.bn <= 64, "\(oc)x\(ic)")
            #expect(Self.choose(oc, ic, batch: 4096).tile.bn >= 128, "\(oc)x\(ic)")
        }
    }

    /// The plans timed in session 3 call 2 (docs/tcfpx-wgmma.md): N = 32 → 4 warpgroups × BN 32, N = 64 → 2 slabs ×
    /// BN 64 (splits 4 / 3 / 1 / 4 on the four shapes).
    @Test func smallBatchPlansAreTheTimedOnes() {
        for ((oc, ic), splits) in zip(Self.shapes, [4, 3, 1, 4]) {
            let p32 = Self.choose(oc, ic, batch: 32), p64 = Self.choose(oc, ic, batch: 64)
            #expect(p32.tile.bn == 32 && p32.tile.warpgroups == 4 && p32.splits == splits, "\(oc)x\(ic): \(p32)")
            #expect(p64.tile.bn == 64 && p64.tile.slabs == 2 && p64.tile.warpgroups == 2 && p64.splits == splits,
                    "\(oc)x\(ic): \(p64)")
        }
    }

    @Test func modelledTimesGrowWithTheBatchAndRespectTheWeightStream() {
        for (oc, ic) in Self.shapes {
            let bytes = Double(oc * ic * 6 / 8)
            var last = 0.0
            for n in [1, 16, 32, 64, 128, 256, 512, 1024, 4096] {
                let c = Self.choose(oc, ic, batch: n).cost
                #expect(c >= bytes / Self.bandwidth, "\(oc)x\(ic) N=\(n): faster than reading the weights")
                #expect(c >= last - 1e-9, "\(oc)x\(ic) N=\(n)")
                last = c
            }
            // The fused kernel's model: memory-bound at N ≤ 8, growing with the columns past 8.
            func fused(_ n: Int) -> Double {
                TCFPxGemm.fusedModel(outFeatures: oc, inFeatures: ic, weightBytes: Int(bytes), batch: n, bandwidth: Self.bandwidth)
            }
            #expect(fused(1) == fused(8) && fused(64) > fused(8) && fused(1) > bytes / Self.bandwidth)
        }
    }

    /// `auto`'s choice on Hopper follows the measured faster path (session 3 call 2, H200, FP6): the fused kernel at
    /// N = 1 and 16 on all four shapes, the wgmma kernel from N = 32 (e.g. 8192×8192 N = 16: fused 25.9 µs, wgmma
    /// 28.0; N = 32: 36.6 vs 29.2). A tiny layer (SmolLM2's 576×192) at N = 1 stays on the fused kernel, whose
    /// single launch is all it costs.
    ///
    /// H100 (session 4, docs/tcfpx.md "Split-K by time"; 93 % of 2619 MHz × 5120 bit = 3.12 TB/s): the same
    /// dispatch. Measured at N = 1 / 16, fused (best split) vs wgmma, µs: 8192×8192 24.4 / 27.6 vs 31.5 / 32.9,
    /// 10240×8192 28.8 / 32.5 vs 37.0 / 38.2, 57344×8192 122.6 / 128.4 vs 133.5 / 134.5, 8192×28672 66.3 / 70.7 vs
    /// 75.6 / 76.8 (the old fused model, bytes at 88 % of the model bandwidth, sent N = 16 on all four and N = 1 on the
    /// two large shapes to wgmma). N = 32: wgmma 135.8 vs fused 140.6 µs on 57344×8192, within 7 % either way on the
    /// three others.
    @Test(arguments: [false, true])
    func dispatchFollowsTheMeasuredFasterPath(h100: Bool) {
        let bandwidth = h100 ? 0.93 * 2619e3 * 1e3 * 2 * 5120 / 8 / 1e6 : Self.bandwidth
        for (oc, ic) in Self.shapes + [(576, 192)] {
            let bytes = oc * ic * 6 / 8 + 2 * oc
            for n in oc == 576 ? [1] : [1, 8, 16, 32, 64, 128, 256, 4096] {
                let wgmma = TCFPxGemm.wgmmaChoose(rowTiles: (oc + 15) / 16, columnTiles: (ic + 127) / 128, batch: n,
                                                  weightBytes: bytes, multiprocessors: 132, bandwidth: bandwidth).cost
                let fused = TCFPxGemm.fusedModel(outFeatures: oc, inFeatures: ic, weightBytes: bytes, batch: n,
                                                 bandwidth: bandwidth)
                #expect((wgmma < fused) == (n >= 32), "\(oc)x\(ic) N=\(n): wgmma \(wgmma) µs, fused \(fused) µs")
            }
        }
    }

    /// The fused model against the measured best split at N = 1 on the H100 (memory-bound: 8.7 µs + bytes at the model
    /// bandwidth) and run 6b's default on the H200 (compute-bound: 8.7 µs + weights at 5.4 T/s): within 6 %.
    @Test func fusedModelMatchesBothDevices() {
        let h100 = 0.93 * 2619e3 * 1e3 * 2 * 5120 / 8 / 1e6
        let measured: [(Double, Double)] = [(24.4, 20.4), (28.8, 25.6), (122.6, 95.5), (66.3, 50.3)]  // (H100, H200) µs
        for ((oc, ic), (onH100, onH200)) in zip(Self.shapes, measured) {
            let bytes = oc * ic * 6 / 8 + 2 * oc
            let m100 = TCFPxGemm.fusedModel(outFeatures: oc, inFeatures: ic, weightBytes: bytes, batch: 1, bandwidth: h100)
            let m200 = TCFPxGemm.fusedModel(outFeatures: oc, inFeatures: ic, weightBytes: bytes, batch: 1,
                                            bandwidth: Self.bandwidth)
            #expect(abs(m100 / onH100 - 1) < 0.06, "\(oc)x\(ic) H100: model \(m100) µs, measured \(onH100)")
            #expect(abs(m200 / onH200 - 1) < 0.06, "\(oc)x\(ic) H200: model \(m200) µs, measured \(onH200)")
        }
    }

    @Test func stagesFitTheSharedMemory() {
        for t in TCFPxGemm.wgmmaTiles {
            #expect(t.warpgroups == 2 || (t.warpgroups == 4 && t.slabs == 1 && t.bn <= 64), "the kernel's static_assert")
            for width in 3...7 {
                let unit = 256 * width
                let stages = TCFPxGemm.wgmmaStages(bn: t.bn, rows: t.rows, unitBytes: unit, sharedMemoryPerBlock: 232448)
                #expect(stages >= 3 && stages <= 6)
                #expect(stages * (t.bn * 256 + t.rows / 16 * unit) + 1280 <= 232448 || stages == 3, "\(t) W=\(width)")
            }
        }
    }
}

/// Every tile shape the planner offers compiles for sm_90a without spills and without ptxas serializing the wgmma
/// pipeline (C7512: too few registers, C7513 / C7515: registers of a wgmma defined by other instructions inside the pipeline) —
/// both happened during development and cost 2–3× silently. Runs where NVRTC is present (CI installs it).
@Suite struct TCFPxWgmmaCompileTests {
    static let nvrtcReady: Bool = (try? NVRTC.shared()) != nil

    @Test(.enabled(if: nvrtcReady, "NVRTC not found (scripts/ci-cuda-compile.sh installs it)"))
    func tileShapesCompileWithoutSpillsOrSerializedWgmma() throws {
        let nvrtc = try NVRTC.shared()
        // (E, M, BF16, BN, slabs, stages): every planner tile with FP6 at the planner's stage count (H100/H200:
        // 227 KiB per block), the dense e2m3 layout in BF16 (a wide and a narrow tile), FP4, and the widest unit
        // (e3m3, 7 bits: fewer stages fit).
        var configs: [(Int, Int, Int, Int, Int, Int, Int)] = TCFPxGemm.wgmmaTiles.map { t in
            (3, 2, 0, t.bn, t.slabs, TCFPxGemm.wgmmaStages(bn: t.bn, rows: t.rows, unitBytes: 256 * 6, sharedMemoryPerBlock: 232448),
             t.warpgroups)
        }
        configs += [(2, 3, 1, 128, 2, 4, 2), (2, 3, 1, 64, 2, 5, 2), (2, 1, 0, 32, 2, 6, 2), (3, 3, 0, 128, 2, 3, 2),
                    (3, 3, 0, 64, 2, 4, 2), (2, 3, 1, 64, 1, 5, 4), (2, 1, 0, 32, 1, 6, 4)]
        // The opt-in A-register ring of 4 (three wgmma groups in flight) on a narrow, a 4-warpgroup and a wide tile.
        let ring4: [(Int, Int, Int, Int, Int, Int, Int)] = [(3, 2, 0, 64, 2, 5, 2), (2, 3, 1, 32, 1, 6, 4), (2, 1, 0, 128, 2, 4, 2)]
        for (i, (e, m, bf16, bn, slabs, stages, wgs)) in (configs + ring4).enumerated() {
            let defines = ["TCFPX_E": "\(e)", "TCFPX_M": "\(m)", "TCFPX_BF16": "\(bf16)", "WGM_BN": "\(bn)",
                           "WGM_SLABS": "\(slabs)", "WGM_STAGES": "\(stages)", "WGM_WGS": "\(wgs)",
                           "WGM_RING": i < configs.count ? "2" : "4"]
            let module = try nvrtc.compile(.tcfpxWgmma, architecture: CUDAArchitecture("sm_90a"), defines: defines,
                                           useCache: false)
            #expect(Set(module.loweredNames.keys) == Set(CUDAKernelSource.tcfpxWgmma.kernels), "\(defines)")
            #expect(module.spillViolations.isEmpty, "\(defines): \(module.spillViolations)")
            #expect(!module.log.contains("C7512") && !module.log.contains("C7513") && !module.log.contains("C7515"),
                    "\(defines): wgmma serialized")
        }
    }
}
