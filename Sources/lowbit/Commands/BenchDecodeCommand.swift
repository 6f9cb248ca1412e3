import ArgumentParser
import Foundation
import LowBitCore
import LowBitKernels
import LowBitModel

struct BenchDecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode speed of a model next to the memory-read roofline measured in the same run.",
        discussion: """
            Decode reads every weight once per token, so its limit is memory bandwidth: roofline tokens/s = \
            measured read bandwidth / weight bytes per token. Reports the median of the decode steps \
            (greedy, after a short prompt; sampling included, tokenization excluded).
            """)

    @OptionGroup var model: ModelArgument
    @Option(help: "Device: cpu (the only one this command supports so far).")
    var device: String = "cpu"
    @Option(help: "Decode steps to time.")
    var tokens: Int = 64
    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        guard device == "cpu" else { throw ValidationError("--device \(device): only cpu is supported by bench decode") }
        guard tokens >= 1 && tokens <= 4000 else { throw ValidationError("--tokens must be in 1...4000") }
    }

    func run() throws {
        let loaded = try model.load()
        let m = loaded.model
        let cache = m.makeCache(capacity: tokens + 16)
        let prompt = loaded.tokenizer.encode("It is a truth universally acknowledged, that")
        var logits = try m.forward(prompt, cache: cache, logits: .last)
        var sampler = Sampler(SamplingParameters())
        var times: [Double] = []
        let cpuStart = processCPUSeconds()
        for _ in 0..<tokens {
            let start = monotonicSeconds()
            let token = sampler.sample(logits[...])
            logits = try m.forward([token], cache: cache, logits: .last)
            times.append(monotonicSeconds() - start)
        }
        // CPU time of all threads per token: with the cores to itself, wall time per token approaches
        // cpuPerToken / threads; on a shared machine wall time is longer.
        let cpuPerToken = (processCPUSeconds() - cpuStart) / Double(tokens)
        let sorted = times.sorted()
        let median = sorted[sorted.count / 2]
        let mean = times.reduce(0, +) / Double(times.count)
        printError("measuring memory-read bandwidth…")
        let bandwidth = MemoryBandwidth.measureRead()
        let bytes = Double(m.weightBytesPerToken)
        let roofline = bandwidth / bytes
        let tps = 1 / median
        if json {
            let object: [String: Any] = [
                "model": loaded.path, "device": "cpu", "threads": Parallel.threadCount, "decode_tokens": tokens,
                "tokens_per_second_median": tps, "tokens_per_second_mean": 1 / mean,
                "weight_bytes_per_token": Int(bytes), "read_bandwidth_gb_s": bandwidth / 1e9,
                "roofline_tokens_per_second": roofline, "roofline_fraction": tps / roofline,
                "cpu_ms_per_token": cpuPerToken * 1e3,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print(String(format: "decode (cpu, %d threads): %.1f tok/s median, %.1f tok/s mean over %d tokens",
                         Parallel.threadCount, tps, 1 / mean, tokens))
            print(String(format: "CPU time per token (all threads): %.1f ms", cpuPerToken * 1e3))
            print(String(format: "weights per token: %.1f MB; memory-read bandwidth: %.2f GB/s", bytes / 1e6, bandwidth / 1e9))
            print(String(format: "roofline: %.1f tok/s; decode reaches %.0f%% of it", roofline, 100 * tps / roofline))
        }
    }
}

/// CPU seconds used by this process (all threads) so far.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}
