import LowBitCore
import Synchronization

/// A device's primary context (the one cuBLAS and the runtime API also use). Every call made through it
/// first makes it current on the calling thread, so any thread may use it.
public final class CUDAContext: @unchecked Sendable {  // handle is immutable; caches are behind Mutexes
    public let cuda: CUDA
    public let properties: CUDADeviceProperties
    let handle: OpaquePointer
    var api: DriverAPI { cuda.api }

    /// Compiled modules of this context (see CUDAKernelLibrary), created on first use.
    public var kernels: CUDAKernelLibrary {
        kernelLibrary.withLock { library in
            if let library { return library }
            let created = CUDAKernelLibrary(context: self)
            library = created
            return created
        }
    }
    private let kernelLibrary = Mutex<CUDAKernelLibrary?>(nil)
    let blasHandles = Mutex<[ObjectIdentifier?: CUBLASHandle]>([:])
    private let scratchBuffers = Mutex<[ScratchKey: CUDABuffer]>([:])

    struct ScratchKey: Hashable {
        let purpose: String
        let stream: UInt
    }

    /// A scratch buffer of at least `bytes` for `purpose` on `stream`, shared by every kernel call of this context
    /// that uses the same purpose on the same stream: calls on one stream run in order, so they can share it, and
    /// layers do not each keep their own (a per-layer dense-weight scratch would hold a dense copy of every layer,
    /// the memory low-bit weights exist to save). Growing it frees the old buffer, which synchronizes the device.
    public func scratch(_ purpose: String, stream: CUDAStream?, bytes: Int) throws -> CUDABuffer {
        let key = ScratchKey(purpose: purpose, stream: UInt(bitPattern: stream?.handle.map { UnsafeRawPointer($0) }))
        return try scratchBuffers.withLock { buffers in
            if let buffer = buffers[key], buffer.byteCount >= bytes { return buffer }
            buffers[key] = nil
            let grown = try allocate(bytes: bytes)
            buffers[key] = grown
            return grown
        }
    }

    init(cuda: CUDA, properties: CUDADeviceProperties) throws {
        self.cuda = cuda
        self.properties = properties
        var ctx: OpaquePointer? = nil
        try cuda.api.check(cuda.api.cuDevicePrimaryCtxRetain(&ctx, Int32(properties.ordinal)),
                           "cuDevicePrimaryCtxRetain(device \(properties.ordinal))")
        guard let ctx else { throw LowBitError(.device, "cuDevicePrimaryCtxRetain returned no context") }
        handle = ctx
        try cuda.api.check(cuda.api.cuCtxSetCurrent(ctx), "cuCtxSetCurrent")
    }

    deinit {
        _ = api.cuDevicePrimaryCtxRelease(Int32(properties.ordinal))
    }

    /// Makes this context current on the calling thread (cheap; done by every wrapper).
    @inline(__always)
    public func makeCurrent() throws {
        try api.check(api.cuCtxSetCurrent(handle), "cuCtxSetCurrent")
    }

    /// Waits for all work on the device; surfaces asynchronous errors (e.g. a faulting kernel).
    public func synchronize() throws {
        try makeCurrent()
        try api.check(api.cuCtxSynchronize(), "cuCtxSynchronize")
    }

    /// (free, total) device memory in bytes.
    public func memoryInfo() throws -> (free: Int, total: Int) {
        try makeCurrent()
        var free = 0, total = 0
        try api.check(api.cuMemGetInfo(&free, &total), "cuMemGetInfo_v2")
        return (free, total)
    }

    // MARK: memory

    /// Uninitialized device memory, freed when the returned buffer is released.
    public func allocate(bytes: Int) throws -> CUDABuffer {
        try CUDABuffer(context: self, byteCount: bytes)
    }

    public func allocate<T: BitwiseCopyable>(_ type: T.Type, count: Int) throws -> CUDABuffer {
        guard count >= 0, count <= Int.max / MemoryLayout<T>.stride else {
            throw LowBitError.invalidArgument("count", "\(count) elements of \(T.self) do not fit in memory")
        }
        return try CUDABuffer(context: self, byteCount: count * MemoryLayout<T>.stride)
    }

    /// A device copy of `array` (synchronous).
    public func upload<T: BitwiseCopyable>(_ array: [T]) throws -> CUDABuffer {
        let buffer = try allocate(T.self, count: array.count)
        try buffer.copyFromHost(array)
        return buffer
    }

    /// Page-locked host memory for fast asynchronous transfers, freed with the returned object.
    public func allocatePinned(bytes: Int) throws -> CUDAPinnedBuffer {
        try CUDAPinnedBuffer(context: self, byteCount: bytes)
    }

    // MARK: streams and events

    public func makeStream() throws -> CUDAStream { try CUDAStream(context: self) }
    public func makeEvent(timing: Bool = true) throws -> CUDAEvent { try CUDAEvent(context: self, timing: timing) }

    /// The legacy default stream (synchronizes with other blocking streams).
    public var nullStream: CUDAStream { CUDAStream(nullStreamOf: self) }
}
