import LowBitCore

/// A b-bit code book (b = 1…8): code c decodes to `values[c]` (FLUTE-style lookup-table formats).
///
/// Order: `values` keep the order they were given in, so code c always means the c-th number of the
/// table (codes from an existing checkpoint or another library stay valid). The encoder works on a sorted
/// copy internally.
///
/// Encoding (`encode`) picks the nearest entry. Tie rule: a value exactly halfway between two adjacent
/// entries (midpoint computed in Float64) goes to the LOWER entry, as FLUTE's
/// `torch.searchsorted(pivots, x)` does ("left" side). NaN encodes as the lowest entry; the matrix
/// quantizer rejects NaN before encoding.
public struct LookupTable: Sendable, Hashable, CustomStringConvertible {
    /// Code width b.
    public let bits: Int
    /// 2^b finite, distinct values in code order.
    public let values: [Float]
    /// A short name ("nf4", "uniform3", "custom").
    public let name: String
    /// max |value|; absmax scales map a group's absmax onto it.
    public let maxMagnitude: Float

    /// Sorted values' codes, and Float32 pivots: x ≤ pivots[i] ⇔ x is at most the midpoint of sorted
    /// entries i and i+1 (pivots[i] is the largest Float ≤ that Float64 midpoint). Padded to 2^b with +inf.
    @usableFromInline let sortedCodes: [UInt8]
    @usableFromInline let pivots: [Float]

    /// Validates: 2^b values for some b in 1…8, all finite and distinct (+0 and −0 count as equal).
    public init(values: [Float], name: String = "custom") throws {
        let count = values.count
        guard count >= 2, count <= 256, count & (count - 1) == 0 else {
            throw LowBitError.invalidArgument(
                "lookup table \(name)", "has \(count) values; it needs 2^b values with b in 1…8 (2, 4, …, 256)")
        }
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw LowBitError.invalidArgument("lookup table \(name)", "value \(i) is \(values[i]), not finite")
        }
        let order = values.indices.sorted { values[$0] < values[$1] }
        for k in 1..<count where values[order[k]] == values[order[k - 1]] {
            throw LowBitError.invalidArgument(
                "lookup table \(name)",
                "values \(order[k - 1]) and \(order[k]) are equal (\(values[order[k]])); entries must be distinct")
        }
        self.bits = count.trailingZeroBitCount
        self.values = values
        self.name = name
        self.maxMagnitude = values.map(\.magnitude).max()!
        self.sortedCodes = order.map { UInt8($0) }
        var pivots = [Float](repeating: .infinity, count: count)
        for k in 0..<(count - 1) {
            let mid = (Double(values[order[k]]) + Double(values[order[k + 1]])) / 2
            var p = Float(mid)
            if Double(p) > mid { p = p.nextDown }
            pivots[k] = p
        }
        self.pivots = pivots
    }

    /// Parses a user table: numbers separated by whitespace, commas or newlines ("#" starts a comment
    /// to the end of the line). Same rules as `init(values:)`.
    public init(parsing text: String, name: String = "custom") throws {
        var numbers: [Float] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            for token in content.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" }) {
                guard let v = Float(token) else {
                    throw LowBitError.invalidArgument("lookup table \(name)", "'\(token)' is not a number")
                }
                numbers.append(v)
            }
        }
        try self.init(values: numbers, name: name)
    }

    /// "nf2"…"nf8", "uniformN" / "intN" (N = 1…8), case-insensitive.
    public static func named(_ name: String) throws -> LookupTable {
        let t = name.lowercased()
        func width(_ prefix: String) -> Int? {
            guard t.hasPrefix(prefix), let n = Int(t.dropFirst(prefix.count)) else { return nil }
            return n
        }
        if let b = width("nf") { return try normalFloat(bits: b) }
        if let b = width("uniform") { return try uniform(bits: b) }
        if let b = width("int") { return try integer(bits: b) }
        throw LowBitError.invalidArgument("lookup table", "'\(name)' is not nf2…nf8, uniform1…uniform8 or int1…int8")
    }

    /// 2^b evenly spaced values from −1 to 1: (2c − (2^b − 1)) / (2^b − 1); no zero entry.
    public static func uniform(bits: Int) throws -> LookupTable {
        try checkTableBits(bits, "uniform")
        let top = Double((1 << bits) - 1)
        return try LookupTable(values: (0..<(1 << bits)).map { Float((2 * Double($0) - top) / top) },
                               name: "uniform\(bits)")
    }

    /// The signed integers −2^(b−1) … 2^(b−1) − 1 in two's-complement-free offset order (code c ↦ c − 2^(b−1)).
    public static func integer(bits: Int) throws -> LookupTable {
        try checkTableBits(bits, "int")
        return try LookupTable(values: (0..<(1 << bits)).map { Float($0 - (1 << (bits - 1))) }, name: "int\(bits)")
    }

    public var description: String { "\(name) (\(bits)-bit lookup table)" }

    /// True when the table equals its mirror image {−v}: a negative scale then gives the same grid as a positive
    /// one. NormalFloat tables are not (NF2 = {−1, 0, 0.338, 1}: one negative level, two positive ones).
    public var isSignSymmetric: Bool {
        let sorted = values.sorted()
        return sorted.indices.allSatisfy { sorted[$0] == -sorted[sorted.count - 1 - $0] }
    }

    public static func == (a: LookupTable, b: LookupTable) -> Bool {
        a.values.map(\.bitPattern) == b.values.map(\.bitPattern)
    }

    public func hash(into hasher: inout Hasher) {
        for v in values { hasher.combine(v.bitPattern) }
    }

    @inlinable
    public func decode(_ code: UInt8) -> Float { values[Int(code) & (values.count - 1)] }

    /// Nearest entry's code (ties to the lower entry).
    @inlinable
    public func encode(_ x: Float) -> UInt8 {
        if x.isNaN { return sortedCodes[0] }
        return pivots.withUnsafeBufferPointer { p in
            sortedCodes.withUnsafeBufferPointer { c in Self.search(x, pivots: p.baseAddress!, codes: c.baseAddress!, count: p.count) }
        }
    }

    /// Branch-free binary search: index = number of pivots < x (x not NaN; the padding pivot at count − 1 is
    /// never read).
    @inlinable @inline(__always)
    static func search(_ x: Float, pivots: UnsafePointer<Float>, codes: UnsafePointer<UInt8>, count: Int) -> UInt8 {
        var index = 0
        var step = count &>> 1
        while step > 0 {
            // x > pivot ⇔ pivot − x < 0 (distinct finite floats never subtract to 0): taking the sign bit
            // keeps the compiler from turning this into a branch that mispredicts on every other weight.
            let above = Int((pivots[index &+ step &- 1] - x).bitPattern &>> 31)
            index &+= above &* step
            step &>>= 1
        }
        return codes[index]
    }
}

func checkTableBits(_ bits: Int, _ kind: String) throws {
    guard (1...8).contains(bits) else {
        throw LowBitError.invalidArgument("lookup table", "\(kind) tables need 1…8 bits, not \(bits)")
    }
}

extension LookupTable: ScaledValueEncoder {
    func encode(_ src: UnsafePointer<Float>, count: Int, scale: Float, into dst: UnsafeMutablePointer<UInt8>) {
        pivots.withUnsafeBufferPointer { p in
            sortedCodes.withUnsafeBufferPointer { c in
                let pv = p.baseAddress!, cv = c.baseAddress!, n = p.count
                for i in 0..<count { dst[i] = Self.search(src[i] / scale, pivots: pv, codes: cv, count: n) }
            }
        }
    }
}
