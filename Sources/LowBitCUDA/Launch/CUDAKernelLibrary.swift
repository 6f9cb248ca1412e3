import LowBitCore
import Synchronization

/// The loaded modules of one context: compiles (or takes from the disk cache) each source once for the
/// device's architecture, loads it with cuModuleLoadData and keeps it for the life of the process.
///
///     let f = try context.kernels.function("lowbit_axpb<float>", in: .core)
///     try f.launch(grid: .init(x: blocks), block: .init(x: 256), stream: stream,
///                  arguments: [x, y, Int32(n), Float(2), Float(1)])
public final class CUDAKernelLibrary: @unchecked Sendable {  // state behind a Mutex
    unowned let context: CUDAContext
    private let modules = Mutex<[ModuleKey: CUDAModule]>([:])

    struct ModuleKey: Hashable {
        let source: CUDAKernelSource
        let defines: [String: String]

        // Hash the name and defines only: hashing the whole source text (tens of KB) on every kernel lookup is
        // wasted work; equality still compares everything.
        func hash(into hasher: inout Hasher) {
            hasher.combine(source.name)
            hasher.combine(defines)
        }
    }

    init(context: CUDAContext) { self.context = context }

    /// The target NVRTC compiles for on this device (sm_90a on Hopper).
    public var architecture: CUDAArchitecture { context.properties.architecture }

    /// The module for `source` (with `defines` as -D options), compiled and loaded on first use.
    public func module(_ source: CUDAKernelSource, defines: [String: String] = [:]) throws -> CUDAModule {
        let key = ModuleKey(source: source, defines: defines)
        if let module = modules.withLock({ $0[key] }) { return module }
        let compiled = try NVRTC.shared().compile(source, architecture: architecture, defines: defines)
        let module = try CUDAModule(context: context, compiled: compiled)
        return modules.withLock { cache in
            if let raced = cache[key] { return raced }
            cache[key] = module
            return module
        }
    }

    /// Shorthand for `module(source, defines:).function(expression)`.
    public func function(_ expression: String, in source: CUDAKernelSource, defines: [String: String] = [:]) throws -> CUDAFunction {
        try module(source, defines: defines).function(expression)
    }
}

/// A cubin loaded into a context, with its kernels by name expression.
public final class CUDAModule: @unchecked Sendable {  // handle immutable; function cache behind a Mutex
    public let context: CUDAContext
    public let compiled: CUDACompiledModule
    let handle: OpaquePointer?
    private let functions = Mutex<[String: CUDAFunction]>([:])

    init(context: CUDAContext, compiled: CUDACompiledModule) throws {
        self.context = context
        self.compiled = compiled
        try context.makeCurrent()
        var module: OpaquePointer? = nil
        let result = compiled.cubin.withUnsafeBytes { raw in context.api.cuModuleLoadData(&module, raw.baseAddress!) }
        if result != 0 {
            // A cubin from an NVRTC newer than the driver may be refused: say so next to CUDA's error.
            var hint = ""
            if let nvrtc = try? NVRTC.shared(),
               (nvrtc.version.major, nvrtc.version.minor) > (context.cuda.driverVersion.major, context.cuda.driverVersion.minor) {
                hint = " (NVRTC \(nvrtc.versionString) is newer than the driver's CUDA "
                    + "\(context.cuda.driverVersion.major).\(context.cuda.driverVersion.minor): use an NVRTC no newer than the driver)"
            }
            throw LowBitError(.device, "cuModuleLoadData(\(compiled.source.name).cu for \(compiled.architecture)) failed: "
                + context.api.describe(result) + hint)
        }
        handle = module
    }

    deinit {
        _ = context.api.cuCtxSetCurrent(context.handle)
        _ = context.api.cuModuleUnload(handle)
    }

    /// The kernel `expression` (one of the source's `kernels`, e.g. "lowbit_axpb<float>").
    public func function(_ expression: String) throws -> CUDAFunction {
        if let f = functions.withLock({ $0[expression] }) { return f }
        guard let mangled = compiled.loweredNames[expression] else {
            throw LowBitError(.notFound, "kernel '\(expression)' is not among the kernels of \(compiled.source.name).cu "
                + "(\(compiled.source.kernels.joined(separator: ", ")))")
        }
        try context.makeCurrent()
        var function: OpaquePointer? = nil
        try context.api.check(context.api.cuModuleGetFunction(&function, handle, mangled),
                              "cuModuleGetFunction(\(expression))")
        let f = CUDAFunction(module: self, name: expression, handle: function)
        functions.withLock { $0[expression] = f }
        return f
    }
}

/// Grid or block dimensions.
public struct CUDADim3: Sendable, Hashable, ExpressibleByIntegerLiteral {
    public var x: Int, y: Int, z: Int
    public init(x: Int, y: Int = 1, z: Int = 1) { self.x = x; self.y = y; self.z = z }
    public init(integerLiteral value: Int) { self.init(x: value) }
}

/// One kernel of a loaded module, with a typed launch.
public final class CUDAFunction: @unchecked Sendable {  // handle immutable; the shared-memory limit is behind a Mutex
    public let module: CUDAModule
    public let name: String
    let handle: OpaquePointer?
    private let dynamicSharedLimit = Mutex<Int>(48 * 1024)

    init(module: CUDAModule, name: String, handle: OpaquePointer?) {
        self.module = module
        self.name = name
        self.handle = handle
    }

    var context: CUDAContext { module.context }

    /// Registers per thread, as loaded (cuFuncGetAttribute).
    public func attribute(_ which: CUDAFunctionAttribute) throws -> Int {
        var value: Int32 = 0
        try context.api.check(context.api.cuFuncGetAttribute(&value, which.rawValue, handle), "cuFuncGetAttribute(\(name))")
        return Int(value)
    }

    /// Queues the kernel on `stream` (nil: the null stream). `arguments` must match the kernel's parameters
    /// in order and type: CUDABuffer / CUDADevicePointer for pointers, Int32/UInt32/Int64/UInt64/Float/Double/
    /// Float16/UInt16/UInt8/Int8 for scalars (Swift `Int` is refused on purpose: say which width the kernel
    /// takes). Dynamic shared memory above 48 KB raises the kernel's limit first (cuFuncSetAttribute).
    /// The argument bytes live in a buffer owned by this call until cuLaunchKernel returns.
    public func launch(grid: CUDADim3, block: CUDADim3, sharedMemoryBytes: Int = 0, stream: CUDAStream? = nil,
                       arguments: [any CUDAKernelArgument]) throws {
        let properties = context.properties
        guard grid.x > 0, grid.y > 0, grid.z > 0, block.x > 0, block.y > 0, block.z > 0,
              grid.x < 1 << 31, grid.y < 65536, grid.z < 65536,
              block.x * block.y * block.z <= properties.maxThreadsPerBlock else {
            throw LowBitError.invalidArgument("launch of \(name)",
                "grid \(grid.x)×\(grid.y)×\(grid.z), block \(block.x)×\(block.y)×\(block.z) is outside the device's limits")
        }
        guard sharedMemoryBytes >= 0, sharedMemoryBytes <= properties.maxSharedMemoryPerBlockOptIn else {
            throw LowBitError.invalidArgument("launch of \(name)",
                "\(sharedMemoryBytes) bytes of shared memory exceed the device's \(properties.maxSharedMemoryPerBlockOptIn)")
        }
        try context.makeCurrent()
        if sharedMemoryBytes > 48 * 1024 {
            try dynamicSharedLimit.withLock { limit in
                if sharedMemoryBytes > limit {
                    try context.api.check(
                        context.api.cuFuncSetAttribute(handle, CUDAFunctionAttribute.maxDynamicSharedBytes.rawValue,
                                                       Int32(sharedMemoryBytes)),
                        "cuFuncSetAttribute(\(name), MAX_DYNAMIC_SHARED_SIZE_BYTES=\(sharedMemoryBytes))")
                    limit = sharedMemoryBytes
                }
            }
        }
        try CUDAKernelArgumentPack.with(arguments) { params in
            try context.api.check(
                context.api.cuLaunchKernel(handle, UInt32(grid.x), UInt32(grid.y), UInt32(grid.z),
                                           UInt32(block.x), UInt32(block.y), UInt32(block.z),
                                           UInt32(sharedMemoryBytes), stream?.handle, params, nil),
                "cuLaunchKernel(\(name), grid \(grid.x)×\(grid.y)×\(grid.z), block \(block.x)×\(block.y)×\(block.z), "
                    + "\(sharedMemoryBytes) B shared)")
        }
    }

    /// Variadic form: `try f.launch(grid: 10, block: 256, stream: s, x, y, Int32(n))`.
    public func launch(grid: CUDADim3, block: CUDADim3, sharedMemoryBytes: Int = 0, stream: CUDAStream? = nil,
                       _ arguments: any CUDAKernelArgument...) throws {
        try launch(grid: grid, block: block, sharedMemoryBytes: sharedMemoryBytes, stream: stream, arguments: arguments)
    }
}

public enum CUDAFunctionAttribute: Int32, Sendable {
    case maxThreadsPerBlock = 0
    case staticSharedBytes = 1
    case localBytes = 3
    case registers = 4
    case maxDynamicSharedBytes = 8
}
