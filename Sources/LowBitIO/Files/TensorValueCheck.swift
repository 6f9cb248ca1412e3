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

    /// Stats of `values` (a whole tensor).
    public init(name: String, values: UnsafeBufferPointer<Float>) {
        var lo = Float.infinity, hi = -Float.infinity, bad = 0
        var sumAbs = 0.0
        for v in values {
            if v.isFinite {
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
                sumAbs += Double(abs(v))
            } else {
                bad += 1
            }
        }
        self.name = name
        elements = values.count
        nonFinite = bad
        min = lo.isFinite ? lo : 0
        max = hi.isFinite ? hi : 0
        meanAbs = values.count > bad ? sumAbs / Double(values.count - bad) : 0
    }
}

/// Decodes every tensor of a model file to Float and reports its stats (`lowbit info --check`): finds NaN
/// or infinite weights, and times the decoders. Types LowBit cannot decode are listed in `skipped`.
public struct TensorValueCheck: Sendable {
    public let stats: [TensorValueStats]
    public let skipped: [String]
    public let seconds: Double

    public var elements: Int { stats.reduce(0) { $0 + $1.elements } }
    public var nonFiniteTensors: [TensorValueStats] { stats.filter { $0.nonFinite > 0 } }

    public static func run(path: String) throws -> TensorValueCheck {
        let start = monotonicSeconds()
        var stats: [TensorValueStats] = []
        var skipped: [String] = []
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw LowBitError.notFound("\(path): no such file or folder")
        }
        if isDirectory.boolValue {
            let collection = try SafetensorsCollection(directory: path)
            for name in collection.tensorNames {
                let (file, info) = collection.tensor(named: name)!
                stats.append(file.floats(info).withUnsafeBufferPointer { TensorValueStats(name: name, values: $0) })
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
                    stats.append(try file.dequantize(tensor).withUnsafeBufferPointer { TensorValueStats(name: tensor.name, values: $0) })
                }
            } else {
                let file = try SafetensorsFile(file: mapped)
                for tensor in file.tensors {
                    stats.append(file.floats(tensor).withUnsafeBufferPointer { TensorValueStats(name: tensor.name, values: $0) })
                }
            }
        }
        return TensorValueCheck(stats: stats, skipped: skipped, seconds: monotonicSeconds() - start)
    }
}
