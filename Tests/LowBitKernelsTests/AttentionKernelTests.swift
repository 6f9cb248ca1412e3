import Foundation
import Testing
@testable import LowBitKernels

@Suite struct AttentionKernelTests {
    /// One head against float64 softmax attention: position counts around the 8-position tiles, head widths
    /// that are multiples of 32, of 8 only, and of neither; rows wider than a head (stride); the output row
    /// and the scores are poisoned, with guard elements after the output.
    @Test(arguments: [64, 40, 12, 128])
    func attendMatchesFloat64(headDim hd: Int) {
        for n in [1, 7, 8, 9, 17, 65, 300] {
            var rng = TestRandom(UInt64(n * 131 + hd))
            let stride = hd * 3 + 4
            let q = rng.floats(hd, -2...2)
            let keys = rng.floats(n * stride, -2...2), values = rng.floats(n * stride)
            let scale = 1 / Float(hd).squareRoot()
            var scores = [Float](repeating: .nan, count: n)
            var out = [Float](repeating: .nan, count: hd + 3)
            q.withUnsafeBufferPointer { qp in keys.withUnsafeBufferPointer { kp in values.withUnsafeBufferPointer { vp in
                scores.withUnsafeMutableBufferPointer { sp in out.withUnsafeMutableBufferPointer { op in
                    Attention.attend(query: qp.baseAddress!, keys: kp.baseAddress! + 1, values: vp.baseAddress! + 2,
                                     stride: stride, count: n, headDim: hd, scale: scale,
                                     scores: sp.baseAddress!, out: op.baseAddress!)
                } }
            } } }
            let logits = (0..<n).map { j in (0..<hd).reduce(0.0) { $0 + Double(q[$1]) * Double(keys[j * stride + 1 + $1]) } * Double(scale) }
            let top = logits.max()!
            let e = logits.map { exp($0 - top) }, total = e.reduce(0, +)
            let p = e.map { $0 / total }
            for c in 0..<hd {
                let want = (0..<n).reduce(0.0) { $0 + p[$1] * Double(values[$1 * stride + 2 + c]) }
                #expect(abs(Double(out[c]) - want) <= 1e-5, "n \(n) hd \(hd) element \(c): \(out[c]) vs \(want)")
            }
            for j in 0..<n { #expect(abs(Double(scores[j]) - p[j]) <= 1e-6, "n \(n) hd \(hd) p[\(j)]") }
            #expect(out[hd...].allSatisfy { $0.isNaN }, "wrote past the head")
        }
    }
}
