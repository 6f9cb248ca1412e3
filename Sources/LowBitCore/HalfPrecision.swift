/// Half-precision conversions. Float16 is Swift's IEEE binary16; bfloat16 has no Swift type, so it is
/// carried as its bit pattern (UInt16) and converted here with round-to-nearest-even.
///
/// With `-march=x86-64-v3` (Package.swift) Float16 <-> Float compile to vcvtph2ps / vcvtps2ph.

@inlinable @inline(__always)
public func halfBitsToFloat(_ bits: UInt16) -> Float {
    Float(Float16(bitPattern: bits))
}

@inlinable @inline(__always)
public func floatToHalfBits(_ value: Float) -> UInt16 {
    Float16(value).bitPattern
}

@inlinable @inline(__always)
public func bfloat16BitsToFloat(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

/// Float -> bfloat16 bits, round to nearest, ties to even; NaN stays a (quiet) NaN.
@inlinable @inline(__always)
public func floatToBFloat16Bits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
    let lsb = (bits >> 16) & 1
    let rounded = bits &+ 0x7FFF &+ lsb
    return UInt16(truncatingIfNeeded: rounded >> 16)
}
