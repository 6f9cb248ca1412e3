import LowBitCore

/// One quantization grid as GPTQ drives it: parameters are fitted per group of columns on the weights as they
/// are at that moment (after the error feedback from earlier columns), then each column is rounded.
public protocol GPTQGrid {
    /// Columns per parameter group (≥ the column count for one group per row).
    var groupSize: Int { get }
    /// Fits parameters for `columns` of W, column-major: w[col · rows + row].
    mutating func fit(_ w: UnsafePointer<Double>, rows: Int, columns: Range<Int>) throws
    /// Rounds column `column` (values `w[row]`): records its codes, writes the dequantized values to `q`.
    mutating func quantize(column: Int, _ w: UnsafePointer<Double>, rows: Int, into q: UnsafeMutablePointer<Double>)
}

/// GPTQ (Frantar et al., arXiv 2210.17323), a direct reference implementation in Float64:
/// H = Σ x xᵀ over calibration inputs; dead inputs (H_ii = 0) get H_ii = 1 and their weights zeroed;
/// H += λ·mean(diag H)·I with λ = `dampening` (1%); U = upper Cholesky factor of H⁻¹; columns are processed
/// in blocks of `blockSize` (128): each column is quantized, its error e = (w − q)/U_jj is propagated to the
/// remaining columns of the block (w_k −= e·U_jk), and after each block to all later columns at once.
/// Columns ≥ `keepFloatFrom` are not quantized (QUIK's outlier columns, ordered last): they absorb the
/// error feedback and are returned as updated floats.
public enum GPTQ {
    /// Returns the final row-major weights (dequantized values for quantized columns).
    /// The per-input part of GPTQ (shared by every layer that reads the same input, e.g. q/k/v): dead
    /// columns and the upper Cholesky factor U of the dampened inverse Hessian.
    public struct Factor: Sendable {
        public let n: Int
        public let dead: [Int]
        public let u: [Double]
    }

    public static func factor(hessian: [Double], n: Int, dampening: Double = 0.01, name: String = "weights") throws -> Factor {
        precondition(hessian.count == n * n)
        var h = hessian
        var dead: [Int] = []
        for i in 0..<n where h[i * n + i] == 0 {
            h[i * n + i] = 1
            dead.append(i)
        }
        return Factor(n: n, dead: dead, u: try inverseCholeskyUpper(h, n: n, dampening: dampening, name: name))
    }

    public static func run<G: GPTQGrid>(weights: [Float], rows: Int, cols: Int, hessian: [Double], grid: inout G,
                                        keepFloatFrom: Int? = nil, blockSize: Int = 128,
                                        dampening: Double = 0.01, name: String = "weights") throws -> [Float] {
        let f = try factor(hessian: hessian, n: cols, dampening: dampening, name: name)
        return try run(weights: weights, rows: rows, cols: cols, factor: f, grid: &grid, keepFloatFrom: keepFloatFrom,
                       blockSize: blockSize, name: name)
    }

    public static func run<G: GPTQGrid>(weights: [Float], rows: Int, cols: Int, factor: Factor, grid: inout G,
                                        keepFloatFrom: Int? = nil, blockSize: Int = 128,
                                        name: String = "weights") throws -> [Float] {
        precondition(weights.count == rows * cols && factor.n == cols)
        let n = cols, limit = keepFloatFrom ?? cols
        // Column-major working copy of W.
        var w = [Double](repeating: 0, count: rows * cols)
        for r in 0..<rows { for c in 0..<cols { w[c * rows + r] = Double(weights[r * cols + c]) } }
        for i in factor.dead { for r in 0..<rows { w[i * rows + r] = 0 } }
        let u = factor.u
        var q = [Double](repeating: 0, count: rows)
        var errors = [Double](repeating: 0, count: blockSize * rows)
        try w.withUnsafeMutableBufferPointer { wb in
            let W = wb.baseAddress!
            try u.withUnsafeBufferPointer { ub in
                let U = ub.baseAddress!
                var i1 = 0
                while i1 < n {
                    let i2 = min(i1 + blockSize, n)
                    for j in i1..<i2 {
                        let col = W + j * rows
                        if j >= limit {
                            for r in 0..<rows { errors[(j - i1) * rows + r] = 0 }
                            continue
                        }
                        if (j % grid.groupSize) == 0 {
                            try grid.fit(UnsafePointer(W), rows: rows, columns: j..<min(j + grid.groupSize, limit))
                        }
                        q.withUnsafeMutableBufferPointer { grid.quantize(column: j, UnsafePointer(col), rows: rows, into: $0.baseAddress!) }
                        let d = U[j * n + j]
                        for r in 0..<rows {
                            let e = (col[r] - q[r]) / d
                            errors[(j - i1) * rows + r] = e
                            col[r] = q[r]
                        }
                        for k in (j + 1)..<max(j + 1, i2) {
                            let f = U[j * n + k]
                            if f == 0 { continue }
                            let dst = W + k * rows
                            errors.withUnsafeBufferPointer { eb in
                                let e = eb.baseAddress! + (j - i1) * rows
                                for r in 0..<rows { dst[r] -= e[r] * f }
                            }
                        }
                    }
                    // Lazy batch update of all later columns.
                    if i2 < n {
                        errors.withUnsafeBufferPointer { eb in
                            let E = eb.baseAddress!
                            Parallel.forRanges(count: n - i2, granule: 8) { range in
                                for kk in range {
                                    let k = i2 + kk
                                    let dst = W + k * rows
                                    for j in i1..<i2 {
                                        let f = U[j * n + k]
                                        if f == 0 { continue }
                                        let e = E + (j - i1) * rows
                                        for r in 0..<rows { dst[r] -= e[r] * f }
                                    }
                                }
                            }
                        }
                    }
                    i1 = i2
                }
            }
        }
        var out = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows { for c in 0..<cols { out[r * cols + c] = Float(w[c * rows + r]) } }
        return out
    }

    /// Upper-triangular U with Uᵀ·U = (H + damp·I)⁻¹ (row-major n×n). Retries with 10× the dampening when H
    /// is not numerically positive definite.
    static func inverseCholeskyUpper(_ h: [Double], n: Int, dampening: Double, name: String) throws -> [Double] {
        try withDampenedCholesky(h, n: n, dampening: dampening, name: name, user: "GPTQ") { l in
            // H⁻¹ = L⁻ᵀ L⁻¹; its Cholesky factor, transposed, is U.
            let li = lowerInverse(l, n: n)
            var hinv = [Double](repeating: 0, count: n * n)
            // hinv[i][j] = Σ_k li[k][i] · li[k][j], k ≥ max(i, j)
            hinv.withUnsafeMutableBufferPointer { hb in
                li.withUnsafeBufferPointer { lb in
                    let H = hb.baseAddress!, L = lb.baseAddress!
                    Parallel.forRanges(count: n, granule: 4) { range in
                        for i in range {
                            for k in i..<n {
                                let f = L[k * n + i]
                                if f == 0 { continue }
                                let row = L + k * n
                                for j in i...k { H[i * n + j] += f * row[j] }
                            }
                        }
                    }
                }
            }
            for i in 0..<n { for j in 0..<i { hinv[i * n + j] = hinv[j * n + i] } }
            guard let c = cholesky(hinv, n: n) else { return nil }
            return upperFromLower(c, n: n)
        }
    }

    /// `body(L)` for the lower Cholesky factor L of H + λ·mean(diag H)·I, λ = `dampening`; when H + λI is not
    /// numerically positive definite or `body` gives nil, again with 10× λ (four tries, then an error naming `user`).
    /// `minimumMeanDiagonal` keeps an all-zero H from making the dampening zero.
    static func withDampenedCholesky<T>(_ h: [Double], n: Int, dampening: Double, minimumMeanDiagonal: Double = 0,
                                        name: String, user: String, _ body: ([Double]) -> T?) throws -> T {
        var meanDiag = 0.0
        for i in 0..<n { meanDiag += h[i * n + i] }
        meanDiag = max(meanDiag / Double(n), minimumMeanDiagonal)
        var lambda = dampening
        for _ in 0..<4 {
            var a = h
            for i in 0..<n { a[i * n + i] += lambda * meanDiag }
            if let l = cholesky(a, n: n), let result = body(l) { return result }
            lambda *= 10
        }
        throw LowBitError.invalidArgument(name, "\(user): the calibration Hessian is not positive definite even with dampening \(lambda / 10)")
    }

    /// Lᵀ (row-major, upper-triangular) of a lower-triangular row-major L.
    static func upperFromLower(_ l: [Double], n: Int) -> [Double] {
        var u = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0...i { u[j * n + i] = l[i * n + j] } }
        return u
    }

    /// Lower Cholesky factor of a symmetric positive definite row-major matrix, or nil.
    static func cholesky(_ a: [Double], n: Int) -> [Double]? {
        var l = [Double](repeating: 0, count: n * n)
        let ok = l.withUnsafeMutableBufferPointer { lb -> Bool in
            let L = lb.baseAddress!
            for j in 0..<n {
                var d = a[j * n + j]
                for k in 0..<j { d -= L[j * n + k] * L[j * n + k] }
                guard d > 0, d.isFinite else { return false }
                let ljj = d.squareRoot()
                L[j * n + j] = ljj
                let lj = L + j * n
                Parallel.forRanges(count: n - j - 1, granule: 16) { range in
                    for ii in range {
                        let i = j + 1 + ii
                        let li = L + i * n
                        var s = a[i * n + j]
                        for k in 0..<j { s -= li[k] * lj[k] }
                        li[j] = s / ljj
                    }
                }
            }
            return true
        }
        return ok ? l : nil
    }

    /// Inverse of a lower-triangular row-major matrix (lower-triangular).
    static func lowerInverse(_ l: [Double], n: Int) -> [Double] {
        var inv = [Double](repeating: 0, count: n * n)
        inv.withUnsafeMutableBufferPointer { ib in
            l.withUnsafeBufferPointer { lb in
                let X = ib.baseAddress!, L = lb.baseAddress!
                // Column c of X solves L·x = e_c (forward substitution); columns are independent.
                Parallel.forRanges(count: n, granule: 8) { range in
                    for c in range {
                        X[c * n + c] = 1 / L[c * n + c]
                        if c + 1 < n {
                            for i in (c + 1)..<n {
                                var s = 0.0
                                for k in c..<i { s -= L[i * n + k] * X[k * n + c] }
                                X[i * n + c] = s / L[i * n + i]
                            }
                        }
                    }
                }
            }
        }
        return inv
    }
}
