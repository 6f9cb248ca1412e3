import Foundation
import LowBitCore
import Synchronization

extension CUDAKernelSource {
    /// Large-batch FLUTE GEMM on Hopper (wgmma, lookup-table weights dequantized into the register A operand):
    /// flute_wgmma.cu compiled in ONE program after flute.cu (whose layout device code — lut_offset, to16,
    /// scale_to_float, KL/CK/STEPS — it reuses) and wgmma_common.cu (the generic wgmma/mbarrier/bulk-copy helpers,
    /// the activation permute, the split-K reduce). Needs sm_90a at run time; other architectures compile an empty
    /// body. LOWBIT_FLUTE_WGMMA_SOURCE=file.cu replaces flute_wgmma.cu (kernel work on the GPU machine).
    public static let fluteWgmma: CUDAKernelSource = {
        let kernels = ["flute_wgmma", "flute_wgmma_permute_x", "flute_wgmma_reduce"]
        var body = String(decoding: PackageResources.flute_wgmma_cu, as: UTF8.self)
        if let path = getEnvironment("LOWBIT_FLUTE_WGMMA_SOURCE"), !path.isEmpty,
           let data = FileManager.default.contents(atPath: path) {
            printError("FLUTE wgmma kernel compiled from \(path) (LOWBIT_FLUTE_WGMMA_SOURCE)")
            body = String(decoding: data, as: UTF8.self)
        }
        return CUDAKernelSource(name: "flute_wgmma",
                                code: String(decoding: PackageResources.flute_cu, as: UTF8.self) + "\n" + wgmmaCommonCode + body,
                                kernels: kernels)
    }()
}

extension FLUTEGemm {
    /// The wgmma path runs on compute capability 9.x (sm_90a); LOWBIT_FLUTE_WGMMA=0 turns it off for `auto`.
    public static func wgmmaAvailable(_ context: CUDAContext) -> Bool {
        context.properties.computeCapability.major == 9 && wgmmaEnabled != false
    }

    /// LOWBIT_FLUTE_WGMMA=0: never under `auto`; 1: for every batch.
    static let wgmmaEnabled: Bool? = getEnvironment("LOWBIT_FLUTE_WGMMA").flatMap { Int($0) }.map { $0 != 0 }

    /// Batches from this size up take the wgmma path under `auto` on Hopper (override: LOWBIT_FLUTE_WGMMA_BATCH).
    /// H200, session 3, one lease (docs/measurements/2026-11-21-s3-h200-flute-crossover.txt, group 128, fused vs
    /// wgmma at N = 8, 9, 16, 24 on the four Llama shapes): the fused kernel's time grows with each 8-row batch tile
    /// while wgmma's stays flat, and with fewer code bits the fused kernel loses sooner. 4-bit: fused faster at N ≤ 16
    /// on all four shapes, wgmma at N = 24 on all four. 3-bit: wgmma faster at N = 16 on 3 of 4 (10240×8192: 45.0 vs
    /// 43.2 µs), at N = 24 on all. 2-bit: at N = 9 on 3 of 4 (10240×8192: 38.5 vs 35.6), at N = 16 on all.
    public static func wgmmaThreshold(bits: Int) -> Int {
        wgmmaThresholdOverride ?? (bits >= 4 ? 17 : 16)
    }
    static let wgmmaThresholdOverride: Int? = fluteEnvironmentInt("LOWBIT_FLUTE_WGMMA_BATCH")

    /// Batches from this size up go back to dequantize + cuBLAS (override: LOWBIT_FLUTE_WGMMA_MAX_BATCH). H200, runs
    /// 2–3: at N = 4096 dequantize + cuBLAS is faster on all four shapes (e.g. 8192²: 804 vs 808–840 µs), at N = 1024
    /// they tie within ±5 %, below wgmma is faster.
    public static let wgmmaMaxBatch: Int = fluteEnvironmentInt("LOWBIT_FLUTE_WGMMA_MAX_BATCH") ?? 2048

    /// Whether `auto` sends a call of `batch` rows to the wgmma kernel.
    public func prefersWgmma(batch: Int) -> Bool {
        guard Self.wgmmaAvailable(context) else { return false }
        return Self.wgmmaEnabled == true || (batch >= Self.wgmmaThreshold(bits: shape.bits) && batch < Self.wgmmaMaxBatch)
    }

    /// Tile shapes the planner chooses among: (m64 slabs per consumer warpgroup, batch columns per CTA).
    static let wgmmaTiles: [(slabs: Int, bn: Int)] = [(2, 128), (1, 128), (1, 192), (1, 256), (4, 64), (2, 64)]

    /// Microseconds per 128-input K unit of one CTA, measured on the H200 (docs/flute.md, wgmma runs 2–3: kernel time
    /// over waves × units per CTA, nf4 G = 128): 256×128 1.9, 128×128 1.06, 128×192 1.19, 512×64 2.55 (cp.async
    /// weights), 256×64 1.5 (cp.async); 128×256 (2/3-bit only) 1.6 from nf3 at N = 1024. A 128×64 tile measured
    /// 0.95–1.2 µs (no cheaper per row than 256×64, and twice the activation traffic per weight byte): not offered.
    static func wgmmaUnitMicroseconds(slabs: Int, bn: Int) -> Double {
        switch (slabs, bn) {
        case (2, 128): 1.9
        case (1, 128): 1.06
        case (1, 192): 1.19
        case (1, 256): 1.6
        case (4, 64): 2.55
        case (2, 64): 1.5
        default: Double(slabs) * Double(max(8 * bn, 4 * bn + 600)) * 1.27 / 1830  // forced tiles: a rough model
        }
    }

    /// Dynamic shared memory of one configuration (mirrors FWG_SMEM_BYTES in flute_wgmma.cu).
    static func wgmmaSharedBytes(bits: Int, slabs: Int, bn: Int, stages: Int, perRow: Bool) -> Int {
        let unitChunks = 128 / FLUTELayout.chunkK(bits: bits)
        let perRowTile = unitChunks * 512 + (bits == 3 ? unitChunks * 256 : 0) + (perRow ? 0 : 128)
        let stage = bn * 256 + 8 * slabs * perRowTile
        return (1 << (2 * bits)) * 128 + 1024 + stages * stage
    }

    /// K units (128 inputs) of the padded input dimension.
    var wgmmaColumnUnits: Int { (shape.paddedInputs + 127) / 128 }
    /// One scale per row: applied to the FP32 result instead of each dequantized value.
    var wgmmaPostScale: Bool { shape.paddedGroupsPerRow == 1 }

    /// Tile, pipeline and split for `batch`: among the tiles that fit with ≥ 3 stages × splits 1…16 the lowest
    /// `TCFPxGemm.wgmmaCost` (the TC-FPx planner's model: waves × (units per CTA × unit time + 2 µs) + split cost);
    /// as many stages (≤ 6) as fit. LOWBIT_FLUTE_WGMMA_BN / _SLABS / _STAGES / _SPLITS override.
    public func wgmmaPlan(batch: Int) -> TCFPxWgmmaPlan {
        let forcedBN = fluteEnvironmentInt("LOWBIT_FLUTE_WGMMA_BN").flatMap { [64, 128, 192, 256].contains($0) ? $0 : nil }
        let forcedSlabs = fluteEnvironmentInt("LOWBIT_FLUTE_WGMMA_SLABS").flatMap { $0 == 1 || $0 == 2 ? $0 : nil }
        var tile: (slabs: Int, bn: Int)?
        if forcedBN != nil || forcedSlabs != nil {
            let bn = forcedBN ?? 128
            tile = (bn > 128 ? 1 : forcedSlabs ?? 2, bn)
        }
        return wgmmaPlan(batch: batch, tile: tile, splits: fluteEnvironmentInt("LOWBIT_FLUTE_WGMMA_SPLITS"))
    }

    /// `wgmmaPlan(batch:)` with the tile and/or the split count fixed (self-tests cover every tile this way); a
    /// tile that does not fit with 3 stages is replaced by the planner's choice.
    public func wgmmaPlan(batch: Int, tile: (slabs: Int, bn: Int)?, splits forcedSplits: Int?) -> TCFPxWgmmaPlan {
        let p = context.properties
        return Self.wgmmaPlan(shape: shape, batch: batch, multiprocessors: p.multiprocessorCount,
                              sharedLimit: p.maxSharedMemoryPerBlockOptIn, tile: tile, splits: forcedSplits,
                              stages: fluteEnvironmentInt("LOWBIT_FLUTE_WGMMA_STAGES"))
    }

    /// The planner itself (no device needed): `sharedLimit` = the opt-in shared memory per block.
    public static func wgmmaPlan(shape: FLUTEShape, batch: Int, multiprocessors: Int, sharedLimit: Int,
                                 tile: (slabs: Int, bn: Int)? = nil, splits forcedSplits: Int? = nil,
                                 stages maxStages: Int? = nil) -> TCFPxWgmmaPlan {
        let kt = (shape.paddedInputs + 127) / 128
        let postScale = shape.paddedGroupsPerRow == 1
        let limit = sharedLimit - 256  // static mbarriers
        func fits(_ slabs: Int, _ bn: Int, _ stages: Int) -> Bool {
            wgmmaSharedBytes(bits: shape.bits, slabs: slabs, bn: bn, stages: stages, perRow: postScale) <= limit
        }
        var candidates = wgmmaTiles.filter { fits($0.slabs, $0.bn, 3) }
        if let tile, fits(tile.slabs, tile.bn, 3) { candidates = [tile] }
        var best = (cost: Double.infinity, slabs: candidates.first?.slabs ?? 1, bn: candidates.first?.bn ?? 64,
                    splits: 1, per: kt)
        if !candidates.isEmpty {
            // TC-FPx's planner with this kernel's unit times (the tile-level model: no weight-bytes or X terms).
            let tiles = candidates.map {
                TCFPxWgmmaTile(slabs: $0.slabs, bn: $0.bn, unitMicroseconds: wgmmaUnitMicroseconds(slabs: $0.slabs, bn: $0.bn))
            }
            let c = TCFPxGemm.wgmmaChoose(rowTiles: shape.rowTiles, columnTiles: kt, batch: batch, weightBytes: 0,
                                          multiprocessors: multiprocessors, bandwidth: .infinity, candidates: tiles,
                                          splits: forcedSplits.map { [$0] } ?? Array(1...16))
            best = (c.cost, c.tile.slabs, c.tile.bn, c.splits, c.per)
        }
        let (slabs, bn) = (best.slabs, best.bn)
        var stages = max(3, maxStages ?? 6)
        while stages > 3 && !fits(slabs, bn, stages) { stages -= 1 }
        let smem = wgmmaSharedBytes(bits: shape.bits, slabs: slabs, bn: bn, stages: stages, perRow: postScale)
        var plan = TCFPxWgmmaPlan(bn: bn, slabs: slabs, stages: stages,
                                  rowBlocks: (shape.rowTiles + 8 * slabs - 1) / (8 * slabs),
                                  columnBlocks: (batch + bn - 1) / bn, splits: best.splits, unitsPerSplit: best.per,
                                  sharedMemoryBytes: smem)
        plan.modelMicroseconds = best.cost.isFinite ? best.cost : 0
        return plan
    }

    /// K-steps per wgmma commit group (FWG_KG: 1, 2 or 4; LOWBIT_FLUTE_WGMMA_KG overrides). Run 1 (KG = 1, H200)
    /// took ≈ 2200 cycles per 128×64×128 unit, twice the model: one wgmma in flight per warpgroup leaves the
    /// tensor cores idle for most of each wgmma's latency when the tile is narrow.
    static let wgmmaKG: Int = fluteEnvironmentInt("LOWBIT_FLUTE_WGMMA_KG").flatMap { [1, 2, 4].contains($0) ? $0 : nil } ?? 4

    /// FWG_WCOPY per tile: 1 = weights copied by the producer warpgroup's 16-byte cp.async, 0 = one bulk copy per row
    /// tile and array. Same-run A/B (run 3, H200): cp.async is faster for the narrow tiles with ≥ 2 slabs (57344×8192
    /// N = 32, 512×64: 163 vs 197 µs) and slower for the rest (8192² N = 32 128×64: 43.3 vs 39.3; N = 4096 128×192:
    /// 920 vs 808). LOWBIT_FLUTE_WGMMA_WCOPY=0/1 forces one.
    static let wgmmaWeightCopyOverride: Int? = getEnvironment("LOWBIT_FLUTE_WGMMA_WCOPY").flatMap { Int($0) }.map { $0 == 0 ? 0 : 1 }

    static func wgmmaWeightCopy(_ plan: TCFPxWgmmaPlan) -> Int {
        wgmmaWeightCopyOverride ?? (plan.bn == 64 && plan.slabs >= 2 ? 1 : 0)
    }

    /// The defines of one configuration (also used by the compile tests).
    static func wgmmaDefines(bits: Int, bf16: Bool, plan: TCFPxWgmmaPlan, postScale: Bool,
                             kg: Int = wgmmaKG) -> [String: String] {
        // 4 slabs: 128 accumulator registers + 32 per KG step of A registers: KG = 1 only.
        ["FLUTE_LAYOUT_ONLY": "1", "FLUTE_BITS": "\(bits)", "FLUTE_BF16": bf16 ? "1" : "0",
         "FWG_KG": "\(plan.slabs == 4 ? 1 : kg)", "FWG_WCOPY": "\(wgmmaWeightCopy(plan))", "FWG_BN": "\(plan.bn)", "FWG_SLABS": "\(plan.slabs)",
         "FWG_STAGES": "\(plan.stages)", "FWG_POST": postScale ? "1" : "0"]
    }

    private static let wgmmaKernels = Mutex<[String: CUDAFunction]>([:])

    func wgmmaKernel(_ name: String, activation: GPUActivationType, plan: TCFPxWgmmaPlan) throws -> CUDAFunction {
        let defines = Self.wgmmaDefines(bits: shape.bits, bf16: activation == .bfloat16, plan: plan,
                                        postScale: wgmmaPostScale)
        let key = "\(ObjectIdentifier(context))|\(name)|"
            + defines.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        if let f = Self.wgmmaKernels.withLock({ $0[key] }) { return f }
        let f = try context.kernels.function(name, in: .fluteWgmma, defines: defines)
        Self.wgmmaKernels.withLock { $0[key] = f }
        return f
    }

    /// Y = X · Ŵᵀ through the wgmma kernel: permute X into the layout's K order (and stage image), the GEMM, and
    /// (split-K) the reduce.
    func encodeWgmma(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                     stream: CUDAStream?, plan forcedPlan: TCFPxWgmmaPlan? = nil) throws {
        guard context.properties.computeCapability.major == 9 else {
            throw LowBitError(.device, "the FLUTE wgmma path needs compute capability 9.0 (sm_90a)")
        }
        let plan = forcedPlan ?? wgmmaPlan(batch: batch)
        let kt = wgmmaColumnUnits
        let xpBytes = plan.columnBlocks * plan.bn * kt * 256
        let partialBytes = plan.splits > 1 ? plan.splits * batch * shape.paddedOutputs * 4 : 4
        // The same per-stream scratch as TC-FPx's wgmma path (calls on one stream are ordered).
        let xp = try context.scratch("wgmma permuted activations", stream: stream, bytes: xpBytes)
        let partials = try context.scratch("wgmma split-K partials", stream: stream, bytes: partialBytes)
        let sms = context.properties.multiprocessorCount
        let permute = try wgmmaKernel("flute_wgmma_permute_x", activation: activation, plan: plan)
        let chunks16 = plan.columnBlocks * plan.bn * kt * 16
        try permute.launch(grid: .init(x: max(1, min((chunks16 + 255) / 256, sms * 16))), block: 256, stream: stream,
                           x, xp, Int32(batch), Int32(inFeatures), Int32(kt))
        let scales = activation == .bfloat16 ? scalesBF16 : scalesF16
        let pair = activation == .bfloat16 ? pairBF16 : pairF16
        let gemm = try wgmmaKernel("flute_wgmma", activation: activation, plan: plan)
        try gemm.launch(grid: .init(x: plan.ctas), block: 384, sharedMemoryBytes: plan.sharedMemoryBytes, stream: stream,
                        codes.pointer(), scales, pair, xp, y, partials, Int32(batch), Int32(outFeatures),
                        Int32(shape.rowTiles), Int32(shape.chunks), Int32(shape.paddedGroupsPerRow),
                        Int32(shape.groupShift), Int32(kt), Int32(plan.rowBlocks), Int32(plan.columnBlocks),
                        Int32(plan.splits), Int32(plan.unitsPerSplit))
        if plan.splits > 1 {
            let reduce = try wgmmaKernel("flute_wgmma_reduce", activation: activation, plan: plan)
            let total = batch * outFeatures
            try reduce.launch(grid: .init(x: max(1, min((total + 255) / 256, sms * 16))), block: 256, stream: stream,
                              partials, scales, y, Int32(batch), Int32(outFeatures), Int32(plan.splits))
        }
    }
}
