/// Key-value metadata of a checkpoint (GGUF `general.*`, `llama.*`, `tokenizer.ggml.*`), read through typed
/// accessors so configs and tokenizers do not depend on one file format's value type.
public protocol ModelMetadata {
    func int(_ key: String) -> Int?
    func double(_ key: String) -> Double?
    func string(_ key: String) -> String?
    func bool(_ key: String) -> Bool?
    func strings(_ key: String) -> [String]?
    func ints(_ key: String) -> [Int]?
    func floats(_ key: String) -> [Float]?
}

/// Metadata in a dictionary (tests, and formats that are not GGUF).
public struct DictionaryMetadata: ModelMetadata {
    public var values: [String: Any]
    public init(_ values: [String: Any]) { self.values = values }

    public func int(_ key: String) -> Int? {
        if let v = values[key] as? Int { return v }
        if let v = values[key] as? Double, v == v.rounded() { return Int(v) }
        return nil
    }
    public func double(_ key: String) -> Double? {
        if let v = values[key] as? Double { return v }
        if let v = values[key] as? Float { return Double(v) }
        if let v = values[key] as? Int { return Double(v) }
        return nil
    }
    public func string(_ key: String) -> String? { values[key] as? String }
    public func bool(_ key: String) -> Bool? { values[key] as? Bool }
    public func strings(_ key: String) -> [String]? { values[key] as? [String] }
    public func ints(_ key: String) -> [Int]? { values[key] as? [Int] }
    public func floats(_ key: String) -> [Float]? {
        if let v = values[key] as? [Float] { return v }
        if let v = values[key] as? [Double] { return v.map { Float($0) } }
        return nil
    }
}
