import LowBitCore

/// How many scales a quantized row carries.
///
/// `.perRow` is one scale per output row (TC-FPx, QUIK weights); `.columns(g)` is one scale per `g`
/// consecutive columns of a row (FLUTE uses g = 32, 64, 128, 256). When `g` does not divide the column
/// count, the last group of each row is shorter. Scales are stored row-major as `[rows][groupsPerRow]`.
public enum ScaleGrouping: Sendable, Hashable, CustomStringConvertible {
    case perRow
    case columns(Int)

    /// Columns covered by one scale (the whole row for `.perRow`).
    public func groupSize(columns: Int) -> Int {
        switch self {
        case .perRow: max(columns, 1)
        case .columns(let g): g
        }
    }

    /// Scales per row: ⌈columns / groupSize⌉ (1 for `.perRow`).
    public func groupsPerRow(columns: Int) -> Int {
        switch self {
        case .perRow: 1
        case .columns(let g): (columns + g - 1) / g
        }
    }

    public var description: String {
        switch self {
        case .perRow: "per-row"
        case .columns(let g): "group \(g)"
        }
    }

    /// Parses "row" / "per-row" or a positive group size such as "128".
    public init(parsing text: String, argument: String = "group size") throws {
        let t = text.lowercased()
        if t == "row" || t == "per-row" || t == "perrow" || t == "-1" {
            self = .perRow
        } else if let g = Int(t), g > 0 {
            self = .columns(g)
        } else {
            throw LowBitError.invalidArgument(argument, "'\(text)' is neither 'row' nor a positive group size")
        }
    }

    func validate(_ argument: String) throws {
        if case .columns(let g) = self, g < 1 {
            throw LowBitError.invalidArgument(argument, "group size \(g) must be at least 1")
        }
    }
}

/// Checks that a row-major weight buffer holds rows × columns values.
func checkMatrixShape(_ count: Int, rows: Int, columns: Int, name: String) throws {
    guard rows >= 0, columns >= 0 else {
        throw LowBitError.shapeMismatch("\(name): negative shape [\(rows), \(columns)]")
    }
    let (product, overflow) = rows.multipliedReportingOverflow(by: columns)
    guard !overflow, product == count else {
        throw LowBitError.shapeMismatch("\(name): \(count) values do not form a [\(rows), \(columns)] matrix")
    }
}

/// Describes a non-finite weight for error messages.
func nonFiniteError(_ name: String, row: Int, column: Int, value: Float) -> LowBitError {
    LowBitError.invalidArgument(name, "weight at row \(row), column \(column) is \(value) (NaN and infinity cannot be quantized)")
}

/// Rounds a positive Float32 scale to fp16 bits: 0 (all-zero group, or underflow) becomes 1 so that
/// decoding never divides by zero; a value that overflows fp16 is an error naming the row (and group).
func fp16ScaleBits(_ scale: Float, name: String, row: Int, group: Int, groupsPerRow: Int) throws -> UInt16 {
    let h = Float16(scale)
    if !h.isFinite {
        let place = groupsPerRow == 1 ? "row \(row)" : "row \(row), group \(group)"
        throw LowBitError.invalidArgument(name, "\(place): scale \(scale) overflows fp16 (max 65504)")
    }
    if h == 0 { return Float16(1).bitPattern }
    return h.bitPattern
}
