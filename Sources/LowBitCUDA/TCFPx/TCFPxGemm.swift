import Foundation
import LowBitCore
import Synchronization

extension CUDAKernelSource {
    /// TC-FPx: the fused FPx GEMM and the dequantize-once kernel (tcfpx_gemm.cu). Compiled once per
    /// configuration through `defines` (TCFPX_E, TCFPX_M, TCFPX_BF16, TCFPX_NT, …); the file's defaults (FP6,
    /// FP16, N ≤ 16) are what the compile-everything pass checks.
    public static let tcfpx = CUDAKernelSource(
        name: "tcfpx_gemm", code: PackageResources.tcfpx_gemm_cu,
        kernels: ["tcfpx_gemm", "tcfpx_dequantize"])
}

/// Which kernel path computes a call.
public enum TCFPxPath: String, Sendable, CaseIterable {
    /// Pick by batch size (fused below `TCFPxGemm.largeBatchThreshold`, else dequantize + cuBLAS; BF16 always fused).
    case auto
    /// Fused dequantization + mma.sync, split-K by the time model of `TCFPxGemm.splitK`.
    case fused
    /// Dequantize to FP16/BF16 in L2-sized row chunks, then cuBLAS on each chunk.
    case dequantizeCublas = "dequant+cublas"
    /// Hopper (sm_90a) kernel: wgmma with the dequantized weights as the register A operand (TCFPxWgmma.swift);
    /// `auto` takes it on compute capability 9.0 where its cost model beats the fused kernel's (`prefersWgmma`).
    case wgmma
}

/// Kernel options that are not yet defaults (each has GPU self-tests; see docs/tcfpx.md "Pending GPU validation").
public struct TCFPxTuning: Sendable, Hashable {
    /// 4 warps × 2 row tiles (nil: default, or LOWBIT_TCFPX_WARPS) or 8 warps × 1 row tile per CTA.
    public var warps: Int?
    /// Separate accumulators for even and odd k-steps (nil: off, or LOWBIT_TCFPX_ACC2=1).
    public var splitAccumulators: Bool?
    /// Weight stages fetched by one bulk copy (cp.async.bulk + mbarrier, compute capability ≥ 9) instead of
    /// per-thread 16-byte cp.async (nil: off, or LOWBIT_TCFPX_BULK=1). Ignored below compute capability 9.
    public var bulkCopy: Bool?
    /// Split-K through a thread-block cluster and distributed shared memory (compute capability ≥ 9, at most 8
    /// splits) instead of FP32 partials in global memory and a last-arrival reduction (nil: off, or
    /// LOWBIT_TCFPX_CLUSTER=1).
    public var clusterReduction: Bool?
    /// Warps along K inside a CTA (1, 2, 4, 8; intra-CTA split-K, partial sums added in shared memory) and row
    /// tiles per warp (1 or 2); nil: chosen from the batch (or LOWBIT_TCFPX_KW / LOWBIT_TCFPX_MT). The CTA covers
    /// rowTilesPerWarp · warps / kWarps row tiles, which must divide 8.
    public var kWarps: Int?
    public var rowTilesPerWarp: Int?
    /// wgmma path (TCFPxWgmma.swift): batch columns per CTA (32, 64, 128, 192), m64 slabs per warpgroup (1, 2) and
    /// K splits, instead of the planner's choice (self-tests pin tiles with these; nil: planned).
    public var wgmmaBN: Int?
    public var wgmmaSlabs: Int?
    public var wgmmaSplits: Int?
    /// wgmma path: consumer warpgroups per CTA (2, or 4 for 1-slab tiles of BN ≤ 64); nil: planned.
    public var wgmmaWarpgroups: Int?
    /// wgmma path: A-register buffers per warp = wgmma groups in flight + 1 (2 or 4; nil: LOWBIT_WGMMA_RING, else
    /// 4 on the 256 × 128 tile and 2 elsewhere, as measured: `wgmmaPlan`).
    public var wgmmaRing: Int?

    public init(warps: Int? = nil, splitAccumulators: Bool? = nil, bulkCopy: Bool? = nil,
                clusterReduction: Bool? = nil, kWarps: Int? = nil, rowTilesPerWarp: Int? = nil,
                wgmmaBN: Int? = nil, wgmmaSlabs: Int? = nil, wgmmaSplits: Int? = nil,
                wgmmaWarpgroups: Int? = nil, wgmmaRing: Int? = nil) {
        self.warps = warps
        self.splitAccumulators = splitAccumulators
        self.bulkCopy = bulkCopy
        self.clusterReduction = clusterReduction
        self.kWarps = kWarps
        self.rowTilesPerWarp = rowTilesPerWarp
        self.wgmmaBN = wgmmaBN
        self.wgmmaSlabs = wgmmaSlabs
        self.wgmmaSplits = wgmmaSplits
        self.wgmmaWarpgroups = wgmmaWarpgroups
        self.wgmmaRing = wgmmaRing
    }
}

/// How one call is launched (derived from the shape, the batch and the device; no tables).
public struct TCFPxLaunchPlan: Sendable, CustomStringConvertible {
    public let path: TCFPxPath
    public let nTiles: Int           // batch columns per CTA / 8
    public let mTilesPerWarp: Int
    public let warps: Int
    /// Warps along K (intra-CTA split-K); the CTA covers mTilesPerWarp · warps / kWarps row tiles.
    public var kWarps: Int = 1
    public let stages: Int
    public let splits: Int
    public let unitsPerSplit: Int
    public let grid: CUDADim3
    public let sharedMemoryBytes: Int
    public let ctasPerSM: Int
    /// Rows per dequantize chunk (dequant+cuBLAS path).
    public let chunkRows: Int
    public var splitAccumulators: Bool = false
    public var bulkCopy: Bool = false
    /// Splits reduced through a cluster's distributed shared memory (0: global-memory reduction or no split).
    public var cluster: Int = 0
    /// Bench-only probe (LOWBIT_TCFPX_PROBE, wrong results): 0 = the real kernel.
    public var probe: Int = 0

    public var description: String {
        switch path {
        case .dequantizeCublas: "dequant+cublas chunk \(chunkRows) rows"
        default:
            "fused TN=\(8 * nTiles) rows/CTA=\(16 * mTilesPerWarp * warps / kWarps) split-K=\(splits) grid=\(grid.x)×\(grid.y)×\(grid.z) "
                + "stages=\(stages) smem=\(sharedMemoryBytes / 1024)KiB \(ctasPerSM)CTA/SM"
                + (warps == 4 ? "" : " \(warps)warps") + (kWarps == 1 ? "" : " kw=\(kWarps)") + (splitAccumulators ? " acc2" : "") + (bulkCopy ? " bulk" : "")
                + (cluster > 1 ? " cluster" : "")
                + (probe == 0 ? "" : " PROBE=\(probe)")
                + TCFPxGemm.extraDefines.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
        }
    }
}

/// FPx weight-only GEMM on the GPU: Y[N, OC] = X[N, IC] · (scale ⊙ FPx(W))ᵀ, FP16 or BF16 activations, FP32
/// accumulation. Holds the pre-packed weights and per-row FP16 scales in device memory.
///
/// Calls on one object must be ordered (one stream at a time): the split-K workspace and its arrival counters
/// are per object.
public final class TCFPxGemm: GPUWeightOnlyGemm, @unchecked Sendable {  // mutable scratch behind a Mutex
    public let context: CUDAContext
    public let geometry: TCFPxGeometry
    public var format: TCFPxFormat { geometry.format }
    public let weights: CUDABuffer
    public let scales: CUDABuffer

    /// Batches from this size up take the dequantize + cuBLAS path (override: LOWBIT_TCFPX_LARGE_BATCH).
    public static let largeBatchThreshold: Int = {
        if let text = getEnvironment("LOWBIT_TCFPX_LARGE_BATCH"), let n = Int(text), n > 0 { return n }
        return 128
    }()

    /// Tuning overrides for experiments (benches sweep them; unset in normal use): LOWBIT_TCFPX_STAGES,
    /// LOWBIT_TCFPX_SPLITS (forces split-K), LOWBIT_TCFPX_WARPS (4 or 8 warps per CTA), LOWBIT_TCFPX_ACC2 (1),
    /// LOWBIT_TCFPX_BULK (1), LOWBIT_TCFPX_PROBE (1…4, bench only: wrong results by design).
    static func override(_ name: String) -> Int? {
        getEnvironment(name).flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
    }
    static let stagesOverride = override("LOWBIT_TCFPX_STAGES")
    static let splitsOverride = override("LOWBIT_TCFPX_SPLITS")
    static let warpsOverride = override("LOWBIT_TCFPX_WARPS").flatMap { $0 == 8 || $0 == 4 ? $0 : nil }
    static let kWarpsOverride = override("LOWBIT_TCFPX_KW").flatMap { [1, 2, 4, 8].contains($0) ? $0 : nil }
    static let mtOverride = override("LOWBIT_TCFPX_MT").flatMap { $0 == 1 || $0 == 2 ? $0 : nil }
    /// On/off switches: "1" forces an option on, "0" off; unset keeps the default.
    static func flag(_ name: String) -> Bool? {
        switch getEnvironment(name) { case "1"?: true; case "0"?: false; default: nil }
    }
    static let acc2Override = flag("LOWBIT_TCFPX_ACC2")
    static let bulkOverride = flag("LOWBIT_TCFPX_BULK")
    static let clusterOverride = flag("LOWBIT_TCFPX_CLUSTER")
    /// Largest cluster the hardware guarantees (portable cluster size).
    static let maxClusterSplits = 8
    /// Bench-only: a kernel variant that leaves a stage out (tcfpx_gemm.cu, TCFPX_PROBE), for placing time.
    static let probeOverride = override("LOWBIT_TCFPX_PROBE").flatMap { (1...4).contains($0) ? $0 : nil } ?? 0
    /// Development only: extra kernel defines "NAME=VALUE,…" (LOWBIT_TCFPX_DEFINES) for the fused kernel, to try
    /// a kernel option carried with LOWBIT_TCFPX_SOURCE before the library knows it.
    static let extraDefines: [String: String] = {
        var out: [String: String] = [:]
        for item in (getEnvironment("LOWBIT_TCFPX_DEFINES") ?? "").split(separator: ",") {
            let kv = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 2, kv[0].hasPrefix("TCFPX_"), !kv[0].isEmpty { out[kv[0]] = kv[1] }
        }
        return out
    }()

    struct Scratch {
        var workspace: CUDABuffer?
        var counters: CUDABuffer?
        /// Launch plans and kernels by (batch, activation, path, aligned X): a decode loop pays the planning
        /// (module lookup, occupancy, split rule) once.
        var plans: [PlanKey: (TCFPxLaunchPlan, CUDAFunction)] = [:]
        /// `prefersWgmma` by batch (it plans 9 tiles × 16 splits; `auto` asks on every call).
        var prefersWgmma: [Int: Bool] = [:]
        /// Forced K splits of the fused kernel for this object (`forcedSplits`).
        var forcedSplits: Int?
    }

    /// Benches only: K splits of the fused kernel forced for this object (nil: LOWBIT_TCFPX_SPLITS, else the planner's),
    /// so one process can time several splits on the same weights. Setting it drops the cached plans.
    public var forcedSplits: Int? {
        get { scratch.withLock { $0.forcedSplits } }
        set { scratch.withLock { $0.forcedSplits = newValue.flatMap { $0 > 0 ? $0 : nil }; $0.plans.removeAll() } }
    }

    /// `auto`'s choice between the wgmma kernel and the rest, memoized per batch (the inputs are fixed per instance).
    func autoTakesWgmma(batch: Int) -> Bool {
        if let known = scratch.withLock({ $0.prefersWgmma[batch] }) { return known }
        let decision = prefersWgmma(batch: batch)
        scratch.withLock { $0.prefersWgmma[batch] = decision }
        return decision
    }

    /// Whether a call on `path` runs the wgmma kernel.
    public func usesWgmma(batch: Int, path: TCFPxPath) -> Bool {
        path == .wgmma || (path == .auto && autoTakesWgmma(batch: batch))
    }

    /// What a call of `batch` rows on `path` launches (benches print it).
    public func plan(batch: Int, activation: GPUActivationType, path: TCFPxPath) -> String {
        usesWgmma(batch: batch, path: path) ? wgmmaPlan(batch: batch).description
            : (try? launchPlan(batch: batch, activation: activation, path: path).description) ?? "unavailable"
    }

    struct PlanKey: Hashable {
        let batch: Int
        let activation: GPUActivationType
        let path: TCFPxPath
        let xAligned: Bool
    }
    private let scratch = Mutex<Scratch>(Scratch())

    /// Packs `codes` (OC·IC bytes, one code each) on the host and uploads them with `scales` (FP16 bits, OC).
    /// Options that are not defaults yet (TCFPxTuning).
    public let tuning: TCFPxTuning

    public convenience init(context: CUDAContext, format: TCFPxFormat, outFeatures: Int, inFeatures: Int,
                            codes: [UInt8], scales: [UInt16], tuning: TCFPxTuning = TCFPxTuning()) throws {
        let geometry = try TCFPxGeometry(format: format, outFeatures: outFeatures, inFeatures: inFeatures)
        let packed = try TCFPxPacker.pack(codes: codes, geometry: geometry)
        try self.init(context: context, geometry: geometry, packed: packed, scales: scales, tuning: tuning)
    }

    /// Uploads already packed weights (`TCFPxPacker.pack`) and FP16 scales.
    public init(context: CUDAContext, geometry: TCFPxGeometry, packed: [UInt8], scales: [UInt16],
                tuning: TCFPxTuning = TCFPxTuning()) throws {
        if let w = tuning.warps, w != 4 && w != 8 {
            throw LowBitError.invalidArgument("tuning.warps", "\(w): the TC-FPx kernel runs 4 or 8 warps per CTA")
        }
        self.tuning = tuning
        guard packed.count == geometry.packedByteCount else {
            throw LowBitError.shapeMismatch("TC-FPx weights: \(packed.count) packed bytes, expected \(geometry.packedByteCount)")
        }
        guard scales.count == geometry.outFeatures else {
            throw LowBitError.shapeMismatch("TC-FPx scales: \(scales.count) for \(geometry.outFeatures) rows")
        }
        if let bad = scales.firstIndex(where: { !Float(Float16(bitPattern: $0)).isFinite }) {
            throw LowBitError.invalidArgument("scales", "TC-FPx scale of row \(bad) is not finite")
        }
        self.context = context
        self.geometry = geometry
        weights = try context.upload(packed)
        self.scales = try context.upload(scales)
    }

    // MARK: GPUWeightOnlyGemm

    public var formatName: String { format.cliName }
    public var outFeatures: Int { geometry.outFeatures }
    public var inFeatures: Int { geometry.inFeatures }
    /// Codes (OC·IC·width bits) plus the FP16 scales; the kernel's zero padding is not counted.
    public var weightBytes: Int { (outFeatures * inFeatures * format.width + 7) / 8 + 2 * outFeatures }
    public var supportedActivations: [GPUActivationType] { [.float16, .bfloat16] }

    public func encode(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                       stream: CUDAStream?) throws {
        try encode(x: x, y: y, batch: batch, activation: activation, stream: stream, path: .auto)
    }

    public func plan(batch: Int) -> String { plan(batch: batch, activation: .float16, path: .auto) }

    public func hostDequantizedWeights(rows: Range<Int>) throws -> [Float] {
        guard rows.lowerBound >= 0, rows.upperBound <= outFeatures else {
            throw LowBitError.invalidArgument("rows", "\(rows) outside 0..<\(outFeatures)")
        }
        // From the device copy, so the reference sees exactly the bytes the kernel reads.
        let packed = try weights.download(UInt8.self, count: geometry.packedByteCount)
        let codes = try TCFPxPacker.unpack(packed: packed, geometry: geometry)
        let scaleBits = try scales.download(UInt16.self, count: outFeatures)
        let table = (0..<format.codeCount).map { format.value(ofCode: UInt8($0)) }
        var out = [Float](repeating: 0, count: rows.count * inFeatures)
        for (i, row) in rows.enumerated() {
            let s = Double(Float16(bitPattern: scaleBits[row]))
            for k in 0..<inFeatures {
                out[i * inFeatures + k] = Float(table[Int(codes[row * inFeatures + k])] * s)
            }
        }
        return out
    }

    // MARK: Launch

    func defines(activation: GPUActivationType, nTiles: Int, stages: Int, xAligned: Bool,
                 mtPerWarp: Int = 2, warps: Int = 4, kWarps: Int = 1, splitAccumulators: Bool = false,
                 bulkCopy: Bool = false, probe: Int = 0, cluster: Int = 0) -> [String: String] {
        Self.extraDefines.merging(
        ["TCFPX_ACC2": splitAccumulators ? "1" : "0", "TCFPX_KW": "\(kWarps)", "TCFPX_CLUSTER": "\(cluster)", "TCFPX_BULK": bulkCopy ? "1" : "0", "TCFPX_PROBE": "\(probe)",
            "TCFPX_E": "\(format.exponentBits)", "TCFPX_M": "\(format.mantissaBits)",
            "TCFPX_BF16": activation == .bfloat16 ? "1" : "0",
            "TCFPX_NT": "\(nTiles)", "TCFPX_MT": "\(mtPerWarp)", "TCFPX_WARPS": "\(warps)", "TCFPX_STAGES": "\(stages)",
            "TCFPX_XALIGNED": xAligned ? "1" : "0",
        ]) { _, library in library }
    }

    /// The launch for `batch`: tile N from the batch, pipeline depth from shared memory, and split-K by the time
    /// model of `splitK` (bytes over the bandwidth, CTA-units per SM, tail of a multi-wave grid); ties keep the
    /// smaller s.
    public func launchPlan(batch: Int, activation: GPUActivationType, path requested: TCFPxPath,
                           xAligned: Bool = true) throws -> TCFPxLaunchPlan {
        // BF16 stays fused: dense BF16 weights would round scale·fpx (8 significant bits), the fused kernel is exact.
        let path: TCFPxPath = requested == .auto
            ? (batch >= Self.largeBatchThreshold && activation == .float16 ? .dequantizeCublas : .fused) : requested
        let p = context.properties
        if path == .dequantizeCublas {
            // Whole matrix when the dense copy is ≤ 512 MiB (one dequantize + one GEMM: run 1 showed per-chunk
            // launches costing more than the L2 reuse of small chunks saved), else 512 MiB row chunks.
            let rows = max(16, min(geometry.rowTiles * 16, (512 << 20) / (2 * inFeatures) / 16 * 16))
            return TCFPxLaunchPlan(path: .dequantizeCublas, nTiles: 0, mTilesPerWarp: 0, warps: 8, stages: 0, splits: 1,
                                   unitsPerSplit: 0, grid: .init(x: 1), sharedMemoryBytes: 0, ctasPerSM: 0,
                                   chunkRows: rows)
        }
        let nTiles = batch <= 8 ? 1 : batch <= 16 ? 2 : batch <= 32 ? 4 : 8
        let tn = 8 * nTiles
        // CTA shape: warps = (warps along M) × kWarps; each warp owns mtPerWarp row tiles of one column tile per
        // stage. kWarps = 1: 4 warps × 2 row tiles = one 8-tile block of the layout (v5). 8 warps × 1 tile passed the
        // GPU self-tests but gave no consistent gain (runs 4–5), so it stays opt-in.
        // Intra-CTA split-K (kWarps > 1, 16–64-row CTAs) is opt-in: run 6 (H200) timed kWarps 2, 4, 8 against the
        // v5 shape at N = 1…64 on the four Llama-2-70B shapes; none was faster at N = 1 beyond run-to-run noise
        // and all were slower at N ≥ 16 (the X tile is no longer shared by 128 rows).
        let kWarps = tuning.kWarps ?? Self.kWarpsOverride ?? 1
        let warps = max(tuning.warps ?? Self.warpsOverride ?? 4, kWarps)
        let mtPerWarp = tuning.rowTilesPerWarp ?? Self.mtOverride ?? (kWarps == 1 ? 8 / warps : 2)
        let rowTiles = mtPerWarp * warps / kWarps
        guard warps % kWarps == 0, [1, 2, 4, 8].contains(rowTiles) else {
            throw LowBitError.invalidArgument("tuning", "TC-FPx CTA of \(warps) warps, \(kWarps) along K, \(mtPerWarp) row tiles per warp: row tiles per CTA must divide 8")
        }
        // Split accumulators: run 4 and 5 measured them equal at N = 1 and 1–7 % faster at N = 8…64.
        let acc2 = tuning.splitAccumulators ?? Self.acc2Override ?? true
        let bulk = (tuning.bulkCopy ?? Self.bulkOverride ?? false) && p.computeCapability.major >= 9 && kWarps == 1
        let probe = Self.probeOverride
        let clusterAllowed = p.computeCapability.major >= 9
        let clusterForced = (tuning.clusterReduction ?? Self.clusterOverride).map { $0 && clusterAllowed }
        // Shared memory: the pipeline, or what a reduction needs when that is more: intra-CTA partials, one column
        // of up to 32 splits (global), the tile's partials (cluster). X rows per stage: all TN with kWarps = 1 (v5),
        // only those that can be live with kWarps > 1 (the kernel's layout, TCFPX_KW).
        let rows = 16 * rowTiles
        let xRows = kWarps == 1 ? tn : min(tn, batch)
        let stageBytes = kWarps * rowTiles * geometry.unitBytes + kWarps * xRows * 320
        var stages = Self.stagesOverride ?? (nTiles <= 2 ? 4 : 3)
        while stages > 2 && stages * stageBytes > p.maxSharedMemoryPerBlockOptIn { stages -= 1 }
        let intraBytes = (kWarps - 1) * (warps / kWarps) * mtPerWarp * nTiles * 4 * 32 * 4
        let smem = max(stages * stageBytes, intraBytes, 32 * rows * 4, tn * (rows + 4) * 4)
        let function = try Self.kernel(
            "tcfpx_gemm", context: context,
            defines: defines(activation: activation, nTiles: nTiles, stages: stages, xAligned: xAligned,
                             mtPerWarp: mtPerWarp, warps: warps, kWarps: kWarps, splitAccumulators: acc2, bulkCopy: bulk,
                             probe: probe))
        let registers = max(1, try function.attribute(.registers))
        let bySmem = p.maxSharedMemoryPerMultiprocessor / (smem + 1024)
        let byRegs = 65536 / (((registers + 7) / 8 * 8) * 32 * warps)
        let ctasPerSM = max(1, min(bySmem, byRegs, 2048 / (32 * warps), 32))
        let slots = p.multiprocessorCount * ctasPerSM
        let mBlocks = (geometry.rowTiles + rowTiles - 1) / rowTiles
        let nBlocks = (batch + tn - 1) / tn
        let kt = geometry.columnTiles
        var best = Self.splitK(columnTiles: kt, rowBlocks: mBlocks, columnBlocks: nBlocks, slots: slots,
                               multiprocessors: p.multiprocessorCount, ctaUnitBytes: rowTiles * geometry.unitBytes,
                               bandwidth: modelBandwidth, ctaUnitWeights: rows * 128, clockScale: modelClockScale,
                               maxSplits: clusterForced == true ? Self.maxClusterSplits : 32, granule: kWarps)
        if let forced = forcedSplits ?? Self.splitsOverride {
            let per = ((kt + min(forced, kt) - 1) / min(forced, kt) + kWarps - 1) / kWarps * kWarps
            best = (0, (kt + per - 1) / per, per)
        }
        let useCluster = clusterForced ?? (clusterAllowed && Self.prefersClusterReduction(
            splits: best.splits, ctas: mBlocks * best.splits * nBlocks, slots: slots))
        let cluster = useCluster && best.splits > 1 && best.splits <= Self.maxClusterSplits ? best.splits : 0
        var plan = TCFPxLaunchPlan(path: .fused, nTiles: nTiles, mTilesPerWarp: mtPerWarp, warps: warps, stages: stages,
                                   splits: best.splits, unitsPerSplit: best.per,
                                   grid: .init(x: mBlocks, y: best.splits, z: nBlocks), sharedMemoryBytes: smem,
                                   ctasPerSM: ctasPerSM, chunkRows: 0)
        plan.splitAccumulators = acc2
        plan.kWarps = kWarps
        plan.bulkCopy = bulk
        plan.probe = probe
        plan.cluster = cluster
        return plan
    }

    /// Kernels by (context, name, defines), shared by every layer: the library's own module cache hashes the whole
    /// kernel source per lookup, too slow for the first call of each of hundreds of layers in a decode step.
    /// (Contexts live as long as the process: `CUDA.shared()` caches them, so their identity is a stable key.)
    private static let kernelCache = Mutex<[String: CUDAFunction]>([:])

    /// The kernel source: the embedded tcfpx_gemm.cu, or (development only) the file named by
    /// LOWBIT_TCFPX_SOURCE, so a kernel change can be tried on a GPU machine with an already built binary.
    static let source: CUDAKernelSource = {
        if let path = getEnvironment("LOWBIT_TCFPX_SOURCE"), !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else {
                printError("LOWBIT_TCFPX_SOURCE=\(path) cannot be read: using the built-in TC-FPx kernel source")
                return .tcfpx
            }
            printError("TC-FPx kernels compiled from \(path) (LOWBIT_TCFPX_SOURCE)")
            return CUDAKernelSource(name: CUDAKernelSource.tcfpx.name, code: [UInt8](data),
                                    kernels: CUDAKernelSource.tcfpx.kernels)
        }
        return .tcfpx
    }()

    static func kernel(_ name: String, context: CUDAContext, defines: [String: String]) throws -> CUDAFunction {
        let key = "\(ObjectIdentifier(context))|\(name)|"
            + defines.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        if let f = kernelCache.withLock({ $0[key] }) { return f }
        let f = try context.kernels.function(name, in: source, defines: defines)
        kernelCache.withLock { $0[key] = f }
        return f
    }

    /// Default choice of the split-K reduction (run 5, H200): the cluster reduction (partials in distributed
    /// shared memory) when the grid takes more than one wave — it removes a global-memory tail from every wave
    /// (57344×8192: −4…8 % at N = 8…64) — but not for a single wave: clusters of S CTAs must be co-resident in
    /// one GPC, and a grid that nearly fills every slot (8192×8192, 384 CTAs in 396 slots) then no longer fits at
    /// once (+3 µs at N = 1). Needs 2…8 splits (the portable cluster size).
    public static func prefersClusterReduction(splits: Int, ctas: Int, slots: Int) -> Bool {
        splits > 1 && splits <= maxClusterSplits && ctas > slots
    }

    /// Split-K of the fused kernel by a time model (no tables; session 4, H100 sweep of s = 1…10 on the four
    /// Llama-2-70B shapes × FP6/FP5/FP4 × N = 1, 8, 16: docs/tcfpx.md "Split-K by time"). Among s = 1…min(KT, 32)
    /// splits (more than `maxClusterSplits` only while the grid fits in one wave: a multi-wave grid needs the cluster
    /// reduction), minimize the modelled µs
    ///   max(W / BW, ⌈CTAs / SMs⌉ · per · tSM, per · tCTA) + 0.5 · (s − 1) + (CTAs > slots ? 0.65 · per : 0)
    /// with per = ⌈KT / s⌉ column tiles per CTA, W = the weight bytes the grid reads, BW = `bandwidth` (bytes/µs),
    /// tSM = 0.45 µs: what an SM needs per CTA-unit (`ctaUnitWeights` weights) however many CTAs it holds (its
    /// dequantization + mma throughput: one CTA nearly fills it), tCTA = 0.5 µs: what one CTA needs per unit
    /// (a lone CTA per SM is slower than the SM), 0.5 µs per extra split (the reduction), and 0.65 µs per unit for
    /// the tail of a grid longer than one wave (its last CTAs start late and run alone). tSM and tCTA are for
    /// 128 × 128-weight units at a 1.98 GHz SM clock and scale with `ctaUnitWeights` and `clockScale` (= 1.98 GHz /
    /// the SM clock). The bytes term makes the memory-bound device (H100: 3.1 TB/s) balance bytes over the SMs,
    /// the per-SM term makes the compute-bound one (H200: 4.5 TB/s) balance CTA-units; both then prefer about two
    /// CTAs per SM in one wave (8192×8192: 4 splits) over the fuller waves the old rule (waves × units) chose.
    public static func splitK(columnTiles kt: Int, rowBlocks: Int, columnBlocks: Int, slots: Int, multiprocessors: Int,
                              ctaUnitBytes: Int, bandwidth: Double, ctaUnitWeights: Int = 128 * 128,
                              clockScale: Double = 1, maxSplits: Int = 32, granule: Int = 1)
        -> (cost: Double, splits: Int, per: Int) {
        let sms = max(1, multiprocessors)
        let unit = Double(ctaUnitWeights) / 16384 * clockScale
        let tSM = 0.45 * unit, tCTA = 0.5 * unit
        let bytes = Double(rowBlocks * columnBlocks * kt) * Double(ctaUnitBytes)
        let memory = bandwidth > 0 && bandwidth.isFinite ? bytes / bandwidth : 0
        var best = (cost: Double.infinity, splits: 1, per: (kt + granule - 1) / granule * granule)
        var seen = Set<Int>()
        for s in 1...max(1, min(kt, maxSplits)) {
            // Units per split: a multiple of `granule` (the column tiles of one pipeline stage).
            let per = ((kt + s - 1) / s + granule - 1) / granule * granule
            let actual = (kt + per - 1) / per
            guard seen.insert(per).inserted else { continue }
            let ctas = rowBlocks * actual * columnBlocks
            if actual > maxClusterSplits && ctas > slots { continue }
            let busiest = Double((ctas + sms - 1) / sms)
            var cost = max(memory, busiest * Double(per) * tSM, Double(per) * tCTA) + 0.5 * Double(actual - 1)
            if ctas > max(1, slots) { cost += 0.65 * Double(per) * unit }
            if cost < best.cost - 1e-9 { best = (cost, actual, per) }
        }
        return best
    }

    /// `encode` with an explicit path (benches compare both).
    public func encode(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                       stream: CUDAStream?, path: TCFPxPath) throws {
        guard batch >= 1, batch <= Int(Int32.max) / max(1, inFeatures) else {
            throw LowBitError.invalidArgument("batch", "TC-FPx GEMM batch \(batch) must be ≥ 1 and fit 32-bit indexing")
        }
        if usesWgmma(batch: batch, path: path) {
            try encodeWgmma(x: x, y: y, batch: batch, activation: activation, stream: stream)
            return
        }
        let xAligned = inFeatures % 8 == 0 && x.address % 16 == 0
        let key = PlanKey(batch: batch, activation: activation, path: path, xAligned: xAligned)
        let (plan, function): (TCFPxLaunchPlan, CUDAFunction)
        if let cached = scratch.withLock({ $0.plans[key] }) {
            (plan, function) = cached
        } else {
            plan = try launchPlan(batch: batch, activation: activation, path: path, xAligned: xAligned)
            function = plan.path == .dequantizeCublas
                ? try Self.kernel(
                    "tcfpx_dequantize", context: context, defines: defines(activation: activation, nTiles: 1, stages: 2, xAligned: true))
                : try Self.kernel(
                    "tcfpx_gemm", context: context,
                    defines: defines(activation: activation, nTiles: plan.nTiles, stages: plan.stages, xAligned: xAligned,
                                     mtPerWarp: plan.mTilesPerWarp, warps: plan.warps, kWarps: plan.kWarps,
                                     splitAccumulators: plan.splitAccumulators, bulkCopy: plan.bulkCopy, probe: plan.probe,
                                     cluster: plan.cluster))
            scratch.withLock { s in
                if s.plans.count > 256 { s.plans.removeAll() }
                s.plans[key] = (plan, function)
            }
        }
        if plan.path == .dequantizeCublas {
            try encodeDequantizeCublas(x: x, y: y, batch: batch, activation: activation, stream: stream, plan: plan,
                                       dequantize: function)
            return
        }
        let ocPadded = geometry.rowTiles * 16
        let nPadded = plan.grid.z * 8 * plan.nTiles
        let (workspace, counters) = try scratch.withLock { s -> (CUDADevicePointer, CUDADevicePointer) in
            let wsBytes = plan.splits > 1 && plan.cluster == 0 ? plan.splits * nPadded * ocPadded * 4 : 4
            if (s.workspace?.byteCount ?? 0) < wsBytes { s.workspace = try context.allocate(bytes: wsBytes) }
            let counterBytes = plan.grid.x * plan.grid.z * 4
            if (s.counters?.byteCount ?? 0) < counterBytes {
                let c = try context.allocate(bytes: counterBytes)
                try c.fill(byte: 0)  // the last CTA of each tile resets its counter, so this happens once
                s.counters = c
            }
            return (s.workspace!.pointer(), s.counters!.pointer())
        }
        try function.launch(grid: plan.grid, block: .init(x: 32 * plan.warps), sharedMemoryBytes: plan.sharedMemoryBytes,
                            stream: stream,
                            weights, scales, x, y, workspace, counters, Int32(batch), Int32(outFeatures),
                            Int32(inFeatures), Int32(geometry.columnTiles), Int32(plan.unitsPerSplit))
    }

    /// Dequantizes row chunks into a dense scratch matrix and multiplies each with cuBLAS (FP32 accumulation).
    func encodeDequantizeCublas(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                                stream: CUDAStream?, plan: TCFPxLaunchPlan, dequantize: CUDAFunction) throws {
        let chunk = plan.chunkRows
        let dense = try context.scratch("dense weights", stream: stream, bytes: chunk * inFeatures * 2)
        let blas = try context.cublas(stream: stream)
        let type: CUBLASElementType = activation == .bfloat16 ? .bfloat16 : .float16
        let kt = geometry.columnTiles
        var row0 = 0
        while row0 < outFeatures {
            let rows = min(chunk, outFeatures - row0)
            let mtBegin = row0 / 16, mtEnd = (row0 + rows + 15) / 16
            let units = (mtEnd - mtBegin) * kt
            let blocks = max(1, min((units + 7) / 8, context.properties.multiprocessorCount * 8))
            try dequantize.launch(grid: .init(x: blocks), block: 256, stream: stream,
                                  weights, scales, dense, Int32(outFeatures), Int32(inFeatures), Int32(kt),
                                  Int32(mtBegin), Int32(mtEnd))
            try blas.gemmRowMajorLinear(x: x.address, w: dense.address,
                                        out: y.address + UInt64(row0 * 2), rows: batch, outFeatures: rows,
                                        inFeatures: inFeatures, ldOut: outFeatures, type: type)
            row0 += rows
        }
    }
}

extension CUBLASHandle {
    /// C[N, OCchunk] (leading dimension `ldOut`) = X[N, IC] · W[OCchunk, IC]ᵀ on raw addresses, FP32 accumulation:
    /// the same "TN" GEMM as `linear`, for a column slice of a wider output. Used from one stream at a time.
    func gemmRowMajorLinear(x: CUDADeviceAddress, w: CUDADeviceAddress, out: CUDADeviceAddress, rows n: Int,
                            outFeatures oc: Int, inFeatures ic: Int, ldOut: Int, type: CUBLASElementType) throws {
        let api = library.api
        try context.makeCurrent()
        var a: Float = 1, b: Float = 0
        try api.check(
            api.cublasGemmEx(handle, CUBLASConstant.opT, CUBLASConstant.opN, Int32(oc), Int32(n), Int32(ic),
                             &a, w, type.dataType, Int32(ic), x, type.dataType, Int32(ic),
                             &b, out, type.dataType, Int32(ldOut), CUBLASConstant.compute32F, CUBLASConstant.gemmDefault),
            "cublasGemmEx(TC-FPx chunk N=\(n), rows=\(oc), IC=\(ic), ldc=\(ldOut))")
    }
}

/// Random FPx layers for benches and selftests: every code equally likely, FP16 scales uniform in [0.5, 1.5)/16.
public struct TCFPxGemmBuilder: GPUWeightOnlyGemmBuilder {
    public init() {}

    public var formatNames: [String] { ["fp6", "fp5", "fp4", "fp3", "fpe3m2", "fpe2m3", "fpe2m2", "fpe3m1", "fpe2m1", "fpe4m2", "fpe1m1"] }

    public func makeRandom(format name: String, outFeatures: Int, inFeatures: Int, seed: UInt64,
                           context: CUDAContext) throws -> any GPUWeightOnlyGemm {
        let format = try TCFPxFormat(name: name)
        let (codes, scales) = Self.randomCodes(format: format, outFeatures: outFeatures, inFeatures: inFeatures, seed: seed)
        return try TCFPxGemm(context: context, format: format, outFeatures: outFeatures, inFeatures: inFeatures,
                             codes: codes, scales: scales)
    }

    /// Random codes and scales (a fixed function of `seed`), generated in parallel.
    public static func randomCodes(format: TCFPxFormat, outFeatures: Int, inFeatures: Int,
                                   seed: UInt64) -> (codes: [UInt8], scales: [UInt16]) {
        let codes = RandomWeightCodes.codes(count: outFeatures * inFeatures, bits: format.width, seed: seed)
        let scales = RandomWeightCodes.scales(count: outFeatures, seed: seed)
        return (codes, scales)
    }
}
