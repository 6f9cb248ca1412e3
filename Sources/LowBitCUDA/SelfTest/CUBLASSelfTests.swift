import LowBitCore

/// cuBLAS linear (C = X·Wᵀ) against a float64 CPU reference on the rounded inputs.
extension GPUSelfTests {
    public static let cublas: [GPUSelfTest] = [
        // Bounds: fp16 output rounding alone is ~3e-4 relative; bf16 ~2e-3 (METHOD.md: 1e-3..1e-2); fp32 output
        // leaves only fp32 accumulation error (~1e-6 for K of a few hundred).
        linearTest(n: 37, oc: 129, ic: 263, input: .float16, output: .float16, bound: 1e-3),
        linearTest(n: 1, oc: 1000, ic: 1040, input: .float16, output: .float16, bound: 1e-3),
        linearTest(n: 37, oc: 129, ic: 263, input: .bfloat16, output: .bfloat16, bound: 8e-3),
        linearTest(n: 130, oc: 515, ic: 1023, input: .bfloat16, output: .bfloat16, bound: 8e-3),
        linearTest(n: 67, oc: 333, ic: 511, input: .float16, output: .float32, bound: 1e-5),
    ]

    static func linearTest(n: Int, oc: Int, ic: Int, input: CUBLASElementType, output: CUBLASElementType,
                           bound: Double) -> GPUSelfTest {
        GPUSelfTest("cuBLAS linear \(input)->\(output) N=\(n) OC=\(oc) IC=\(ic)") { t in
            func encode(_ v: [Float]) -> [UInt16] { v.map { input == .float16 ? floatToHalfBits($0) : floatToBFloat16Bits($0) } }
            func decode(_ b: UInt16, _ type: CUBLASElementType) -> Double {
                Double(type == .float16 ? halfBitsToFloat(b) : bfloat16BitsToFloat(b))
            }
            let xBits = encode(t.uniformFloats(n * ic))
            let wBits = encode(t.uniformFloats(oc * ic, scale: 0.5))
            let x = xBits.map { decode($0, input) }, w = wBits.map { decode($0, input) }
            var ref = [Double](repeating: 0, count: n * oc)
            for r in 0..<n {
                for o in 0..<oc {
                    var acc = 0.0
                    for k in 0..<ic { acc += x[r * ic + k] * w[o * ic + k] }
                    ref[r * oc + o] = acc
                }
            }
            let dx = try t.context.upload(xBits), dw = try t.context.upload(wBits)
            let dc = try t.context.allocate(bytes: n * oc * output.byteSize)
            if output == .float32 { try dc.fill(word: 0x7FC0_0000) } else { try dc.fill(half: output == .float16 ? 0x7E00 : 0x7FC0) }
            try t.context.cublas(stream: t.stream).linear(x: dx, w: dw, out: dc, rows: n, outFeatures: oc, inFeatures: ic,
                                                          inputType: input, outputType: output)
            try t.stream.synchronize()
            let out: [Double] = output == .float32
                ? try dc.download(Float.self, count: n * oc).map(Double.init)
                : try dc.download(UInt16.self, count: n * oc).map { decode($0, output) }
            return GPUSelfTestOutcome(metric: relativeError(out, ref), bound: bound)
        }
    }
}
