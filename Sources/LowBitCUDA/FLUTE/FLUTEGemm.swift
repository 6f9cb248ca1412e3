import Foundation
import LowBitCore
import LowBitFormats
import Synchronization

extension CUDAKernelSource {
    /// FLUTE: the pair-LUT GEMM, the dequantize kernel (large batches) and the activation padder (flute.cu).
    /// Compiled per configuration through `defines` (FLUTE_BITS, FLUTE_NT, FLUTE_BF16, FLUTE_POST_SCALE, …).
    /// LOWBIT_FLUTE_SOURCE=path replaces the embedded source (kernel development on the GPU machine without a
    /// Swift toolchain there).
    public static let flute: CUDAKernelSource = {
        let kernels = ["flute_gemm", "flute_dequantize", "flute_pad_activations"]
        if let path = getEnvironment("LOWBIT_FLUTE_SOURCE"), !path.isEmpty,
           let text = try? String(contentsOfFile: path, encoding: .utf8) {
            return CUDAKernelSource(name: "flute_dev", code: text, kernels: kernels)
        }
        return CUDAKernelSource(name: "flute", code: PackageResources.flute_cu, kernels: kernels)
    }()
}

/// Development overrides of the launch configuration (LOWBIT_FLUTE_WARPS, _PREFETCH, _CTAS_PER_SM, _MINB).
func fluteEnvironmentInt(_ name: String) -> Int? {
    getEnvironment(name).flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil }
}

/// Which kernel path computes a call.
public enum FLUTEPath: String, Sendable, CaseIterable {
    /// On Hopper the wgmma kernel from `FLUTEGemm.wgmmaThreshold(bits:)` rows to below `wgmmaMaxBatch`; otherwise fused below
    /// `FLUTEGemm.largeBatchThreshold`, else dequantize + cuBLAS.
    case auto
    /// Pair-LUT dequantization + mma.sync, warp-granular Stream-K, batch slices of ≤ 64 rows.
    case fused
    /// Dequantize row chunks to FP16/BF16, then cuBLAS on each chunk.
    case dequantizeCublas = "dequant+cublas"
    /// Hopper (sm_90a): wgmma with the table-dequantized weights as the register A operand (flute_wgmma.cu).
    case wgmma
}

/// Lookup-table weight-only GEMM on the GPU (FLUTE): Y[N, OC] = X[N, IC] · Ŵᵀ with
/// Ŵ[n, k] = table[code[n, k]] · scale[n, k / G]; FP16 or BF16 activations, FP32 accumulation, deterministic.
///
/// Calls on one object must be ordered (one stream at a time): the Stream-K workspace and arrival counters are
/// per object.
public final class FLUTEGemm: GPUWeightOnlyGemm, @unchecked Sendable {  // mutable scratch behind a Mutex
    public let context: CUDAContext
    public let shape: FLUTEShape
    /// The table as given (Float); the kernel holds it rounded to the activation type.
    public let table: [Float]
    public let tableName: String
    public let codes: CUDABuffer
    let scalesF16: CUDABuffer
    let scalesBF16: CUDABuffer
    let pairF16: CUDABuffer
    let pairBF16: CUDABuffer

    /// Batches from this size up take dequantize + cuBLAS (override: LOWBIT_FLUTE_LARGE_BATCH). Measured on
    /// H200 (docs/flute.md, session 2 final run): with chunks of up to 512 MiB the dense path takes 101 µs at
    /// N = 128 on 8192×8192 against 194 µs for two fused 64-row slices, and ties at N = 64 (101 vs 98 µs).
    public static let largeBatchThreshold: Int = {
        if let text = getEnvironment("LOWBIT_FLUTE_LARGE_BATCH"), let n = Int(text), n > 0 { return n }
        return 128
    }()

    /// Warps per CTA and weight chunks each warp keeps in flight (measured best on H200, docs/flute.md).
    static let warps = fluteEnvironmentInt("LOWBIT_FLUTE_WARPS") ?? 8
    static let prefetch = fluteEnvironmentInt("LOWBIT_FLUTE_PREFETCH") ?? 4
    static let ctasPerSMOverride = fluteEnvironmentInt("LOWBIT_FLUTE_CTAS_PER_SM")
    static let minBlocks = fluteEnvironmentInt("LOWBIT_FLUTE_MINB") ?? 1
    /// LOWBIT_FLUTE_SCALE_AHEAD=1: scales loaded with the weight ring, FLUTE_PREFETCH chunks ahead. Off: with
    /// activations loaded from global memory it measured 3–5% slower on H200 (docs/flute.md, v4).
    static let scaleAhead = getEnvironment("LOWBIT_FLUTE_SCALE_AHEAD").flatMap { Int($0) }.map { $0 != 0 } ?? false
    /// 16-byte stores in the dequantize kernel of the large-batch path (FLUTE_DEQ_WIDE); LOWBIT_FLUTE_DEQ_WIDE=0
    /// goes back to 8-byte stores.
    static let wideDequantize = getEnvironment("LOWBIT_FLUTE_DEQ_WIDE").flatMap { Int($0) }.map { $0 != 0 } ?? true
    /// Batches of ≤ 8 rows whose activations (rows × (padded inputs + 8) fp16) fit in this many bytes keep them in
    /// shared memory (FLUTE_XSMEM): per-chunk activation loads become LDS instead of global loads queued behind
    /// the weight stream. LOWBIT_FLUTE_XSMEM_BYTES overrides (0 = off).
    static let xSharedLimit: Int = getEnvironment("LOWBIT_FLUTE_XSMEM_BYTES").flatMap { Int($0) } ?? 0
    /// Weight chunks in flight per warp when the activations are in shared memory (fewer registers are live then).
    static let xSharedPrefetch = fluteEnvironmentInt("LOWBIT_FLUTE_XSMEM_PREFETCH") ?? prefetch
    /// The streaming configuration (docs/flute.md, v7): Stream-K at CTA granularity with the row-tile reduction in
    /// shared memory (FLUTE_CTA), the weight ring in shared memory filled by cp.async (FLUTE_ASYNC), PRMT lookups
    /// for 4-bit (FLUTE_PRMT), activations in shared memory when they fit (FLUTE_XSMEM), 16 warps, one CTA per SM.
    /// With the session-4 options below it is faster than the per-warp kernel for 4-bit at N = 1…8 and for 2/3-bit at
    /// N = 1…2 (H100, docs/flute.md "Session 4, lead A/B"), so used there by default; LOWBIT_FLUTE_STREAM=0 turns it
    /// off, LOWBIT_FLUTE_STREAM_ROWS=R (≤ 8) limits it to batches of ≤ R rows and LOWBIT_FLUTE_STREAM_ALLBITS=1 takes
    /// 2/3-bit codes up to 8 rows too (slower at N = 4–8 on 8192×28672).
    static let streaming = getEnvironment("LOWBIT_FLUTE_STREAM").flatMap { Int($0) }.map { $0 != 0 } ?? true
    static let streamRowsOverride = fluteEnvironmentInt("LOWBIT_FLUTE_STREAM_ROWS")
    static let streamAllBits = getEnvironment("LOWBIT_FLUTE_STREAM_ALLBITS").flatMap { Int($0) }.map { $0 != 0 } ?? false
    static func streamMaxRows(bits: Int) -> Int {
        let rows = min(8, streamRowsOverride ?? 8)
        return bits == 4 || streamAllBits ? rows : min(rows, 2)
    }
    /// Streaming warps per CTA: 20 for 4-bit (session 4 lead A/B: −1…−6 % against 16 in all 16 nf4 cells of N = 1…8),
    /// 16 for 2/3-bit (20 not measured there). LOWBIT_FLUTE_STREAM_WARPS overrides.
    static let streamWarpsOverride = fluteEnvironmentInt("LOWBIT_FLUTE_STREAM_WARPS")
    static func streamWarps(bits: Int) -> Int { streamWarpsOverride ?? (bits == 4 ? 20 : 16) }
    static let streamPrefetch = fluteEnvironmentInt("LOWBIT_FLUTE_STREAM_PREFETCH") ?? 6
    /// Streaming-configuration options (flute.cu FLUTE_RWARP, FLUTE_EARLY, FLUTE_PACK; docs/flute.md, session 4):
    /// a reducer warp per CTA that does every row-tile reduction (streaming warps only store partials), the table and
    /// activation loads issued before the weight ring's prologue, and the activations placed right behind the aligned
    /// table (the alignment slack holds the ring and slots). LOWBIT_FLUTE_STREAM_RWARP / _EARLY / _PACK = 0/1.
    static func environmentFlag(_ name: String) -> Bool? { getEnvironment(name).flatMap { Int($0) }.map { $0 != 0 } }
    static let streamReducerWarp = environmentFlag("LOWBIT_FLUTE_STREAM_RWARP") ?? true
    static let streamEarly = environmentFlag("LOWBIT_FLUTE_STREAM_EARLY") ?? true
    static let streamPack = environmentFlag("LOWBIT_FLUTE_STREAM_PACK") ?? true
    /// Scale words by cp.async in the weight ring (FLUTE_ASYNC_SCALE) instead of one global load per chunk a chunk
    /// ahead (session 4, H100: nf4 N = 1, 2 −1.2…−9.5 µs, docs/flute.md); LOWBIT_FLUTE_STREAM_ASYNC_SCALE=0 turns it off.
    static let streamAsyncScale = environmentFlag("LOWBIT_FLUTE_STREAM_ASYNC_SCALE") ?? true
    /// Row-tile slots of the CTA reduction (LOWBIT_FLUTE_STREAM_SLOTS; default 2, 4 with the reducer warp when its
    /// compact slots (batches of ≤ 2 rows) keep slots + ring inside the table's alignment slack).
    static let streamSlots = fluteEnvironmentInt("LOWBIT_FLUTE_STREAM_SLOTS")
    /// Activations in shared memory in the streaming configuration when they fit in this many bytes beside the rest
    /// (LOWBIT_FLUTE_STREAM_XSMEM_BYTES; 0 = off).
    static let streamXSharedLimit: Int = getEnvironment("LOWBIT_FLUTE_STREAM_XSMEM_BYTES").flatMap { Int($0) } ?? (1 << 20)
    /// LOWBIT_FLUTE_DEFINES="NAME=VALUE,…": extra kernel defines (timing experiments, e.g. FLUTE_DEFER_FLUSH=0).
    static let extraDefines: [String: String] = {
        guard let text = getEnvironment("LOWBIT_FLUTE_DEFINES") else { return [:] }
        var out: [String: String] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2, !parts[0].isEmpty { out[parts[0]] = parts[1] }
        }
        return out
    }()

    struct Scratch {
        var workspace: CUDABuffer?
        var counters: CUDABuffer?
        var paddedX: CUDABuffer?
    }
    private let scratch = Mutex<Scratch>(Scratch())

    /// Packs a LUT matrix (from LowBitFormats' codec) and uploads it.
    public convenience init(context: CUDAContext, matrix: LUTMatrix) throws {
        let group: LUTGroupSize
        switch matrix.grouping {
        case .perRow: group = .perRow
        case .columns(let g): group = .group(g)
        }
        let packed = try FLUTELayout.pack(codes: matrix.codes, scales: matrix.scales, bits: matrix.table.bits,
                                          outputs: matrix.rows, inputs: matrix.columns, groupSize: group)
        try self.init(context: context, table: matrix.table.values, tableName: matrix.table.name, packed: packed)
    }

    /// Uploads packed weights (`FLUTELayout.pack`) and the table.
    public init(context: CUDAContext, table: [Float], tableName: String, packed: FLUTEPackedWeight) throws {
        let shape = packed.shape
        if let bad = packed.scales.firstIndex(where: { w in
            !halfBitsToFloat(UInt16(truncatingIfNeeded: w)).isFinite || !halfBitsToFloat(UInt16(truncatingIfNeeded: w >> 16)).isFinite
        }) {
            throw LowBitError.invalidArgument("scales", "FLUTE scale word \(bad) (row tile \(bad / 8 / shape.paddedGroupsPerRow)) is not finite")
        }
        self.context = context
        self.shape = shape
        self.table = table
        self.tableName = tableName
        pairF16 = try context.upload(try FLUTELayout.pairTable(table: table, bits: shape.bits, elementType: .float16))
        pairBF16 = try context.upload(try FLUTELayout.pairTable(table: table, bits: shape.bits, elementType: .bfloat16))
        codes = try context.upload(packed.codes)
        scalesF16 = try context.upload(packed.scales)
        scalesBF16 = try context.upload(packed.scalesAsBFloat16())
    }

    // MARK: GPUWeightOnlyGemm

    public var formatName: String {
        let g: String
        switch shape.groupSize {
        case .perRow: g = "grow"
        case .group(let size): g = "g\(size)"
        }
        return "\(tableName)\(g)"
    }
    public var outFeatures: Int { shape.outputs }
    public var inFeatures: Int { shape.inputs }
    /// Codes (OC·IC·bits) + fp16 scales + the table; padding not counted.
    public var weightBytes: Int {
        (shape.outputs * shape.inputs * shape.bits + 7) / 8 + 2 * shape.outputs * shape.groupsPerRow + 4 << (2 * shape.bits)
    }
    public var supportedActivations: [GPUActivationType] { [.float16, .bfloat16] }

    public func encode(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                       stream: CUDAStream?) throws {
        try encode(x: x, y: y, batch: batch, activation: activation, stream: stream, path: .auto)
    }

    public func plan(batch: Int) -> String { plan(batch: batch, path: .auto) }

    /// The path `auto` takes for `batch` rows.
    public func resolvedPath(batch: Int) -> FLUTEPath {
        prefersWgmma(batch: batch) ? .wgmma : batch >= Self.largeBatchThreshold ? .dequantizeCublas : .fused
    }

    /// What a call of `batch` rows on `path` launches (benches print it).
    public func plan(batch: Int, path requested: FLUTEPath) -> String {
        let path = requested == .auto ? resolvedPath(batch: batch) : requested
        if path == .wgmma {
            let p = wgmmaPlan(batch: batch)
            return p.description + " KG=\(p.slabs == 4 ? 1 : Self.wgmmaKG)" + (Self.wgmmaWeightCopy(p) == 1 ? " cp.async" : " bulk")
        }
        if path == .dequantizeCublas { return "dequant+cublas chunk \(denseChunkRowTiles() * 16) rows" }
        let cfg = kernelConfig(rows: min(batch, 64), activation: .float16)
        let grid = (try? gridSize(cfg)) ?? 0
        return "fused NT=\(nTiles(for: min(batch, 64))) \(grid)×\(cfg.warps) warps "
            + (cfg.streaming ? "CTA stream-K cp.async ring" : "stream-K")
            + (cfg.defines["FLUTE_RWARP"] == "1" ? " +reducer warp" : "") + (cfg.defines["FLUTE_EARLY"] == "1" ? " early" : "")
            + (cfg.defines["FLUTE_PACK"] == "1" ? " packed" : "") + (cfg.defines["FLUTE_ASYNC_SCALE"] == "1" ? " scale-ring" : "") + (cfg.defines["FLUTE_RING_HIGH"] == "1" ? " ring-high" : "")
            + (cfg.streaming ? " pf\(cfg.defines["FLUTE_PREFETCH"] ?? "?")" : "")
            + (cfg.xSharedBytes > 0 ? " x-smem" : "") + (Self.scaleAhead && !cfg.streaming ? " scale-ahead" : "")
            + (batch > 64 ? " ×\((batch + 63) / 64) slices" : "")
    }

    public func hostDequantizedWeights(rows: Range<Int>) throws -> [Float] {
        guard rows.lowerBound >= 0, rows.upperBound <= outFeatures else {
            throw LowBitError.invalidArgument("rows", "\(rows) outside 0..<\(outFeatures)")
        }
        // From the device copy, so the reference sees exactly the bytes the kernel reads.
        let packedCodes = try codes.download(UInt8.self, count: shape.codeBytes)
        let packedScales = try scalesF16.download(UInt32.self, count: shape.scaleWords)
        let (c, s) = FLUTELayout.unpack(FLUTEPackedWeight(shape: shape, codes: packedCodes, scales: packedScales))
        let g = shape.groupsPerRow == 1 ? Int.max : shape.kernelGroupSize
        var out = [Float](repeating: 0, count: rows.count * inFeatures)
        for (i, row) in rows.enumerated() {
            for k in 0..<inFeatures {
                let scale = Double(halfBitsToFloat(s[row * shape.groupsPerRow + (g == Int.max ? 0 : k / g)]))
                out[i * inFeatures + k] = Float(Double(table[Int(c[row * inFeatures + k])]) * scale)
            }
        }
        return out
    }

    // MARK: Launch

    func nTiles(for rows: Int) -> Int { rows <= 8 ? 1 : rows <= 16 ? 2 : rows <= 32 ? 4 : 8 }

    /// One compiled configuration of flute_gemm and its launch shape.
    struct KernelConfig {
        var defines: [String: String]
        var warps: Int
        /// Threads per CTA: the streaming warps plus the reducer warp (FLUTE_RWARP).
        var threads: Int
        /// Dynamic shared memory: the kernel's FLUTE_SMEM_BYTES (+ activations with FLUTE_XSMEM).
        var sharedMemoryBytes: Int
        var xSharedBytes: Int
        var streaming: Bool
    }

    /// Shared memory of the streaming configuration without activations (mirrors FLUTE_SMEM_BYTES in flute.cu; with
    /// FLUTE_PACK the table sits at the first multiple of its size after slots + ring, counted from the dynamic
    /// shared base 0x400, and the activations follow it).
    func streamingSharedBytes(warps: Int, prefetch: Int, nTiles: Int, slots: Int = 2, slotT: Int = 4,
                              pack: Bool = false, ringHigh: Bool = false, asyncScale: Bool = false) -> Int {
        let prmt = shape.bits == 4
        let lutBytes = (1 << (2 * shape.bits)) << (prmt ? 8 : 7)
        let slotBytes = slots * warps * 4 * nTiles * 8 * slotT * 4 + 16 * slots
        let ring = warps * prefetch * 32 * (16 + (shape.bits == 3 ? 8 : 0) + (asyncScale ? 4 : 0))
        if pack {
            let base = 0x400, below = slotBytes + (ringHigh ? 0 : ring)
            return (base + below + lutBytes - 1) / lutBytes * lutBytes - base + lutBytes + (ringHigh ? ring : 0)
        }
        return slotBytes + ring + 2 * lutBytes
    }

    func kernelConfig(rows: Int, activation: GPUActivationType) -> KernelConfig {
        let nt = nTiles(for: rows)
        let base: [String: String] = [
            "FLUTE_BITS": "\(shape.bits)", "FLUTE_NT": "\(nt)",
            "FLUTE_BF16": activation == .bfloat16 ? "1" : "0",
            "FLUTE_POST_SCALE": shape.kernelGroupSize >= shape.chunkK ? "1" : "0",
            "FLUTE_DEQ_WIDE": Self.wideDequantize ? "1" : "0",
        ]
        if Self.streaming && rows <= Self.streamMaxRows(bits: shape.bits) {
            let warps = Self.streamWarps(bits: shape.bits)
            let rwarp = Self.streamReducerWarp, pack = Self.streamPack
            let slotT = rwarp && nt == 1 ? min(4, (rows + 1) / 2) : 4
            let slots = Self.streamSlots ?? (rwarp && slotT == 1 ? 4 : 2)
            // FLUTE_ASYNC_SCALE puts 4 more bytes per lane and stage in the ring.
            let asyncScale = Self.extraDefines["FLUTE_ASYNC_SCALE"].map { $0 == "1" } ?? Self.streamAsyncScale
            let limit = context.properties.maxSharedMemoryPerBlockOptIn
            let xBytes = rows * (shape.chunks * shape.chunkK + 8) * 2
            let wantX = Self.streamXSharedLimit > 0 && xBytes <= Self.streamXSharedLimit
            // The smaller of the two layouts (ring below or above the table) for `pf` ring stages.
            func layout(_ pf: Int) -> (bytes: Int, ringHigh: Bool) {
                let low = streamingSharedBytes(warps: warps, prefetch: pf, nTiles: nt, slots: slots, slotT: slotT, pack: pack,
                                               asyncScale: asyncScale)
                guard pack else { return (low, false) }
                let high = streamingSharedBytes(warps: warps, prefetch: pf, nTiles: nt, slots: slots, slotT: slotT,
                                                pack: true, ringHigh: true, asyncScale: asyncScale)
                return high < low ? (high, true) : (low, false)
            }
            // The requested ring depth with the activations in shared memory if they fit; with FLUTE_PACK a shallower
            // ring (down to 4 stages) if that is what makes them fit; else the requested depth without them.
            var prefetch = Self.streamPrefetch
            var chosen = layout(prefetch)
            var xShared = wantX && chosen.bytes + xBytes <= limit ? xBytes : 0
            if wantX && xShared == 0 && pack {
                for pf in stride(from: prefetch - 2, through: 4, by: -2) where layout(pf).bytes + xBytes <= limit {
                    prefetch = pf
                    chosen = layout(pf)
                    xShared = xBytes
                    break
                }
            }
            let bytes = chosen.bytes
            let d = base.merging([
                "FLUTE_CTA": "1", "FLUTE_ASYNC": "1", "FLUTE_PRMT": shape.bits == 4 ? "1" : "0",
                "FLUTE_WARPS": "\(warps)", "FLUTE_PREFETCH": "\(prefetch)", "FLUTE_MINB": "1",
                "FLUTE_XSMEM": xShared > 0 ? "1" : "0", "FLUTE_SCALE_AHEAD": "0",
                "FLUTE_RWARP": rwarp ? "1" : "0", "FLUTE_SLOTS": "\(slots)", "FLUTE_SLOT_T": "\(slotT)",
                "FLUTE_EARLY": Self.streamEarly ? "1" : "0", "FLUTE_PACK": pack ? "1" : "0",
                "FLUTE_RING_HIGH": chosen.ringHigh ? "1" : "0", "FLUTE_ASYNC_SCALE": asyncScale ? "1" : "0",
            ]) { a, _ in a }.merging(Self.extraDefines) { _, extra in extra }
            return KernelConfig(defines: d, warps: warps, threads: 32 * (warps + (rwarp ? 1 : 0)),
                                sharedMemoryBytes: bytes + xShared, xSharedBytes: xShared, streaming: true)
        }
        let xBytes = sharedActivationBytes(rows: rows)
        let d = defines(activation: activation, nTiles: nt, xShared: xBytes > 0)
        return KernelConfig(defines: d, warps: Self.warps, threads: 32 * Self.warps,
                            sharedMemoryBytes: sharedMemoryBytes + xBytes, xSharedBytes: xBytes, streaming: false)
    }

    /// Shared-memory bytes of the activations kept there for a batch of `rows` (0: loaded from global memory).
    func sharedActivationBytes(rows: Int) -> Int {
        guard rows <= 8, Self.xSharedLimit > 0 else { return 0 }
        let bytes = rows * (shape.chunks * shape.chunkK + 8) * 2
        return bytes <= Self.xSharedLimit ? bytes : 0
    }

    func defines(activation: GPUActivationType, nTiles: Int, xShared: Bool = false) -> [String: String] {
        [
            "FLUTE_XSMEM": xShared ? "1" : "0",
            "FLUTE_BITS": "\(shape.bits)", "FLUTE_NT": "\(nTiles)",
            "FLUTE_BF16": activation == .bfloat16 ? "1" : "0",
            "FLUTE_WARPS": "\(Self.warps)", "FLUTE_PREFETCH": "\(xShared ? Self.xSharedPrefetch : Self.prefetch)",
            "FLUTE_POST_SCALE": shape.kernelGroupSize >= shape.chunkK ? "1" : "0",
            "FLUTE_MINB": nTiles == 1 ? "\(Self.minBlocks)" : "1",
            // With activations in shared memory, the scales ride in the weight ring (no global load is left one
            // chunk ahead); otherwise only on request.
            "FLUTE_SCALE_AHEAD": Self.scaleAhead || xShared ? "1" : "0",
            "FLUTE_DEQ_WIDE": Self.wideDequantize ? "1" : "0",
        ].merging(Self.extraDefines) { _, extra in extra }
    }

    /// FLUTE_SMEM_BYTES of the per-warp kernel: twice the 32-copy table, so the kernel can align it to its own size.
    var sharedMemoryBytes: Int { 2 * (1 << (2 * shape.bits)) * 32 * 4 }

    /// Persistent grid: as many CTAs as fit on the device at once (registers, shared memory, threads).
    func gridSize(_ config: KernelConfig) throws -> Int {
        let function = try context.kernels.function("flute_gemm", in: .flute, defines: config.defines)
        let p = context.properties
        let registers = max(1, try function.attribute(.registers))
        let threads = config.threads
        let byRegs = 65536 / (((registers + 7) / 8 * 8) * threads)
        let bySmem = p.maxSharedMemoryPerMultiprocessor / (config.sharedMemoryBytes + 1024)
        let perSM = (config.streaming ? nil : Self.ctasPerSMOverride) ?? max(1, min(byRegs, bySmem, 2048 / threads))
        return p.multiprocessorCount * perSM
    }

    /// `encode` with an explicit path (benches and selftests compare both).
    public func encode(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                       stream: CUDAStream?, path requested: FLUTEPath) throws {
        guard batch >= 1, batch <= Int(Int32.max) / max(1, max(inFeatures, outFeatures) + 8) else {
            throw LowBitError.invalidArgument("batch", "FLUTE GEMM batch \(batch) must be ≥ 1 and fit 32-bit indexing")
        }
        let path: FLUTEPath = requested == .auto ? resolvedPath(batch: batch) : requested
        if path == .wgmma {
            try encodeWgmma(x: x, y: y, batch: batch, activation: activation, stream: stream)
            return
        }
        if path == .dequantizeCublas {
            try encodeDequantizeCublas(x: x, y: y, batch: batch, activation: activation, stream: stream)
            return
        }
        // The kernel reads activations as 16-byte vectors: rows must hold a multiple of 8 values, 16-byte aligned.
        var xIn = x
        var ldx = inFeatures
        if inFeatures % 8 != 0 || x.address % 16 != 0 {
            ldx = (inFeatures + 7) / 8 * 8
            let padded = try scratch.withLock { s -> CUDABuffer in
                let bytes = batch * ldx * 2
                if (s.paddedX?.byteCount ?? 0) < bytes { s.paddedX = try context.allocate(bytes: bytes) }
                return s.paddedX!
            }
            let pad = try context.kernels.function("flute_pad_activations", in: .flute, defines: defines(activation: activation, nTiles: 1))
            try pad.launch(grid: .init(x: (batch * ldx + 255) / 256), block: 256, stream: stream,
                           x, padded, Int32(batch), Int32(inFeatures), Int32(ldx))
            xIn = padded.pointer()
        }
        var done = 0
        while done < batch {
            let rows = min(64, batch - done)
            let config = kernelConfig(rows: rows, activation: activation)
            let function = try context.kernels.function("flute_gemm", in: .flute, defines: config.defines)
            let grid = try gridSize(config)
            let (workspace, counters) = try scratch.withLock { s -> (CUDADevicePointer, CUDADevicePointer) in
                let wsBytes = grid * config.warps * 2 * 4 * 8 * 32 * 4  // room for NT = 8
                if (s.workspace?.byteCount ?? 0) < wsBytes { s.workspace = try context.allocate(bytes: wsBytes) }
                if s.counters == nil {
                    let c = try context.allocate(bytes: shape.rowTiles * 4)
                    try c.fill(byte: 0)  // the last warp of each row tile resets its counter
                    s.counters = c
                }
                return (s.workspace!.pointer(), s.counters!.pointer())
            }
            let scales = activation == .bfloat16 ? scalesBF16 : scalesF16
            let pair = activation == .bfloat16 ? pairBF16 : pairF16
            let high = shape.bits == 3 ? codes.pointer(byteOffset: shape.rowTiles * shape.chunks * 32 * 16) : codes.pointer()
            try function.launch(
                grid: .init(x: grid), block: .init(x: config.threads), sharedMemoryBytes: config.sharedMemoryBytes,
                stream: stream,
                codes.pointer(), high, scales, pair,
                CUDADevicePointer(address: xIn.address + UInt64(done * ldx * 2)),
                CUDADevicePointer(address: y.address + UInt64(done * outFeatures * 2)),
                workspace, counters, Int32(rows), Int32(outFeatures), Int32(ldx), Int32(ldx),
                Int32(shape.rowTiles), Int32(shape.chunks), Int32(shape.paddedGroupsPerRow), Int32(shape.groupShift))
            done += rows
        }
    }

    /// Scratch bytes of one dense chunk (override: LOWBIT_FLUTE_DENSE_CHUNK_BYTES). Chunks of a quarter of the L2
    /// (session 1's choice, so cuBLAS finds the rows still in L2) made 9–60 dequantize + GEMM pairs per call, each
    /// too small for cuBLAS and paying a launch (the bench showed the GPU waiting for the host); large chunks make
    /// one or two launches of each. 512 MiB bounds the scratch (a 57344×8192 layer takes two chunks).
    static let denseChunkBytes: Int = fluteEnvironmentInt("LOWBIT_FLUTE_DENSE_CHUNK_BYTES") ?? (512 << 20)

    /// Row tiles per dense chunk: the weight split into as few equal chunks as `denseChunkBytes` allows.
    func denseChunkRowTiles() -> Int {
        let rowTileBytes = 16 * 2 * inFeatures
        let chunks = max(1, (shape.rowTiles * rowTileBytes + Self.denseChunkBytes - 1) / max(1, Self.denseChunkBytes))
        return max(1, min(shape.rowTiles, (shape.rowTiles + chunks - 1) / chunks))
    }

    func encodeDequantizeCublas(x: CUDADevicePointer, y: CUDADevicePointer, batch: Int, activation: GPUActivationType,
                                stream: CUDAStream?) throws {
        let dequantize = try context.kernels.function("flute_dequantize", in: .flute,
                                                      defines: defines(activation: activation, nTiles: 1))
        let chunk = denseChunkRowTiles()
        let dense = try context.scratch("dense weights", stream: stream, bytes: chunk * 16 * inFeatures * 2)
        let blas = try context.cublas(stream: stream)
        let type: CUBLASElementType = activation == .bfloat16 ? .bfloat16 : .float16
        let scales = activation == .bfloat16 ? scalesBF16 : scalesF16
        let pair = activation == .bfloat16 ? pairBF16 : pairF16
        let high = shape.bits == 3 ? codes.pointer(byteOffset: shape.rowTiles * shape.chunks * 32 * 16) : codes.pointer()
        var rt = 0
        while rt < shape.rowTiles {
            let end = min(shape.rowTiles, rt + chunk)
            let vectors = (end - rt) * shape.chunks
            try dequantize.launch(grid: .init(x: (vectors + 7) / 8), block: 256, stream: stream,
                                  codes.pointer(), high, scales, pair, dense, Int32(outFeatures), Int32(inFeatures),
                                  Int32(inFeatures), Int32(shape.rowTiles), Int32(shape.chunks),
                                  Int32(shape.paddedGroupsPerRow), Int32(shape.groupShift), Int32(rt), Int32(end))
            let rows = min(outFeatures, end * 16) - rt * 16
            try blas.gemmRowMajorLinear(x: x.address, w: dense.address, out: y.address + UInt64(rt * 16 * 2),
                                        rows: batch, outFeatures: rows, inFeatures: inFeatures, ldOut: outFeatures,
                                        type: type)
            rt = end
        }
    }
}

/// Random LUT layers for benches and selftests. Names: a table (`nf4`, `nf3`, `nf2`, or `lut4`/`lut3`/`lut2` = a
/// random sorted table, standing in for learned ones) and an optional group suffix `g32`, `g64`, `g128`, `g256`
/// or `grow` (per-row); no suffix means group 128.
public struct FLUTEGemmBuilder: GPUWeightOnlyGemmBuilder {
    public init() {}

    static let tables = ["nf4", "nf3", "nf2", "lut4", "lut3", "lut2"]
    static let groups = ["", "g32", "g64", "g128", "g256", "grow"]

    public var formatNames: [String] { Self.tables.flatMap { t in Self.groups.map { t + $0 } } }

    /// Splits "nf4g64" into (table, bits, group).
    public static func parse(_ name: String, seed: UInt64) throws -> (table: [Float], tableName: String, bits: Int, group: LUTGroupSize) {
        let lower = name.lowercased()
        guard let t = tables.first(where: { lower.hasPrefix($0) }) else {
            throw LowBitError.invalidArgument("--format", "'\(name)' is not a FLUTE format (nf4|nf3|nf2|lut4|lut3|lut2 + g32|g64|g128|g256|grow)")
        }
        let suffix = lower.dropFirst(t.count)
        let group: LUTGroupSize
        switch suffix {
        case "": group = .group(128)
        case "grow": group = .perRow
        default:
            guard suffix.hasPrefix("g"), let g = Int(suffix.dropFirst()), [32, 64, 128, 256].contains(g) else {
                throw LowBitError.invalidArgument("--format", "'\(name)': group suffix must be g32, g64, g128, g256 or grow")
            }
            group = .group(g)
        }
        let bits = Int(String(t.last!))!
        if t.hasPrefix("nf") {
            return (try LookupTable.named(t).values, t, bits, group)
        }
        var rng = SplitMix64(seed: seed ^ 0x5EED)
        let values = (0..<(1 << bits)).map { _ in Float(rng.next() >> 40) / 8_388_608.0 - 1 }.sorted()
        return (values, t, bits, group)
    }

    public func makeRandom(format name: String, outFeatures: Int, inFeatures: Int, seed: UInt64,
                           context: CUDAContext) throws -> any GPUWeightOnlyGemm {
        let (table, tableName, bits, group) = try Self.parse(name, seed: seed)
        let (codes, scales) = try Self.randomCodes(bits: bits, outFeatures: outFeatures, inFeatures: inFeatures,
                                                   group: group, seed: seed)
        let packed = try FLUTELayout.pack(codes: codes, scales: scales, bits: bits, outputs: outFeatures,
                                          inputs: inFeatures, groupSize: group)
        return try FLUTEGemm(context: context, table: table, tableName: tableName, packed: packed)
    }

    /// Random codes (uniform) and fp16 scales in [0.5, 1.5)/16, a fixed function of `seed`, generated in parallel.
    public static func randomCodes(bits: Int, outFeatures: Int, inFeatures: Int, group: LUTGroupSize,
                                   seed: UInt64) throws -> (codes: [UInt8], scales: [UInt16]) {
        let shape = try FLUTEShape(bits: bits, outputs: outFeatures, inputs: inFeatures, groupSize: group)
        let codes = RandomWeightCodes.codes(count: outFeatures * inFeatures, bits: bits, seed: seed)
        let scales = RandomWeightCodes.scales(count: outFeatures * shape.groupsPerRow, seed: seed)
        return (codes, scales)
    }
}
