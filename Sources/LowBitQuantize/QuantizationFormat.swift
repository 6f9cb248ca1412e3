import Foundation
import LowBitCore
import LowBitFormats

/// A target format as named on the command line.
public enum QuantizationFormat: Sendable, Equatable {
    /// TC-FPx: fp6 (= e3m2), fp5 (= e2m2), fpeXmY; per-row fp16 scales by default.
    case fpx(FPxFormat)
    /// FLUTE-style lookup table (nf4/nf3/nf2 or lut4/3/2 with --table), group scales (default 128).
    case lut(LookupTable)
    /// Uniform asymmetric integers with group scales and zero points (default group 128).
    case int(bits: Int)
    /// Bipolar-INT weights of N bits, activations of M bits per token at run time (default group 128).
    case bipolar(weightBits: Int, activationBits: Int)
    /// QUIK W4A4: GPTQ int4 weights (int8 for down_proj), fp16 outlier columns, per-token 4-bit activations.
    case quik

    /// Whether group scales may be negative (a mirrored table): lookup tables that are not sign-symmetric, where it
    /// removes a same-sign rounding bias (NF2: docs/quality.md). `lowbit quantize` turns it on for these by default.
    public var allowsSignedScales: Bool {
        if case .lut(let t) = self { return !t.isSignSymmetric }
        return false
    }

    /// Parses `--format` (and `--table FILE` for lut2/3/4).
    public static func parse(_ text: String, tableFile: String? = nil) throws -> QuantizationFormat {
        let name = text.lowercased()
        func table(_ bits: Int) throws -> LookupTable {
            guard let tableFile else {
                throw LowBitError.invalidArgument("--table", "\(name) needs --table FILE with \(1 << bits) numbers")
            }
            guard let data = FileManager.default.contents(atPath: tableFile) else {
                throw LowBitError.notFound("--table: cannot read \(tableFile)")
            }
            let t = try LookupTable(parsing: String(decoding: data, as: UTF8.self), name: "lut\(bits)")
            guard t.bits == bits else {
                throw LowBitError.invalidArgument("--table", "\(tableFile) holds \(t.values.count) values; \(name) needs \(1 << bits)")
            }
            return t
        }
        if tableFile != nil && !name.hasPrefix("lut") {
            throw LowBitError.invalidArgument("--table", "only the lut2/lut3/lut4 formats take a table (format is \(text))")
        }
        switch name {
        case "nf4", "nf3", "nf2": return .lut(try LookupTable.named(name))
        case "lut4": return .lut(try table(4))
        case "lut3": return .lut(try table(3))
        case "lut2": return .lut(try table(2))
        case "int8": return .int(bits: 8)
        case "int4": return .int(bits: 4)
        case "int3": return .int(bits: 3)
        case "int2": return .int(bits: 2)
        case "quik-w4a4": return .quik
        default: break
        }
        if name.hasPrefix("bipolar-w"), let a = name.lastIndex(of: "a"), a > name.index(name.startIndex, offsetBy: 9) {
            let w = Int(name[name.index(name.startIndex, offsetBy: 9)..<a]), act = Int(name[name.index(after: a)...])
            if let w, let act, (1...8).contains(w), (1...8).contains(act) {
                return .bipolar(weightBits: w, activationBits: act)
            }
            throw LowBitError.invalidArgument("--format", "'\(text)': bipolar-wNaM needs N and M in 1…8 (e.g. bipolar-w2a8)")
        }
        if name.hasPrefix("fp") {
            do {
                return .fpx(try FPxFormat(parsing: name))
            } catch let e as LowBitError {
                throw LowBitError.invalidArgument("--format", "'\(text)': \(e.message)")
            }
        }
        throw LowBitError.invalidArgument(
            "--format", "unknown format '\(text)' (known: fp6, fp5, fpeXmY, nf4, nf3, nf2, lut4/3/2 --table FILE, int8, int4, int3, int2, bipolar-wNaM, quik-w4a4)")
    }

    /// Weight-only formats can also quantize embeddings; the others quantize activations.
    public var isWeightOnly: Bool {
        switch self {
        case .fpx, .lut, .int: true
        case .bipolar, .quik: false
        }
    }

    /// Columns per scale when --group-size is not given (nil: one scale per row).
    public var defaultGroupSize: Int? {
        switch self {
        case .fpx, .quik: nil
        case .lut, .int, .bipolar: 128
        }
    }

}

/// Everything `lowbit quantize` was asked to do.
public struct QuantizeOptions: Sendable {
    public var formatName: String
    public var format: QuantizationFormat
    /// nil: the format's default (`defaultGroupSize`); 0 means one scale per row.
    public var groupSize: Int?
    public var gptq: Bool
    public var calibrationPath: String?
    public var calibrationTokens: Int
    public var calibrationContext: Int
    public var outliers: Int
    public var skipPatterns: [String]
    public var quantizeEmbeddings: Bool
    public var tuneScales: Bool
    /// Lookup tables that are not sign-symmetric (nf*, asymmetric lut*): each group scale may be negative (the
    /// mirrored table) when that lowers the group's error (`LUTMatrix.quantize(signedScales:)`).
    public var signedScales: Bool
    /// Sequential calibration: the layers are quantized block by block in the model's order, each on its inputs in the
    /// model whose earlier layers are already quantized (`SequentialCalibration.swift`). Needs --gptq or --tune-scales.
    public var sequential: Bool
    /// With `sequential`: each layer targets the unquantized model's output, ‖W X − Ŵ X̃‖² (GPTAQ).
    public var fpTarget: Bool
    /// λ of the --fp-target W* = W + W D (H̃ + λ·mean(diag H̃)·I)⁻¹.
    public var fpTargetDampening: Double
    /// Progress lines on stderr.
    public var showProgress: Bool

    public init(formatName: String, format: QuantizationFormat, groupSize: Int? = nil, gptq: Bool = false,
                calibrationPath: String? = nil, calibrationTokens: Int = 2048, calibrationContext: Int = 512,
                outliers: Int = 256, skipPatterns: [String] = [], quantizeEmbeddings: Bool = false,
                tuneScales: Bool = false, signedScales: Bool = false, sequential: Bool = false, fpTarget: Bool = false,
                fpTargetDampening: Double = 0.01, showProgress: Bool = true) {
        self.formatName = formatName
        self.format = format
        self.groupSize = groupSize
        self.gptq = gptq
        self.calibrationPath = calibrationPath
        self.calibrationTokens = calibrationTokens
        self.calibrationContext = calibrationContext
        self.outliers = outliers
        self.skipPatterns = skipPatterns
        self.quantizeEmbeddings = quantizeEmbeddings
        self.tuneScales = tuneScales
        self.signedScales = signedScales
        self.sequential = sequential
        self.fpTarget = fpTarget
        self.fpTargetDampening = fpTargetDampening
        self.showProgress = showProgress
    }

    /// The group size in effect (nil = per row).
    public var effectiveGroupSize: Int? {
        if let g = groupSize { return g == 0 ? nil : g }
        return format.defaultGroupSize
    }

    public var usesCalibration: Bool { gptq || format == .quik || tuneScales }

    /// Formats that `--sequential` can quantize: their layers' dequantized weights are what the model computes with
    /// (weight-only code formats; bipolar-* and quik-w4a4 also quantize activations).
    public var supportsSequential: Bool {
        switch format {
        case .lut, .int, .fpx: true
        case .bipolar, .quik: false
        }
    }

    /// Formats where `--sequential --fp-target` is the default with --gptq/--tune-scales: the integer and table formats,
    /// where it measured better (int2/nf2/int3/nf3, docs/quality.md). TC-FPx keeps one pass: fp6 --gptq measured
    /// +1.65 % perplexity in one pass, +2.18 % sequential and +3.10 % with the fp target.
    public var sequentialByDefault: Bool {
        switch format {
        case .lut, .int: true
        case .fpx, .bipolar, .quik: false
        }
    }

    /// Formats whose group scales --tune-scales can search (lookup tables, asymmetric integers, bipolar-INT weights).
    public var supportsScaleTuning: Bool {
        switch format {
        case .lut, .int, .bipolar: true
        case .fpx, .quik: false
        }
    }

    /// Rejects impossible combinations before any work, naming the flag.
    public func validate() throws {
        if let g = groupSize, g != 0 {
            guard g >= 8, g % 8 == 0, g <= 1 << 20 else {
                throw LowBitError.invalidArgument("--group-size", "\(g) must be a multiple of 8 (32, 64, 128, 256) or 'row'")
            }
            if case .bipolar = format, g % 64 != 0 {
                throw LowBitError.invalidArgument("--group-size", "bipolar formats need a multiple of 64 (got \(g))")
            }
            if format == .quik {
                throw LowBitError.invalidArgument("--group-size", "quik-w4a4 uses one scale per row")
            }
        }
        if tuneScales && !supportsScaleTuning {
            let why: String
            switch format {
            case .fpx: why = "its per-row scale is fixed by the TC-FPx definition fp16(row absmax / max)"
            default: why = "QUIK's weights come from GPTQ with per-row scales"
            }
            throw LowBitError.invalidArgument(
                "--tune-scales", "tunes the group scales of the lookup-table, integer and bipolar formats (nf*, lut*, int*, bipolar-*), not \(formatName): \(why)")
        }
        if signedScales, case .lut = format {} else if signedScales {
            throw LowBitError.invalidArgument("--signed-scales", "is for the lookup-table formats (nf*, lut*), not \(formatName)")
        }
        if usesCalibration && calibrationPath == nil {
            let who = format == .quik ? "quik-w4a4" : gptq ? "--gptq" : "--tune-scales"
            throw LowBitError.invalidArgument("--calibration", "\(who) needs --calibration FILE (a UTF-8 text)")
        }
        if !usesCalibration && calibrationPath != nil {
            throw LowBitError.invalidArgument("--calibration", "is only used with --gptq, --tune-scales or quik-w4a4")
        }
        if sequential && !supportsSequential {
            throw LowBitError.invalidArgument("--sequential", "is for --gptq / --tune-scales of the integer, lookup-table and fp formats (int*, nf*, lut*, fp*), not \(formatName)")
        }
        if sequential && !usesCalibration {
            throw LowBitError.invalidArgument("--sequential", "orders the calibration of --gptq or --tune-scales; without either there is none")
        }
        if fpTarget && !sequential {
            throw LowBitError.invalidArgument("--fp-target", "needs --sequential (the unquantized model's inputs are compared with the partially quantized model's)")
        }
        guard fpTargetDampening > 0, fpTargetDampening <= 100, fpTargetDampening.isFinite else {
            throw LowBitError.invalidArgument("--fp-target-dampening", "\(fpTargetDampening) must be in (0, 100]")
        }
        guard calibrationTokens >= 64 else {
            throw LowBitError.invalidArgument("--calibration-tokens", "\(calibrationTokens) is too few (at least 64)")
        }
        guard outliers >= 0 else { throw LowBitError.invalidArgument("--outliers", "must be ≥ 0 (got \(outliers))") }
        if outliers != 256 && format != .quik {
            throw LowBitError.invalidArgument("--outliers", "only quik-w4a4 keeps outlier columns")
        }
        if quantizeEmbeddings && !format.isWeightOnly {
            throw LowBitError.invalidArgument("--quantize-embeddings", "\(formatName) quantizes activations; embeddings need a weight-only format")
        }
    }
}
