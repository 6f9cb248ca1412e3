import ArgumentParser
import Foundation
import LowBitCore
import LowBitIO

/// `lowbit info [PATH] [--json]`: what a model file holds.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a model file's format, architecture, hyper-parameters and tensors.",
        discussion: """
            PATH is a GGUF file, a safetensors file, or a Hugging Face folder (config.json plus one or more \
            .safetensors files, sharded through model.safetensors.index.json). Without PATH, the default model \
            in the cache (\(InfoCommand.defaultModelPath)). Shapes are row-major (outermost first): a GGUF \
            matrix with dims [576, 1536] shows as [1536, 576].
            """
    )

    @Argument(help: "GGUF file, safetensors file or Hugging Face folder (default: the default model).")
    var path: String?

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    @Flag(help: "Also decode every tensor to Float: report NaN/infinite values and value ranges (exit status 1 if any tensor has non-finite values).")
    var check = false

    /// Where `lowbit fetch` puts the default model.
    static var defaultModelPath: String { DefaultAssets.modelPath }

    func run() throws {
        let target: String
        if let path {
            target = path
        } else {
            target = InfoCommand.defaultModelPath
            guard FileManager.default.fileExists(atPath: target) else {
                throw LowBitError.notFound("the default model is not at \(target): run `lowbit fetch` first, or pass a PATH")
            }
        }
        let summary = try ModelFileSummary.load(path: target)
        let values = check ? try TensorValueCheck.run(path: target) : nil
        print(json ? try InfoCommand.jsonText(summary, check: values) : InfoCommand.text(summary, check: values), terminator: "")
        if let values {
            let rate = Double(values.elements) / max(values.decodeSeconds, 1e-9) / 1e6
            printError("decoded \(InfoCommand.grouped(values.elements)) values in \(String(format: "%.3f", values.decodeSeconds)) s (\(String(format: "%.0f", rate)) M values/s, \(Parallel.threadCount) threads; check total \(String(format: "%.3f", values.seconds)) s)")
            if !values.nonFiniteTensors.isEmpty {
                throw LowBitError.invalidFile(target, "\(values.nonFiniteTensors.count) tensor(s) hold NaN or infinite values: \(values.nonFiniteTensors.prefix(5).map(\.name).joined(separator: ", "))")
            }
        }
    }

    // MARK: Text

    static func text(_ s: ModelFileSummary, check: TensorValueCheck? = nil) -> String {
        var out = ""
        out += "file: \(s.path) (\(grouped(s.fileBytes)) bytes)\n"
        out += "format: \(s.format)\n"
        if let arch = s.architecture { out += "architecture: \(arch)\n" }
        if !s.hyperParameters.isEmpty {
            out += "hyper-parameters:\n"
            let width = s.hyperParameters.map(\.name.count).max() ?? 0
            for (name, value) in s.hyperParameters { out += "  \(pad(name, width))  \(value)\n" }
        }
        if !s.metadata.isEmpty {
            out += "metadata (\(s.metadata.count) keys):\n"
            for (key, value) in s.metadata { out += "  \(key) = \(value.summary)\n" }
        }
        out += "tensors (\(s.tensors.count)):\n"
        let rows = s.tensors.map { [$0.name, $0.type, "[" + $0.shape.map(String.init).joined(separator: ", ") + "]", grouped($0.bytes)] }
        out += table(header: ["name", "type", "shape", "bytes"], rows: rows, rightAligned: [3])
        out += "totals by type:\n"
        let totals = s.totalsByType.map { [$0.type, String($0.tensors), grouped($0.elements), grouped($0.bytes)] }
            + [["all", String(s.tensors.count), grouped(s.totalElements), grouped(s.totalBytes)]]
        out += table(header: ["type", "tensors", "elements", "bytes"], rows: totals, rightAligned: [1, 2, 3])
        if let check {
            out += "values (\(check.stats.count) tensors decoded\(check.skipped.isEmpty ? "" : ", \(check.skipped.count) of undecodable types skipped")):\n"
            let rows = check.stats.map { [$0.name, String($0.nonFinite), String($0.min), String($0.max), String(format: "%.4g", $0.meanAbs)] }
            out += table(header: ["name", "non-finite", "min", "max", "mean |x|"], rows: rows, rightAligned: [1, 2, 3, 4])
            let bad = check.nonFiniteTensors
            out += bad.isEmpty ? "all values finite\n" : "\(bad.count) tensor(s) with NaN or infinite values\n"
        }
        return out
    }

    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }

    static func table(header: [String], rows: [[String]], rightAligned: Set<Int>) -> String {
        let all = [header] + rows
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            "  " + row.indices.map { pad(row[$0], widths[$0], right: rightAligned.contains($0)) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }.joined()
    }

    /// 98362432 → "98,362,432".
    static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    // MARK: JSON

    static func jsonText(_ s: ModelFileSummary, check: TensorValueCheck? = nil) throws -> String {
        var hyper: [String: Any] = [:]
        for (name, value) in s.hyperParameters {
            if let i = Int(value) { hyper[name] = i } else if let d = Double(value), d.isFinite { hyper[name] = d } else { hyper[name] = value }
        }
        var metadata: [String: Any] = [:]
        for (key, value) in s.metadata { metadata[key] = jsonValue(value) }
        var document: [String: Any] = [
            "path": s.path,
            "format": s.format,
            "file_bytes": s.fileBytes,
            "architecture": s.architecture ?? NSNull(),
            "hyper_parameters": hyper,
            "metadata": metadata,
            "tensors": s.tensors.map { ["name": $0.name, "type": $0.type, "shape": $0.shape, "bytes": $0.bytes] as [String: Any] },
            "totals_by_type": s.totalsByType.map { ["type": $0.type, "tensors": $0.tensors, "elements": $0.elements, "bytes": $0.bytes] as [String: Any] },
            "total_elements": s.totalElements,
            "total_bytes": s.totalBytes,
        ]
        if let check {
            document["check"] = [
                "tensors": check.stats.map {
                    ["name": $0.name, "non_finite": $0.nonFinite, "min": Double($0.min), "max": Double($0.max), "mean_abs": $0.meanAbs] as [String: Any]
                },
                "skipped": check.skipped,
                "all_finite": check.nonFiniteTensors.isEmpty,
            ] as [String: Any]
        }
        let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Scalars as JSON values (non-finite floats as strings); arrays up to 16 elements in full, longer ones
    /// as {"type", "count"} so the vocabulary does not flood the output.
    static func jsonValue(_ value: GGUFValue) -> Any {
        switch value {
        case .string(let s): return s
        case .bool(let b): return b
        case .float32(let f): return f.isFinite ? Double(f) as Any : String(f)
        case .float64(let d): return d.isFinite ? d as Any : String(d)
        case .uint64(let v): return v <= UInt64(Int.max) ? Int(v) as Any : String(v)
        case .array(let items):
            if items.count <= 16 { return items.map(jsonValue) }
            return ["type": value.typeName, "count": items.count] as [String: Any]
        default: return value.intValue ?? 0
        }
    }
}
