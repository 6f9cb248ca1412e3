import Foundation
import LowBitCore

/// The safetensors weights of a Hugging Face model folder as one name → tensor view: the shards listed by
/// model.safetensors.index.json's weight_map, else model.safetensors, else every *.safetensors in the folder.
///
/// @unchecked Sendable: immutable after init; the files it holds are themselves read-only.
public final class SafetensorsCollection: @unchecked Sendable {
    public let directory: String
    /// Shard files, in name order.
    public let files: [SafetensorsFile]
    /// The index's "metadata" (e.g. total_size), as strings; empty without an index.
    public let indexMetadata: [String: String]
    private let location: [String: (file: Int, tensor: SafetensorsTensorInfo)]

    public static let indexName = "model.safetensors.index.json"

    public init(directory: String) throws {
        self.directory = directory
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw LowBitError.notFound("\(directory): no such folder")
        }
        let indexPath = directory + "/" + SafetensorsCollection.indexName
        var weightMap: [String: String]? = nil
        var indexMetadata: [String: String] = [:]
        if fm.fileExists(atPath: indexPath) {
            let index = try MappedFile(path: indexPath)
            guard index.count <= 64 << 20 else { throw LowBitError.invalidFile(indexPath, "index of \(index.count) bytes is implausibly large") }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(index.bytes))) as? [String: Any] else {
                throw LowBitError.invalidFile(indexPath, "not a JSON object")
            }
            guard let map = object["weight_map"] as? [String: Any] else {
                throw LowBitError.invalidFile(indexPath, "missing or non-object \"weight_map\"")
            }
            var parsed: [String: String] = [:]
            for (name, value) in map {
                guard let shard = value as? String else { throw LowBitError.invalidFile(indexPath, "weight_map[\"\(name)\"] is not a file name") }
                guard !shard.contains("/"), shard != "..", !shard.isEmpty else {
                    throw LowBitError.invalidFile(indexPath, "weight_map[\"\(name)\"] = \"\(shard)\" is not a plain file name in the folder")
                }
                parsed[name] = shard
            }
            if let meta = object["metadata"] as? [String: Any] {
                for (k, v) in meta { indexMetadata[k] = "\(v)" }
            }
            weightMap = parsed
        }
        self.indexMetadata = indexMetadata

        let shardNames: [String]
        if let weightMap {
            shardNames = Array(Set(weightMap.values)).sorted()
        } else if fm.fileExists(atPath: directory + "/model.safetensors") {
            shardNames = ["model.safetensors"]
        } else {
            let listing = (try? fm.contentsOfDirectory(atPath: directory)) ?? []
            shardNames = listing.filter { $0.hasSuffix(".safetensors") }.sorted()
        }
        guard !shardNames.isEmpty else {
            throw LowBitError.notFound("\(directory): no .safetensors files (and no \(SafetensorsCollection.indexName))")
        }
        var files: [SafetensorsFile] = []
        var location: [String: (file: Int, tensor: SafetensorsTensorInfo)] = [:]
        for (i, shard) in shardNames.enumerated() {
            let file = try SafetensorsFile(path: directory + "/" + shard)
            files.append(file)
            for tensor in file.tensors {
                if let weightMap {
                    // With an index, a tensor belongs to the shard the index names; others are ignored.
                    guard weightMap[tensor.name] == shard else { continue }
                } else if let previous = location[tensor.name] {
                    throw LowBitError.invalidFile(file.path, "tensor \"\(tensor.name)\" also appears in \(files[previous.file].path)")
                }
                location[tensor.name] = (i, tensor)
            }
        }
        if let weightMap {
            for (name, shard) in weightMap.sorted(by: { $0.key < $1.key }) where location[name] == nil {
                throw LowBitError.invalidFile(indexPath, "weight_map puts tensor \"\(name)\" in \(shard), which does not contain it")
            }
        }
        self.files = files
        self.location = location
    }

    /// Tensor names, sorted.
    public var tensorNames: [String] { location.keys.sorted() }

    public var tensorCount: Int { location.count }

    public func tensor(named name: String) -> (file: SafetensorsFile, info: SafetensorsTensorInfo)? {
        location[name].map { (files[$0.file], $0.tensor) }
    }

    public func rawData(_ name: String) -> UnsafeRawBufferPointer? {
        tensor(named: name).map { $0.file.rawData($0.info) }
    }
}
