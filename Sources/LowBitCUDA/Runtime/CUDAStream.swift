import LowBitCore

/// A CUDA stream, destroyed in deinit. Created as a blocking stream: work on the null stream (the
/// synchronous copies of CUDABuffer) waits for it, so `download` after a launch sees the launch's result.
public final class CUDAStream: @unchecked Sendable {  // handle is immutable; ordering is the stream's job
    public let context: CUDAContext
    let handle: OpaquePointer?
    private let owned: Bool

    init(context: CUDAContext) throws {
        self.context = context
        try context.makeCurrent()
        var stream: OpaquePointer? = nil
        try context.api.check(context.api.cuStreamCreate(&stream, 0 /* CU_STREAM_DEFAULT */), "cuStreamCreate")
        handle = stream
        owned = true
    }

    init(nullStreamOf context: CUDAContext) {
        self.context = context
        handle = nil
        owned = false
    }

    deinit {
        if owned {
            _ = context.api.cuCtxSetCurrent(context.handle)
            _ = context.api.cuStreamDestroy(handle)
        }
    }

    /// Waits for everything queued so far; surfaces asynchronous errors.
    public func synchronize() throws {
        try context.makeCurrent()
        try context.api.check(context.api.cuStreamSynchronize(handle), "cuStreamSynchronize")
    }

    /// Queues a record of `event`.
    public func record(_ event: CUDAEvent) throws {
        try context.api.check(context.api.cuEventRecord(event.handle, handle), "cuEventRecord")
    }

    /// Makes later work on this stream wait for `event`.
    public func wait(for event: CUDAEvent) throws {
        try context.api.check(context.api.cuStreamWaitEvent(handle, event.handle, 0), "cuStreamWaitEvent")
    }
}

/// A CUDA event, for ordering and timing, destroyed in deinit.
public final class CUDAEvent: @unchecked Sendable {  // handle is immutable
    public let context: CUDAContext
    let handle: OpaquePointer?

    init(context: CUDAContext, timing: Bool) throws {
        self.context = context
        try context.makeCurrent()
        var event: OpaquePointer? = nil
        let flags: UInt32 = timing ? 0 : 2 /* CU_EVENT_DISABLE_TIMING */
        try context.api.check(context.api.cuEventCreate(&event, flags), "cuEventCreate")
        handle = event
    }

    deinit {
        _ = context.api.cuCtxSetCurrent(context.handle)
        _ = context.api.cuEventDestroy(handle)
    }

    public func synchronize() throws {
        try context.api.check(context.api.cuEventSynchronize(handle), "cuEventSynchronize")
    }

    /// Whether the GPU has reached this event (false while work before it is still queued or running).
    public func isComplete() throws -> Bool {
        let result = context.api.cuEventQuery(handle)
        if result == CUDA_ERROR_NOT_READY { return false }
        try context.api.check(result, "cuEventQuery")
        return true
    }

    /// Milliseconds from `start` to this event (both recorded and completed).
    public func elapsedMilliseconds(since start: CUDAEvent) throws -> Double {
        var ms: Float = 0
        try context.api.check(context.api.cuEventElapsedTime(&ms, start.handle, handle), "cuEventElapsedTime")
        return Double(ms)
    }
}
