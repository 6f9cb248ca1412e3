import Foundation
import LowBitCore

/// How one quantized weight tensor is stored in a LowBit checkpoint (docs/checkpoint-format.md). It is
/// serialized as JSON inside `quantization_config.tensors[NAME]`; the bytes live in companion tensors:
///
/// - `NAME.qweight` U8 [rows, rowBytes]: b-bit codes, each row packed MSB-first into ⌈cols·b/8⌉ bytes
///   (code k occupies bits [k·b, k·b + b) of the row's bit stream, first bit = MSB of byte 0). For `quik`
///   only the inlier columns, in ascending column order.
/// - `NAME.scales` F16 [rows, groups]: one scale per `groupSize` consecutive columns (groups = ⌈cols/groupSize⌉).
/// - `NAME.zeros` U8 [rows, groups]: zero points, only when `zeroPoint == "stored"`.
/// - `NAME.outlier_weight` F16 [rows, outliers] (`quik`): the weights of `outlierColumns`, ascending.
///
/// Dequantized value: ŵ = scale × (table[c] − z) in Float32 (z = 0, the constant, or the stored zero point);
/// `bipolar` codes decode through the same table (table[c] = 2c − (2^b − 1)); `quik` outlier columns are the
/// fp16 weights widened to Float32.
public struct QuantizedTensorLayout: Codable, Sendable, Equatable {
    public enum Scheme: String, Codable, Sendable {
        /// Weight-only codes × group scales (TC-FPx, lookup tables, uniform integers).
        case codes
        /// Bipolar-INT weights; activations quantized per token at run time to `activationBits`.
        case bipolar
        /// QUIK: symmetric integer weights on the inlier columns, fp16 outlier columns, per-token
        /// asymmetric activations of `activationBits`.
        case quik
    }

    public var scheme: Scheme
    /// Human-readable codec, e.g. "fp6 e3m2", "nf4", "int4 asymmetric", "bipolar w2a8".
    public var codec: String
    /// [rows, cols] of the original weight.
    public var shape: [Int]
    /// Code width b.
    public var bits: Int
    /// Columns per scale (= cols for one scale per row).
    public var groupSize: Int
    /// Always "msb-first-rows" (see above).
    public var packing: String
    /// Always "F16".
    public var scaleDtype: String
    /// "integer" (v = c), "fpx" (eXmY bits), "lookup" (table): how kernels decode; `table` is authoritative.
    public var decoding: String
    public var exponentBits: Int?
    public var mantissaBits: Int?
    /// v(c) for every code c = 0 ..< 2^bits.
    public var table: [Float]
    /// "none", "constant" (`zeroConstant` for every group) or "stored" (`NAME.zeros`).
    public var zeroPoint: String
    public var zeroConstant: Float?
    public var activationBits: Int?
    /// quik: the input columns kept in fp16, ascending.
    public var outlierColumns: [Int]?
    /// Whether GPTQ produced the codes (else round-to-nearest).
    public var gptq: Bool?
    /// Whether the group scales were tuned on calibration data (`--tune-scales`; else absmax / min-max).
    public var tunedScales: Bool?

    public init(scheme: Scheme, codec: String, rows: Int, cols: Int, bits: Int, groupSize: Int, decoding: String,
                exponentBits: Int? = nil, mantissaBits: Int? = nil, table: [Float], zeroPoint: String = "none",
                zeroConstant: Float? = nil, activationBits: Int? = nil, outlierColumns: [Int]? = nil, gptq: Bool? = nil,
                tunedScales: Bool? = nil) {
        self.scheme = scheme
        self.codec = codec
        self.shape = [rows, cols]
        self.bits = bits
        self.groupSize = groupSize
        self.packing = "msb-first-rows"
        self.scaleDtype = "F16"
        self.decoding = decoding
        self.exponentBits = exponentBits
        self.mantissaBits = mantissaBits
        self.table = table
        self.zeroPoint = zeroPoint
        self.zeroConstant = zeroConstant
        self.activationBits = activationBits
        self.outlierColumns = outlierColumns
        self.gptq = gptq
        self.tunedScales = tunedScales
    }

    enum CodingKeys: String, CodingKey {
        case scheme, codec, shape, bits, packing, table, gptq
        case tunedScales = "tuned_scales"
        case groupSize = "group_size", scaleDtype = "scale_dtype", decoding
        case exponentBits = "exponent_bits", mantissaBits = "mantissa_bits"
        case zeroPoint = "zero_point", zeroConstant = "zero_constant", activationBits = "activation_bits"
        case outlierColumns = "outlier_columns"
    }

    public var rows: Int { shape[0] }
    public var cols: Int { shape[1] }
    /// Columns held as codes (all of them except quik's outliers).
    public var codedColumns: Int { cols - (outlierColumns?.count ?? 0) }
    public var groups: Int { (codedColumns + groupSize - 1) / max(groupSize, 1) }
    public var rowBytes: Int { (codedColumns * bits + 7) / 8 }

    /// Bits of storage per weight: codes, scales, zero points and fp16 outlier columns.
    public var bitsPerWeight: Double {
        let scaleBits = Double(rows * groups * 16)
        let zeroBits = zeroPoint == "stored" ? Double(rows * groups * 8) : 0
        let outlierBits = Double(rows * (outlierColumns?.count ?? 0) * 16)
        return (Double(rows * rowBytes * 8) + scaleBits + zeroBits + outlierBits) / Double(rows * cols)
    }

    /// Checks internal consistency, naming the tensor.
    public func validate(name: String, source: String) throws {
        func bad(_ why: String) -> LowBitError { LowBitError.invalidFile(source, "tensor \(name): \(why)") }
        guard shape.count == 2, shape[0] > 0, shape[1] > 0, shape[0] <= 1 << 24, shape[1] <= 1 << 24 else {
            throw bad("layout shape \(shape) is not a positive 2-D shape")
        }
        guard (1...8).contains(bits) else { throw bad("\(bits)-bit codes are not supported (1…8)") }
        guard table.count == 1 << bits, table.allSatisfy(\.isFinite) else {
            throw bad("the table must hold 2^\(bits) finite values, it has \(table.count)")
        }
        guard packing == "msb-first-rows", scaleDtype == "F16" else {
            throw bad("unsupported packing '\(packing)' or scale dtype '\(scaleDtype)'")
        }
        guard groupSize > 0, groupSize >= codedColumns || groupSize % 8 == 0 else {
            throw bad("group size \(groupSize) must be a multiple of 8 or cover the row")
        }
        guard ["none", "constant", "stored"].contains(zeroPoint) else { throw bad("zero point '\(zeroPoint)'") }
        switch scheme {
        case .codes:
            guard ["integer", "fpx", "lookup"].contains(decoding) else { throw bad("decoding '\(decoding)'") }
            if decoding == "fpx" {
                guard let e = exponentBits, let m = mantissaBits, e >= 1, m >= 0, 1 + e + m == bits else {
                    throw bad("fpx decoding needs exponent_bits + mantissa_bits + 1 = bits")
                }
            }
        case .bipolar:
            guard let p = activationBits, (1...8).contains(p) else { throw bad("activation_bits must be 1…8") }
            guard groupSize >= cols || groupSize % 64 == 0 else { throw bad("bipolar groups must be multiples of 64") }
        case .quik:
            guard let p = activationBits, (2...8).contains(p) else { throw bad("activation_bits must be 2…8") }
            guard let o = outlierColumns, o.count < cols, o == o.sorted(), Set(o).count == o.count,
                  o.allSatisfy({ $0 >= 0 && $0 < cols }) else {
                throw bad("outlier_columns must be distinct ascending indices below \(cols)")
            }
            guard groupSize >= codedColumns, zeroPoint == "constant" else {
                throw bad("quik weights have one scale per row and a constant zero point")
            }
        }
    }
}

/// The checkpoint-level `quantization_config` (Hugging Face style: `quant_method` + parameters).
public struct LowBitQuantizationConfig: Codable, Sendable {
    public var quantMethod: String = "lowbit"
    public var version: Int = 1
    /// The --format given (e.g. "fp6", "nf4", "bipolar-w2a8", "quik-w4a4").
    public var format: String
    /// The default group size of the format (nil: per row).
    public var groupSize: Int?
    public var gptq: Bool
    /// Whether the group scales were tuned on the calibration text (`--tune-scales`); nil in older checkpoints.
    public var tuneScales: Bool?
    /// Whether the calibration statistics came from the partially quantized model, block by block (`--sequential`);
    /// false: one pass of the unquantized model; nil in older checkpoints and without calibration.
    public var sequential: Bool?
    /// Whether each layer's target was the unquantized model's output (`--fp-target`, GPTAQ); nil: its own weights.
    public var fpTarget: Bool?
    public var calibration: String?
    public var calibrationTokens: Int?
    /// What the token embedding / output head became ("int8 g32", "unchanged", or the format).
    public var embeddings: String
    /// Tensors left in floating point by --skip or by rule (norms are never listed).
    public var modulesNotConverted: [String]
    /// The source model file.
    public var source: String
    public var tensors: [String: QuantizedTensorLayout]

    public init(format: String, groupSize: Int?, gptq: Bool, calibration: String?, calibrationTokens: Int?,
                embeddings: String, modulesNotConverted: [String], source: String,
                tensors: [String: QuantizedTensorLayout], tuneScales: Bool? = nil, sequential: Bool? = nil,
                fpTarget: Bool? = nil) {
        self.format = format
        self.groupSize = groupSize
        self.gptq = gptq
        self.tuneScales = tuneScales
        self.sequential = sequential
        self.fpTarget = fpTarget
        self.calibration = calibration
        self.calibrationTokens = calibrationTokens
        self.embeddings = embeddings
        self.modulesNotConverted = modulesNotConverted
        self.source = source
        self.tensors = tensors
    }

    enum CodingKeys: String, CodingKey {
        case quantMethod = "quant_method", version, format, groupSize = "group_size", gptq, calibration
        case tuneScales = "tune_scales", sequential, fpTarget = "fp_target"
        case calibrationTokens = "calibration_tokens", embeddings, modulesNotConverted = "modules_not_converted"
        case source, tensors
    }
}

/// Keys of a LowBit checkpoint's safetensors `__metadata__`.
public enum LowBitCheckpointKeys {
    public static let quantizationConfig = "quantization_config"
    /// JSON object of the source model's metadata under GGUF key names (config and tokenizer).
    public static let modelMetadata = "lowbit.model_metadata"
    public static let qweight = ".qweight"
    public static let scales = ".scales"
    public static let zeros = ".zeros"
    public static let outlierWeight = ".outlier_weight"
}
