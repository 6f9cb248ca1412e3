import LowBitCore
import LowBitCUDA
import LowBitFormats

/// Which GPU kernel computes a quantized layer of a LowBit checkpoint, decided from its layout alone
/// (no GPU needed, so the decision and its error messages are tested on any machine).
///
/// - `tcfpx`: `scheme = codes`, `decoding = fpx` whose table is exactly the eXmY values, one scale per row,
///   1 ≤ E ≤ 4 and 3…7 bits (TC-FPx: fp6, fp5, fp4, fpeXmY).
/// - `flute`: `scheme = codes`, `decoding = lookup` (or `integer`), 2, 3 or 4 bits, no zero point or a constant
///   one (folded into the table), groups of 32, 64, 128, 256 columns or one per row (FLUTE: nf4, nf3, nf2,
///   lut4/3/2; also symmetric int4/3/2 should a checkpoint hold them).
/// - everything else (int*, bipolar-*, quik-*, group-scaled FPx, …) has no GPU kernel yet: `unsupported(why)`.
public enum GPUKernelChoice: Sendable, Equatable {
    case tcfpx(FPxFormat)
    case flute(LookupTable, ScaleGrouping)
    case unsupported(String)

    /// The formats that run on the GPU, for error messages and help texts.
    public static let supportedSummary =
        "fp6, fp5, fpeXmY with per-row scales (TC-FPx); nf4, nf3, nf2, lut4/3/2 with groups 32/64/128/256 or per row (FLUTE)"

    /// "TC-FPx", "FLUTE" or nil.
    public var kernelName: String? {
        switch self {
        case .tcfpx: "TC-FPx"
        case .flute: "FLUTE"
        case .unsupported: nil
        }
    }

    public var isSupported: Bool { kernelName != nil }

    public static func choose(for layout: QuantizedTensorLayout) -> GPUKernelChoice {
        switch layout.scheme {
        case .bipolar:
            return .unsupported("bipolar-INT weights with per-token activation quantization have no GPU kernel yet")
        case .quik:
            return .unsupported("QUIK (W4A4 + fp16 outliers) has no GPU kernel yet")
        case .codes:
            break
        }
        guard layout.zeroPoint != "stored" else {
            return .unsupported("codes with stored zero points (asymmetric integers) have no GPU kernel yet")
        }
        // A constant zero point folds into the table: ŵ = s × (table[c] − z) = s × table'[c] (same Float32 op).
        let zero: Float = layout.zeroPoint == "constant" ? (layout.zeroConstant ?? 0) : 0
        switch layout.decoding {
        case "fpx" where zero == 0:
            guard let e = layout.exponentBits, let m = layout.mantissaBits,
                  let format = try? FPxFormat(exponentBits: e, mantissaBits: m) else {
                return .unsupported("the fpx layout has no valid exponent/mantissa widths")
            }
            // The kernel decodes eXmY by definition; a table that says otherwise would give other values.
            guard format.decodeTable.map(\.bitPattern) == layout.table.map(\.bitPattern) else {
                return .unsupported("its table is not exactly the \(format.name) values")
            }
            do {
                _ = try TCFPxFormat(exponentBits: e, mantissaBits: m)
            } catch let error as LowBitError {
                return .unsupported(error.message)
            } catch {
                return .unsupported("\(error)")
            }
            guard layout.groupSize >= layout.cols else {
                return .unsupported("TC-FPx applies one scale per output row; this tensor has groups of \(layout.groupSize) columns")
            }
            return .tcfpx(format)
        case "lookup", "integer":
            guard [2, 3, 4].contains(layout.bits) else {
                return .unsupported("the GPU kernel for lookup codes (FLUTE) runs 2, 3 or 4 bits, not \(layout.bits)")
            }
            let table: LookupTable
            do {
                table = try LookupTable(values: layout.table.map { $0 - zero }, name: layout.codec)
            } catch {
                return .unsupported("its table is not a valid lookup table (\(error))")
            }
            let grouping: ScaleGrouping
            if layout.groupSize >= layout.cols {
                grouping = .perRow
            } else if [32, 64, 128, 256].contains(layout.groupSize) {
                grouping = .columns(layout.groupSize)
            } else {
                return .unsupported("FLUTE takes groups of 32, 64, 128 or 256 columns (or one per row), not \(layout.groupSize)")
            }
            return .flute(table, grouping)
        default:
            return .unsupported("'\(layout.decoding)' codes with a zero point have no GPU kernel yet")
        }
    }
}
