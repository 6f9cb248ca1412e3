import ArgumentParser
import Foundation
import LowBitCore
import LowBitCUDA

/// `lowbit bench roofline --device cuda`: the ceilings every GPU bench is compared with.
struct BenchRooflineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roofline",
        abstract: "Measure device-memory read/copy bandwidth and cuBLAS FP16 GEMM speed (Llama-2-70B shapes).",
        discussion: """
            Read: a read-only streaming kernel over --read-gib GiB of random data (16-byte loads, grid-stride). \
            Copy: cuMemcpyDtoD and a copy kernel (bytes read + written). GEMM: cuBLAS FP16/BF16 8192³, and FP16 \
            C[N,OC] = X[N,IC]·W[OC,IC]ᵀ for Llama-2-70B's weight shapes at N = 1…256, weights rotated over more \
            than 4× the L2. Every time is the median of many repetitions queued behind a spin kernel (CUDA events).
            """)

    @Option(help: "cuda (auto: cuda if usable, else explain and exit 0; cpu is not measured here).")
    var device: DeviceChoice = .cuda

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "GiB read by the read-bandwidth kernel.")
    var readGib: Double = 4

    @Option(help: "Timed repetitions per measurement.")
    var repetitions: Int = 50

    func validate() throws {
        guard readGib > 0, readGib <= 64 else { throw ValidationError("--read-gib must be in (0, 64]") }
        guard repetitions >= 3, repetitions <= 10_000 else { throw ValidationError("--repetitions must be in 3...10000") }
    }

    struct Report: Codable {
        var device: CUDADeviceProperties
        var date: String
        var read: CUDARoofline.Bandwidth
        var copies: [CUDARoofline.Bandwidth]
        var gemm: [CUDARoofline.GEMMTiming]
        var llama70B: [CUDARoofline.GEMMTiming]
    }

    func run() throws {
        let resolved = try device.resolve()
        guard case .cuda(let context) = resolved else {
            if case .cpu(let note) = resolved { printLine(note ?? "roofline: measures the GPU only") }
            return
        }
        let roofline = try CUDARoofline(context: context)
        let p = context.properties
        printError("roofline on \(p.name): read bandwidth…")
        let read = try roofline.readBandwidth(bytes: Int(readGib * Double(1 << 30)) / 16 * 16, repetitions: max(10, repetitions / 2))
        printError("copy bandwidth…")
        let copies = try roofline.copyBandwidth(bytes: Int(readGib * Double(1 << 30)) / 32 * 16, repetitions: max(10, repetitions / 2))
        printError("cuBLAS 8192³…")
        var gemm: [CUDARoofline.GEMMTiming] = []
        for type in [CUBLASElementType.float16, .bfloat16] {
            gemm.append(try roofline.cublasLinear(rows: 8192, outFeatures: 8192, inFeatures: 8192, type: type, repetitions: 20))
        }
        var llama: [CUDARoofline.GEMMTiming] = []
        for shape in CUDARoofline.llama70BShapes {
            printError("cuBLAS FP16 \(shape.outFeatures)×\(shape.inFeatures)…")
            for n in CUDARoofline.decodeBatches {
                llama.append(try roofline.cublasLinear(rows: n, outFeatures: shape.outFeatures, inFeatures: shape.inFeatures,
                                                       type: .float16, repetitions: repetitions))
            }
        }
        let report = Report(device: p, date: ISO8601DateFormatter().string(from: Date()), read: read, copies: copies,
                            gemm: gemm, llama70B: llama)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            printLine(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        printLine("GPU: \(p.name), \(p.multiprocessorCount) SMs, L2 \(p.l2CacheBytes >> 20) MiB (\(report.date))")
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        func padLeft(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
        }
        func bw(_ b: CUDARoofline.Bandwidth) -> String {
            pad(b.name, 14) + String(format: " %8.1f GB moved  %9.1f µs median  %7.3f TB/s",
                                     Double(b.bytes) / 1e9, b.timing.medianMicroseconds, b.bytesPerSecond / 1e12)
                + (b.timing.hostWasAhead ? "" : "  (host fell behind)")
        }
        printLine(bw(read))
        for c in copies { printLine(bw(c)) }
        for g in gemm {
            printLine("cuBLAS \(g.type) \(g.rows)×\(g.outFeatures)×\(g.inFeatures)"
                + String(format: "  %9.1f µs median  %6.1f TFLOP/s", g.timing.medianMicroseconds, g.teraflopsPerSecond))
        }
        printLine("cuBLAS FP16 linear, Llama-2-70B shapes (C[N,OC] = X[N,IC]·W[OC,IC]ᵀ), median µs; "
            + "roofline = FP16 weight bytes / measured read bandwidth:")
        printLine(pad("OC×IC", 13) + padLeft("roofline", 10) + CUDARoofline.decodeBatches.map { padLeft("N=\($0)", 10) }.joined())
        for shape in CUDARoofline.llama70BShapes {
            let weightBytes = Double(shape.outFeatures * shape.inFeatures * 2)
            let floor = weightBytes / read.bytesPerSecond * 1e6
            var line = pad("\(shape.outFeatures)×\(shape.inFeatures)", 13) + String(format: "%10.1f", floor)
            for n in CUDARoofline.decodeBatches {
                if let g = llama.first(where: { $0.rows == n && $0.outFeatures == shape.outFeatures && $0.inFeatures == shape.inFeatures }) {
                    line += String(format: "%10.1f", g.timing.medianMicroseconds)
                }
            }
            printLine(line)
        }
        if !(llama + gemm).allSatisfy({ $0.timing.hostWasAhead }) || !read.timing.hostWasAhead {
            printLine("note: in some measurements the GPU caught up with the host (times may include launch gaps)")
        }
    }
}
