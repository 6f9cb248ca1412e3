import LowBitCore
import LowBitFormats

/// The group grid whose scale `--tune-scales` searches: a lookup table with absmax scales (nf*, lut*) or
/// asymmetric uniform integers with a [min, max] range that includes 0 (int*). At multiplier p = 1 both give
/// exactly the round-to-nearest quantization of `LUTMatrix` / `IntMatrix` (same fp16 scale, zero point, codes).
enum GroupGrid: Sendable {
    case table(LookupTable)
    /// A table whose group scales may be negative (`--signed-scales`): −s mirrors the grid; the search also tries
    /// the negated multipliers, and round-to-nearest is `LUTMatrix`'s signed choice.
    case signedTable(LookupTable)
    case asymmetric(bits: Int)

    /// Lookup table with signed scales (negative multipliers are candidates).
    var isSigned: Bool {
        if case .signedTable = self { return true }
        return false
    }

    /// Round-to-nearest's multiplier: 1, or −1 for a signed table when −s gives a strictly lower Σ (ŵ − w)²
    /// (the rule of `LUTMatrix.quantize(signedScales:)`). Leaves the codes and values of the chosen one.
    func roundToNearest(_ w: UnsafePointer<Float>, count n: Int, codes: UnsafeMutablePointer<UInt8>,
                        values: UnsafeMutablePointer<Double>) -> (scale: UInt16, zero: UInt8)? {
        guard let plus = quantize(w, count: n, multiplier: 1, codes: codes, values: values) else { return nil }
        guard case .signedTable(let t) = self, !t.isSignSymmetric else { return plus }
        func error() -> Double {
            var e = 0.0
            for i in 0..<n { e += (values[i] - Double(w[i])) * (values[i] - Double(w[i])) }
            return e
        }
        let plusError = error()
        guard let minus = quantize(w, count: n, multiplier: -1, codes: codes, values: values) else { return nil }
        if error() < plusError { return minus }
        return quantize(w, count: n, multiplier: 1, codes: codes, values: values)
    }

    /// Quantizes w[0..<n] with the scale (and range) of round-to-nearest times `p`: codes and dequantized values
    /// (Float32 products as the kernels compute them, widened). nil when the scale overflows fp16.
    func quantize(_ w: UnsafePointer<Float>, count n: Int, multiplier p: Float, codes: UnsafeMutablePointer<UInt8>,
                  values: UnsafeMutablePointer<Double>) -> (scale: UInt16, zero: UInt8)? {
        switch self {
        case .table(let t), .signedTable(let t):
            var m: Float = 0
            for i in 0..<n { m = max(m, w[i].magnitude) }
            let h = Float16(p * (m / t.maxMagnitude))
            guard h.isFinite else { return nil }
            let bits = h == 0 ? Float16(1).bitPattern : h.bitPattern
            let s = Float(Float16(bitPattern: bits))
            t.values.withUnsafeBufferPointer { tv in
                for i in 0..<n {
                    let c = t.encode(w[i] / s)
                    codes[i] = c
                    values[i] = Double(s * tv[Int(c)])
                }
            }
            return (bits, 0)
        case .asymmetric(let b):
            var lo: Float = 0, hi: Float = 0
            for i in 0..<n {
                lo = min(lo, w[i])
                hi = max(hi, w[i])
            }
            let levels = Float((1 << b) - 1)
            let h = Float16((p * hi - p * lo) / levels)
            guard h.isFinite else { return nil }
            let bits = h == 0 ? Float16(1).bitPattern : h.bitPattern
            let s = Float(Float16(bitPattern: bits))
            let z = min(max((-(p * lo) / s).rounded(.toNearestOrEven), 0), levels)
            for i in 0..<n {
                let c = min(max((w[i] / s).rounded(.toNearestOrEven) + z, 0), levels)
                codes[i] = UInt8(c)
                values[i] = Double(s * Float(Int(c) - Int(z)))
            }
            return (bits, UInt8(z))
        }
    }

    /// The multiplier (of `ScaleTuning.candidates`) minimising Σ_i d_i (ŵ_i − w_i)² for one group, with its
    /// scale and zero point: `--gptq --tune-scales` (d = GPTQ's per-column loss weights 1 / U_jj²). p = 1 wins ties.
    func bestScale(_ w: UnsafePointer<Float>, count n: Int, weights d: UnsafePointer<Double>,
                   codes: UnsafeMutablePointer<UInt8>, values: UnsafeMutablePointer<Double>) -> (scale: UInt16, zero: UInt8)? {
        var best: (scale: UInt16, zero: UInt8)?
        var bestError = Double.infinity
        ScaleTuning.search(signed: isSigned) { p in
            guard let sz = quantize(w, count: n, multiplier: p, codes: codes, values: values) else { return nil }
            var e = 0.0
            for i in 0..<n {
                let r = values[i] - Double(w[i])
                e += d[i] * r * r
            }
            if e < bestError || (p == 1 && e <= bestError) {
                bestError = e
                best = sz
            }
            return e
        }
        return best
    }
}

/// `--tune-scales`: learned group scales (the NFL idea of FLUTE, arXiv 2407.10960, learnable.py: the table stays,
/// the per-group scales are optimised on calibration data and the codes are then the nearest ones for the new
/// scale). FLUTE trains the scales by straight-through gradient descent on the model loss; here each layer's scales
/// minimise that layer's output error on the calibration inputs,
///
///     E = ‖X (Ŵ − W)ᵀ‖² = Σ_rows eᵀ H e,  e = ŵ_row − w_row,  H = Σ_t x_t x_tᵀ (the full input Hessian),
///
/// by exact coordinate descent over the groups of a row: for group g, each candidate scale (round-to-nearest's
/// scale times a multiplier, codes nearest for it) changes E by 2 Δᵀ(H e)_g + Δᵀ H_gg Δ (Δ = change of e on
/// the group), which needs only the running vector u = H e. The candidates are ranked by that change with H_gg
/// replaced by its diagonal (cheap), the best `exactChecks` are priced exactly, and one is taken only if it lowers
/// E exactly, so E never rises above round-to-nearest. Two sweeps over the groups (the cross terms change as other
/// groups move).
enum ScaleTuning {
    /// Coarse multipliers 0.50, 0.55, …, 1.10 (13, including 1), then ±0.025 and ±0.0125 around the best.
    static let coarse: [Float] = (10...22).map { Float($0) / 20 }
    static let refinements: [Float] = [0.025, 0.0125]
    /// Candidates priced exactly per group (the best by the diagonal approximation).
    static let exactChecks = 4

    /// Calls `cost(p)` for the coarse grid (and its negation when `signed`), then for the refinement steps around the
    /// lowest cost seen so far; `cost` returns nil for a multiplier it cannot use.
    static func search(signed: Bool = false, _ cost: (Float) -> Double?) {
        var bestP: Float = 1, bestCost = Double.infinity
        func visit(_ p: Float) {
            if let c = cost(p), c < bestCost || (p == 1 && c <= bestCost) {
                bestCost = c
                bestP = p
            }
        }
        for p in coarse { visit(p) }
        if signed { for p in coarse { visit(-p) } }
        for step in refinements {
            let centre = bestP
            visit(centre - step)
            visit(centre + step)
        }
    }

    /// Tunes every group scale of a [rows, cols] weight: returns codes (row-major), fp16 scale bits and zero points
    /// ([rows][groups]; zeros are 0 for tables).
    static func tune(_ name: String, weights: [Float], rows: Int, cols: Int, grid: GroupGrid, groupSize: Int,
                     hessian: [Double], sweeps: Int = 2) throws -> (codes: [UInt8], scales: [UInt16], zeros: [UInt8]) {
        precondition(weights.count == rows * cols && hessian.count == cols * cols)
        let g = max(1, min(groupSize, cols)), groups = (cols + g - 1) / g
        if let bad = weights.firstIndex(where: { !$0.isFinite }) {
            throw LowBitError.invalidArgument(name, "weight at row \(bad / cols), column \(bad % cols) is \(weights[bad])")
        }
        if let bad = hessian.firstIndex(where: { !$0.isFinite }) {
            throw LowBitError.invalidArgument(name, "calibration Hessian entry \(bad) is \(hessian[bad])")
        }
        var codes = [UInt8](repeating: 0, count: rows * cols)
        var scales = [UInt16](repeating: 0, count: rows * groups)
        var zeros = [UInt8](repeating: 0, count: rows * groups)
        var failed = [Bool](repeating: false, count: rows)
        weights.withUnsafeBufferPointer { wb in
            hessian.withUnsafeBufferPointer { hb in
                codes.withUnsafeMutableBufferPointer { cb in
                    scales.withUnsafeMutableBufferPointer { sb in
                        zeros.withUnsafeMutableBufferPointer { zb in
                            failed.withUnsafeMutableBufferPointer { fb in
                                let W = wb.baseAddress!, H = hb.baseAddress!, C = cb.baseAddress!
                                let S = sb.baseAddress!, Z = zb.baseAddress!, F = fb.baseAddress!
                                Parallel.forRanges(count: rows, granule: 1, oversubscribe: 4) { range in
                                    let e = UnsafeMutablePointer<Double>.allocate(capacity: cols)
                                    let u = UnsafeMutablePointer<Double>.allocate(capacity: cols)
                                    let v = UnsafeMutablePointer<Double>.allocate(capacity: g)
                                    let delta = UnsafeMutablePointer<Double>.allocate(capacity: g)
                                    let bestDelta = UnsafeMutablePointer<Double>.allocate(capacity: g)
                                    let tmpCodes = UnsafeMutablePointer<UInt8>.allocate(capacity: g)
                                    let bestCodes = UnsafeMutablePointer<UInt8>.allocate(capacity: g)
                                    defer {
                                        for p in [e, u, v, delta, bestDelta] { p.deallocate() }
                                        tmpCodes.deallocate()
                                        bestCodes.deallocate()
                                    }
                                    for r in range {
                                        if !tuneRow(W + r * cols, cols: cols, groupSize: g, groups: groups, grid: grid, H: H,
                                                    sweeps: sweeps, codes: C + r * cols, scales: S + r * groups,
                                                    zeros: Z + r * groups, e: e, u: u, v: v, delta: delta,
                                                    bestDelta: bestDelta, tmpCodes: tmpCodes, bestCodes: bestCodes) {
                                            F[r] = true
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if let r = failed.firstIndex(of: true) {
            throw LowBitError.invalidArgument(name, "row \(r): a scale overflows fp16 (max 65504)")
        }
        return (codes, scales, zeros)
    }

    /// One row: round-to-nearest, then coordinate descent over its groups. false if round-to-nearest's scale
    /// overflows fp16.
    static func tuneRow(_ w: UnsafePointer<Float>, cols n: Int, groupSize g: Int, groups: Int, grid: GroupGrid,
                        H: UnsafePointer<Double>, sweeps: Int, codes: UnsafeMutablePointer<UInt8>,
                        scales: UnsafeMutablePointer<UInt16>, zeros: UnsafeMutablePointer<UInt8>,
                        e: UnsafeMutablePointer<Double>, u: UnsafeMutablePointer<Double>, v: UnsafeMutablePointer<Double>,
                        delta: UnsafeMutablePointer<Double>, bestDelta: UnsafeMutablePointer<Double>,
                        tmpCodes: UnsafeMutablePointer<UInt8>, bestCodes: UnsafeMutablePointer<UInt8>) -> Bool {
        // Round-to-nearest start: e = ŵ − w, u = H e.
        for k in 0..<groups {
            let a = k * g, m = min(n, a + g) - a
            guard let sz = grid.roundToNearest(w + a, count: m, codes: codes + a, values: v) else { return false }
            scales[k] = sz.scale
            zeros[k] = sz.zero
            for j in 0..<m { e[a + j] = v[j] - Double(w[a + j]) }
        }
        for i in 0..<n { u[i] = dotDouble(H + i * n, e, n) }
        for _ in 0..<sweeps {
            var changed = false
            for k in 0..<groups {
                let a = k * g, m = min(n, a + g) - a
                // E of the row now; a change must lower it by more than rounding noise of the cost evaluation.
                let rowError = max(dotDouble(e, u, n), 0)
                let threshold = -1e-9 * rowError
                // Rank the candidates by the exact linear term plus the diagonal part of the quadratic one (O(m)
                // each), then price the `exactChecks` best exactly (O(m²)) and keep the lowest exact cost.
                var ranked: [(approx: Double, p: Float)] = []
                search(signed: grid.isSigned) { p in
                    guard grid.quantize(w + a, count: m, multiplier: p, codes: tmpCodes, values: v) != nil else { return nil }
                    var approx = 0.0
                    for j in 0..<m {
                        let d = (v[j] - Double(w[a + j])) - e[a + j]
                        approx += d * (2 * u[a + j] + H[(a + j) * n + a + j] * d)
                    }
                    ranked.append((approx, p))
                    return approx
                }
                ranked.sort { $0.approx < $1.approx }
                var bestCost = 0.0
                var best: (scale: UInt16, zero: UInt8)?
                for candidate in ranked.prefix(exactChecks) {
                    guard let sz = grid.quantize(w + a, count: m, multiplier: candidate.p, codes: tmpCodes, values: v) else { continue }
                    for j in 0..<m { delta[j] = (v[j] - Double(w[a + j])) - e[a + j] }
                    var cost = 2 * dotDouble(delta, u + a, m)
                    for i in 0..<m where delta[i] != 0 { cost += delta[i] * dotDouble(H + (a + i) * n + a, delta, m) }
                    if cost < bestCost && cost < threshold {
                        bestCost = cost
                        best = sz
                        bestDelta.update(from: delta, count: m)
                        bestCodes.update(from: tmpCodes, count: m)
                    }
                }
                guard let sz = best else { continue }
                changed = true
                scales[k] = sz.scale
                zeros[k] = sz.zero
                codes.advanced(by: a).update(from: bestCodes, count: m)
                for j in 0..<m { e[a + j] += bestDelta[j] }
                // u += H[:, a..<a+m] Δ (H symmetric: row i's slice).
                for i in 0..<n { u[i] += dotDouble(H + i * n + a, bestDelta, m) }
            }
            if !changed { break }
        }
        return true
    }

    /// Σ a[i]·b[i] in Float64 (two SIMD4 accumulators).
    @inline(__always)
    static func dotDouble(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, _ n: Int) -> Double {
        var s0 = SIMD4<Double>(), s1 = SIMD4<Double>()
        var i = 0
        while i + 8 <= n {
            s0.addProduct(UnsafeRawPointer(a + i).loadUnaligned(as: SIMD4<Double>.self),
                          UnsafeRawPointer(b + i).loadUnaligned(as: SIMD4<Double>.self))
            s1.addProduct(UnsafeRawPointer(a + i + 4).loadUnaligned(as: SIMD4<Double>.self),
                          UnsafeRawPointer(b + i + 4).loadUnaligned(as: SIMD4<Double>.self))
            i += 8
        }
        var total = (s0 + s1).sum()
        while i < n {
            total += a[i] * b[i]
            i += 1
        }
        return total
    }
}
