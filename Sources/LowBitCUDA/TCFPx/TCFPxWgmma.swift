import Foundation
import LowBitCore
import Synchronization

extension CUDAKernelSource {
    /// Large-batch TC-FPx GEMM on Hopper (wgmma, weights as the register A operand): tcfpx_wgmma.cu compiled in ONE
    /// program after tcfpx_gemm.cu, whose dequantization device code it reuses, and wgmma_common.cu (the generic
    /// wgmma/mbarrier/bulk-copy helpers, the activation permute and the split-K reduce). Needs sm_90a at run time; for other
    /// architectures the kernel compiles to an empty body (CI compiles it for sm_80 too).
    public static let tcfpxWgmma = CUDAKernelSource(
        name: "tcfpx_wgmma",
        code: String(decoding: PackageResources.tcfpx_gemm_cu, as: UTF8.self) + "\n" + wgmmaCommonCode
            + String(decoding: PackageResources.tcfpx_wgmma_cu, as: UTF8.self),
        kernels: ["tcfpx_wgmma", "tcfpx_wgmma_permute_x", "tcfpx_wgmma_reduce"])
}

extension CUDAKernelSource {
    /// Kernels/wgmma_common.cu (generic sm_90a wgmma helpers; no kernels of its own), followed by a newline: put in
    /// front of each wgmma kernel file when the host concatenates a program.
    public static let wgmmaCommonCode = String(decoding: PackageResources.wgmma_common_cu, as: UTF8.self) + "\n"
}

/// A tile shape of the wgmma kernel: m64 slabs per consumer warpgroup, batch columns per CTA (the wgmma N), consumer
/// warpgroups (2, or 4 for 1-slab tiles of BN ≤ 64), and the modelled µs per 128-column K unit of one CTA when the
/// tensor cores, the dequantization and the per-k-step latency set the pace (`TCFPxGemm.wgmmaTiles`).
public struct TCFPxWgmmaTile: Sendable, Equatable {
    public let slabs: Int
    public let bn: Int
    public let warpgroups: Int
    public let unitMicroseconds: Double
    public init(slabs: Int, bn: Int, warpgroups: Int = 2, unitMicroseconds: Double) {
        self.slabs = slabs
        self.bn = bn
        self.warpgroups = warpgroups
        self.unitMicroseconds = unitMicroseconds
    }
    /// Weight rows per CTA.
    public var rows: Int { 64 * warpgroups * slabs }
}

/// How one wgmma call is launched.
public struct TCFPxWgmmaPlan: Sendable, CustomStringConvertible {
    /// Batch columns per CTA (the wgmma N), m64 slabs per consumer warpgroup, consumer warpgroups, pipeline depth.
    public let bn: Int
    public let slabs: Int
    public var warpgroups: Int = 2
    /// A-register buffers per warp (wgmma groups in flight + 1): 2, or 4 (opt-in).
    public var ring: Int = 2
    public let stages: Int
    public let rowBlocks: Int
    public let columnBlocks: Int
    public let splits: Int
    public let unitsPerSplit: Int
    public let sharedMemoryBytes: Int
    /// The planner's modelled time of the whole call (µs; `TCFPxGemm.wgmmaCost`).
    public var modelMicroseconds: Double = 0

    public var ctas: Int { rowBlocks * columnBlocks * splits }
    public var description: String {
        "wgmma BM=\(64 * warpgroups * slabs) BN=\(bn)" + (warpgroups == 2 ? "" : " wgs=\(warpgroups)") + (ring == 2 ? "" : " ring=\(ring)") + " stages=\(stages) split-K=\(splits) CTAs=\(ctas) "
            + "smem=\(sharedMemoryBytes / 1024)KiB model=\(Int(modelMicroseconds.rounded()))us"
    }
}

extension TCFPxGemm {
    /// The wgmma path runs on compute capability 9.0 (sm_90a: wgmma is not part of later architectures' base set).
    public static func wgmmaAvailable(_ context: CUDAContext) -> Bool {
        context.properties.computeCapability.major == 9 && wgmmaEnabled != false
    }

    /// LOWBIT_TCFPX_WGMMA=0 turns the wgmma path off for `auto` (benches compare), 1 forces it for every batch.
    static let wgmmaEnabled = flag("LOWBIT_TCFPX_WGMMA")

    /// Set (LOWBIT_TCFPX_WGMMA_BATCH): batches from this size up take the wgmma path under `auto`, smaller ones the
    /// fused mma.sync kernel. Unset (default): `auto` compares the two cost models (`prefersWgmma`).
    public static let wgmmaThreshold: Int? = override("LOWBIT_TCFPX_WGMMA_BATCH")

    /// Whether `auto` sends this call to the wgmma kernel: on compute capability 9.0 when its modelled time
    /// (`wgmmaPlan(batch:).modelMicroseconds`, permute and reduce included) is below the fused kernel's
    /// (`fusedModelMicroseconds`).
    public func prefersWgmma(batch: Int) -> Bool {
        guard Self.wgmmaAvailable(context) else { return false }
        if Self.wgmmaEnabled == true { return true }
        if let threshold = Self.wgmmaThreshold { return batch >= threshold }
        return wgmmaPlan(batch: batch).modelMicroseconds < fusedModelMicroseconds(batch: batch)
    }

    /// Sustained read bandwidth the models assume, bytes per µs: 93 % of the DRAM peak from the device properties
    /// (H200: 4.48 TB/s of 4.8; run 6b measured 4.50–4.61 TB/s with the backend's read kernel).
    var modelBandwidth: Double {
        let p = context.properties
        let peak = Double(p.memoryClockRateKHz) * 1e3 * 2 * Double(p.memoryBusWidthBits) / 8 / 1e6
        return peak > 0 ? 0.93 * peak : 3e6
    }

    /// Modelled time (µs) of the fused mma.sync kernel (tcfpx_gemm.cu) for `batch` columns, at its best split:
    /// a launch (3.2 µs) and up to 5.5 µs of pipeline fill and split-K tail, which shrink with the matrix below
    /// 8192×8192 (together run 6b's 8.7 µs intercept) + for N > 8 the wider CTAs' cost (fewer CTAs per SM, longer
    /// dependent mma chains: up to 12 µs) + the larger of
    ///   * the weight bytes at the model bandwidth (memory-bound: the H100, where the best split of every shape ran
    ///     at 8.7 µs + bytes / 3.1 TB/s at N = 1 in session 4's sweep, docs/tcfpx.md "Split-K by time"), and
    ///   * the SMs' dequantization + mma work: OC · IC weights at 40.96 k weights per µs per SM at 1.98 GHz (132 SMs:
    ///     5.4 T weights/s, run 6b's marginal FP6 rate on the H200, which is compute-bound there) + for N > 8 the
    ///     columns past the first 8, OC · IC · (N − 8) weight-columns at 300 per ps (≈ 600 TFLOP/s).
    /// Fitted to session 3 calls 1–2 (H200) and session 4's sweep (H100), N = 1 / 16 / 32 on the four Llama-2-70B
    /// shapes: within ±6 % at N ≤ 16. Not fitted for N ≥ 128 (optimistic there by up to 2×), where the wgmma kernel
    /// is 1.5–2.3× faster than the fused one anyway.
    public func fusedModelMicroseconds(batch: Int) -> Double {
        Self.fusedModel(outFeatures: outFeatures, inFeatures: inFeatures, weightBytes: weightBytes, batch: batch,
                        bandwidth: modelBandwidth, multiprocessors: context.properties.multiprocessorCount,
                        clockScale: modelClockScale)
    }

    /// 1.98 GHz (the H200's SM clock, where the models' per-SM times were fitted) over this device's SM clock.
    var modelClockScale: Double {
        let khz = context.properties.clockRateKHz
        return khz > 0 ? 1_980_000 / Double(khz) : 1
    }

    public static func fusedModel(outFeatures: Int, inFeatures: Int, weightBytes: Int, batch: Int,
                                  bandwidth: Double, multiprocessors: Int = 132, clockScale: Double = 1) -> Double {
        let extra = Double(max(0, batch - 8))
        let weights = Double(outFeatures) * Double(inFeatures)
        let fixed = launchMicroseconds + 5.5 * min(1, weights / (8192 * 8192))
        let compute = weights * clockScale / (40_960 * Double(max(1, multiprocessors))) + weights * extra / 300e6
        return fixed + min(12, extra / 2) + max(Double(weightBytes) / bandwidth, compute)
    }

    /// Tile shapes the planner chooses among, with their modelled µs per K unit of one CTA (H200). BN = 128 / 192:
    /// run 2 (8192×8192 at N = 4096: 1024, 2048 and 1408 CTAs). BN = 64 / 32: session 3, calls 1–2 (one CTA per SM,
    /// the separate permute pass): 1.02 µs (2 slabs, BN = 64; 57344×8192 at N = 16 and 64 alike), 0.72 (1 slab,
    /// BN = 64), 0.56 (1 slab, BN = 32), 4 consumer warpgroups × 1 slab: 1.06 (BN = 64), 0.91–1.09 (BN = 32; 1.0
    /// here). These do not shrink with BN: a 256-row unit costs ≈ 1 µs whether the tensor cores do 64 or 16 columns
    /// of work (≈ 0.55 µs of m64nBNk16 at BN = 64) — the dequantization (≈ 26 instructions per warp, slab and k-step)
    /// and the tensor work do not overlap better with 4 warpgroups than with 2. 2 slabs × BN = 32 was not timed with
    /// the permute pass: 1.05 keeps the measured 4-warpgroup tile ahead of it.
    public static let wgmmaTiles: [TCFPxWgmmaTile] = [
        .init(slabs: 2, bn: 128, unitMicroseconds: 1.42), .init(slabs: 1, bn: 128, unitMicroseconds: 0.80),
        .init(slabs: 1, bn: 192, unitMicroseconds: 1.05), .init(slabs: 2, bn: 64, unitMicroseconds: 1.02),
        .init(slabs: 1, bn: 64, unitMicroseconds: 0.72), .init(slabs: 2, bn: 32, unitMicroseconds: 1.05),
        .init(slabs: 1, bn: 32, unitMicroseconds: 0.56),
        .init(slabs: 1, bn: 64, warpgroups: 4, unitMicroseconds: 1.06),
        .init(slabs: 1, bn: 32, warpgroups: 4, unitMicroseconds: 1.0),
    ]

    /// GPU-side cost of one more kernel in the stream (launch, ramp, drain): an empty kernel of the 8192×8192 grid
    /// measured 3.2 µs in the bench's harness (run 4).
    static let launchMicroseconds = 3.2

    /// Modelled time (µs) of one tile shape and split count, the whole call (permute, GEMM, reduce):
    /// * GEMM = the larger of (a) waves of CTAs (one per SM) × (K units per CTA × unit time + ≈ 2 µs of pipeline fill
    ///   and epilogue per CTA) and (b) the weight bytes (`weightBytes`, read once: CTAs sharing a row block run
    ///   together) at the model bandwidth, of which one SM draws at most twice its share, + 2 µs;
    /// * split-K: the reduce kernel (a launch + ≈ 3 µs of tail) and the FP32 partials written and read back
    ///   (≈ 3 TB/s, mostly L2);
    /// * the activation permute pass: a launch + X read and X' (rows padded to BN) written at the model bandwidth.
    /// Session 3 call 2 (H200, 4 shapes × N = 1…4096, 36 cells): −10 … +14 % of the measured times (the largest
    /// errors at N = 1 on 57344×8192 and 8192×28672, where `auto` takes the fused kernel anyway).
    /// With `weightBytes` = 0 and `bandwidth` = ∞ only (a) counts (the tile-level model of run 2).
    public static func wgmmaCost(rowTiles: Int, columnTiles kt: Int, batch: Int, slabs: Int, bn: Int, splits: Int,
                                 unitMicroseconds: Double, multiprocessors: Int, weightBytes: Int = 0,
                                 bandwidth: Double = .infinity,
                                 warpgroups: Int = 2) -> (cost: Double, splits: Int, per: Int) {
        let per = (kt + max(1, min(splits, kt)) - 1) / max(1, min(splits, kt))
        let actual = (kt + per - 1) / per
        let columnBlocks = (batch + bn - 1) / bn
        let ctaRowTiles = 4 * warpgroups * slabs
        let tiles = (rowTiles + ctaRowTiles - 1) / ctaRowTiles * columnBlocks
        let ctas = tiles * actual
        let waves = Double((ctas + multiprocessors - 1) / multiprocessors)
        var cost = waves * (Double(per) * unitMicroseconds + 2)
        if weightBytes > 0 && bandwidth.isFinite {
            let active = Double(min(ctas, multiprocessors))
            let rate = min(bandwidth, 2 * bandwidth * active / Double(multiprocessors))
            cost = max(cost, Double(weightBytes) / rate + 2)
            let xRead = Double(batch * kt * 128 * 2)
            let xWritten = Double(columnBlocks * bn * kt * 256)
            cost += launchMicroseconds + (xRead + xWritten) / bandwidth
        }
        if actual > 1 { cost += launchMicroseconds + 3 + Double(actual * batch * rowTiles * 16 * 8) / 3e6 }
        return (cost, actual, per)
    }

    /// The lowest `wgmmaCost` among `candidates` × `splits` (ties keep the earlier shape and fewer splits).
    public static func wgmmaChoose(rowTiles: Int, columnTiles kt: Int, batch: Int, weightBytes: Int, multiprocessors: Int,
                                   bandwidth: Double, candidates: [TCFPxWgmmaTile] = wgmmaTiles,
                                   splits: [Int] = Array(1...16))
        -> (cost: Double, tile: TCFPxWgmmaTile, splits: Int, per: Int) {
        var best = (cost: Double.infinity, tile: candidates.first ?? wgmmaTiles[0], splits: 1, per: kt)
        for c in candidates {
            for s in splits {
                let r = wgmmaCost(rowTiles: rowTiles, columnTiles: kt, batch: batch, slabs: c.slabs, bn: c.bn, splits: s,
                                  unitMicroseconds: c.unitMicroseconds, multiprocessors: multiprocessors,
                                  weightBytes: weightBytes, bandwidth: bandwidth, warpgroups: c.warpgroups)
                if r.cost < best.cost - 1e-9 { best = (r.cost, c, r.splits, r.per) }
            }
        }
        return best
    }

    /// Pipeline depth for a tile: as many stages as fit in shared memory, at most 6 (7 stages made ptxas serialize
    /// the wgmma of some tiles: C7513), at least 3.
    static func wgmmaStages(bn: Int, rows: Int, unitBytes: Int, sharedMemoryPerBlock: Int) -> Int {
        let stageBytes = bn * 256 + rows / 16 * unitBytes
        var stages = 6
        // + 1024 for aligning the stages to the 128-byte swizzle's 1024-byte period, + 256 for the static mbarriers.
        while stages > 3 && stages * stageBytes + 1024 + 256 > sharedMemoryPerBlock { stages -= 1 }
        return stages
    }

    /// Tile, pipeline and split for `batch`: among `wgmmaTiles` × splits 1…16 the lowest `wgmmaCost` (ties keep
    /// the earlier shape and fewer splits). Each CTA = 2 consumer warpgroups (1 or 2 m64 slabs each) + a producer
    /// warpgroup issuing the bulk copies; as many pipeline stages (≤ 6) as fit in shared memory.
    /// `tuning.wgmmaBN` / `wgmmaSlabs` / `wgmmaSplits` or LOWBIT_WGMMA_BN / _SLABS / _STAGES / _SPLITS override
    /// (BN = 32, 64, 128 or 192; 1 or 2 slabs).
    public func wgmmaPlan(batch: Int) -> TCFPxWgmmaPlan {
        let p = context.properties
        let kt = geometry.columnTiles
        let validBN: (Int) -> Int? = { [32, 64, 128, 192].contains($0) ? $0 : nil }
        let forcedBN = (tuning.wgmmaBN ?? Self.override("LOWBIT_WGMMA_BN")).flatMap(validBN)
        let forcedSlabs = (tuning.wgmmaSlabs ?? Self.override("LOWBIT_WGMMA_SLABS")).flatMap { $0 == 1 || $0 == 2 ? $0 : nil }
        let forcedWGs = (tuning.wgmmaWarpgroups ?? Self.override("LOWBIT_WGMMA_WGS")).flatMap { $0 == 2 || $0 == 4 ? $0 : nil }
        var candidates = Self.wgmmaTiles.filter { c in
            (forcedBN.map { $0 == c.bn } ?? true) && (forcedSlabs.map { $0 == c.slabs } ?? true)
                && (forcedWGs.map { $0 == c.warpgroups } ?? true)
        }
        if candidates.isEmpty { candidates = [Self.wgmmaTiles[0]] }  // an impossible combination: the default tile
        let forcedSplits = tuning.wgmmaSplits ?? Self.override("LOWBIT_WGMMA_SPLITS")
        let best = Self.wgmmaChoose(rowTiles: geometry.rowTiles, columnTiles: kt, batch: batch, weightBytes: weightBytes,
                                    multiprocessors: p.multiprocessorCount, bandwidth: modelBandwidth,
                                    candidates: candidates, splits: forcedSplits.map { [$0] } ?? Array(1...16))
        let tile = best.tile
        let stages = Self.override("LOWBIT_WGMMA_STAGES")
            ?? Self.wgmmaStages(bn: tile.bn, rows: tile.rows, unitBytes: geometry.unitBytes,
                                sharedMemoryPerBlock: p.maxSharedMemoryPerBlockOptIn)
        let smem = max(stages * (tile.bn * 256 + tile.rows / 16 * geometry.unitBytes), tile.bn * (tile.rows + 8) * 2) + 1024
        // Three wgmma groups in flight (ring 4) measured 1–6 % faster on the 256 × 128 tile at N = 128…1024 and
        // 8–15 % slower on BN = 64 (H200, session 3, same lease; docs/tcfpx-wgmma.md): the default follows that.
        let defaultRing = tile.bn == 128 && tile.slabs == 2 && tile.warpgroups == 2 ? 4 : 2
        let ring = (tuning.wgmmaRing ?? Self.override("LOWBIT_WGMMA_RING")).flatMap { $0 == 2 || $0 == 4 ? $0 : nil }
            ?? defaultRing
        return TCFPxWgmmaPlan(bn: tile.bn, slabs: tile.slabs, warpgroups: tile.warpgroups, ring: ring, stages: stages,
                              rowBlocks: (geometry.rowTiles * 16 + tile.rows - 1) / tile.rows,
                              columnBlocks: (batch + tile.bn - 1) / tile.bn, splits: best.splits, unitsPerSplit: best.per,
                              sharedMemoryBytes: smem, modelMicroseconds: best.cost)
    }

    /// The kernel source (LOWBIT_WGMMA_SOURCE=file.cu replaces tcfpx_wgmma.cu for kernel work on a GPU machine).
    static let wgmmaSource: CUDAKernelSource = {
        guard let path = getEnvironment("LOWBIT_WGMMA_SOURCE"), !path.isEmpty,
              let data = FileManager.default.contents(atPath: path) else { return .tcfpxWgmma }
        printError("TC-FPx wgmma kernel compiled from \(path) (LOWBIT_WGMMA_SOURCE)")
        return CUDAKernelSource(name: "tcfpx_wgmma_dev",
                                code: String(decoding: PackageResources.tcfpx_gemm_cu, as: UTF8.self) + "\n"
                                    + CUDAKernelSource.wgmmaCommonCode + String(decoding: data, as: UTF8.self),
                                kernels: CUDAKernelSource.tcfpxWgmma.kernels)
    }()

    private static let wgmmaKernels = Mutex<[String: CUDAFunction]>([:])

    func wgmmaKernel(_ name: String, activation: GPUActivationType, plan: TCFPxWgmmaPlan) throws -> CUDAFunction {
        let defines = [
            "TCFPX_E": "\(format.exponentBits)", "TCFPX_M": "\(format.mantissaBits)",
            "TCFPX_BF16": activation == .bfloat16 ? "1" : "0",
            "WGM_BN": "\(plan.bn)", "WGM_SLABS": "\(plan.slabs)", "WGM_STAGES": "\(plan.stages)",
            "WGM_WGS": "\(plan.warpgroups)", "WGM_RING": "\(plan.ring)",
        ]
        let key = "\(ObjectIdentifier(context))|\(name)|"
            + defines.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        if let f = Self.wgmmaKernels.withLock({ $0[key] }) { return f }
        let f = try context.kernels.function(name, in: Self.wgmmaSource, defines: defines)
        Self.wgmmaKernels.withLock { $0[key] = f }
        return f
    }

    /// Y = X · Ŵᵀ through the wgmma kernel: permute X into the layout's K order, the GEMM, and (split-K) the reduce.
    public func encodeWgmma(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                            stream: CUDAStream?) throws {
        guard context.properties.computeCapability.major == 9 else {
            throw LowBitError(.device, "the TC-FPx wgmma path needs compute capability 9.0 (sm_90a)")
        }
        let plan = wgmmaPlan(batch: batch)
        let kt = geometry.columnTiles
        let ocPadded = geometry.rowTiles * 16
        let xpBytes = plan.columnBlocks * plan.bn * kt * 256  // X' tiles, rows padded to BN
        let partialBytes = plan.splits > 1 ? plan.splits * batch * ocPadded * 4 : 4
        // Shared by every layer on this stream (calls on one stream are ordered): X' and the split-K partials.
        let xp = try context.scratch("wgmma permuted activations", stream: stream, bytes: xpBytes)
        let partials = try context.scratch("wgmma split-K partials", stream: stream, bytes: partialBytes)
        let sms = context.properties.multiprocessorCount
        let permute = try wgmmaKernel("tcfpx_wgmma_permute_x", activation: activation, plan: plan)
        let chunks = plan.columnBlocks * plan.bn * kt * 16
        try permute.launch(grid: .init(x: max(1, min((chunks + 255) / 256, sms * 16))), block: 256, stream: stream,
                           x, xp, Int32(batch), Int32(inFeatures), Int32(kt))
        let gemm = try wgmmaKernel("tcfpx_wgmma", activation: activation, plan: plan)
        try gemm.launch(grid: .init(x: plan.ctas), block: .init(x: 128 * (plan.warpgroups + 1)), sharedMemoryBytes: plan.sharedMemoryBytes, stream: stream,
                        weights, scales, xp, y, partials, Int32(batch), Int32(outFeatures), Int32(inFeatures),
                        Int32(kt), Int32(plan.rowBlocks), Int32(plan.columnBlocks), Int32(plan.splits),
                        Int32(plan.unitsPerSplit))
        if plan.splits > 1 {
            let reduce = try wgmmaKernel("tcfpx_wgmma_reduce", activation: activation, plan: plan)
            let total = batch * outFeatures
            try reduce.launch(grid: .init(x: max(1, min((total + 255) / 256, sms * 16))), block: 256, stream: stream,
                              partials, scales, y, Int32(batch), Int32(outFeatures), Int32(plan.splits))
        }
    }
}
