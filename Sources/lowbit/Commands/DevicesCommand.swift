import ArgumentParser
import Foundation
import LowBitCore
import LowBitCUDA

/// `--device auto|cpu|cuda` parsing for every command (LowBitCUDA.DeviceChoice).
extension DeviceChoice: ExpressibleByArgument {
    public init?(argument: String) {
        guard let choice = try? DeviceChoice.parse(argument) else { return nil }
        self = choice
    }
}

/// Writes one line straight to standard output (unbuffered: nothing is lost if the process dies later,
/// which matters on the GPU machine where a fault can kill the process).
func printLine(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { bytes in
        var offset = 0
        while offset < bytes.count {
            let written = write(1, bytes.baseAddress! + offset, bytes.count - offset)
            if written <= 0 { break }
            offset += written
        }
    }
}

/// `lowbit devices`: the GPUs CUDA sees, or why none is usable. Exits 0 either way (it is a report).
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List CUDA GPUs (name, memory, SMs, compute capability) and the driver, NVRTC and cuBLAS found.",
        discussion: """
            Loads libcuda, libnvrtc and libcublas with dlopen (LOWBIT_NVRTC_PATH, LOWBIT_CUBLAS_PATH and \
            LOWBIT_CUDA_INCLUDE override the search). When no GPU is usable it says why and still exits 0; \
            commands given --device cuda then fail with that reason, and --device auto uses the CPU.
            """)

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let report = DevicesReport.gather()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            printLine(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            printLine(report.text)
        }
    }
}

struct DevicesReport: Codable {
    var driver: String?
    var driverVersion: String?
    var cudaUnavailable: String?
    var nvrtc: String?
    var nvrtcVersion: String?
    var nvrtcIncludeDirectory: String?
    var nvrtcUnavailable: String?
    var cublas: String?
    var cublasUnavailable: String?
    var devices: [CUDADeviceProperties] = []

    static func gather() -> DevicesReport {
        var r = DevicesReport()
        do {
            let nvrtc = try NVRTC.shared()
            r.nvrtc = nvrtc.libraryPath
            r.nvrtcVersion = nvrtc.versionString
            r.nvrtcIncludeDirectory = nvrtc.includeDirectory
        } catch { r.nvrtcUnavailable = "\(error)" }
        do {
            let cuda = try CUDA.shared()
            r.driverVersion = "\(cuda.driverVersion.major).\(cuda.driverVersion.minor)"
            for i in 0..<cuda.deviceCount { r.devices.append(try cuda.deviceProperties(i)) }
            if let ctx = try? cuda.context() {
                do {
                    let blas = try ctx.cublas()
                    r.cublas = "\(blas.version / 10000).\((blas.version / 100) % 100).\(blas.version % 100)"
                } catch { r.cublasUnavailable = "\(error)" }
            }
        } catch { r.cudaUnavailable = "\(error)" }
        return r
    }

    var text: String {
        var lines: [String] = []
        if let reason = cudaUnavailable {
            lines.append("No CUDA GPU usable: \(reason)")
        } else {
            lines.append("Driver: CUDA \(driverVersion ?? "?")")
        }
        if let v = nvrtcVersion {
            lines.append("NVRTC: \(v) (\(nvrtc ?? "?")), headers: \(nvrtcIncludeDirectory ?? "NOT FOUND (kernels cannot compile; set LOWBIT_CUDA_INCLUDE)")")
        } else {
            lines.append("NVRTC: \(nvrtcUnavailable ?? "not found") (kernels cannot be compiled)")
        }
        if let v = cublas { lines.append("cuBLAS: \(v)") } else if let why = cublasUnavailable { lines.append("cuBLAS: \(why)") }
        for d in devices {
            let gib = Double(d.totalMemoryBytes) / Double(1 << 30)
            lines.append("GPU \(d.ordinal): \(d.name), \(String(format: "%.1f", gib)) GiB, \(d.multiprocessorCount) SMs, "
                + "compute capability \(d.computeCapability) (kernels built for \(d.architecture)), "
                + "L2 \(d.l2CacheBytes >> 20) MiB, shared memory per block \(d.maxSharedMemoryPerBlockOptIn >> 10) KiB (opt-in), "
                + "SM clock \(d.clockRateKHz / 1000) MHz, memory clock \(d.memoryClockRateKHz / 1000) MHz, bus \(d.memoryBusWidthBits) bit")
        }
        return lines.joined(separator: "\n")
    }
}
