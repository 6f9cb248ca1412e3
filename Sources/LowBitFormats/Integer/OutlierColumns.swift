import LowBitCore

/// A set of outlier input columns (QUIK): these columns of X (and of W) stay in floating point, the rest
/// is quantized. The canonical order puts outliers last: inlier columns in ascending order, then outlier
/// columns in ascending order, which is how QUIK permutes W before GPTQ.
public struct OutlierColumns: Sendable, Hashable {
    /// Total column count K.
    public let columns: Int
    /// Outlier column indices, ascending.
    public let outliers: [Int]
    /// The other columns, ascending.
    public let inliers: [Int]

    /// Throws unless every index is in 0..<columns and none repeats.
    public init(_ indices: [Int], columns: Int) throws {
        guard columns >= 0 else { throw LowBitError.invalidArgument("outlier columns", "negative column count") }
        var isOutlier = [Bool](repeating: false, count: columns)
        for i in indices {
            guard i >= 0, i < columns else {
                throw LowBitError.invalidArgument("outlier columns", "index \(i) is outside 0..<\(columns)")
            }
            guard !isOutlier[i] else {
                throw LowBitError.invalidArgument("outlier columns", "index \(i) appears twice")
            }
            isOutlier[i] = true
        }
        self.columns = columns
        self.outliers = indices.sorted()
        self.inliers = (0..<columns).filter { !isOutlier[$0] }
    }

    /// QUIK's selection: the `count` columns with the largest per-column statistic (for example max |x| over
    /// calibration tokens); ties go to the lower column index. NaN statistics count as largest.
    public static func largest(_ statistic: [Float], count: Int) throws -> OutlierColumns {
        guard count >= 0, count <= statistic.count else {
            throw LowBitError.invalidArgument("outlier count", "\(count) is outside 0…\(statistic.count)")
        }
        let order = statistic.indices.sorted { a, b in
            let x = statistic[a], y = statistic[b]
            if x.isNaN != y.isNaN { return x.isNaN }
            if x != y && !x.isNaN { return x > y }
            return a < b
        }
        return try OutlierColumns(Array(order.prefix(count)), columns: statistic.count)
    }

    /// New column j holds old column permutation[j]: inliers first, then outliers.
    public var permutation: [Int] { inliers + outliers }

    /// Reorders the columns of a row-major [rows, columns] matrix so outliers come last.
    public func permuteColumns<T>(_ matrix: [T], rows: Int) throws -> [T] {
        try checkShape(matrix.count, rows: rows)
        let order = permutation
        var out = [T]()
        out.reserveCapacity(matrix.count)
        for r in 0..<rows {
            for j in order { out.append(matrix[r * columns + j]) }
        }
        return out
    }

    /// The inverse of `permuteColumns`.
    public func unpermuteColumns<T>(_ matrix: [T], rows: Int) throws -> [T] {
        try checkShape(matrix.count, rows: rows)
        guard var out = matrix.first.map({ [T](repeating: $0, count: matrix.count) }) else { return [] }
        let order = permutation
        for r in 0..<rows {
            for (j, old) in order.enumerated() { out[r * columns + old] = matrix[r * columns + j] }
        }
        return out
    }

    /// Splits a row-major [rows, columns] matrix into its inlier columns [rows, inliers.count] and outlier
    /// columns [rows, outliers.count], both in ascending column order.
    public func split<T>(_ matrix: [T], rows: Int) throws -> (inliers: [T], outliers: [T]) {
        try checkShape(matrix.count, rows: rows)
        var a = [T](), b = [T]()
        a.reserveCapacity(rows * inliers.count)
        b.reserveCapacity(rows * outliers.count)
        for r in 0..<rows {
            for j in inliers { a.append(matrix[r * columns + j]) }
            for j in outliers { b.append(matrix[r * columns + j]) }
        }
        return (a, b)
    }

    private func checkShape(_ count: Int, rows: Int) throws {
        try checkMatrixShape(count, rows: rows, columns: columns, name: "outlier column split")
    }
}
