/// One GGUF metadata value (gguf.md "gguf_metadata_value_type"). Arrays may nest.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case array([GGUFValue])

    /// Any integer (bools too) that fits in Int; nil for floats, strings, arrays.
    public var intValue: Int? {
        switch self {
        case .uint8(let v): Int(v)
        case .int8(let v): Int(v)
        case .uint16(let v): Int(v)
        case .int16(let v): Int(v)
        case .uint32(let v): Int(v)
        case .int32(let v): Int(v)
        case .uint64(let v): Int(exactly: v)
        case .int64(let v): Int(v)
        case .bool(let v): v ? 1 : 0
        default: nil
        }
    }

    /// Any number (integers converted); nil for strings, bools, arrays.
    public var floatValue: Double? {
        switch self {
        case .float32(let v): Double(v)
        case .float64(let v): v
        case .bool: nil
        default: intValue.map(Double.init)
        }
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var arrayValue: [GGUFValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// An array whose elements are all strings.
    public var stringArray: [String]? {
        guard case .array(let items) = self else { return nil }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .string(let s) = item else { return nil }
            out.append(s)
        }
        return out
    }

    /// An array whose elements are all numbers.
    public var floatArray: [Float]? {
        guard case .array(let items) = self else { return nil }
        var out: [Float] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let v = item.floatValue else { return nil }
            out.append(Float(v))
        }
        return out
    }

    /// An array whose elements are all integers.
    public var intArray: [Int]? {
        guard case .array(let items) = self else { return nil }
        var out: [Int] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard let v = item.intValue else { return nil }
            out.append(v)
        }
        return out
    }

    /// GGUF's name of the value's type ("u32", "string", "array[string]").
    public var typeName: String {
        switch self {
        case .uint8: "u8"
        case .int8: "i8"
        case .uint16: "u16"
        case .int16: "i16"
        case .uint32: "u32"
        case .int32: "i32"
        case .uint64: "u64"
        case .int64: "i64"
        case .float32: "f32"
        case .float64: "f64"
        case .bool: "bool"
        case .string: "string"
        case .array(let items): "array[\(items.first?.typeName ?? "")]"
        }
    }

    /// A short human-readable rendering: scalars as is, arrays as their type and length.
    public var summary: String {
        switch self {
        case .string(let s):
            // One line: control characters, quotes and backslashes shown as escapes.
            let shown = s.count > 60 ? String(s.prefix(57)) + "..." : s
            let escaped = shown.unicodeScalars.map { scalar in
                scalar.value < 0x20 || scalar == "\"" || scalar == "\\" ? scalar.escaped(asASCII: false) : String(scalar)
            }.joined()
            return s.count > 60 ? "\"\(escaped)\" (\(s.utf8.count) bytes)" : "\"\(escaped)\""
        case .array(let items): return "\(typeName) × \(items.count)"
        case .bool(let b): return String(b)
        case .float32(let v): return String(v)
        case .float64(let v): return String(v)
        default: return intValue.map(String.init) ?? "\(self)"
        }
    }
}

/// Value type ids as stored in the file.
enum GGUFValueType: UInt32 {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6, bool = 7
    case string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The fewest bytes one value of this type occupies (strings: the u64 length; arrays: type + count).
    var minBytes: Int {
        switch self {
        case .uint8, .int8, .bool: 1
        case .uint16, .int16: 2
        case .uint32, .int32, .float32: 4
        case .uint64, .int64, .float64, .string: 8
        case .array: 12
        }
    }
}
