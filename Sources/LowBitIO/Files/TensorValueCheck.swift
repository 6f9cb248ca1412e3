import Foundation
import LowBitCore
import LowBitFormats

/// Statistics of one tensor's decoded values: how many are NaN or infinite, and the range of the rest.
public struct TensorValueStats: Sendable, Equatable {
    public let name: String
    public let elements: Int
    public let nonFinite: Int
    /// Over finite values; 0 when there are none.
    public let min: Float
    public let max: Float
    public let meanAbs: Double

    /// Stats of `values` (a whole tensor). Eight lanes at a time; |x| is summed in Float within chunks of
    /// 4096 values and in Double across chunks (plenty for a diagnostic mean).
    public init(name: String, values: UnsafeBufferPointer<Float>) {
        typealias V = SIMD8<Float>
        var lo = V(repeating: .infinity), hi = V(repeating: -.infinity)
        var badLanes = SIMD8<Int32>(repeating: 0)
        var sumAbs = 0.0
        var lowScalar = Float.infinity, highScalar = -Float.infinity, badScalar = 0
        let n = values.count
        var i = 0
        if let base = values.baseAddress {
            let raw = UnsafeRawPointer(base)
            let vectorEnd = n - n % 8
            while i < vectorEnd {
                let chunkEnd = Swift.min(vectorEnd, i + 4096)
                var acc = V(repeating: 0)
                while i < chunkEnd {
                    let v = raw.loadUnaligned(fromByteOffset: 4 * i, as: V.self)
                    let finite = (v - v) .== 0  // false for NaN and ±infinity
                    lo = pointwiseMin(lo, v.replacing(with: .infinity, where: .!finite))
                    hi = pointwiseMax(hi, v.replacing(with: -.infinity, where: .!finite))
                    let clean = v.replacing(with: 0, where: .!finite)
                    acc += clean.replacing(with: -clean, where: clean .< 0)
                    badLanes &+= SIMD8<Int32>(repeating: 1).replacing(with: 0, where: finite)
                    i += 8
                }
                sumAbs += Double(acc.sum())
            }
            while i < n {
                let v = base[i]
                if v.isFinite {
                    lowScalar = Swift.min(lowScalar, v)
                    highScalar = Swift.max(highScalar, v)
                    sumAbs += Double(abs(v))
                } else {
                    badScalar += 1
                }
                i += 1
            }
        }
        let low = Swift.min(lo.min(), lowScalar), high = Swift.max(hi.max(), highScalar)
        let bad = Int(badLanes.wrappedSum()) + badScalar
        self.name = name
        elements = n
        nonFinite = bad
        min = low.isFinite ? low : 0
        max = high.isFinite ? high : 0
        meanAbs = n > bad ? sumAbs / Double(n - bad) : 0
    }
}

/// Decodes every tensor of a model file to Float and reports its stats (`lowbit info --check`): finds NaN
/// or infinite weights, and times the decoders. Types LowBit cannot decode are listed in `skipped`.
public struct TensorValueCheck: Sendable {
    public let stats: [TensorValueStats]
    public let skipped: [String]
    public let seconds: Double
    /// Of `seconds`, the time spent decoding to Float (the rest: statistics, page faults of the output).
    public let decodeSeconds: Double

    public var elements: Int { stats.reduce(0) { $0 + $1.elements } }
    public var nonFiniteTensors: [TensorValueStats] { stats.filter { $0.nonFinite > 0 } }

    public static func run(path: String) throws -> TensorValueCheck {
        let start = monotonicSeconds()
        var stats: [TensorValueStats] = []
        var skipped: [String] = []
        var decodeSeconds = 0.0
        func timed<T>(_ body: () throws -> T) rethrows -> T {
            let t0 = monotonicSeconds()
            defer { decodeSeconds += monotonicSeconds() - t0 }
            return try body()
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LowBitError.notFound("\(path): no such file or folder")
        }
        if isDirectory.boolValue {
            let collection = try SafetensorsCollection(directory: path)
            for name in collection.tensorNames {
                let (file, info) = collection.tensor(named: name)!
                stats.append(timed { file.floats(info) }.withUnsafeBufferPointer { TensorValueStats(name: name, values: $0) })
            }
        } else {
            let mapped = try MappedFile(path: path)
            if GGUFFile.hasMagic(mapped.bytes) {
                let file = try GGUFFile(file: mapped)
                for tensor in file.tensors {
                    guard tensor.type.canDequantize else {
                        skipped.append(tensor.name)
                        continue
                    }
                    stats.append(try timed { try file.dequantize(tensor) }.withUnsafeBufferPointer { TensorValueStats(name: tensor.name, values: $0) })
                }
            } else {
                let file = try SafetensorsFile(file: mapped)
                for tensor in file.tensors {
                    stats.append(timed { file.floats(tensor) }.withUnsafeBufferPointer { TensorValueStats(name: tensor.name, values: $0) })
                }
            }
        }
        return TensorValueCheck(stats: stats, skipped: skipped, seconds: monotonicSeconds() - start, decodeSeconds: decodeSeconds)
    }
}
