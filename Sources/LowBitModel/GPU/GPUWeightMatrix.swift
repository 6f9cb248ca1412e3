import LowBitCore
import LowBitFormats

/// A checkpoint tensor in the form the GPU kernels' bridges take (the formats layer's matrices: one code per
/// byte, fp16 scale bits): `FPxMatrix` → `TCFPxPreparedWeights` → `TCFPxGemm`; `LUTMatrix` → `FLUTEGemm`.
/// Pure CPU work, so its agreement with the CPU layer is tested without a GPU.
public enum GPUWeightMatrix: Sendable {
    case fpx(FPxMatrix)
    case lut(LUTMatrix)

    public var rows: Int {
        switch self {
        case .fpx(let m): m.rows
        case .lut(let m): m.rows
        }
    }

    public var columns: Int {
        switch self {
        case .fpx(let m): m.columns
        case .lut(let m): m.columns
        }
    }

    /// ŵ row-major in Float32, exactly the values of the checkpoint's CPU layer (s × table[c]).
    public func dequantize() -> [Float] {
        switch self {
        case .fpx(let m): m.dequantize()
        case .lut(let m): m.dequantize()
        }
    }

    /// Unpacks `NAME.qweight` (MSB-first rows of ⌈cols·b/8⌉ bytes) and `NAME.scales` for the chosen kernel.
    /// `name` names the tensor in errors.
    public init(name: String, layout: QuantizedTensorLayout, bytes: QuantizedTensorBytes,
                kernel: GPUKernelChoice) throws {
        let rows = layout.rows, cols = layout.cols, bits = layout.bits, rowBytes = layout.rowBytes
        guard layout.scheme == .codes, layout.codedColumns == cols else {
            throw LowBitError.unsupported("\(name): only weight-only code tensors can be placed on the GPU")
        }
        guard bytes.qweight.count >= rows * rowBytes, bytes.scales.count >= 2 * rows * layout.groups else {
            throw LowBitError.shapeMismatch("\(name): qweight/scales are shorter than the layout [\(rows), \(cols)] needs")
        }
        var codes = [UInt8](repeating: 0, count: rows * cols)
        let q = bytes.qweight.bindMemory(to: UInt8.self)
        try codes.withUnsafeMutableBufferPointer { out in
            for r in 0..<rows {
                let row = try BitPacking.unpackMSBFirst(UnsafeBufferPointer(rebasing: q[(r * rowBytes)..<((r + 1) * rowBytes)]),
                                                        bits: bits, count: cols)
                row.withUnsafeBufferPointer { out.baseAddress!.advanced(by: r * cols).update(from: $0.baseAddress!, count: cols) }
            }
        }
        let scaleCount = rows * layout.groups
        let scales = (0..<scaleCount).map { bytes.scales.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self) }
        switch kernel {
        case .tcfpx(let format):
            guard layout.groups == 1 else {
                throw LowBitError.unsupported("\(name): TC-FPx needs one scale per row, the tensor has \(layout.groups) per row")
            }
            self = .fpx(try FPxMatrix(format: format, rows: rows, columns: cols, grouping: .perRow, codes: codes,
                                      scales: scales, name: name))
        case .flute(let table, let grouping):
            guard grouping.groupsPerRow(columns: cols) == layout.groups else {
                throw LowBitError.shapeMismatch("\(name): \(layout.groups) scales per row do not match \(grouping)")
            }
            self = .lut(try LUTMatrix(table: table, rows: rows, columns: cols, grouping: grouping, codes: codes,
                                      scales: scales, name: name))
        case .unsupported(let why):
            throw LowBitError.unsupported("\(name) (\(layout.codec)): \(why)")
        }
    }
}
