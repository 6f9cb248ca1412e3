/// Dot products on unsafe buffers: the inner loop of every dense matvec/matmul.
///
/// Four independent SIMD8 accumulators hide the FMA latency; with -march=x86-64-v3 `addingProduct`
/// becomes vfmadd231ps and the Float16 load-and-widen becomes vcvtph2ps.

@inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

@inline(__always)
func load8(_ p: UnsafePointer<Float16>) -> SIMD8<Float> {
    SIMD8<Float>(UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float16>.self))
}

@inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}

/// Σ a[i]·b[i] for i in 0..<n, in Float.
public func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
    var i = 0
    while i + 32 <= n {
        s0.addProduct(load8(a + i), load8(b + i))
        s1.addProduct(load8(a + i + 8), load8(b + i + 8))
        s2.addProduct(load8(a + i + 16), load8(b + i + 16))
        s3.addProduct(load8(a + i + 24), load8(b + i + 24))
        i += 32
    }
    while i + 8 <= n {
        s0.addProduct(load8(a + i), load8(b + i))
        i += 8
    }
    var total = ((s0 + s1) + (s2 + s3)).sum()
    while i < n {
        total += a[i] * b[i]
        i += 1
    }
    return total
}

/// Σ w[i]·x[i] with Float16 weights, Float activations.
public func dot(_ w: UnsafePointer<Float16>, _ x: UnsafePointer<Float>, _ n: Int) -> Float {
    var s0 = SIMD8<Float>(), s1 = SIMD8<Float>(), s2 = SIMD8<Float>(), s3 = SIMD8<Float>()
    var i = 0
    while i + 32 <= n {
        s0.addProduct(load8(w + i), load8(x + i))
        s1.addProduct(load8(w + i + 8), load8(x + i + 8))
        s2.addProduct(load8(w + i + 16), load8(x + i + 16))
        s3.addProduct(load8(w + i + 24), load8(x + i + 24))
        i += 32
    }
    while i + 8 <= n {
        s0.addProduct(load8(w + i), load8(x + i))
        i += 8
    }
    var total = ((s0 + s1) + (s2 + s3)).sum()
    while i < n {
        total += Float(w[i]) * x[i]
        i += 1
    }
    return total
}

/// y[i] += a · x[i]
public func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    let av = SIMD8<Float>(repeating: a)
    var i = 0
    while i + 8 <= n {
        var v = load8(UnsafePointer(y + i))
        v.addProduct(av, load8(x + i))
        store8(v, y + i)
        i += 8
    }
    while i < n {
        y[i] += a * x[i]
        i += 1
    }
}

extension SIMD8<Float> {
    @inline(__always)
    mutating func addProduct(_ a: SIMD8<Float>, _ b: SIMD8<Float>) {
        self = self.addingProduct(a, b)
    }
}
