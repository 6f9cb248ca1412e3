import LowBitCore

/// A captured sequence of GPU work (kernels, cuBLAS calls, async copies) replayed with one launch: what a
/// decode step needs so that launch latency does not add up over hundreds of kernels (gpu.md).
///
///     let graph = try CUDAGraph.capture(on: stream) {
///         try kernelA.launch(grid: g, block: b, stream: stream, x, y)
///         try blas.linear(x: y, w: w, out: z, rows: 1, outFeatures: oc, inFeatures: ic)   // blas on `stream`
///     }
///     try graph.launch(on: stream)      // replays with the same pointers and scalars, current buffer contents
///
/// While capturing, queue work only on `stream` (or streams joined to it by events) and make no synchronous
/// call (CUDABuffer methods without a stream, download, synchronize): those touch the null stream, which
/// invalidates the capture. Buffers used by the graph must outlive it; the graph does not retain them.
public final class CUDAGraph: @unchecked Sendable {  // handles are immutable; launches are ordered by the stream
    public let context: CUDAContext
    let graph: OpaquePointer?
    let exec: OpaquePointer?

    /// Captures what `body` queues on `stream` (thread-local capture mode) and instantiates it.
    public static func capture(on stream: CUDAStream, _ body: () throws -> Void) throws -> CUDAGraph {
        let context = stream.context
        guard let g = context.api.graphs else {
            throw LowBitError(.device, "CUDA graphs are not available: the driver lacks cuStreamBeginCapture_v2")
        }
        guard stream.handle != nil else {
            throw LowBitError.invalidArgument("capture", "the null stream cannot be captured; use context.makeStream()")
        }
        try context.makeCurrent()
        try context.api.check(g.cuStreamBeginCapture(stream.handle, 1 /* CU_STREAM_CAPTURE_MODE_THREAD_LOCAL */),
                              "cuStreamBeginCapture_v2")
        var graph: OpaquePointer? = nil
        do {
            try body()
        } catch {
            _ = g.cuStreamEndCapture(stream.handle, &graph)
            if graph != nil { _ = g.cuGraphDestroy(graph) }
            throw error
        }
        try context.api.check(g.cuStreamEndCapture(stream.handle, &graph), "cuStreamEndCapture")
        var exec: OpaquePointer? = nil
        let result = g.cuGraphInstantiateWithFlags(&exec, graph, 0)
        if result != 0 {
            _ = g.cuGraphDestroy(graph)
            try context.api.check(result, "cuGraphInstantiateWithFlags")
        }
        return CUDAGraph(context: context, graph: graph, exec: exec)
    }

    private init(context: CUDAContext, graph: OpaquePointer?, exec: OpaquePointer?) {
        self.context = context
        self.graph = graph
        self.exec = exec
    }

    deinit {
        if let g = context.api.graphs {
            _ = context.api.cuCtxSetCurrent(context.handle)
            _ = g.cuGraphExecDestroy(exec)
            _ = g.cuGraphDestroy(graph)
        }
    }

    /// Queues one replay of the whole graph on `stream`.
    public func launch(on stream: CUDAStream) throws {
        try context.makeCurrent()
        try context.api.check(context.api.graphs!.cuGraphLaunch(exec, stream.handle), "cuGraphLaunch")
    }
}
