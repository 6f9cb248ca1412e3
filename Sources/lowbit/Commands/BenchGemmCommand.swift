import ArgumentParser
import Foundation
import LowBitCore
import LowBitCUDA

/// `lowbit bench gemm --device cuda --format fp6`: weight-only GEMM speed against the read roofline and cuBLAS
/// FP16, both measured in the same run. Format-generic through `GPUWeightOnlyGemm`.
struct BenchGemmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gemm",
        abstract: "Time a weight-only GPU GEMM format against the memory roofline and cuBLAS FP16.",
        discussion: """
            For each shape OC×IC and batch N: Y[N,OC] = X[N,IC]·Ŵᵀ with random weights of --format (every code \
            equally likely) and random activations. Each time is the median of --repetitions launches queued \
            behind a spin kernel (CUDA events), with enough weight copies rotated to exceed 4× the L2. Reported: \
            time, weight bandwidth (weight bytes / time), fraction of the roofline (weight bytes / read bandwidth \
            measured in this run, over the time), cuBLAS FP16 time on FP16 weights of the same shape and speed-up. \
            Per format and shape, a "read kernel" line: one launch of the backend's read-only streaming kernel \
            (lowbit_read_sum, written for large buffers) over the same number of bytes, timed the same way (launch, \
            ramp and tail included, no CUDA graph): a reference for what one launch that only reads these bytes \
            takes in this harness, not a proven lower bound.
            Default shapes: Llama-2-70B (8192×8192, 10240×8192, 57344×8192, 8192×28672).
            """)

    @Option(help: "cuda (this bench measures the GPU only).")
    var device: DeviceChoice = .cuda

    @Option(help: "Weight format(s), comma-separated (fp6, fp5, fp4, fpe2m3, …; FLUTE: nf4, nf3, nf2, lut4, lut3, lut2).")
    var format: String = "fp6"

    // FLUTE (flute branch): scale group size of nf*/lut* formats, appended to their names (nf4 → nf4g64).
    @Option(name: .customLong("group-size"), help: "FLUTE formats only: scale group size 32, 64, 128, 256 or 'row' (default 128).")
    var groupSize: String?

    @Option(help: "Shapes OCxIC, comma-separated.")
    var shapes: String = "8192x8192,10240x8192,57344x8192,8192x28672"

    @Option(help: "Batch sizes N, comma-separated.")
    var batches: String = "1,2,4,8,16,32,64,128,256,512,1024,4096"

    @Option(help: "Activation type: f16 or bf16 (the cuBLAS baseline uses the same type).")
    var activation: String = "f16"

    @Option(help: "TC-FPx and FLUTE: kernel path(s), comma-separated: auto, fused, dequant+cublas, wgmma.")
    var path: String = "auto"

    @Option(help: "TC-FPx fused path only: forced K splits to sweep, comma-separated (default: the planner's).")
    var splits: String?

    @Option(help: "Timed repetitions per measurement.")
    var repetitions: Int = 50

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Codable {
        var format: String
        var path: String
        var outFeatures: Int
        var inFeatures: Int
        var batch: Int
        var plan: String
        var microseconds: Double
        var weightBytes: Int
        var weightGBps: Double
        var rooflineMicroseconds: Double
        var rooflineFraction: Double
        var cublasMicroseconds: Double
        var speedupOverCublas: Double
        var hostWasAhead: Bool
        /// The backend's read-only streaming kernel over the same number of bytes (rotated copies), timed the same
        /// way: what one launch that only reads these bytes takes in this harness (launch, ramp and tail included).
        /// A reference, not a lower bound (the kernel is written for large buffers).
        var readKernelMicroseconds: Double
    }

    struct Report: Codable {
        var device: String
        var date: String
        var readBandwidthGBps: Double
        var activation: String
        var rows: [Row]
    }

    static func parseList(_ text: String, _ flag: String) throws -> [Int] {
        let values = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let ints = values.compactMap { Int($0) }
        guard !values.isEmpty, ints.count == values.count, ints.allSatisfy({ $0 > 0 && $0 <= 1 << 20 }) else {
            throw LowBitError.invalidArgument(flag, "'\(text)' must be positive integers separated by commas")
        }
        return ints
    }

    static func parseShapes(_ text: String) throws -> [(Int, Int)] {
        try text.split(separator: ",").map { item in
            let parts = item.lowercased().split(separator: "x").map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let oc = parts[0], let ic = parts[1], oc > 0, ic > 0, oc <= 1 << 20, ic <= 1 << 20 else {
                throw LowBitError.invalidArgument("--shapes", "'\(item)' is not OCxIC (e.g. 8192x8192)")
            }
            return (oc, ic)
        }
    }

    func run() throws {
        guard repetitions >= 3, repetitions <= 10_000 else {
            throw LowBitError.invalidArgument("--repetitions", "\(repetitions) must be in 3...10000")
        }
        let shapeList = try Self.parseShapes(shapes)
        let batchList = try Self.parseList(batches, "--batches")
        let splitList: [Int?] = try splits.map { try Self.parseList($0, "--splits") } ?? [nil]
        guard let act = GPUActivationType(rawValue: activation.lowercased()) else {
            throw LowBitError.invalidArgument("--activation", "'\(activation)' is not f16 or bf16")
        }
        let paths = try path.split(separator: ",").map { p -> TCFPxPath in
            guard let v = TCFPxPath(rawValue: String(p)), FLUTEPath(rawValue: String(p)) != nil else {
                throw LowBitError.invalidArgument("--path", "'\(p)' is not auto, fused, dequant+cublas or wgmma")
            }
            return v
        }
        let formats = format.split(separator: ",").map { name -> String in
            // FLUTE (flute branch): --group-size G turns a bare nf4/lut3/… into nf4gG.
            let n = String(name)
            guard let g = groupSize, ["nf4", "nf3", "nf2", "lut4", "lut3", "lut2"].contains(n.lowercased()) else { return n }
            return n + (g == "row" ? "grow" : "g" + g)
        }
        let builders = try formats.map { try GPUWeightOnlyGemmRegistry.builder(for: $0) }

        let resolved = try device.resolve()
        guard case .cuda(let context) = resolved else {
            throw LowBitError.invalidArgument("--device", "bench gemm measures the GPU: use --device cuda")
        }
        let p = context.properties
        let stream = try context.makeStream()
        let roofline = try CUDARoofline(context: context, stream: stream)
        let core = try CoreKernels(context: context)
        printError("bench gemm on \(p.name): read bandwidth…")
        let read = try roofline.readBandwidth(bytes: 2 << 30, repetitions: 10)
        let blasType: CUBLASElementType = act == .bfloat16 ? .bfloat16 : .float16
        let blas = try context.cublas(stream: stream)
        let maxBatch = batchList.max()!
        var rows: [Row] = []

        for (oc, ic) in shapeList {
            // Activations and outputs, shared by every measurement of this shape.
            let x = try context.allocate(bytes: maxBatch * ic * 2)
            try core.fillUniform(x, count: maxBatch * ic, type: blasType, seed: 7, scale: 1, stream: stream)
            let y = try context.allocate(bytes: maxBatch * oc * 2)

            // cuBLAS baseline: dense weights of the activation type, rotated beyond the L2.
            printError("cuBLAS \(blasType.rawValue) \(oc)×\(ic)…")
            let denseBytes = oc * ic * 2
            let denseCopies = CUDATimer.rotationCount(bytesPerSet: denseBytes, l2Bytes: p.l2CacheBytes)
            var dense: [CUDABuffer] = []
            for i in 0..<denseCopies {
                let w = try context.allocate(bytes: denseBytes)
                try core.fillUniform(w, count: oc * ic, type: blasType, seed: UInt64(100 + i), scale: 0.05, stream: stream)
                dense.append(w)
            }
            var cublasTimes: [Int: CUDATiming] = [:]
            for n in batchList {
                cublasTimes[n] = try CUDATimer.measure(context: context, stream: stream, repetitions: repetitions) { i in
                    try blas.linear(x: x, w: dense[i % denseCopies], out: y, rows: n, outFeatures: oc, inFeatures: ic,
                                    inputType: blasType)
                }
            }
            dense.removeAll()

            for (formatName, builder) in zip(formats, builders) {
                printError("\(formatName) \(oc)×\(ic): preparing weights…")
                let prepStart = monotonicSeconds()
                let first = try builder.makeRandom(format: formatName, outFeatures: oc, inFeatures: ic, seed: 1, context: context)
                let prepSeconds = monotonicSeconds() - prepStart
                printError(String(format: "  one copy (random codes, pack, upload): %.2f s = %.0f M weights/s on %d threads",
                                  prepSeconds, Double(oc * ic) / prepSeconds / 1e6, Parallel.threadCount))
                let copies = CUDATimer.rotationCount(bytesPerSet: first.weightBytes, l2Bytes: p.l2CacheBytes)
                var gemms: [any GPUWeightOnlyGemm] = [first]
                for i in 1..<copies {
                    gemms.append(try builder.makeRandom(format: formatName, outFeatures: oc, inFeatures: ic,
                                                        seed: UInt64(1 + i), context: context))
                }
                let floorUS = Double(first.weightBytes) / read.bytesPerSecond * 1e6
                // The same bytes through the read kernel, one launch per repetition, copies rotated beyond the L2.
                let readBytes = (first.weightBytes + 15) / 16 * 16
                let readCopies = CUDATimer.rotationCount(bytesPerSet: readBytes, l2Bytes: p.l2CacheBytes)
                var readBuffers: [CUDABuffer] = []
                for i in 0..<readCopies {
                    let b = try context.allocate(bytes: readBytes)
                    try core.fillRandomWords(b, count: readBytes / 4, seed: UInt64(0x5EED + i), stream: stream)
                    readBuffers.append(b)
                }
                let readSum = try context.allocate(UInt32.self, count: 1)
                let readKernelUS = try CUDATimer.measure(context: context, stream: stream, repetitions: repetitions) { i in
                    try core.readSum(readBuffers[i % readCopies], into: readSum, stream: stream)
                }.medianMicroseconds
                readBuffers.removeAll()
                if !json {
                    printLine(String(format: "read kernel %@ %d×%d: %.1f MB read-only in one launch %.1f µs (%.2f TB/s; roofline %.1f µs)",
                                     formatName as NSString, oc, ic, Double(readBytes) / 1e6, readKernelUS,
                                     Double(readBytes) / readKernelUS / 1e6, floorUS))
                }
                for n in batchList {
                    let usedPaths: [TCFPxPath?] = first is TCFPxGemm || first is FLUTEGemm ? paths : [nil]
                    for pth in usedPaths {
                        for split in first is TCFPxGemm && pth == .fused ? splitList : [nil] {
                            for g in gemms { (g as? TCFPxGemm)?.forcedSplits = split }
                            // Plan and compile for every copy first, so no timed repetition pays for it.
                            for g in gemms {
                                try Self.encode(g, x: x.pointer(), y: y.pointer(), batch: n, activation: act, stream: stream, path: pth)
                            }
                            let timing = try CUDATimer.measure(context: context, stream: stream, repetitions: repetitions) { i in
                                try Self.encode(gemms[i % copies], x: x.pointer(), y: y.pointer(), batch: n, activation: act,
                                                stream: stream, path: pth)
                            }
                            let planText: String
                            if let t = first as? TCFPxGemm, let pth {
                                planText = t.plan(batch: n, activation: act, path: pth)
                            } else if let f = first as? FLUTEGemm, let pth {
                                planText = f.plan(batch: n, path: FLUTEPath(rawValue: pth.rawValue)!)
                            } else {
                                planText = first.plan(batch: n)
                            }
                            let us = timing.medianMicroseconds
                            let blasUS = cublasTimes[n]!.medianMicroseconds
                            rows.append(Row(format: formatName, path: pth?.rawValue ?? "auto", outFeatures: oc, inFeatures: ic,
                                            batch: n, plan: planText, microseconds: us, weightBytes: first.weightBytes,
                                            weightGBps: Double(first.weightBytes) / us / 1e3,
                                            rooflineMicroseconds: floorUS, rooflineFraction: floorUS / us,
                                            cublasMicroseconds: blasUS, speedupOverCublas: blasUS / us,
                                            hostWasAhead: timing.hostWasAhead && cublasTimes[n]!.hostWasAhead,
                                            readKernelMicroseconds: readKernelUS))
                            if !json { printLine(Self.format(rows.last!)) }
                        }
                        for g in gemms { (g as? TCFPxGemm)?.forcedSplits = nil }
                    }
                }
            }
        }
        let report = Report(device: p.name, date: ISO8601DateFormatter().string(from: Date()),
                            readBandwidthGBps: read.bytesPerSecond / 1e9, activation: act.rawValue, rows: rows)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            printLine(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            printLine(String(format: "read roofline %.3f TB/s on %@ (%@)", read.bytesPerSecond / 1e12, p.name as NSString,
                             report.date as NSString))
            if !rows.allSatisfy(\.hostWasAhead) {
                printLine("note: * = the GPU caught up with the host in that measurement (times may include launch gaps)")
            }
        }
    }

    /// One call on the requested path (TC-FPx and FLUTE share the path names).
    static func encode(_ g: any GPUWeightOnlyGemm, x: CUDADevicePointer, y: CUDADevicePointer, batch: Int,
                       activation: GPUActivationType, stream: CUDAStream, path: TCFPxPath?) throws {
        if let t = g as? TCFPxGemm, let path {
            try t.encode(x: x, y: y, batch: batch, activation: activation, stream: stream, path: path)
        } else if let f = g as? FLUTEGemm, let path {
            try f.encode(x: x, y: y, batch: batch, activation: activation, stream: stream, path: FLUTEPath(rawValue: path.rawValue)!)
        } else {
            try g.encode(x: x, y: y, batch: batch, activation: activation, stream: stream)
        }
    }

    static func format(_ r: Row) -> String {
        String(format: "%-7@ %-15@ %6d×%-6d N=%-5d %9.1f µs %7.1f GB/s %5.1f%% roof  cuBLAS %9.1f µs  %5.2f×%@ %@",
               r.format as NSString, r.path as NSString, r.outFeatures, r.inFeatures, r.batch, r.microseconds,
               r.weightGBps, 100 * r.rooflineFraction, r.cublasMicroseconds, r.speedupOverCublas,
               (r.hostWasAhead ? " " : "*") as NSString, r.plan as NSString)
    }
}
