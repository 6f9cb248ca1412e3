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

/// How one wgmma call is launched.
public struct TCFPxWgmmaPlan: Sendable, CustomStringConvertible {
    /// Batch columns per CTA (the wgmma N), weight rows per CTA (128 · slabs), pipeline depth.
    public let bn: Int
    public let slabs: Int
    public let stages: Int
    public let rowBlocks: Int
    public let columnBlocks: Int
    public let splits: Int
    public let unitsPerSplit: Int
    public let sharedMemoryBytes: Int

    public var ctas: Int { rowBlocks * columnBlocks * splits }
    public var description: String {
        "wgmma BM=\(128 * slabs) BN=\(bn) stages=\(stages) split-K=\(splits) CTAs=\(ctas) "
            + "smem=\(sharedMemoryBytes / 1024)KiB"
    }
}

extension TCFPxGemm {
    /// The wgmma path runs on compute capability 9.0 (sm_90a: wgmma is not part of later architectures' base set).
    public static func wgmmaAvailable(_ context: CUDAContext) -> Bool {
        context.properties.computeCapability.major == 9 && wgmmaEnabled != false
    }

    /// LOWBIT_TCFPX_WGMMA=0 turns the wgmma path off for `auto` (benches compare), 1 forces it for every batch.
    static let wgmmaEnabled = flag("LOWBIT_TCFPX_WGMMA")

    /// Batches from this size up take the wgmma path under `auto` on Hopper (override: LOWBIT_TCFPX_WGMMA_BATCH).
    public static let wgmmaThreshold: Int = override("LOWBIT_TCFPX_WGMMA_BATCH") ?? 128

    /// Whether `auto` sends this call to the wgmma kernel.
    public func prefersWgmma(batch: Int, activation: GPUActivationType) -> Bool {
        guard Self.wgmmaAvailable(context) else { return false }
        return Self.wgmmaEnabled == true || batch >= Self.wgmmaThreshold
    }

    /// Tile shapes the planner chooses among: (weight rows per CTA / 128, batch columns per CTA, microseconds per
    /// 128-column K unit of one CTA). The times were measured on an H200 (run 2 of docs/tcfpx.md "wgmma", 8192×8192
    /// at N = 4096: 1024, 2048 and 1408 CTAs); only their ratios and the split cost below steer the choice.
    static let wgmmaTiles: [(slabs: Int, bn: Int, unitMicroseconds: Double)] = [(2, 128, 1.42), (1, 128, 0.80), (1, 192, 1.05)]

    /// Modelled time (µs) of one tile shape and split count: waves of CTAs (one per SM) × (K units per CTA × unit
    /// time + ≈ 2 µs of pipeline fill and epilogue per CTA), plus for split-K a reduce launch (≈ 4 µs) and the FP32
    /// partials written and read back (≈ 3 TB/s).
    public static func wgmmaCost(rowTiles: Int, columnTiles kt: Int, batch: Int, slabs: Int, bn: Int, splits: Int,
                                 unitMicroseconds: Double, multiprocessors: Int) -> (cost: Double, splits: Int, per: Int) {
        let per = (kt + max(1, min(splits, kt)) - 1) / max(1, min(splits, kt))
        let actual = (kt + per - 1) / per
        let tiles = (rowTiles + 8 * slabs - 1) / (8 * slabs) * ((batch + bn - 1) / bn)
        let waves = Double((tiles * actual + multiprocessors - 1) / multiprocessors)
        var cost = waves * (Double(per) * unitMicroseconds + 2)
        if actual > 1 { cost += 4 + Double(actual * batch * rowTiles * 16 * 8) / 3e6 }
        return (cost, actual, per)
    }

    /// Tile, pipeline and split for `batch`: among `wgmmaTiles` × splits 1…16 the lowest `wgmmaCost` (ties keep
    /// the earlier shape and fewer splits). Each CTA = 2 consumer warpgroups (1 or 2 m64 slabs each) + a producer
    /// warpgroup issuing the bulk copies; as many pipeline stages (≤ 6) as fit in shared memory.
    /// LOWBIT_WGMMA_BN / _SLABS / _STAGES / _SPLITS override (BN = 128 or 192, 1 or 2 slabs).
    public func wgmmaPlan(batch: Int) -> TCFPxWgmmaPlan {
        let p = context.properties
        let kt = geometry.columnTiles
        var best = (cost: Double.infinity, slabs: 2, bn: 128, splits: 1, per: kt)
        let forcedBN = Self.override("LOWBIT_WGMMA_BN").flatMap { $0 == 128 || $0 == 192 ? $0 : nil }
        let forcedSlabs = Self.override("LOWBIT_WGMMA_SLABS").flatMap { $0 == 1 || $0 == 2 ? $0 : nil }
        var candidates = Self.wgmmaTiles
        if forcedBN != nil || forcedSlabs != nil {
            let bn = forcedBN ?? 128
            let slabs = bn > 128 ? 1 : forcedSlabs ?? 2  // accumulators: at most 128 registers per thread
            candidates = [(slabs, bn, 1.0)]
        }
        let forcedSplits = Self.override("LOWBIT_WGMMA_SPLITS")
        for c in candidates {
            for s in forcedSplits.map({ [$0] }) ?? Array(1...16) {
                let r = Self.wgmmaCost(rowTiles: geometry.rowTiles, columnTiles: kt, batch: batch, slabs: c.slabs, bn: c.bn,
                                       splits: s, unitMicroseconds: c.unitMicroseconds,
                                       multiprocessors: p.multiprocessorCount)
                if r.cost < best.cost - 1e-9 { best = (r.cost, c.slabs, c.bn, r.splits, r.per) }
            }
        }
        let (slabs, bn) = (best.slabs, best.bn)
        let stageBytes = bn * 256 + slabs * 8 * geometry.unitBytes
        var stages = Self.override("LOWBIT_WGMMA_STAGES") ?? 6
        // + 1024 for aligning the stages to the 128-byte swizzle's 1024-byte period, + 256 for the static mbarriers.
        while stages > 3 && stages * stageBytes + 1024 + 256 > p.maxSharedMemoryPerBlockOptIn { stages -= 1 }
        let smem = max(stages * stageBytes, bn * (128 * slabs + 8) * 2) + 1024
        return TCFPxWgmmaPlan(bn: bn, slabs: slabs, stages: stages,
                                  rowBlocks: (geometry.rowTiles + 8 * slabs - 1) / (8 * slabs),
                                  columnBlocks: (batch + bn - 1) / bn, splits: best.splits, unitsPerSplit: best.per,
                                  sharedMemoryBytes: smem)
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
        // Activations: one permute pass into tiles first, or (LOWBIT_WGMMA_XDIRECT=1, IC even, X 4-byte aligned)
        // straight from X by the kernel's producer warpgroup with 4-byte copies.
        // Opt-in: measured 3× slower than the permute pass on an H200 (4-byte copies starve the pipeline).
        let direct = inFeatures % 2 == 0 && x.address % 4 == 0 && Self.flag("LOWBIT_WGMMA_XDIRECT") == true
        let xpBytes = direct ? 16 : plan.columnBlocks * plan.bn * kt * 256  // X' tiles, rows padded to BN
        let partialBytes = plan.splits > 1 ? plan.splits * batch * ocPadded * 4 : 4
        // Shared by every layer on this stream (calls on one stream are ordered): X' and the split-K partials.
        let xp = try context.scratch("wgmma permuted activations", stream: stream, bytes: xpBytes)
        let partials = try context.scratch("wgmma split-K partials", stream: stream, bytes: partialBytes)
        let sms = context.properties.multiprocessorCount
        if !direct {
            let permute = try wgmmaKernel("tcfpx_wgmma_permute_x", activation: activation, plan: plan)
            let chunks = plan.columnBlocks * plan.bn * kt * 16
            try permute.launch(grid: .init(x: max(1, min((chunks + 255) / 256, sms * 16))), block: 256, stream: stream,
                               x, xp, Int32(batch), Int32(inFeatures), Int32(kt))
        }
        let gemm = try wgmmaKernel("tcfpx_wgmma", activation: activation, plan: plan)
        try gemm.launch(grid: .init(x: plan.ctas), block: 384, sharedMemoryBytes: plan.sharedMemoryBytes, stream: stream,
                        weights, scales, xp, x, y, partials, Int32(batch), Int32(outFeatures), Int32(inFeatures),
                        Int32(kt), Int32(plan.rowBlocks), Int32(plan.columnBlocks), Int32(plan.splits),
                        Int32(plan.unitsPerSplit), Int32(direct ? 1 : 0))
        if plan.splits > 1 {
            let reduce = try wgmmaKernel("tcfpx_wgmma_reduce", activation: activation, plan: plan)
            let total = batch * outFeatures
            try reduce.launch(grid: .init(x: max(1, min((total + 255) / 256, sms * 16))), block: 256, stream: stream,
                              partials, scales, y, Int32(batch), Int32(outFeatures), Int32(plan.splits))
        }
    }
}
