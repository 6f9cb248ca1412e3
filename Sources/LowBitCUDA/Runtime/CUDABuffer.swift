import LowBitCore

/// Device memory owned by a Swift object: allocated with cuMemAlloc, freed with cuMemFree in deinit.
/// Keep the buffer alive while work queued on a stream still uses it (cuMemFree waits for the device,
/// but the memory could be reused by a later allocation otherwise).
public final class CUDABuffer: @unchecked Sendable {  // address and size are immutable; the memory is the caller's to order
    public let context: CUDAContext
    public let address: CUDADeviceAddress
    public let byteCount: Int

    init(context: CUDAContext, byteCount: Int) throws {
        guard byteCount >= 0 else { throw LowBitError.invalidArgument("bytes", "negative size \(byteCount)") }
        self.context = context
        self.byteCount = byteCount
        try context.makeCurrent()
        var address: CUDADeviceAddress = 0
        // cuMemAlloc rejects 0 bytes; keep a 1-byte allocation so every buffer has a valid address.
        let api = context.api
        try api.check(api.cuMemAlloc(&address, max(byteCount, 1)),
                      "cuMemAlloc_v2(\(byteCount) bytes on \(context.properties.name))")
        self.address = address
    }

    deinit {
        _ = context.api.cuCtxSetCurrent(context.handle)
        _ = context.api.cuMemFree(address)
    }

    /// The address `offset` bytes in, as a kernel argument.
    public func pointer(byteOffset: Int = 0) -> CUDADevicePointer {
        precondition(byteOffset >= 0 && byteOffset <= byteCount, "offset outside the buffer")
        return CUDADevicePointer(address: address + UInt64(byteOffset))
    }

    private func checkRange(_ offset: Int, _ count: Int, _ what: String) throws {
        guard offset >= 0, count >= 0, offset <= byteCount, count <= byteCount - offset else {
            throw LowBitError.invalidArgument(what, "\(count) bytes at offset \(offset) exceed the \(byteCount)-byte buffer")
        }
    }

    // MARK: host <-> device

    /// Copies `bytes` to the buffer at `byteOffset`; with a stream the copy is queued (the host memory must
    /// stay valid and unchanged until the stream reaches it: use pinned memory), else it completes before return.
    public func copyFromHost(_ bytes: UnsafeRawBufferPointer, byteOffset: Int = 0, stream: CUDAStream? = nil) throws {
        try checkRange(byteOffset, bytes.count, "copyFromHost")
        if bytes.count == 0 { return }
        try context.makeCurrent()
        let s = stream ?? context.nullStream
        try context.api.check(context.api.cuMemcpyHtoDAsync(address + UInt64(byteOffset), bytes.baseAddress, bytes.count, s.handle),
                              "cuMemcpyHtoDAsync_v2(\(bytes.count) bytes)")
        if stream == nil { try s.synchronize() }
    }

    public func copyFromHost<T: BitwiseCopyable>(_ array: [T], elementOffset: Int = 0) throws {
        try array.withUnsafeBytes { try copyFromHost($0, byteOffset: elementOffset * MemoryLayout<T>.stride) }
    }

    public func copyToHost(_ bytes: UnsafeMutableRawBufferPointer, byteOffset: Int = 0, stream: CUDAStream? = nil) throws {
        try checkRange(byteOffset, bytes.count, "copyToHost")
        if bytes.count == 0 { return }
        try context.makeCurrent()
        let s = stream ?? context.nullStream
        try context.api.check(context.api.cuMemcpyDtoHAsync(bytes.baseAddress, address + UInt64(byteOffset), bytes.count, s.handle),
                              "cuMemcpyDtoHAsync_v2(\(bytes.count) bytes)")
        if stream == nil { try s.synchronize() }
    }

    /// `count` elements of `type` read from the device (synchronous; waits for queued work on the null stream).
    public func download<T: BitwiseCopyable>(_ type: T.Type, count: Int, elementOffset: Int = 0) throws -> [T] {
        let stride = MemoryLayout<T>.stride
        try checkRange(elementOffset * stride, count * stride, "download")
        return try [T](unsafeUninitializedCapacity: count) { storage, initialized in
            try copyToHost(UnsafeMutableRawBufferPointer(storage), byteOffset: elementOffset * stride)
            initialized = count
        }
    }

    // MARK: device <-> device, fills

    /// Queues a copy of `byteCount` bytes from `source` (cuMemcpyDtoDAsync).
    public func copy(from source: CUDABuffer, byteCount count: Int? = nil, sourceOffset: Int = 0, byteOffset: Int = 0,
                     stream: CUDAStream? = nil) throws {
        let n = count ?? min(byteCount - byteOffset, source.byteCount - sourceOffset)
        try checkRange(byteOffset, n, "copy destination")
        try source.checkRange(sourceOffset, n, "copy source")
        try context.makeCurrent()
        let s = stream ?? context.nullStream
        try context.api.check(context.api.cuMemcpyDtoDAsync(address + UInt64(byteOffset), source.address + UInt64(sourceOffset), n, s.handle),
                              "cuMemcpyDtoDAsync_v2(\(n) bytes)")
        if stream == nil { try s.synchronize() }
    }

    /// Sets every byte (or `byteCount` bytes from `byteOffset`) to `value`.
    public func fill(byte value: UInt8, byteOffset: Int = 0, byteCount count: Int? = nil, stream: CUDAStream? = nil) throws {
        let n = count ?? (byteCount - byteOffset)
        try checkRange(byteOffset, n, "fill")
        try context.makeCurrent()
        let s = stream ?? context.nullStream
        try context.api.check(context.api.cuMemsetD8Async(address + UInt64(byteOffset), value, n, s.handle), "cuMemsetD8Async(\(n) bytes)")
        if stream == nil { try s.synchronize() }
    }

    /// Sets 32-bit words to `value` (e.g. a NaN pattern, 0x7FC0_0000 or two half NaNs 0x7E00_7E00) from the
    /// start; `wordCount` defaults to the whole buffer.
    public func fill(word value: UInt32, wordCount: Int? = nil, stream: CUDAStream? = nil) throws {
        let n = wordCount ?? (byteCount / 4)
        try checkRange(0, n * 4, "fill")
        try context.makeCurrent()
        let s = stream ?? context.nullStream
        try context.api.check(context.api.cuMemsetD32Async(address, value, n, s.handle), "cuMemsetD32Async(\(n) words)")
        if stream == nil { try s.synchronize() }
    }

    /// Sets 16-bit halves to `value` (e.g. 0x7E00, a half NaN, to poison an fp16 output).
    public func fill(half value: UInt16, count: Int? = nil, stream: CUDAStream? = nil) throws {
        let n = count ?? (byteCount / 2)
        try checkRange(0, n * 2, "fill")
        try context.makeCurrent()
        let s = stream ?? context.nullStream
        try context.api.check(context.api.cuMemsetD16Async(address, value, n, s.handle), "cuMemsetD16Async(\(n) halves)")
        if stream == nil { try s.synchronize() }
    }
}

/// A raw device address as a kernel argument (e.g. into the middle of a buffer). The buffer it points
/// into must outlive the work that uses it.
public struct CUDADevicePointer: Sendable, Hashable, BitwiseCopyable {
    public let address: CUDADeviceAddress
    public init(address: CUDADeviceAddress) { self.address = address }
}

/// Page-locked host memory (cuMemAllocHost), freed in deinit. Needed for truly asynchronous copies.
public final class CUDAPinnedBuffer: @unchecked Sendable {  // the bytes are the caller's to synchronize
    public let context: CUDAContext
    public let bytes: UnsafeMutableRawBufferPointer

    init(context: CUDAContext, byteCount: Int) throws {
        guard byteCount > 0 else { throw LowBitError.invalidArgument("bytes", "pinned buffer of \(byteCount) bytes") }
        self.context = context
        try context.makeCurrent()
        var pointer: UnsafeMutableRawPointer? = nil
        try context.api.check(context.api.cuMemAllocHost(&pointer, byteCount), "cuMemAllocHost_v2(\(byteCount) bytes)")
        guard let pointer else { throw LowBitError(.device, "cuMemAllocHost_v2 returned no memory") }
        bytes = UnsafeMutableRawBufferPointer(start: pointer, count: byteCount)
    }

    deinit {
        _ = context.api.cuCtxSetCurrent(context.handle)
        _ = context.api.cuMemFreeHost(bytes.baseAddress)
    }
}
