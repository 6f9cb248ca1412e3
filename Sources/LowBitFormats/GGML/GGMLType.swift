/// GGML tensor element types, with the ids GGUF files store (ggml.h `enum ggml_type`; ids 4, 5 and 31–33,
/// 36–38 were removed upstream and never appear in GGUF files).
///
/// A quantized type stores `blockSize` consecutive elements of a row in `blockBytes` bytes. Rows (GGUF's
/// dims[0]) are always whole blocks, so a row of n elements takes n / blockSize * blockBytes bytes.
public enum GGMLType: UInt32, Sendable, CaseIterable {
    case f32 = 0
    case f16 = 1
    case q4_0 = 2
    case q4_1 = 3
    case q5_0 = 6
    case q5_1 = 7
    case q8_0 = 8
    case q8_1 = 9
    case q2_K = 10
    case q3_K = 11
    case q4_K = 12
    case q5_K = 13
    case q6_K = 14
    case q8_K = 15
    case iq2_xxs = 16
    case iq2_xs = 17
    case iq3_xxs = 18
    case iq1_s = 19
    case iq4_nl = 20
    case iq3_s = 21
    case iq2_s = 22
    case iq4_xs = 23
    case i8 = 24
    case i16 = 25
    case i32 = 26
    case i64 = 27
    case f64 = 28
    case iq1_m = 29
    case bf16 = 30
    case tq1_0 = 34
    case tq2_0 = 35
    case mxfp4 = 39

    /// Super-block length of the k-quants and i-quants (ggml's QK_K).
    public static let superBlock = 256

    /// The name ggml prints (ggml_type_name): "f32", "q4_1", "q4_K", "iq4_nl", ...
    public var name: String {
        switch self {
        case .f32: "f32"
        case .f16: "f16"
        case .q4_0: "q4_0"
        case .q4_1: "q4_1"
        case .q5_0: "q5_0"
        case .q5_1: "q5_1"
        case .q8_0: "q8_0"
        case .q8_1: "q8_1"
        case .q2_K: "q2_K"
        case .q3_K: "q3_K"
        case .q4_K: "q4_K"
        case .q5_K: "q5_K"
        case .q6_K: "q6_K"
        case .q8_K: "q8_K"
        case .iq2_xxs: "iq2_xxs"
        case .iq2_xs: "iq2_xs"
        case .iq3_xxs: "iq3_xxs"
        case .iq1_s: "iq1_s"
        case .iq4_nl: "iq4_nl"
        case .iq3_s: "iq3_s"
        case .iq2_s: "iq2_s"
        case .iq4_xs: "iq4_xs"
        case .i8: "i8"
        case .i16: "i16"
        case .i32: "i32"
        case .i64: "i64"
        case .f64: "f64"
        case .iq1_m: "iq1_m"
        case .bf16: "bf16"
        case .tq1_0: "tq1_0"
        case .tq2_0: "tq2_0"
        case .mxfp4: "mxfp4"
        }
    }

    /// Elements per block (1 for plain types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_nl, .mxfp4: 32
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq3_s, .iq2_s,
             .iq4_xs, .iq1_m, .tq1_0, .tq2_0: GGMLType.superBlock
        }
    }

    /// Bytes per block (ggml_type_size), from the block structs in ggml-common.h.
    public var blockBytes: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .f64, .i64: 8
        case .i8: 1
        case .i16: 2
        case .i32: 4
        case .q4_0: 2 + 16                  // d, qs[16]
        case .q4_1: 2 + 2 + 16              // d, m, qs[16]
        case .q5_0: 2 + 4 + 16              // d, qh[4], qs[16]
        case .q5_1: 2 + 2 + 4 + 16          // d, m, qh[4], qs[16]
        case .q8_0: 2 + 32                  // d, qs[32]
        case .q8_1: 2 + 2 + 32              // d, s, qs[32]
        case .q2_K: 16 + 64 + 2 + 2         // scales[16], qs[64], d, dmin
        case .q3_K: 32 + 64 + 12 + 2        // hmask[32], qs[64], scales[12], d
        case .q4_K: 2 + 2 + 12 + 128        // d, dmin, scales[12], qs[128]
        case .q5_K: 2 + 2 + 12 + 32 + 128   // d, dmin, scales[12], qh[32], qs[128]
        case .q6_K: 128 + 64 + 16 + 2       // ql[128], qh[64], scales[16], d
        case .q8_K: 4 + 256 + 32            // float d, qs[256], bsums[16] (int16)
        case .iq2_xxs: 2 + 64               // d, qs[32] (uint16)
        case .iq2_xs: 2 + 64 + 8            // d, qs[32] (uint16), scales[8]
        case .iq3_xxs: 2 + 96               // d, qs[96]
        case .iq1_s: 2 + 32 + 16            // d, qs[32], qh[8] (uint16)
        case .iq4_nl: 2 + 16                // d, qs[16]
        case .iq3_s: 2 + 64 + 8 + 32 + 4    // d, qs[64], qh[8], signs[32], scales[4]
        case .iq2_s: 2 + 64 + 8 + 8         // d, qs[64], qh[8], scales[8]
        case .iq4_xs: 2 + 2 + 4 + 128       // d, scales_h, scales_l[4], qs[128]
        case .iq1_m: 32 + 16 + 8            // qs[32], qh[16], scales[8]
        case .tq1_0: 48 + 4 + 2             // qs[48], qh[4], d
        case .tq2_0: 64 + 2                 // qs[64], d
        case .mxfp4: 1 + 16                 // e (E8M0), qs[16]
        }
    }

    /// Whether `dequantizeRow` handles this type. The rest (most i-quants, ternary, q8_K) are named so that
    /// files holding them open and list correctly, but cannot be converted to Float yet.
    public var canDequantize: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64,
             .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1,
             .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K,
             .iq4_nl, .iq4_xs, .mxfp4, .tq2_0:
            true
        case .iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq3_s, .iq2_s, .iq1_m, .tq1_0:
            false
        }
    }

    /// Whether the type packs several elements per block with scales (everything but plain floats and ints).
    public var isQuantized: Bool { blockSize > 1 }

    /// Bytes taken by `count` elements, or nil when `count` is not a whole number of blocks or overflows.
    public func byteCount(elements count: Int) -> Int? {
        guard count >= 0, count % blockSize == 0 else { return nil }
        let (bytes, overflow) = (count / blockSize).multipliedReportingOverflow(by: blockBytes)
        return overflow ? nil : bytes
    }

    /// Parses a name as `name` prints it (case-insensitive): "q4_1", "Q4_K", "bf16".
    public init?(name: String) {
        let lower = name.lowercased()
        guard let match = GGMLType.allCases.first(where: { $0.name.lowercased() == lower }) else { return nil }
        self = match
    }
}
