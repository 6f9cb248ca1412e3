import LowBitCore
import LowBitFormats
import LowBitKernels

/// A heap buffer freed with its owner (layers hand raw pointers to the kernels).
// @unchecked Sendable: filled in the owner's init, read-only afterwards.
final class OwnedBuffer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(count: Int, repeating value: T) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: value, count: max(count, 1))
    }
    deinit { pointer.deallocate() }
}

/// The byte payloads of one quantized tensor, as read from a checkpoint (bounds already checked).
public struct QuantizedTensorBytes {
    public var qweight: UnsafeRawBufferPointer
    public var scales: UnsafeRawBufferPointer
    public var zeros: UnsafeRawBufferPointer?
    public var outlierWeight: UnsafeRawBufferPointer?
    public init(qweight: UnsafeRawBufferPointer, scales: UnsafeRawBufferPointer, zeros: UnsafeRawBufferPointer?,
                outlierWeight: UnsafeRawBufferPointer?) {
        self.qweight = qweight
        self.scales = scales
        self.zeros = zeros
        self.outlierWeight = outlierWeight
    }
}

private func copyCodes(_ layout: QuantizedTensorLayout, _ bytes: UnsafeRawBufferPointer) -> OwnedBuffer<UInt8> {
    // 8 spare zero bytes: the kernels load 8-byte windows that may run past the last row.
    let n = layout.rows * layout.rowBytes
    let buffer = OwnedBuffer<UInt8>(count: n + 8, repeating: 0)
    UnsafeMutableRawPointer(buffer.pointer).copyMemory(from: bytes.baseAddress!, byteCount: n)
    return buffer
}

private func copyHalves(_ bytes: UnsafeRawBufferPointer, count: Int) -> OwnedBuffer<Float16> {
    let buffer = OwnedBuffer<Float16>(count: count, repeating: 0)
    for i in 0..<count {
        buffer.pointer[i] = Float16(bitPattern: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
    }
    return buffer
}

/// Weight-only codes × group scales (TC-FPx, lookup tables, uniform integers): repacked for
/// `PackedCodeMatrix` when it handles the layout (x86-64 AVX2, groups of 32k columns, 1–6 bits or 8-bit
/// integers), else the generic `CodeMatmul` over the checkpoint's packing. Also an embedding table (a row is
/// dequantized on lookup). `LOWBIT_GENERIC_CODES=1` forces the generic kernels (A/B measurements).
// @unchecked Sendable: immutable after init.
public final class QuantizedCodeLinear: LinearWeight, EmbeddingTable, @unchecked Sendable {
    public let layout: QuantizedTensorLayout
    let scales: OwnedBuffer<Float16>
    let zeros: OwnedBuffer<Float16>?
    let table: OwnedBuffer<Float>
    /// The fast kernel's copy of the weights, or nil (then `codes`/`view` hold them).
    public let packed: PackedCodeMatrix?
    let codes: OwnedBuffer<UInt8>?
    let view: CodeMatrixView?

    static let forceGeneric = getEnvironment("LOWBIT_GENERIC_CODES") == "1"

    public init(layout: QuantizedTensorLayout, bytes: QuantizedTensorBytes) {
        precondition(layout.scheme == .codes)
        self.layout = layout
        let codes = copyCodes(layout, bytes.qweight)
        let n = layout.rows * layout.groups
        scales = copyHalves(bytes.scales, count: n)
        let table = OwnedBuffer<Float>(count: 256, repeating: 0)
        for (i, v) in layout.table.enumerated() { table.pointer[i] = v }
        self.table = table
        var constantZero: Float = 0
        switch layout.zeroPoint {
        case "stored":
            let z = OwnedBuffer<Float16>(count: n, repeating: 0)
            for i in 0..<n { z.pointer[i] = Float16(bytes.zeros![i]) }
            zeros = z
        case "constant":
            zeros = nil
            constantZero = layout.zeroConstant ?? 0
        default:
            zeros = nil
        }
        let view = CodeMatrixView(rows: layout.rows, cols: layout.cols, bits: layout.bits, groupSize: layout.groupSize,
                                  codes: codes.pointer, rowBytes: layout.rowBytes, scales: scales.pointer,
                                  zeros: zeros.map { UnsafePointer($0.pointer) }, constantZero: constantZero,
                                  table: table.pointer, decoding: QuantizedCodeLinear.decoding(for: layout))
        packed = Self.forceGeneric ? nil : PackedCodeMatrix(view)
        // The checkpoint packing is kept only for the generic kernels.
        self.codes = packed == nil ? codes : nil
        self.view = packed == nil ? view : nil
    }

    /// The fast decoding when the table is exactly what it promises, else the table itself.
    static func decoding(for layout: QuantizedTensorLayout) -> CodeDecoding {
        switch layout.decoding {
        case "integer" where layout.table.enumerated().allSatisfy({ Float($0.offset) == $0.element }):
            return .integer
        case "fpx":
            if let e = layout.exponentBits, let m = layout.mantissaBits,
               let format = try? FPxFormat(exponentBits: e, mantissaBits: m),
               format.decodeTable.map(\.bitPattern) == layout.table.map(\.bitPattern) {
                return .fpx(exponentBits: e, mantissaBits: m)
            }
            return .lookup
        default:
            return .lookup
        }
    }

    public var outFeatures: Int { layout.rows }
    public var inFeatures: Int { layout.cols }
    public var vocabularySize: Int { layout.rows }
    public var width: Int { layout.cols }
    public var weightBytes: Int {
        layout.rows * layout.rowBytes + layout.rows * layout.groups * (zeros == nil ? 2 : 4)
    }

    public func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        if let packed {
            packed.matmul(x: x, tokens: tokens, y: y)
        } else {
            CodeMatmul.matmul(view!, x: x, tokens: tokens, y: y)
        }
    }

    public func lookup(_ token: Int, into out: UnsafeMutablePointer<Float>) {
        if let packed {
            packed.dequantizeRow(token, into: out)
        } else {
            CodeMatmul.dequantizeRow(view!, row: token, into: out)
        }
    }
}

/// Bipolar-INT weights with per-token bipolar activations over `BipolarMatmul` (integer popcount dots).
// @unchecked Sendable: immutable after init.
public final class BipolarLinear: LinearWeight, @unchecked Sendable {
    public let layout: QuantizedTensorLayout
    let planes: OwnedBuffer<UInt64>
    let scales: OwnedBuffer<Float16>
    let codeSums: OwnedBuffer<Int32>
    public let view: BipolarPlanesView
    /// 1–4-bit weights repacked for vpmaddubsw (`BipolarOctets`), or nil (`LOWBIT_GENERIC_CODES=1`, other widths).
    public let octets: BipolarOctets?

    public init(layout: QuantizedTensorLayout, bytes: QuantizedTensorBytes) {
        precondition(layout.scheme == .bipolar)
        self.layout = layout
        let rows = layout.rows, cols = layout.cols, bits = layout.bits, wpr = (cols + 63) / 64
        let groups = layout.groups, gs = min(layout.groupSize, cols)
        planes = OwnedBuffer(count: bits * rows * wpr, repeating: 0)
        codeSums = OwnedBuffer(count: rows * groups, repeating: 0)
        scales = copyHalves(bytes.scales, count: rows * groups)
        let codes = copyCodes(layout, bytes.qweight)
        let unpacker = CodeRowReader(bits: bits)
        for r in 0..<rows {
            let row = UnsafePointer(codes.pointer) + r * layout.rowBytes
            for k in 0..<cols {
                let c = unpacker.code(row, k)
                codeSums.pointer[r * groups + k / gs] += Int32(c)
                for j in 0..<bits where (c >> UInt32(j)) & 1 == 1 {
                    planes.pointer[(j * rows + r) * wpr + k >> 6] |= 1 << UInt64(k & 63)
                }
            }
        }
        view = BipolarPlanesView(rows: rows, cols: cols, weightBits: bits, groupSize: layout.groupSize,
                                 wordsPerRow: wpr, planes: planes.pointer, scales: scales.pointer,
                                 codeSums: codeSums.pointer)
        octets = QuantizedCodeLinear.forceGeneric ? nil : BipolarOctets(view, activationBits: layout.activationBits ?? 8)
    }

    public var outFeatures: Int { layout.rows }
    public var inFeatures: Int { layout.cols }
    public var weightBytes: Int { planes.count * 8 + scales.count * 2 + codeSums.count * 4 }

    public func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        if let octets {
            octets.matmul(x: x, tokens: tokens, y: y)
        } else {
            BipolarMatmul.matmul(view, activationBits: layout.activationBits ?? 8, x: x, tokens: tokens, y: y)
        }
    }
}

/// QUIK: integer weights on the inlier columns, fp16 outlier columns, per-token asymmetric activations.
// @unchecked Sendable: immutable after init.
public final class QuikLinear: LinearWeight, @unchecked Sendable {
    public let layout: QuantizedTensorLayout
    public let outliers: OutlierColumns
    let codes: OwnedBuffer<UInt8>
    let scales: OwnedBuffer<Float16>
    let rowSums: OwnedBuffer<Float>
    let outlierWeights: OwnedBuffer<Float16>
    public let view: QuikWeightsView
    /// 1–4-bit weights repacked for vpmaddubsw (`QuikOctets`), or nil (`LOWBIT_GENERIC_CODES=1`, 8-bit layers).
    let octets: QuikOctets?

    public init(layout: QuantizedTensorLayout, bytes: QuantizedTensorBytes) throws {
        precondition(layout.scheme == .quik)
        self.layout = layout
        let rows = layout.rows, n = layout.codedColumns, nOut = layout.outlierColumns?.count ?? 0
        outliers = try OutlierColumns(layout.outlierColumns ?? [], columns: layout.cols)
        codes = copyCodes(layout, bytes.qweight)
        scales = copyHalves(bytes.scales, count: rows)
        outlierWeights = bytes.outlierWeight.map { copyHalves($0, count: rows * nOut) }
            ?? OwnedBuffer(count: 0, repeating: 0)
        rowSums = OwnedBuffer(count: rows, repeating: 0)
        let reader = CodeRowReader(bits: layout.bits), z = layout.zeroConstant ?? 0
        for r in 0..<rows {
            let row = UnsafePointer(codes.pointer) + r * layout.rowBytes
            let s = Float(scales.pointer[r])
            var sum: Float = 0
            for k in 0..<n { sum += s * (layout.table[Int(reader.code(row, k))] - z) }
            rowSums.pointer[r] = sum
        }
        view = QuikWeightsView(rows: rows, inliers: n, bits: layout.bits, codes: codes.pointer,
                               rowBytes: layout.rowBytes, scales: scales.pointer, rowSums: rowSums.pointer,
                               outlierCount: nOut, outlierWeights: outlierWeights.pointer)
        octets = QuantizedCodeLinear.forceGeneric ? nil : QuikOctets(view)
    }

    public var outFeatures: Int { layout.rows }
    public var inFeatures: Int { layout.cols }
    public var weightBytes: Int { layout.rows * layout.rowBytes + scales.count * 2 + outlierWeights.count * 2 }

    public func apply(_ x: UnsafePointer<Float>, tokens: Int, into y: UnsafeMutablePointer<Float>) {
        let bits = layout.activationBits ?? 4
        do {
            let a = try QuantizedActivations.quantize(UnsafeBufferPointer(start: x, count: tokens * layout.cols),
                                                      rows: tokens, columns: layout.cols, bits: bits,
                                                      outliers: outliers)
            if let octets {
                octets.matmul(activations: a, y: y)
            } else {
                QuikMatmul.matmul(view, activations: a, y: y)
            }
        } catch {
            // Non-finite activations: the model has already diverged; propagate NaN rather than crash.
            y.update(repeating: .nan, count: tokens * layout.rows)
        }
    }
}

/// Reads single codes from MSB-first packed rows (load-time work; the kernels have their own SIMD path).
struct CodeRowReader {
    let bits: Int
    func code(_ row: UnsafePointer<UInt8>, _ k: Int) -> UInt32 {
        let bit = k * bits
        let p = row + (bit >> 3)
        let window = UInt32(p[0]) << 8 | UInt32(p[1])
        return (window >> UInt32(16 - bits - (bit & 7))) & ((1 << UInt32(bits)) - 1)
    }
}
