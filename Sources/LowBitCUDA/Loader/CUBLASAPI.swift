import LowBitCore

typealias cublasStatus = Int32

/// cuBLAS (libcublas), the baseline GEMM. `_v2` names are the exported ones behind cublas_v2.h's macros.
struct CUBLASAPI: @unchecked Sendable {  // immutable table of C function pointers
    let library: DynamicLibrary

    let cublasCreate: @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> cublasStatus
    let cublasDestroy: @convention(c) (OpaquePointer?) -> cublasStatus
    let cublasGetVersion: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int32>) -> cublasStatus
    let cublasSetStream: @convention(c) (OpaquePointer?, OpaquePointer?) -> cublasStatus
    let cublasSetWorkspace: (@convention(c) (OpaquePointer?, CUDADeviceAddress, Int) -> cublasStatus)?
    let cublasGetStatusName: (@convention(c) (cublasStatus) -> UnsafePointer<CChar>?)?
    /// cublasGemmEx(handle, transa, transb, m, n, k, alpha, A, Atype, lda, B, Btype, ldb, beta, C, Ctype,
    /// ldc, computeType, algo). Device pointers are passed as 64-bit integers (same ABI as `void*`).
    let cublasGemmEx: @convention(c) (
        OpaquePointer?, Int32, Int32, Int32, Int32, Int32,
        UnsafeRawPointer, CUDADeviceAddress, Int32, Int32,
        CUDADeviceAddress, Int32, Int32,
        UnsafeRawPointer, CUDADeviceAddress, Int32, Int32,
        Int32, Int32
    ) -> cublasStatus

    static var libraryCandidates: [String] {
        var list: [String] = []
        if let path = getEnvironment("LOWBIT_CUBLAS_PATH"), !path.isEmpty { list.append(path) }
        list += ["libcublas.so.13", "libcublas.so.12", "libcublas.so"]
        for dir in PipCUDALayout.folders("cu13/lib") where fileExists(dir + "/libcublas.so.13") {
            list.append(dir + "/libcublas.so.13")
        }
        for dir in PipCUDALayout.folders("cublas/lib") where fileExists(dir + "/libcublas.so.12") {
            list.append(dir + "/libcublas.so.12")
        }
        return list
    }

    init(library: DynamicLibrary) throws {
        self.library = library
        let l = library
        cublasCreate = try l.symbol("cublasCreate_v2")
        cublasDestroy = try l.symbol("cublasDestroy_v2")
        cublasGetVersion = try l.symbol("cublasGetVersion_v2")
        cublasSetStream = try l.symbol("cublasSetStream_v2")
        cublasSetWorkspace = l.optionalSymbol("cublasSetWorkspace_v2")
        cublasGetStatusName = l.optionalSymbol("cublasGetStatusName")
        cublasGemmEx = try l.symbol("cublasGemmEx")
    }

    func check(_ status: cublasStatus, _ call: @autoclosure () -> String) throws {
        if status != 0 {
            let name = cublasGetStatusName?(status).map { String(cString: $0) } ?? "CUBLAS_STATUS \(status)"
            throw LowBitError(.device, "\(call()) failed: \(name)")
        }
    }
}

/// cublasOperation_t, cudaDataType_t and cublasComputeType_t values (cublas_api.h, library_types.h).
enum CUBLASConstant {
    static let opN: Int32 = 0
    static let opT: Int32 = 1
    static let dataR32F: Int32 = 0
    static let dataR16F: Int32 = 2
    static let dataR16BF: Int32 = 14
    static let compute32F: Int32 = 68
    static let gemmDefault: Int32 = -1
}
