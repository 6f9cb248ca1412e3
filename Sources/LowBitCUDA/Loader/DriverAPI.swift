import LowBitCore

typealias CUresult = Int32
/// CUdeviceptr: `unsigned long long` in cuda.h.
public typealias CUDADeviceAddress = UInt64
typealias CUhandle = OpaquePointer?   // CUcontext, CUstream, CUevent, CUmodule, CUfunction

/// The CUDA driver API (libcuda), every entry point resolved once at load by its exported name.
/// Names ending in `_v2` are the ones cuda.h's `#define` block maps the plain names to (CUDA 12/13).
struct DriverAPI: @unchecked Sendable {  // immutable table of C function pointers, callable from any thread
    let library: DynamicLibrary

    let cuInit: @convention(c) (UInt32) -> CUresult
    let cuDriverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
    let cuGetErrorName: @convention(c) (CUresult, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> CUresult
    let cuGetErrorString: @convention(c) (CUresult, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> CUresult
    let cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>) -> CUresult
    let cuDeviceGet: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> CUresult
    let cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>, Int32, Int32) -> CUresult
    let cuDeviceTotalMem: @convention(c) (UnsafeMutablePointer<Int>, Int32) -> CUresult
    let cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, Int32) -> CUresult
    let cuDevicePrimaryCtxRetain: @convention(c) (UnsafeMutablePointer<CUhandle>, Int32) -> CUresult
    let cuDevicePrimaryCtxRelease: @convention(c) (Int32) -> CUresult
    let cuCtxSetCurrent: @convention(c) (CUhandle) -> CUresult
    let cuCtxSynchronize: @convention(c) () -> CUresult
    let cuMemGetInfo: @convention(c) (UnsafeMutablePointer<Int>, UnsafeMutablePointer<Int>) -> CUresult
    let cuMemAlloc: @convention(c) (UnsafeMutablePointer<CUDADeviceAddress>, Int) -> CUresult
    let cuMemFree: @convention(c) (CUDADeviceAddress) -> CUresult
    let cuMemAllocHost: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>, Int) -> CUresult
    let cuMemFreeHost: @convention(c) (UnsafeMutableRawPointer?) -> CUresult
    let cuMemcpyHtoDAsync: @convention(c) (CUDADeviceAddress, UnsafeRawPointer?, Int, CUhandle) -> CUresult
    let cuMemcpyDtoHAsync: @convention(c) (UnsafeMutableRawPointer?, CUDADeviceAddress, Int, CUhandle) -> CUresult
    let cuMemcpyDtoDAsync: @convention(c) (CUDADeviceAddress, CUDADeviceAddress, Int, CUhandle) -> CUresult
    let cuMemsetD8Async: @convention(c) (CUDADeviceAddress, UInt8, Int, CUhandle) -> CUresult
    let cuMemsetD16Async: @convention(c) (CUDADeviceAddress, UInt16, Int, CUhandle) -> CUresult
    let cuMemsetD32Async: @convention(c) (CUDADeviceAddress, UInt32, Int, CUhandle) -> CUresult
    let cuStreamCreate: @convention(c) (UnsafeMutablePointer<CUhandle>, UInt32) -> CUresult
    let cuStreamDestroy: @convention(c) (CUhandle) -> CUresult
    let cuStreamSynchronize: @convention(c) (CUhandle) -> CUresult
    let cuStreamWaitEvent: @convention(c) (CUhandle, CUhandle, UInt32) -> CUresult
    let cuEventCreate: @convention(c) (UnsafeMutablePointer<CUhandle>, UInt32) -> CUresult
    let cuEventDestroy: @convention(c) (CUhandle) -> CUresult
    let cuEventRecord: @convention(c) (CUhandle, CUhandle) -> CUresult
    let cuEventSynchronize: @convention(c) (CUhandle) -> CUresult
    let cuEventQuery: @convention(c) (CUhandle) -> CUresult
    let cuEventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>, CUhandle, CUhandle) -> CUresult
    let cuModuleLoadData: @convention(c) (UnsafeMutablePointer<CUhandle>, UnsafeRawPointer) -> CUresult
    let cuModuleUnload: @convention(c) (CUhandle) -> CUresult
    let cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<CUhandle>, CUhandle, UnsafePointer<CChar>) -> CUresult
    let cuFuncGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>, Int32, CUhandle) -> CUresult
    let cuFuncSetAttribute: @convention(c) (CUhandle, Int32, Int32) -> CUresult
    let cuLaunchKernel: @convention(c) (
        CUhandle, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, CUhandle,
        UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> CUresult

    /// CUDA graphs (optional: absent on very old drivers, then CUDAGraph.capture throws).
    struct GraphAPI {
        let cuStreamBeginCapture: @convention(c) (CUhandle, Int32) -> CUresult
        let cuStreamEndCapture: @convention(c) (CUhandle, UnsafeMutablePointer<CUhandle>) -> CUresult
        let cuGraphInstantiateWithFlags: @convention(c) (UnsafeMutablePointer<CUhandle>, CUhandle, UInt64) -> CUresult
        let cuGraphLaunch: @convention(c) (CUhandle, CUhandle) -> CUresult
        let cuGraphExecDestroy: @convention(c) (CUhandle) -> CUresult
        let cuGraphDestroy: @convention(c) (CUhandle) -> CUresult
    }
    let graphs: GraphAPI?

    static let libraryCandidates = ["libcuda.so.1", "libcuda.so"]

    init(library: DynamicLibrary) throws {
        self.library = library
        let l = library
        cuInit = try l.symbol("cuInit")
        cuDriverGetVersion = try l.symbol("cuDriverGetVersion")
        cuGetErrorName = try l.symbol("cuGetErrorName")
        cuGetErrorString = try l.symbol("cuGetErrorString")
        cuDeviceGetCount = try l.symbol("cuDeviceGetCount")
        cuDeviceGet = try l.symbol("cuDeviceGet")
        cuDeviceGetName = try l.symbol("cuDeviceGetName")
        cuDeviceTotalMem = try l.symbol("cuDeviceTotalMem_v2")
        cuDeviceGetAttribute = try l.symbol("cuDeviceGetAttribute")
        cuDevicePrimaryCtxRetain = try l.symbol("cuDevicePrimaryCtxRetain")
        cuDevicePrimaryCtxRelease = try l.symbol("cuDevicePrimaryCtxRelease_v2")
        cuCtxSetCurrent = try l.symbol("cuCtxSetCurrent")
        cuCtxSynchronize = try l.symbol("cuCtxSynchronize")
        cuMemGetInfo = try l.symbol("cuMemGetInfo_v2")
        cuMemAlloc = try l.symbol("cuMemAlloc_v2")
        cuMemFree = try l.symbol("cuMemFree_v2")
        cuMemAllocHost = try l.symbol("cuMemAllocHost_v2")
        cuMemFreeHost = try l.symbol("cuMemFreeHost")
        cuMemcpyHtoDAsync = try l.symbol("cuMemcpyHtoDAsync_v2")
        cuMemcpyDtoHAsync = try l.symbol("cuMemcpyDtoHAsync_v2")
        cuMemcpyDtoDAsync = try l.symbol("cuMemcpyDtoDAsync_v2")
        cuMemsetD8Async = try l.symbol("cuMemsetD8Async")
        cuMemsetD16Async = try l.symbol("cuMemsetD16Async")
        cuMemsetD32Async = try l.symbol("cuMemsetD32Async")
        cuStreamCreate = try l.symbol("cuStreamCreate")
        cuStreamDestroy = try l.symbol("cuStreamDestroy_v2")
        cuStreamSynchronize = try l.symbol("cuStreamSynchronize")
        cuStreamWaitEvent = try l.symbol("cuStreamWaitEvent")
        cuEventCreate = try l.symbol("cuEventCreate")
        cuEventDestroy = try l.symbol("cuEventDestroy_v2")
        cuEventRecord = try l.symbol("cuEventRecord")
        cuEventSynchronize = try l.symbol("cuEventSynchronize")
        cuEventQuery = try l.symbol("cuEventQuery")
        // CUDA 12.8 added cuEventElapsedTime_v2 (same prototype); older drivers only have the plain name.
        cuEventElapsedTime = try l.symbol(anyOf: ["cuEventElapsedTime_v2", "cuEventElapsedTime"])
        cuModuleLoadData = try l.symbol("cuModuleLoadData")
        cuModuleUnload = try l.symbol("cuModuleUnload")
        cuModuleGetFunction = try l.symbol("cuModuleGetFunction")
        cuFuncGetAttribute = try l.symbol("cuFuncGetAttribute")
        cuFuncSetAttribute = try l.symbol("cuFuncSetAttribute")
        cuLaunchKernel = try l.symbol("cuLaunchKernel")
        graphs = try? GraphAPI(
            cuStreamBeginCapture: l.symbol("cuStreamBeginCapture_v2"),
            cuStreamEndCapture: l.symbol("cuStreamEndCapture"),
            cuGraphInstantiateWithFlags: l.symbol("cuGraphInstantiateWithFlags"),
            cuGraphLaunch: l.symbol("cuGraphLaunch"),
            cuGraphExecDestroy: l.symbol("cuGraphExecDestroy"),
            cuGraphDestroy: l.symbol("cuGraphDestroy"))
    }

    /// "CUDA_ERROR_OUT_OF_MEMORY (out of memory)" for a result code.
    func describe(_ result: CUresult) -> String {
        var name: UnsafePointer<CChar>? = nil
        var text: UnsafePointer<CChar>? = nil
        _ = cuGetErrorName(result, &name)
        _ = cuGetErrorString(result, &text)
        let n = name.map { String(cString: $0) } ?? "CUDA error \(result)"
        if let t = text { return "\(n) (\(String(cString: t)))" }
        return n
    }

    /// Throws LowBitError(.device) naming the call and the CUDA error unless `result` is CUDA_SUCCESS.
    @inline(__always)
    func check(_ result: CUresult, _ call: @autoclosure () -> String) throws {
        if result != 0 { throw LowBitError(.device, "\(call()) failed: \(describe(result))") }
    }
}

/// CUdevice_attribute values used here (cuda.h).
enum CUDeviceAttribute: Int32 {
    case maxThreadsPerBlock = 1
    case maxSharedMemoryPerBlock = 8
    case clockRateKHz = 13
    case multiprocessorCount = 16
    case pciBusID = 33
    case memoryClockRateKHz = 36
    case globalMemoryBusWidth = 37
    case l2CacheSize = 38
    case computeCapabilityMajor = 75
    case computeCapabilityMinor = 76
    case maxSharedMemoryPerMultiprocessor = 81
    case maxSharedMemoryPerBlockOptin = 97
}

/// CUfunction_attribute values used here (cuda.h).
enum CUFunctionAttribute: Int32 {
    case maxThreadsPerBlock = 0
    case sharedSizeBytes = 1
    case localSizeBytes = 3
    case numRegisters = 4
    case maxDynamicSharedSizeBytes = 8
}

let CUDA_ERROR_NOT_READY: CUresult = 600
