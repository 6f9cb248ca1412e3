import LowBitCore

/// Self-tests of the backend itself: memory, launches, the core kernels, error paths, timing.
extension GPUSelfTests {
    public static let core: [GPUSelfTest] = [
        GPUSelfTest("memory round trip H->D->D->H, odd size, offsets") { t in
            let n = 1_000_003 + Int(t.random.next() % 1000)
            var bytes = [UInt8](repeating: 0, count: n)
            for i in 0..<n { bytes[i] = UInt8(truncatingIfNeeded: t.random.next()) }
            let a = try t.context.upload(bytes)
            let b = try t.context.allocate(bytes: n + 64)
            try b.fill(byte: 0xA5)
            try b.copy(from: a, byteCount: n - 5, sourceOffset: 5, byteOffset: 17)
            let back = try b.download(UInt8.self, count: n + 64)
            var bad = 0
            for i in 0..<(n + 64) {
                let expected: UInt8 = (i >= 17 && i < 17 + n - 5) ? bytes[i - 17 + 5] : 0xA5
                if back[i] != expected { bad += 1 }
            }
            return .exact(mismatches: bad, of: n + 64)
        },
        GPUSelfTest("pinned async round trip + memset D32/D16") { t in
            let words = 262_147
            let pinned = try t.context.allocatePinned(bytes: words * 4)
            let src = pinned.bytes.bindMemory(to: UInt32.self)
            var expected = [UInt32](repeating: 0, count: words)
            for i in 0..<words { expected[i] = UInt32(truncatingIfNeeded: t.random.next()); src[i] = expected[i] }
            let d = try t.context.allocate(UInt32.self, count: words + 3)
            try d.fill(word: 0x7FC0_0000)
            try d.copyFromHost(UnsafeRawBufferPointer(pinned.bytes), byteOffset: 0, stream: t.stream)
            try t.stream.synchronize()
            for i in 0..<words { src[i] = 0 }  // the copy back must restore them
            try d.copyToHost(pinned.bytes, byteOffset: 0, stream: t.stream)
            try t.stream.synchronize()
            var bad = 0
            for i in 0..<words where src[i] != expected[i] { bad += 1 }
            let tail = try d.download(UInt32.self, count: 3, elementOffset: words)
            bad += tail.filter { $0 != 0x7FC0_0000 }.count
            try d.fill(half: 0x7E00, count: 5)
            let halves = try d.download(UInt16.self, count: 12)
            bad += halves.prefix(5).filter { $0 != 0x7E00 }.count
            return .exact(mismatches: bad, of: words + 3 + 5)
        },
        GPUSelfTest("random fill kernels match their CPU twins (u32, fp16, bf16)") { t in
            let core = try CoreKernels(context: t.context)
            let n = 100_003
            let seed = t.random.next()
            let buf = try t.context.allocate(UInt32.self, count: n)
            try buf.fill(word: 0xFFFF_FFFF)
            try core.fillRandomWords(buf, count: n, seed: seed, stream: t.stream)
            let words = try buf.download(UInt32.self, count: n)
            var bad = 0
            for i in 0..<n where words[i] != UInt32(truncatingIfNeeded: CoreKernels.randomWord(seed: seed, index: UInt64(i))) { bad += 1 }
            for type in [CUBLASElementType.float16, .bfloat16] {
                try buf.fill(word: 0xFFFF_FFFF)
                try core.fillUniform(buf, count: n, type: type, seed: seed, scale: 0.75, stream: t.stream)
                let got = try buf.download(UInt16.self, count: n)
                for i in 0..<n {
                    let v = CoreKernels.uniform(seed: seed, index: UInt64(i)) * 0.75
                    let want = type == .float16 ? floatToHalfBits(v) : floatToBFloat16Bits(v)
                    if got[i] != want { bad += 1 }
                }
            }
            return .exact(mismatches: bad, of: 3 * n)
        },
        GPUSelfTest("read-sum kernel (roofline probe) sums every word") { t in
            let core = try CoreKernels(context: t.context)
            // Odd number of 16-byte vectors, larger than one grid pass so the grid-stride tail runs.
            let vectors = t.context.properties.multiprocessorCount * 8 * 256 * 4 + 12_345
            let words = vectors * 4
            var host = [UInt32](repeating: 0, count: words)
            var expected: UInt32 = 0
            for i in 0..<words { host[i] = UInt32(truncatingIfNeeded: t.random.next()); expected &+= host[i] }
            let data = try t.context.upload(host)
            let sum = try t.context.allocate(UInt32.self, count: 1)
            try sum.fill(word: 0)
            try core.readSum(data, into: sum, stream: t.stream)
            try t.stream.synchronize()
            let got = try sum.download(UInt32.self, count: 1)[0]
            return GPUSelfTestOutcome(passed: got == expected, detail: got == expected
                ? "exact (sum of \(words) words)" : "sum \(got), expected \(expected)")
        },
        GPUSelfTest("copy kernel, odd size, guard bytes untouched") { t in
            let core = try CoreKernels(context: t.context)
            let vectors = 777_777
            var host = [UInt32](repeating: 0, count: vectors * 4)
            for i in 0..<host.count { host[i] = UInt32(truncatingIfNeeded: t.random.next()) }
            let src = try t.context.upload(host)
            let dst = try t.context.allocate(UInt32.self, count: host.count + 16)
            try dst.fill(word: 0xDEAD_BEEF)
            try core.copy(from: src, to: dst, byteCount: vectors * 16, stream: t.stream)
            let back = try dst.download(UInt32.self, count: host.count + 16)
            var bad = 0
            for i in 0..<host.count where back[i] != host[i] { bad += 1 }
            for i in host.count..<back.count where back[i] != 0xDEAD_BEEF { bad += 1 }
            return .exact(mismatches: bad, of: back.count)
        },
        GPUSelfTest("template kernel launch: lowbit_axpb<float> and <__half>, poisoned outputs") { t in
            let n = 10_007
            let a = Float(t.uniformFloats(1)[0] * 3), b = Float(t.uniformFloats(1)[0])
            let x = t.uniformFloats(n, scale: 4)
            var worst = 0.0
            do {
                let f = try t.context.kernels.function("lowbit_axpb<float>", in: .core)
                let dx = try t.context.upload(x)
                let dy = try t.context.allocate(Float.self, count: n)
                try dy.fill(word: 0x7FC0_0000)
                try f.launch(grid: .init(x: (n + 127) / 128), block: 128, stream: t.stream, dx, dy, Int32(n), a, b)
                let y = try dy.download(Float.self, count: n)
                worst = max(worst, relativeError(y, x.map { Double(a) * Double($0) + Double(b) }))
            }
            do {
                let f = try t.context.kernels.function("lowbit_axpb<__half>", in: .core)
                let xh = x.map { floatToHalfBits($0) }
                let dx = try t.context.upload(xh)
                let dy = try t.context.allocate(UInt16.self, count: n)
                try dy.fill(half: 0x7E00)
                try f.launch(grid: .init(x: (n + 255) / 256), block: 256, stream: t.stream, dx, dy, Int32(n), a, b)
                let y = try dy.download(UInt16.self, count: n).map { halfBitsToFloat($0) }
                let ref = xh.map { Double(a) * Double(halfBitsToFloat($0)) + Double(b) }
                worst = max(worst, relativeError(y, ref) / 5)  // fp16 output: bound 5e-4 → scaled to the fp32 bound
            }
            return GPUSelfTestOutcome(metric: worst, bound: 1e-4, name: "rel err (fp16 part /5)")
        },
        GPUSelfTest("dynamic shared memory above 48 KB (opt-in attribute)") { t in
            let optIn = t.context.properties.maxSharedMemoryPerBlockOptIn
            guard optIn > 48 * 1024 + 4096 else {
                return GPUSelfTestOutcome(passed: true, detail: "skipped: device allows only \(optIn) bytes per block")
            }
            let chunk = min(40_000, (optIn - 1024) / 4)
            let n = chunk * 3 + 1234
            let x = t.uniformFloats(n)
            let dx = try t.context.upload(x)
            let dy = try t.context.allocate(Float.self, count: n)
            try dy.fill(word: 0x7FC0_0000)
            let f = try t.context.kernels.function("lowbit_shared_reverse", in: .core)
            try f.launch(grid: .init(x: (n + chunk - 1) / chunk), block: 512, sharedMemoryBytes: chunk * 4, stream: t.stream,
                         dx, dy, Int32(n), Int32(chunk))
            let y = try dy.download(Float.self, count: n)
            var bad = 0
            for i in 0..<n {
                let base = (i / chunk) * chunk
                let src = base + chunk - 1 - (i - base)
                let want: Float = src < n ? x[src] : 0
                if y[i].bitPattern != want.bitPattern { bad += 1 }
            }
            return .exact(mismatches: bad, of: n, firstMismatch: "\(chunk * 4) B shared")
        },
        GPUSelfTest("device and pinned memory are returned on release (no leaks)") { t in
            try t.context.synchronize()
            let before = try t.context.memoryInfo().free
            for round in 0..<8 {
                let chunk = try t.context.allocate(bytes: 512 << 20)
                try chunk.fill(byte: UInt8(round))
                let pinned = try t.context.allocatePinned(bytes: 16 << 20)
                try chunk.copyToHost(pinned.bytes)
            }
            let after = try t.context.memoryInfo().free
            // Allocations come back to the driver when the Swift objects die; allow 64 MiB of driver noise.
            let lost = before - after
            return GPUSelfTestOutcome(passed: lost < 64 << 20,
                                      detail: "8 × (512 MiB device + 16 MiB pinned): \(max(lost, 0) >> 20) MiB not returned (allowed < 64)")
        },
        GPUSelfTest("CUDA graph: captured kernels + cuBLAS replay on new inputs") { t in
            let n = 3, ic = 515, oc = 257
            let f = try t.context.kernels.function("lowbit_axpb<__half>", in: .core)
            let blas = try t.context.cublas(stream: t.stream)
            let dx = try t.context.allocate(UInt16.self, count: n * ic)
            let dy = try t.context.allocate(UInt16.self, count: n * ic)
            let wBits = t.uniformFloats(oc * ic, scale: 0.5).map { floatToHalfBits($0) }
            let dw = try t.context.upload(wBits)
            let dc = try t.context.allocate(Float.self, count: n * oc)
            let a: Float = 1.5, b: Float = -0.25
            let graph = try CUDAGraph.capture(on: t.stream) {
                try f.launch(grid: .init(x: (n * ic + 255) / 256), block: 256, stream: t.stream, dx, dy, Int32(n * ic), a, b)
                try blas.linear(x: dy, w: dw, out: dc, rows: n, outFeatures: oc, inFeatures: ic, inputType: .float16, outputType: .float32)
            }
            var gemmErr = 0.0, axpbErr = 0.0
            for _ in 0..<3 {  // each replay on fresh inputs: the graph reads the buffers' current contents
                let xBits = t.uniformFloats(n * ic).map { floatToHalfBits($0) }
                try dx.copyFromHost(xBits)
                try dy.fill(half: 0x7E00)
                try dc.fill(word: 0x7FC0_0000)
                try graph.launch(on: t.stream)
                try t.stream.synchronize()
                // The fp16 intermediate is checked against a*x+b (rounding to fp16: ≤ 2^-11 relative), and the GEMM
                // against a float64 product of the intermediate the GPU actually produced.
                let y = try dy.download(UInt16.self, count: n * ic).map { Double(halfBitsToFloat($0)) }
                axpbErr = max(axpbErr, relativeError(y, xBits.map { Double(a) * Double(halfBitsToFloat($0)) + Double(b) }))
                var ref = [Double](repeating: 0, count: n * oc)
                for r in 0..<n {
                    for o in 0..<oc {
                        var acc = 0.0
                        for k in 0..<ic { acc += y[r * ic + k] * Double(halfBitsToFloat(wBits[o * ic + k])) }
                        ref[r * oc + o] = acc
                    }
                }
                gemmErr = max(gemmErr, relativeError(try dc.download(Float.self, count: n * oc), ref))
            }
            return GPUSelfTestOutcome(passed: gemmErr <= 1e-5 && axpbErr <= 5e-4,
                                      detail: "3 replays: linear rel err \(formatScientific(gemmErr)) (bound 1.00e-05), "
                                          + "axpb rel err \(formatScientific(axpbErr)) (bound 5.00e-04)")
        },
        GPUSelfTest("event timing: 2 ms spin kernel measures 2 ms") { t in
            let core = try CoreKernels(context: t.context)
            let start = try t.context.makeEvent(), end = try t.context.makeEvent()
            try core.spin(nanoseconds: 1000, stream: t.stream)  // warm
            try t.stream.record(start)
            try core.spin(nanoseconds: 2_000_000, stream: t.stream)
            try t.stream.record(end)
            let hostStart = monotonicSeconds()
            try end.synchronize()
            let hostMS = (monotonicSeconds() - hostStart) * 1000
            let ms = try end.elapsedMilliseconds(since: start)
            let ok = ms >= 1.99 && ms < 2.5 && hostMS < 1000
            return GPUSelfTestOutcome(passed: ok, detail: "event \(formatScientific(ms)) ms, host wait \(formatScientific(hostMS)) ms (want 2–2.5 ms)")
        },
        GPUSelfTest("errors: out-of-memory, bad launch, bad kernel source are LowBitError(.device)") { t in
            var notes: [String] = []
            do {
                _ = try t.context.allocate(bytes: 1 << 50)
                notes.append("1 PiB allocation succeeded")
            } catch let e as LowBitError where e.kind == .device && e.message.contains("CUDA_ERROR_OUT_OF_MEMORY") {
            }
            do {
                let f = try t.context.kernels.function("lowbit_spin", in: .core)
                try f.launch(grid: 1, block: .init(x: 4096), stream: t.stream, UInt64(1))
                notes.append("4096-thread block accepted")
            } catch let e as LowBitError where e.kind == .invalidArgument {
            }
            do {
                let bad = CUDAKernelSource(name: "selftest_broken", code: "extern \"C\" __global__ void k() { undefined_thing(); }",
                                           kernels: ["k"])
                _ = try t.context.kernels.module(bad)
                notes.append("broken source compiled")
            } catch let e as LowBitError where e.kind == .device && e.message.contains("undefined_thing") {
            }
            return GPUSelfTestOutcome(passed: notes.isEmpty, detail: notes.isEmpty ? "3 faults reported as errors" : notes.joined(separator: "; "))
        },
    ]
}
