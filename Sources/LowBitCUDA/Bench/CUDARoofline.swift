import LowBitCore

/// The hardware limits measured in the same run as a bench: read and copy bandwidth of device memory, and
/// cuBLAS FP16/BF16 GEMM rates. Benches of low-bit kernels divide their times by these.
public struct CUDARoofline: Sendable {
    public let context: CUDAContext
    public let stream: CUDAStream
    let core: CoreKernels

    public init(context: CUDAContext, stream: CUDAStream? = nil) throws {
        self.context = context
        self.stream = try stream ?? context.makeStream()
        core = try CoreKernels(context: context)
    }

    public struct Bandwidth: Sendable, Codable {
        public let name: String
        /// Bytes moved per repetition (read + written).
        public let bytes: Int
        public let timing: CUDATiming
        public var bytesPerSecond: Double { Double(bytes) / timing.seconds }
    }

    /// Read-only streaming kernel over `bytes` of random data (16-byte loads, grid-stride, 4 in flight).
    public func readBandwidth(bytes: Int = 4 << 30, repetitions: Int = 20) throws -> Bandwidth {
        let data = try context.allocate(bytes: bytes)
        try core.fillRandomWords(data, count: bytes / 4, seed: 0x1234_5678, stream: stream)
        let sum = try context.allocate(UInt32.self, count: 1)
        let timing = try CUDATimer.measure(context: context, stream: stream, warmup: 3, repetitions: repetitions) { _ in
            try core.readSum(data, into: sum, stream: stream)
        }
        return Bandwidth(name: "read kernel", bytes: bytes, timing: timing)
    }

    /// cuMemcpyDtoDAsync and the copy kernel over `bytes` (each direction counted: 2 × bytes per repetition).
    public func copyBandwidth(bytes: Int = 2 << 30, repetitions: Int = 20) throws -> [Bandwidth] {
        let src = try context.allocate(bytes: bytes), dst = try context.allocate(bytes: bytes)
        try core.fillRandomWords(src, count: bytes / 4, seed: 0x9876, stream: stream)
        let memcpy = try CUDATimer.measure(context: context, stream: stream, warmup: 3, repetitions: repetitions) { _ in
            try dst.copy(from: src, byteCount: bytes, stream: stream)
        }
        let kernel = try CUDATimer.measure(context: context, stream: stream, warmup: 3, repetitions: repetitions) { _ in
            try core.copy(from: src, to: dst, byteCount: bytes, stream: stream)
        }
        return [Bandwidth(name: "cuMemcpyDtoD", bytes: 2 * bytes, timing: memcpy),
                Bandwidth(name: "copy kernel", bytes: 2 * bytes, timing: kernel)]
    }

    public struct GEMMTiming: Sendable, Codable {
        public let type: String
        public let rows: Int, outFeatures: Int, inFeatures: Int
        public let timing: CUDATiming
        public var flops: Double { 2 * Double(rows) * Double(outFeatures) * Double(inFeatures) }
        public var teraflopsPerSecond: Double { flops / timing.seconds / 1e12 }
        /// Weight + activation + output bytes over time (the bandwidth view, for small N).
        public var bytesPerSecond: Double {
            Double(2 * (outFeatures * inFeatures + rows * inFeatures + rows * outFeatures)) / timing.seconds
        }
    }

    /// cuBLAS C[N, OC] = X[N, IC]·W[OC, IC]ᵀ on random data, weights rotated over > 4× L2.
    public func cublasLinear(rows n: Int, outFeatures oc: Int, inFeatures ic: Int, type: CUBLASElementType = .float16,
                             repetitions: Int = 50) throws -> GEMMTiming {
        let weightBytes = oc * ic * type.byteSize
        let copies = CUDATimer.rotationCount(bytesPerSet: weightBytes, l2Bytes: context.properties.l2CacheBytes)
        var weights: [CUDABuffer] = []
        for i in 0..<copies {
            let w = try context.allocate(bytes: weightBytes)
            try core.fillUniform(w, count: oc * ic, type: type, seed: UInt64(i + 1), scale: 0.05, stream: stream)
            weights.append(w)
        }
        let x = try context.allocate(bytes: n * ic * type.byteSize)
        try core.fillUniform(x, count: n * ic, type: type, seed: 99, scale: 1, stream: stream)
        let y = try context.allocate(bytes: n * oc * type.byteSize)
        let blas = try context.cublas(stream: stream)
        let timing = try CUDATimer.measure(context: context, stream: stream, warmup: 5, repetitions: repetitions) { i in
            try blas.linear(x: x, w: weights[i % copies], out: y, rows: n, outFeatures: oc, inFeatures: ic, inputType: type)
        }
        return GEMMTiming(type: type.rawValue, rows: n, outFeatures: oc, inFeatures: ic, timing: timing)
    }

    /// Llama-2-70B's linear layers as (OC, IC): attention q/o, fused qkv (8192 + 2·1024), fused gate+up, down.
    public static let llama70BShapes: [(outFeatures: Int, inFeatures: Int)] = [
        (8192, 8192), (10240, 8192), (57344, 8192), (8192, 28672),
    ]
    public static let decodeBatches = [1, 8, 16, 32, 64, 128, 256]
}
