import LowBitCore

/// Typed launchers for the kernels of lowbit_core.cu.
public struct CoreKernels: Sendable {
    public let context: CUDAContext
    let readSum, copy16, fillF16, fillBF16, fillU32, spin: CUDAFunction

    public init(context: CUDAContext) throws {
        self.context = context
        let m = try context.kernels.module(.core)
        readSum = try m.function("lowbit_read_sum")
        copy16 = try m.function("lowbit_copy16")
        fillF16 = try m.function("lowbit_fill_uniform_f16")
        fillBF16 = try m.function("lowbit_fill_uniform_bf16")
        fillU32 = try m.function("lowbit_fill_u32")
        spin = try m.function("lowbit_spin")
    }

    /// Blocks for a grid-stride kernel of 256 threads: one full wave (8 blocks per SM), at most what the work needs.
    func streamingGrid(items: Int) -> CUDADim3 {
        CUDADim3(x: max(1, min(context.properties.multiprocessorCount * 8, (items + 255) / 256)))
    }

    /// Queues the wrapping 32-bit sum of the first `byteCount` bytes (a multiple of 16) of `data`, added to
    /// the UInt32 at `sum` (zero it first).
    public func readSum(_ data: CUDABuffer, byteCount: Int? = nil, into sum: CUDABuffer, stream: CUDAStream? = nil) throws {
        let n = byteCount ?? data.byteCount
        guard n % 16 == 0, n <= data.byteCount, sum.byteCount >= 4 else {
            throw LowBitError.invalidArgument("readSum", "\(n) bytes: must be a multiple of 16 within the buffer")
        }
        try readSum.launch(grid: streamingGrid(items: n / 16), block: 256, stream: stream, data, UInt64(n / 16), sum)
    }

    /// Queues a copy of `byteCount` bytes (a multiple of 16) by the copy kernel.
    public func copy(from src: CUDABuffer, to dst: CUDABuffer, byteCount: Int, stream: CUDAStream? = nil) throws {
        guard byteCount % 16 == 0, byteCount <= src.byteCount, byteCount <= dst.byteCount else {
            throw LowBitError.invalidArgument("copy", "\(byteCount) bytes: must be a multiple of 16 within both buffers")
        }
        try copy16.launch(grid: streamingGrid(items: byteCount / 16), block: 256, stream: stream, src, dst, UInt64(byteCount / 16))
    }

    /// Fills `count` elements with uniform values in [-scale, scale) from a counter-based generator
    /// (`CoreKernels.uniform(seed:index:)` reproduces it on the CPU).
    public func fillUniform(_ buffer: CUDABuffer, count: Int, type: CUBLASElementType, seed: UInt64, scale: Float = 1,
                            stream: CUDAStream? = nil) throws {
        guard type != .float32, count * 2 <= buffer.byteCount else {
            throw LowBitError.invalidArgument("fillUniform", "\(count) \(type) elements do not fit or type unsupported")
        }
        let f = type == .float16 ? fillF16 : fillBF16
        try f.launch(grid: streamingGrid(items: count), block: 256, stream: stream, buffer, UInt64(count), seed, scale)
    }

    public func fillRandomWords(_ buffer: CUDABuffer, count: Int, seed: UInt64, stream: CUDAStream? = nil) throws {
        guard count * 4 <= buffer.byteCount else { throw LowBitError.invalidArgument("fillRandomWords", "too many words") }
        try fillU32.launch(grid: streamingGrid(items: count), block: 256, stream: stream, buffer, UInt64(count), seed)
    }

    /// Queues a single-thread kernel that busy-waits `nanoseconds`.
    public func spin(nanoseconds: UInt64, stream: CUDAStream? = nil) throws {
        try spin.launch(grid: 1, block: 1, stream: stream, nanoseconds)
    }

    /// The CPU twin of the device generator (same 64-bit mix): word `index` for `seed`.
    public static func randomWord(seed: UInt64, index: UInt64) -> UInt64 {
        var z = seed &+ (index &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The CPU twin of lowbit_uniform: a float in [-1, 1).
    public static func uniform(seed: UInt64, index: UInt64) -> Float {
        Float(randomWord(seed: seed, index: index) >> 40) * (2.0 / 16_777_216.0) - 1.0
    }
}
