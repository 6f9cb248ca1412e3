import LowBitCore
import LowBitFormats

/// Bridges the formats layer's FPx codec (`FPxFormat`, `FPxMatrix`: one code per byte + FP16 scales) to the
/// TC-FPx kernel, which needs one scale per output row.
extension TCFPxFormat {
    public init(_ format: FPxFormat) throws {
        try self.init(exponentBits: format.exponentBits, mantissaBits: format.mantissaBits)
    }
}

/// Pre-packed weights ready for upload: `TCFPxGemm(context:prepared:)`.
public struct TCFPxPreparedWeights: Sendable {
    public let geometry: TCFPxGeometry
    public let packed: [UInt8]
    public let scales: [UInt16]

    /// Packs a per-row-scaled FPx matrix [OC = rows, IC = columns]. Group scales are refused with a clear error
    /// (the kernel applies one scale per output row in its epilogue).
    public init(_ matrix: FPxMatrix, name: String = "weights") throws {
        guard matrix.grouping == .perRow else {
            throw LowBitError.unsupported(
                "\(name): TC-FPx needs one scale per output row; this \(matrix.format.name) matrix has \(matrix.grouping) scales")
        }
        let geometry = try TCFPxGeometry(format: try TCFPxFormat(matrix.format), outFeatures: matrix.rows,
                                         inFeatures: matrix.columns)
        self.geometry = geometry
        packed = try TCFPxPacker.pack(codes: matrix.codes, geometry: geometry)
        scales = matrix.scales
    }
}

extension TCFPxGemm {
    /// Uploads weights packed by `TCFPxPreparedWeights` (for example from an `FPxMatrix`).
    public convenience init(context: CUDAContext, prepared: TCFPxPreparedWeights,
                            tuning: TCFPxTuning = TCFPxTuning()) throws {
        try self.init(context: context, geometry: prepared.geometry, packed: prepared.packed, scales: prepared.scales,
                      tuning: tuning)
    }
}
