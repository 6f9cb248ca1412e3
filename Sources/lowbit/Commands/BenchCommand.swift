import ArgumentParser

/// `lowbit bench …`: measurements, not tests. Each subcommand prints ratios to a baseline measured in the
/// same run and to the roofline measured in the same run.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed against the baseline and the hardware limit, in one run.",
        subcommands: benchSubcommands
    )
}

/// Each bench lives in its own file (Bench<Name>Command.swift) and is listed here.
let benchSubcommands: [any ParsableCommand.Type] = [
    BenchRooflineCommand.self,
    BenchDecodeCommand.self,
    BenchGemvCommand.self,
    BenchGemmCommand.self,
]
