import Foundation
import LowBitCore
import LowBitCUDA
import Synchronization

/// What the GPU layers of one model share: the context, one stream, and the staging buffers that carry
/// activations across (host Float32 → pinned fp16 → device X; device Y → pinned fp16 → host Float32).
///
/// Buffers are allocated on first use and grown only when a call needs more than any call before (a prompt or
/// perplexity window longer than the ones seen), so a decode loop allocates nothing. Calls are serialized by
/// a lock: the layers run one after another in the forward pass anyway, and the GEMM objects keep per-object
/// scratch that must see one call at a time (docs/tcfpx.md, docs/flute.md).
///
/// A failed CUDA call cannot be thrown through `LinearWeight.apply`; the layer writes NaN, the first error is
/// kept (and printed once to stderr) and `check()` throws it, so a command exits non-zero instead of printing
/// results computed from garbage.
public final class GPULinearRuntime: @unchecked Sendable {  // mutable state only behind the Mutexes
    public let context: CUDAContext
    let stream: CUDAStream

    /// Fill each output with fp16 NaN before the kernel runs (self-tests: a row the kernel skips shows up).
    public let poisonOutputs: Bool

    struct Staging {
        var hostX: CUDAPinnedBuffer?
        var hostY: CUDAPinnedBuffer?
        var deviceX: CUDABuffer?
        var deviceY: CUDABuffer?
        var calls = 0
        var tokens = 0
        var seconds = 0.0
    }
    private let staging = Mutex<Staging>(Staging())
    private let failure = Mutex<LowBitError?>(nil)

    public init(context: CUDAContext, poisonOutputs: Bool = false) throws {
        self.context = context
        self.stream = try context.makeStream()
        self.poisonOutputs = poisonOutputs
    }

    /// The first GPU error of any layer so far, thrown (nil: all calls succeeded).
    public func check() throws {
        if let error = failure.withLock({ $0 }) { throw error }
    }

    public var firstError: LowBitError? { failure.withLock { $0 } }

    /// (calls, token rows, wall seconds inside GPU layers) so far.
    public var statistics: (calls: Int, tokens: Int, seconds: Double) {
        staging.withLock { ($0.calls, $0.tokens, $0.seconds) }
    }

    func record(_ error: Error, layer: String) {
        let wrapped = (error as? LowBitError).map { LowBitError($0.kind, "GPU layer \(layer): \($0.message)") }
            ?? LowBitError(.device, "GPU layer \(layer): \(error)")
        let first = failure.withLock { f -> Bool in
            if f != nil { return false }
            f = wrapped
            return true
        }
        if first { printError("lowbit: \(wrapped.message) (outputs from here on are NaN)") }
    }

    /// y [tokens, gemm.outFeatures] = x [tokens, gemm.inFeatures] · Ŵᵀ on the GPU with fp16 activations.
    func apply(_ gemm: any GPUWeightOnlyGemm, name: String, x: UnsafePointer<Float>, tokens: Int,
               into y: UnsafeMutablePointer<Float>) {
        let inCount = tokens * gemm.inFeatures, outCount = tokens * gemm.outFeatures
        do {
            try staging.withLock { s in
                let start = monotonicSeconds()
                let xBytes = inCount * 2, yBytes = outCount * 2
                // Grown together (a failed allocation leaves one of them nil: try both again next time).
                if (s.hostX?.bytes.count ?? 0) < xBytes || s.deviceX == nil {
                    s.deviceX = nil
                    s.hostX = nil
                    s.hostX = try context.allocatePinned(bytes: xBytes)
                    s.deviceX = try context.allocate(bytes: xBytes)
                }
                if (s.hostY?.bytes.count ?? 0) < yBytes || s.deviceY == nil {
                    s.deviceY = nil
                    s.hostY = nil
                    s.hostY = try context.allocatePinned(bytes: yBytes)
                    s.deviceY = try context.allocate(bytes: yBytes)
                }
                guard let hostX = s.hostX, let hostY = s.hostY, let deviceX = s.deviceX, let deviceY = s.deviceY else {
                    throw LowBitError(.device, "staging buffers missing")
                }
                let hx = hostX.bytes.baseAddress!.bindMemory(to: Float16.self, capacity: inCount)
                for i in 0..<inCount { hx[i] = Float16(x[i]) }
                try deviceX.copyFromHost(UnsafeRawBufferPointer(start: hostX.bytes.baseAddress, count: xBytes),
                                         stream: stream)
                if poisonOutputs { try deviceY.fill(half: 0x7E00, count: outCount, stream: stream) }
                try gemm.encode(x: deviceX.pointer(), y: deviceY.pointer(), batch: tokens, activation: .float16,
                                stream: stream)
                try deviceY.copyToHost(UnsafeMutableRawBufferPointer(start: hostY.bytes.baseAddress, count: yBytes),
                                       stream: stream)
                try stream.synchronize()
                let hy = UnsafeRawPointer(hostY.bytes.baseAddress!).bindMemory(to: Float16.self, capacity: outCount)
                for i in 0..<outCount { y[i] = Float(hy[i]) }
                s.calls += 1
                s.tokens += tokens
                s.seconds += monotonicSeconds() - start
            }
        } catch {
            record(error, layer: name)
            y.update(repeating: .nan, count: outCount)
        }
    }
}
