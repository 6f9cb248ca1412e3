import ArgumentParser
import LowBitCore
import LowBitCUDA

/// Self-tests that need layers above LowBitCUDA (e.g. LowBitModel); one line each, appended after
/// GPUSelfTests.all.
let extraGPUSelfTests: [GPUSelfTest] = ModelGPUSelfTests.all

/// `lowbit selftest --device cuda`: every GPU correctness check in one command.
struct SelftestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Compile every GPU kernel and check each against its CPU reference (exit 1 on any failure).",
        discussion: """
            On the GPU: compiles every embedded kernel for the device (failing on compile errors and \
            undeclared register spills), then runs each self-test on fresh random inputs (odd sizes, outputs \
            poisoned with NaN first, every element checked) and prints one PASS/FAIL line each with its error \
            metric. LOWBIT_SELFTEST_SEED=<n> repeats a run's inputs.
            --compile-only needs no GPU, only NVRTC and the CUDA headers: it compiles every kernel for each \
            --arch (CI: scripts/ci-cuda-compile.sh).
            """)

    @Option(help: "auto, cpu or cuda. auto without a usable GPU falls back to compiling only (if NVRTC is there).")
    var device: DeviceChoice = .cuda

    @Flag(help: "Only compile every kernel (no GPU needed).")
    var compileOnly = false

    @Option(help: "Architectures for --compile-only, comma-separated.")
    var arch: String = "sm_80,sm_90a"

    @Option(help: "Run only the self-tests whose name contains this text.")
    var filter: String?

    @Flag(help: "List the self-tests and kernel sources, then exit.")
    var list = false

    func run() throws {
        let tests = (GPUSelfTests.all + extraGPUSelfTests).filter { filter == nil || $0.name.contains(filter!) }
        if list {
            for s in CUDAKernelSources.all { printLine("kernel source \(s.name).cu: \(s.kernels.joined(separator: ", "))") }
            for t in tests { printLine("selftest \(t.name)") }
            return
        }
        if compileOnly {
            let archs = try arch.split(separator: ",").map { try CUDAArchitecture.parse(String($0).trimmingCharacters(in: .whitespaces)) }
            if try !compileAll(architectures: archs) { throw ExitCode.failure }
            return
        }
        if device == .cpu {
            throw LowBitError.invalidArgument("--device", "selftest checks GPU kernels; the CPU kernels are checked by scripts/test.sh")
        }
        let resolved = try device.resolve()
        guard case .cuda(let context) = resolved else {
            if case .cpu(let note?) = resolved { printError(note) }
            if let reason = NVRTC.unavailableReason {
                printLine("selftest --device auto: no GPU and no NVRTC, nothing to check (\(reason))")
                return
            }
            printError("selftest: no GPU, compiling the kernels only")
            if try !compileAll(architectures: [CUDAArchitecture("sm_80"), CUDAArchitecture("sm_90a")]) { throw ExitCode.failure }
            return
        }
        let p = context.properties
        printLine("GPU \(p.ordinal): \(p.name), compute capability \(p.computeCapability), kernels for \(p.architecture)")
        var failures = 0
        if try !compileAll(architectures: [p.architecture]) { failures += 1 }
        let results = try GPUSelfTestRunner.run(tests, context: context) { printLine($0) }
        failures += results.filter { !$0.passed }.count
        printLine("\(results.filter(\.passed).count) of \(results.count) self-tests passed\(failures > 0 ? "; \(failures) failure(s)" : "")")
        if failures > 0 { throw ExitCode.failure }
    }

    /// Compiles every registered source for each architecture; prints one line per (source, arch) and one per
    /// kernel with registers and spills. False when any compile failed or spilled beyond its allowance.
    func compileAll(architectures: [CUDAArchitecture]) throws -> Bool {
        let nvrtc = try NVRTC.shared()
        printLine("NVRTC \(nvrtc.versionString) (\(nvrtc.libraryPath)), headers \(nvrtc.includeDirectory ?? "not found")")
        var ok = true
        for architecture in architectures {
            for source in CUDAKernelSources.all {
                let start = monotonicSeconds()
                do {
                    let compiled = try nvrtc.compile(source, architecture: architecture)
                    let violations = compiled.spillViolations
                    let seconds = String(format: "%.1f", monotonicSeconds() - start)
                    printLine("\(violations.isEmpty ? "PASS" : "FAIL")  compile \(source.name).cu for \(architecture): "
                        + "\(source.kernels.count) kernels, \(compiled.cubin.count) bytes (\(seconds) s)")
                    let resources = compiled.resources
                    for kernel in source.kernels {
                        if let r = resources[kernel] {
                            printLine("      \(kernel): \(r.registers) registers, \(r.stackFrameBytes) B stack, "
                                + "\(r.spillStoreBytes)/\(r.spillLoadBytes) B spill stores/loads")
                        } else {
                            printLine("      \(kernel): no ptxas report")
                        }
                    }
                    for v in violations { printLine("      spill not allowed: \(v)") }
                    if !violations.isEmpty { ok = false }
                } catch {
                    printLine("FAIL  compile \(source.name).cu for \(architecture): \(error)")
                    ok = false
                }
            }
        }
        return ok
    }
}
