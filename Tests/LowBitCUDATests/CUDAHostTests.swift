import Foundation
import Testing
@testable import LowBitCUDA
import LowBitCore

/// Tests of the CUDA layer that need no GPU.
@Suite struct CUDAHostTests {
    @Test func ptxasLogIsParsedPerKernel() {
        let log = """
            ptxas info    : 0 bytes gmem
            ptxas info    : Compiling entry function '_Z3fooPf' for 'sm_90a'
            ptxas info    : Function properties for _Z3fooPf
                24 bytes stack frame, 8 bytes spill stores, 12 bytes spill loads
            ptxas info    : Used 255 registers, used 1 barriers, 4096 bytes smem, 380 bytes cmem[0]
            ptxas info    : Compiling entry function 'bar' for 'sm_90a'
            ptxas info    : Function properties for bar
                0 bytes stack frame, 0 bytes spill stores, 0 bytes spill loads
            ptxas info    : Used 40 registers, used 0 barriers, 380 bytes cmem[0]
            """
        let r = CUDAKernelResources.parse(ptxasLog: log)
        #expect(r["_Z3fooPf"]?.registers == 255)
        #expect(r["_Z3fooPf"]?.stackFrameBytes == 24)
        #expect(r["_Z3fooPf"]?.spillStoreBytes == 8)
        #expect(r["_Z3fooPf"]?.spillLoadBytes == 12)
        #expect(r["_Z3fooPf"]?.sharedMemoryBytes == 4096)
        #expect(r["bar"]?.registers == 40)
        #expect(r["bar"]?.spillStoreBytes == 0)

        let source = CUDAKernelSource(name: "t", code: "", kernels: ["foo<float>", "bar"], allowedSpillBytes: ["bar": 100])
        let module = CUDACompiledModule(source: source, architecture: CUDAArchitecture("sm_90a"), cubin: [],
                                        loweredNames: ["foo<float>": "_Z3fooPf", "bar": "bar"], log: log)
        #expect(module.spillViolations.count == 1)
        #expect(module.spillViolations.first?.contains("foo<float>") == true)
        let allowed = CUDAKernelSource(name: "t", code: "", kernels: ["foo<float>", "bar"], allowedSpillBytes: ["foo<float>": 20])
        let module2 = CUDACompiledModule(source: allowed, architecture: CUDAArchitecture("sm_90a"), cubin: [],
                                         loweredNames: ["foo<float>": "_Z3fooPf", "bar": "bar"], log: log)
        #expect(module2.spillViolations.isEmpty)
    }

    @Test func kernelArgumentsArePackedInAlignedSlotsWithExactBytes() throws {
        let args: [any CUDAKernelArgument] = [Int32(-7), Float(1.5), UInt64(0x0102_0304_0506_0708),
                                              CUDADevicePointer(address: 0xDEAD_BEEF_0000), UInt16(0x7E00), Int8(-1)]
        try CUDAKernelArgumentPack.with(args) { params in
            let p = try #require(params)
            for i in 0..<args.count { #expect(Int(bitPattern: p[i]!) % 64 == 0) }
            #expect(p[0]!.load(as: Int32.self) == -7)
            #expect(p[1]!.load(as: Float.self) == 1.5)
            #expect(p[2]!.load(as: UInt64.self) == 0x0102_0304_0506_0708)
            #expect(p[3]!.load(as: UInt64.self) == 0xDEAD_BEEF_0000)
            #expect(p[4]!.load(as: UInt16.self) == 0x7E00)
            #expect(p[5]!.load(as: Int8.self) == -1)
        }
        #expect(Int32(1).kernelArgumentSize == 4)
        #expect(Double(1).kernelArgumentSize == 8)
    }

    @Test func missingLibrariesGiveAReasonNotACrash() {
        do {
            _ = try DynamicLibrary.open(candidates: ["/nonexistent/libnothing.so.1", "libnothing-lowbit.so"], what: "a test library")
            Issue.record("a nonexistent library opened")
        } catch let e as LowBitError {
            #expect(e.kind == .device)
            #expect(e.message.contains("a test library not found"))
            #expect(e.message.contains("/nonexistent/libnothing.so.1"))
        } catch { Issue.record("unexpected error \(error)") }
        // A library that exists but lacks the symbol: libc has no cuInit.
        if let libc = try? DynamicLibrary.open(candidates: ["libc.so.6"], what: "libc") {
            #expect(throws: LowBitError.self) {
                let _: @convention(c) (UInt32) -> Int32 = try libc.symbol("cuInit")
            }
        }
    }

    @Test func cacheKeySeparatesPartsAndIsStable() {
        let a = CUDAKernelCache.key(parts: ["ab", "c"])
        let b = CUDAKernelCache.key(parts: ["a", "bc"])
        #expect(a != b)
        #expect(a == CUDAKernelCache.key(parts: ["ab", "c"]))
        #expect(a.count == 32)
        #expect(CUDAKernelCache.key(parts: ["x", "sm_80"]) != CUDAKernelCache.key(parts: ["x", "sm_90a"]))
    }

    @Test func architecturesParseAndMapFromComputeCapability() throws {
        #expect(try CUDAArchitecture.parse("sm_90a").name == "sm_90a")
        #expect(try CUDAArchitecture.parse("80").name == "sm_80")
        #expect(try CUDAArchitecture.parse("sm_90a").number == 90)
        #expect(throws: LowBitError.self) { try CUDAArchitecture.parse("hopper") }
        #expect(throws: LowBitError.self) { try CUDAArchitecture.parse("sm_9") }
        #expect(CUDAComputeCapability(major: 9, minor: 0).architecture.name == "sm_90a")
        #expect(CUDAComputeCapability(major: 8, minor: 6).architecture.name == "sm_86")
        #expect(CUDAComputeCapability(major: 8, minor: 0).architecture.name == "sm_80")
    }

    @Test func deviceChoiceParsesAndFallsBack() throws {
        #expect(try DeviceChoice.parse("CUDA") == .cuda)
        #expect(try DeviceChoice.parse("auto") == .auto)
        #expect(throws: LowBitError.self) { try DeviceChoice.parse("tpu") }
        guard case .cpu(nil) = try DeviceChoice.cpu.resolve() else { Issue.record("cpu must resolve to the CPU"); return }
        if let reason = CUDA.unavailableReason {
            #expect(reason.hasPrefix("CUDA unavailable: "))
            #expect(throws: LowBitError.self) { try DeviceChoice.cuda.resolve() }
            guard case .cpu(let note?) = try DeviceChoice.auto.resolve() else { Issue.record("auto must fall back"); return }
            #expect(note.contains("CUDA unavailable"))
        } else {
            #expect(try DeviceChoice.auto.resolve().isCUDA)
        }
    }

    @Test func relativeErrorTreatsNaNAsInfinite() {
        #expect(relativeError([1, 2, 3] as [Double], [1, 2, 3]) == 0)
        #expect(relativeError([1, .nan, 3] as [Double], [1, 2, 3]).isInfinite)
        #expect(relativeError([1, 2] as [Double], [1, 2, 3]).isInfinite)
        let e = relativeError([1.1, 2] as [Double], [1, 2])
        #expect(abs(e - 0.1 / 5.0.squareRoot()) < 1e-12)
        #expect(!GPUSelfTestOutcome(metric: .nan, bound: 1).passed)
        #expect(GPUSelfTestOutcome(metric: 1e-4, bound: 1e-3).passed)
    }

    @Test func deviceRandomTwinsAreInRange() {
        for i in 0..<1000 {
            let u = CoreKernels.uniform(seed: 42, index: UInt64(i))
            #expect(u >= -1 && u < 1)
        }
        #expect(CoreKernels.randomWord(seed: 1, index: 0) != CoreKernels.randomWord(seed: 2, index: 0))
    }

    @Test func timerRotationCoversFourTimesL2() {
        let l2 = 50 << 20
        for bytes in [1 << 20, 134_217_728, 940_000_000] {
            let n = CUDATimer.rotationCount(bytesPerSet: bytes, l2Bytes: l2)
            #expect(n >= 2)
            #expect(n * bytes > 4 * l2)
        }
    }

    @Test func everySelfTestAndKernelSourceHasAUniqueName() {
        let names = GPUSelfTests.all.map(\.name)
        #expect(Set(names).count == names.count)
        let sources = CUDAKernelSources.all.map(\.name)
        #expect(Set(sources).count == sources.count)
        #expect(!names.isEmpty)
    }
}

/// NVRTC compiles every embedded kernel (no GPU needed; skipped when NVRTC or the headers are absent).
@Suite struct NVRTCCompileTests {
    static let nvrtcReady: Bool = {
        guard let n = try? NVRTC.shared() else { return false }
        return n.includeDirectory != nil
    }()

    @Test(.enabled(if: nvrtcReady, "NVRTC or the CUDA headers not found (scripts/ci-cuda-compile.sh installs them)"),
          arguments: ["sm_80", "sm_90a"])
    func everyKernelCompilesWithoutSpills(arch: String) throws {
        let nvrtc = try NVRTC.shared()
        for source in CUDAKernelSources.all {
            let m = try nvrtc.compile(source, architecture: CUDAArchitecture(arch), useCache: false)
            #expect(Array(m.cubin.prefix(4)) == [0x7F, 0x45, 0x4C, 0x46], "a cubin is an ELF file")
            #expect(Set(m.loweredNames.keys) == Set(source.kernels))
            #expect(m.spillViolations.isEmpty, "\(m.spillViolations)")
            #expect(m.resources.count == source.kernels.count, "ptxas reported every kernel")
        }
    }

    @Test(.enabled(if: nvrtcReady, "NVRTC or the CUDA headers not found"))
    func compileErrorsCarryTheLog() throws {
        let bad = CUDAKernelSource(name: "broken", code: "extern \"C\" __global__ void k(float* p) { p[0] = no_such_symbol; }",
                                   kernels: ["k"])
        do {
            _ = try NVRTC.shared().compile(bad, architecture: CUDAArchitecture("sm_80"), useCache: false)
            Issue.record("a broken kernel compiled")
        } catch let e as LowBitError {
            #expect(e.kind == .device)
            #expect(e.message.contains("no_such_symbol"))
            #expect(e.message.contains("broken.cu"))
        }
    }

    @Test(.enabled(if: nvrtcReady, "NVRTC or the CUDA headers not found"))
    func templateKernelsGetTheirMangledNames() throws {
        let m = try NVRTC.shared().compile(.core, architecture: CUDAArchitecture("sm_80"))
        #expect(m.loweredNames["lowbit_spin"] == "lowbit_spin")
        let mangled = try #require(m.loweredNames["lowbit_axpb<float>"])
        #expect(mangled.hasPrefix("_Z"))
        #expect(mangled != m.loweredNames["lowbit_axpb<__half>"])
    }
}

/// Every GPU self-test, as a Swift test; skipped (with the reason) when no driver or GPU is found.
@Suite struct GPUSelfTestSuite {
    static let unavailable = CUDA.unavailableReason

    @Test(.enabled(if: unavailable == nil, "no usable GPU: \(unavailable ?? "")"),
          arguments: GPUSelfTests.all.map(\.name))
    func selfTest(name: String) throws {
        let context = try CUDA.shared().context()
        let test = try #require(GPUSelfTests.all.first { $0.name == name })
        let results = try GPUSelfTestRunner.run([test], context: context) { _ in }
        #expect(results.first?.passed == true, "\(results.first?.detail ?? "")")
    }
}

/// The on-disk cubin cache: round trip, and damaged or mismatched entries are ignored (recompiled).
@Suite struct CUDAKernelCacheTests {
    @Test func roundTripAndDamagedEntriesAreIgnored() throws {
        let dir = "/tmp/lowbit-cache-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let source = CUDAKernelSource(name: "t", code: "x", kernels: ["a", "b<1>"])
        let arch = CUDAArchitecture("sm_90a")
        let module = CUDACompiledModule(source: source, architecture: arch, cubin: [0x7F, 0x45, 0x4C, 0x46, 1, 2, 3],
                                        loweredNames: ["a": "a", "b<1>": "_Z1bILi1EEvv"], log: "ptxas info : line\twith tab\n")
        CUDAKernelCache.store(module, name: "entry", directory: dir)
        let loaded = try #require(CUDAKernelCache.load(name: "entry", source: source, architecture: arch, directory: dir))
        #expect(loaded.cubin == module.cubin)
        #expect(loaded.loweredNames == module.loweredNames)
        #expect(loaded.log == module.log)
        // A source with other kernels must not take this entry.
        let other = CUDAKernelSource(name: "t", code: "x", kernels: ["a"])
        #expect(CUDAKernelCache.load(name: "entry", source: other, architecture: arch, directory: dir) == nil)
        // A damaged meta file is ignored.
        #expect(CUDAKernelCache.writeAtomically(dir + "/entry.meta", Array("garbage".utf8)))
        #expect(CUDAKernelCache.load(name: "entry", source: source, architecture: arch, directory: dir) == nil)
        // No cubin: nothing.
        #expect(CUDAKernelCache.load(name: "missing", source: source, architecture: arch, directory: dir) == nil)
    }
}
