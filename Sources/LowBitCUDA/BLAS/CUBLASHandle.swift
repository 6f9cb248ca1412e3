import LowBitCore
import Synchronization

/// libcublas loaded with dlopen (once per process).
public final class CUBLASLibrary: @unchecked Sendable {  // immutable after init
    let api: CUBLASAPI
    public var path: String { api.library.path }

    private static let loaded: Result<CUBLASLibrary, LowBitError> = {
        do {
            let library = try DynamicLibrary.open(candidates: CUBLASAPI.libraryCandidates, what: "cuBLAS (libcublas)")
            return .success(CUBLASLibrary(api: try CUBLASAPI(library: library)))
        } catch let error as LowBitError {
            return .failure(LowBitError(.device, "cuBLAS unavailable: \(error.message)"))
        } catch {
            return .failure(LowBitError(.device, "cuBLAS unavailable: \(error)"))
        }
    }()

    public static func shared() throws -> CUBLASLibrary { try loaded.get() }

    private init(api: CUBLASAPI) { self.api = api }
}

/// The element types cuBLAS GEMMs take here.
public enum CUBLASElementType: String, Sendable, CaseIterable {
    case float16, bfloat16, float32

    var dataType: Int32 {
        switch self {
        case .float16: CUBLASConstant.dataR16F
        case .bfloat16: CUBLASConstant.dataR16BF
        case .float32: CUBLASConstant.dataR32F
        }
    }

    public var byteSize: Int { self == .float32 ? 4 : 2 }
}

/// A cuBLAS handle bound to one context and stream, with its own 32 MiB workspace (what cuBLAS asks for
/// on Hopper). Get one from `context.cublas(stream:)`; handles are cached per (context, stream).
public final class CUBLASHandle: @unchecked Sendable {  // a cuBLAS handle is used from one stream; calls are serialized by a Mutex
    public let context: CUDAContext
    public let stream: CUDAStream?
    let library: CUBLASLibrary
    let handle: OpaquePointer?
    private let workspace: CUDABuffer?
    private let lock = Mutex<Void>(())
    /// cublasGetVersion, e.g. 130100 for 13.1.0.
    public let version: Int

    init(context: CUDAContext, stream: CUDAStream?) throws {
        self.context = context
        self.stream = stream
        library = try CUBLASLibrary.shared()
        let api = library.api
        try context.makeCurrent()
        var h: OpaquePointer? = nil
        try api.check(api.cublasCreate(&h), "cublasCreate_v2")
        handle = h
        var v: Int32 = 0
        _ = api.cublasGetVersion(h, &v)
        version = Int(v)
        try api.check(api.cublasSetStream(h, stream?.handle), "cublasSetStream_v2")
        if let setWorkspace = api.cublasSetWorkspace {
            let ws = try context.allocate(bytes: 32 << 20)
            try api.check(setWorkspace(h, ws.address, ws.byteCount), "cublasSetWorkspace_v2")
            workspace = ws
        } else {
            workspace = nil
        }
    }

    deinit {
        _ = context.api.cuCtxSetCurrent(context.handle)
        _ = library.api.cublasDestroy(handle)
    }

    /// C[N, OC] = X[N, IC] · W[OC, IC]ᵀ (all row-major), FP32 accumulation, queued on the handle's stream.
    ///
    /// This is the layout of every LowBit linear layer (W row-major [out features, in features]). In
    /// cuBLAS's column-major terms: C' (OC×N, ld OC) = op(W') · X' with W' the IC×OC column-major view of
    /// W (op = transpose, lda = IC) and X' the IC×N view of X (ldb = IC): the "TN" GEMM.
    /// `x` and `w` share `inputType` (float16 or bfloat16; float32 works too); `c` has `outputType`.
    public func linear(x: CUDABuffer, w: CUDABuffer, out c: CUDABuffer, rows n: Int, outFeatures oc: Int, inFeatures ic: Int,
                       inputType: CUBLASElementType = .float16, outputType: CUBLASElementType? = nil,
                       alpha: Float = 1, beta: Float = 0) throws {
        let outType = outputType ?? inputType
        guard n > 0, oc > 0, ic > 0, n <= Int(Int32.max), oc <= Int(Int32.max), ic <= Int(Int32.max) else {
            throw LowBitError.invalidArgument("linear", "shape N=\(n) OC=\(oc) IC=\(ic) must be positive and fit in 32 bits")
        }
        guard x.byteCount >= n * ic * inputType.byteSize, w.byteCount >= oc * ic * inputType.byteSize,
              c.byteCount >= n * oc * outType.byteSize else {
            throw LowBitError.shapeMismatch("linear N=\(n) OC=\(oc) IC=\(ic): buffers of \(x.byteCount), \(w.byteCount), "
                + "\(c.byteCount) bytes are too small")
        }
        let api = library.api
        try context.makeCurrent()
        var a = alpha, b = beta
        try lock.withLock { _ in
            try api.check(
                api.cublasGemmEx(handle, CUBLASConstant.opT, CUBLASConstant.opN, Int32(oc), Int32(n), Int32(ic),
                                 &a, w.address, inputType.dataType, Int32(ic),
                                 x.address, inputType.dataType, Int32(ic),
                                 &b, c.address, outType.dataType, Int32(oc),
                                 CUBLASConstant.compute32F, CUBLASConstant.gemmDefault),
                "cublasGemmEx(N=\(n), OC=\(oc), IC=\(ic), \(inputType)->\(outType))")
        }
    }
}

extension CUDAContext {
    /// The cuBLAS handle for `stream` (nil: the null stream), created on first use.
    public func cublas(stream: CUDAStream? = nil) throws -> CUBLASHandle {
        let key = stream.map { ObjectIdentifier($0) }
        if let h = blasHandles.withLock({ $0[key] }) { return h }
        let created = try CUBLASHandle(context: self, stream: stream)
        return blasHandles.withLock { cache in
            if let raced = cache[key] { return raced }
            cache[key] = created
            return created
        }
    }
}
