import Foundation
import LowBitCore

/// For benches of weight-only linear kernels (tcfpx, flute, …): times a kernel, the cuBLAS FP16 baseline on
/// the same shape and the memory floor (its weight bytes / the read bandwidth measured in this run), so
/// every row says "x µs, y× faster than cuBLAS, z% of the roofline" from one run.
///
///     let bench = try CUDALinearBench(context: ctx, stream: s)
///     let copies = bench.rotationCount(weightBytes: packed.byteCount)   // allocate that many weight copies
///     let row = try bench.measure("fp6 e3m2", rows: 1, outFeatures: 8192, inFeatures: 8192,
///                                 weightBytes: packed.byteCount) { i in
///         try myKernel.launch(…, weights[i % copies], …, stream: s)
///     }
///     printLine(CUDALinearBench.table([row]))
public final class CUDALinearBench {
    public let context: CUDAContext
    public let stream: CUDAStream
    public let roofline: CUDARoofline
    /// Read bandwidth measured at init (bytes/s).
    public let readBytesPerSecond: Double
    private var cublasMicroseconds: [String: Double] = [:]

    public init(context: CUDAContext, stream: CUDAStream, readBandwidthBytes: Int = 2 << 30) throws {
        self.context = context
        self.stream = stream
        roofline = try CUDARoofline(context: context, stream: stream)
        readBytesPerSecond = try roofline.readBandwidth(bytes: readBandwidthBytes, repetitions: 10).bytesPerSecond
    }

    /// Copies of a weight of `weightBytes` to rotate through (> 4× L2 together).
    public func rotationCount(weightBytes: Int) -> Int {
        CUDATimer.rotationCount(bytesPerSet: weightBytes, l2Bytes: context.properties.l2CacheBytes)
    }

    public struct Row: Sendable, Codable {
        public let name: String
        public let rows: Int, outFeatures: Int, inFeatures: Int
        public let weightBytes: Int
        public let microseconds: Double
        public let cublasFP16Microseconds: Double
        /// weightBytes / measured read bandwidth.
        public let floorMicroseconds: Double
        public let hostWasAhead: Bool
        public var speedupOverCUBLAS: Double { cublasFP16Microseconds / microseconds }
        public var fractionOfRoofline: Double { floorMicroseconds / microseconds }
    }

    /// Times `enqueue(i)` (queue one run of the kernel on `stream`, using weight copy i % rotationCount) and
    /// cuBLAS FP16 on the same shape (measured once per shape).
    public func measure(_ name: String, rows n: Int, outFeatures oc: Int, inFeatures ic: Int, weightBytes: Int,
                        repetitions: Int = 50, _ enqueue: (Int) throws -> Void) throws -> Row {
        let timing = try CUDATimer.measure(context: context, stream: stream, repetitions: repetitions, enqueue)
        let key = "\(n)x\(oc)x\(ic)"
        let base: Double
        if let cached = cublasMicroseconds[key] {
            base = cached
        } else {
            base = try roofline.cublasLinear(rows: n, outFeatures: oc, inFeatures: ic, type: .float16,
                                             repetitions: repetitions).timing.medianMicroseconds
            cublasMicroseconds[key] = base
        }
        return Row(name: name, rows: n, outFeatures: oc, inFeatures: ic, weightBytes: weightBytes,
                   microseconds: timing.medianMicroseconds, cublasFP16Microseconds: base,
                   floorMicroseconds: Double(weightBytes) / readBytesPerSecond * 1e6, hostWasAhead: timing.hostWasAhead)
    }

    /// A text table of rows.
    public static func table(_ rows: [Row]) -> String {
        var lines = ["kernel                 N     OC×IC          µs     cuBLAS µs   speed-up   floor µs   % roofline"]
        for r in rows {
            let shape = "\(r.outFeatures)×\(r.inFeatures)"
            lines.append(r.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                + String(format: " %4d  ", r.rows) + shape.padding(toLength: 12, withPad: " ", startingAt: 0)
                + String(format: "%9.1f  %11.1f  %8.2f×  %9.1f  %9.0f%%", r.microseconds, r.cublasFP16Microseconds,
                         r.speedupOverCUBLAS, r.floorMicroseconds, 100 * r.fractionOfRoofline)
                + (r.hostWasAhead ? "" : "  (host fell behind)"))
        }
        return lines.joined(separator: "\n")
    }
}
