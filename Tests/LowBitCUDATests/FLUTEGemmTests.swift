import Testing
import LowBitCore
import LowBitFormats
@testable import LowBitCUDA

/// Host-side checks of the FLUTE launcher: format names, the LUT codec hand-off, and that every kernel
/// configuration the launcher can ask for compiles (when NVRTC is present; the GPU selftest runs them).
@Suite struct FLUTEGemmTests {
    @Test func formatNamesParse() throws {
        let a = try FLUTEGemmBuilder.parse("nf4", seed: 1)
        #expect(a.bits == 4 && a.group == .group(128) && a.tableName == "nf4")
        #expect(a.table == LookupTable.nf4.values)
        let b = try FLUTEGemmBuilder.parse("NF3g64", seed: 1)
        #expect(b.bits == 3 && b.group == .group(64))
        let c = try FLUTEGemmBuilder.parse("lut2grow", seed: 7)
        #expect(c.bits == 2 && c.group == .perRow && c.table.count == 4 && c.table == c.table.sorted())
        #expect(try FLUTEGemmBuilder.parse("lut2grow", seed: 7).table == c.table, "a fixed function of the seed")
        for bad in ["nf5", "nf4g48", "nf4gx", "fp6", "lut4g"] {
            #expect(throws: LowBitError.self, "\(bad)") { try FLUTEGemmBuilder.parse(bad, seed: 1) }
        }
        #expect(FLUTEGemmBuilder().formatNames.contains("nf2g256"))
    }

    /// Codes and scales from LowBitFormats' quantizer go through the packer unchanged.
    @Test func lutMatrixRoundTrip() throws {
        var rng = SystemRandomNumberGenerator()
        let rows = 33, columns = 200
        let weights = (0..<rows * columns).map { _ in Float.random(in: -1...1, using: &rng) }
        for (table, grouping, group) in [(LookupTable.nf4, ScaleGrouping.columns(64), LUTGroupSize.group(64)),
                                         (LookupTable.nf3, .columns(32), .group(32)),
                                         (LookupTable.nf2, .perRow, .perRow)] {
            let m = try LUTMatrix.quantize(weights, rows: rows, columns: columns, table: table, grouping: grouping)
            let packed = try FLUTELayout.pack(codes: m.codes, scales: m.scales, bits: table.bits, outputs: rows,
                                              inputs: columns, groupSize: group)
            let (codes, scales) = FLUTELayout.unpack(packed)
            #expect(codes == m.codes)
            #expect(scales == m.scales)
        }
    }

    static let nvrtcReady: Bool = (try? NVRTC.shared()) != nil

    @Test(.enabled(if: nvrtcReady, "NVRTC not found (scripts/ci-cuda-compile.sh installs it)"))
    func everyConfigurationCompiles() throws {
        let nvrtc = try NVRTC.shared()
        // Every (bits, batch tile) once; the flags rotate so each meets every width (12 compiles, not 48).
        let flags = [("0", "1", "0"), ("1", "0", "0"), ("0", "0", "1"), ("1", "1", "1")]
        for bits in [2, 3, 4] {
            for (i, nt) in [1, 2, 4, 8].enumerated() {
                do {
                    let (bf16, post, experimental) = flags[(i + bits) % flags.count]
                    let defines = ["FLUTE_BITS": "\(bits)", "FLUTE_NT": "\(nt)", "FLUTE_BF16": bf16,
                                   "FLUTE_POST_SCALE": post, "FLUTE_SCALE_AHEAD": experimental,
                                   "FLUTE_DEQ_WIDE": experimental]
                    let m = try nvrtc.compile(.flute, architecture: CUDAArchitecture("sm_90a"), defines: defines,
                                              useCache: false)
                    #expect(Set(m.loweredNames.keys) == Set(CUDAKernelSource.flute.kernels), "\(defines)")
                }
            }
        }
        // The opt-in variants (docs/flute.md, v6): activations in shared memory with scales in the weight ring,
        // the release/acquire Stream-K arrival, one activation slot; once per width.
        for bits in [2, 3, 4] {
            let defines = ["FLUTE_BITS": "\(bits)", "FLUTE_NT": "1", "FLUTE_BF16": bits == 3 ? "1" : "0",
                           "FLUTE_POST_SCALE": bits == 2 ? "0" : "1", "FLUTE_SCALE_AHEAD": "1", "FLUTE_XSMEM": "1",
                           "FLUTE_REDUCE_LITE": "1", "FLUTE_XSMEM_SLOTS": bits == 4 ? "2" : "1"]
            let m = try nvrtc.compile(.flute, architecture: CUDAArchitecture("sm_90a"), defines: defines, useCache: false)
            #expect(Set(m.loweredNames.keys) == Set(CUDAKernelSource.flute.kernels), "\(defines)")
        }
        // The streaming configuration (docs/flute.md, v7): CTA-granular Stream-K, cp.async ring, PRMT lookups for
        // 4-bit, activations in shared memory; once per width, with the scale ring and bf16 rotated in.
        for bits in [2, 3, 4] {
            let defines = ["FLUTE_BITS": "\(bits)", "FLUTE_NT": "1", "FLUTE_BF16": bits == 2 ? "1" : "0",
                           "FLUTE_POST_SCALE": bits == 3 ? "0" : "1", "FLUTE_CTA": "1", "FLUTE_ASYNC": "1",
                           "FLUTE_PRMT": bits == 4 ? "1" : "0", "FLUTE_XSMEM": bits == 2 ? "0" : "1",
                           "FLUTE_ASYNC_SCALE": bits == 3 ? "1" : "0", "FLUTE_WARPS": "16", "FLUTE_PREFETCH": "6"]
            let m = try nvrtc.compile(.flute, architecture: CUDAArchitecture("sm_90a"), defines: defines, useCache: false)
            #expect(Set(m.loweredNames.keys) == Set(CUDAKernelSource.flute.kernels), "\(defines)")
            // Session 4: reducer warp, early table/activation loads, packed shared memory (ring below and above the
            // table), compact slots, split accumulators.
            for ringHigh in ["0", "1"] {
                let d = defines.merging(["FLUTE_RWARP": "1", "FLUTE_EARLY": "1", "FLUTE_PACK": "1", "FLUTE_RING_HIGH": ringHigh,
                                         "FLUTE_SLOTS": ringHigh == "1" ? "2" : "4", "FLUTE_SLOT_T": ringHigh == "1" ? "2" : "1",
                                         "FLUTE_SPLIT_ACC": ringHigh]) { _, new in new }
                let m = try nvrtc.compile(.flute, architecture: CUDAArchitecture("sm_90a"), defines: d, useCache: false)
                #expect(Set(m.loweredNames.keys) == Set(CUDAKernelSource.flute.kernels), "\(d)")
            }
        }
    }
}
