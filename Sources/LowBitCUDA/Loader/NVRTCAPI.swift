import LowBitCore

typealias nvrtcResult = Int32

/// NVRTC, the run-time CUDA C++ compiler. Its names are not versioned.
struct NVRTCAPI: @unchecked Sendable {  // immutable table of C function pointers
    let library: DynamicLibrary

    let nvrtcVersion: @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<Int32>) -> nvrtcResult
    let nvrtcGetErrorString: @convention(c) (nvrtcResult) -> UnsafePointer<CChar>?
    let nvrtcGetNumSupportedArchs: @convention(c) (UnsafeMutablePointer<Int32>) -> nvrtcResult
    let nvrtcGetSupportedArchs: @convention(c) (UnsafeMutablePointer<Int32>) -> nvrtcResult
    let nvrtcCreateProgram: @convention(c) (
        UnsafeMutablePointer<OpaquePointer?>, UnsafePointer<CChar>, UnsafePointer<CChar>?, Int32,
        UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?
    ) -> nvrtcResult
    let nvrtcDestroyProgram: @convention(c) (UnsafeMutablePointer<OpaquePointer?>) -> nvrtcResult
    let nvrtcCompileProgram: @convention(c) (OpaquePointer?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> nvrtcResult
    let nvrtcGetProgramLogSize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> nvrtcResult
    let nvrtcGetProgramLog: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> nvrtcResult
    let nvrtcGetCUBINSize: @convention(c) (OpaquePointer?, UnsafeMutablePointer<Int>) -> nvrtcResult
    let nvrtcGetCUBIN: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>) -> nvrtcResult
    let nvrtcAddNameExpression: @convention(c) (OpaquePointer?, UnsafePointer<CChar>) -> nvrtcResult
    let nvrtcGetLoweredName: @convention(c) (OpaquePointer?, UnsafePointer<CChar>, UnsafeMutablePointer<UnsafePointer<CChar>?>) -> nvrtcResult

    /// $LOWBIT_NVRTC_PATH (a library file or the folder holding it), the sonames of CUDA 13 and 12, then
    /// pip's nvidia/cu13/lib and nvidia/cuda_nvrtc/lib folders.
    static var libraryCandidates: [String] {
        var list: [String] = []
        if let path = getEnvironment("LOWBIT_NVRTC_PATH"), !path.isEmpty {
            if path.hasSuffix(".so") || path.contains(".so.") { list.append(path) }
            else { list += [path + "/libnvrtc.so.13", path + "/libnvrtc.so.12", path + "/libnvrtc.so"] }
        }
        list += ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"]
        for dir in PipCUDALayout.folders("cu13/lib") where fileExists(dir + "/libnvrtc.so.13") {
            list.append(dir + "/libnvrtc.so.13")
        }
        for dir in PipCUDALayout.folders("cuda_nvrtc/lib") where fileExists(dir + "/libnvrtc.so.12") {
            list.append(dir + "/libnvrtc.so.12")
        }
        return list
    }

    init(library: DynamicLibrary) throws {
        self.library = library
        let l = library
        nvrtcVersion = try l.symbol("nvrtcVersion")
        nvrtcGetErrorString = try l.symbol("nvrtcGetErrorString")
        nvrtcGetNumSupportedArchs = try l.symbol("nvrtcGetNumSupportedArchs")
        nvrtcGetSupportedArchs = try l.symbol("nvrtcGetSupportedArchs")
        nvrtcCreateProgram = try l.symbol("nvrtcCreateProgram")
        nvrtcDestroyProgram = try l.symbol("nvrtcDestroyProgram")
        nvrtcCompileProgram = try l.symbol("nvrtcCompileProgram")
        nvrtcGetProgramLogSize = try l.symbol("nvrtcGetProgramLogSize")
        nvrtcGetProgramLog = try l.symbol("nvrtcGetProgramLog")
        nvrtcGetCUBINSize = try l.symbol("nvrtcGetCUBINSize")
        nvrtcGetCUBIN = try l.symbol("nvrtcGetCUBIN")
        nvrtcAddNameExpression = try l.symbol("nvrtcAddNameExpression")
        nvrtcGetLoweredName = try l.symbol("nvrtcGetLoweredName")
    }

    func check(_ result: nvrtcResult, _ call: @autoclosure () -> String) throws {
        if result != 0 {
            let text = nvrtcGetErrorString(result).map { String(cString: $0) } ?? "NVRTC error \(result)"
            throw LowBitError(.device, "\(call()) failed: \(text)")
        }
    }
}
