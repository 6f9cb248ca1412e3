import LowBitCore
import Synchronization

/// The process's CUDA driver: libcuda loaded, cuInit done, devices listed. `try CUDA.shared()` throws
/// LowBitError(.device, "CUDA unavailable: …") when there is no driver or no device, with the reason.
public final class CUDA: @unchecked Sendable {  // immutable after init except `contexts`, guarded by a Mutex
    let api: DriverAPI
    /// The driver's CUDA version, e.g. (13, 0).
    public let driverVersion: (major: Int, minor: Int)
    public let deviceCount: Int
    private let contexts = Mutex<[Int: CUDAContext]>([:])

    private static let loaded: Result<CUDA, LowBitError> = {
        do { return .success(try CUDA()) } catch let error as LowBitError {
            return .failure(LowBitError(.device, "CUDA unavailable: \(error.message)"))
        } catch {
            return .failure(LowBitError(.device, "CUDA unavailable: \(error)"))
        }
    }()

    /// The loaded driver, or the reason it could not be loaded (cached: loading is tried once).
    public static func shared() throws -> CUDA { try loaded.get() }

    /// nil when CUDA works, else why not ("CUDA unavailable: …").
    public static var unavailableReason: String? {
        if case .failure(let error) = loaded { return error.message }
        return nil
    }

    private init() throws {
        let library = try DynamicLibrary.open(candidates: DriverAPI.libraryCandidates, what: "the NVIDIA driver (libcuda)")
        let api = try DriverAPI(library: library)
        self.api = api
        try api.check(api.cuInit(0), "cuInit")
        var version: Int32 = 0
        try api.check(api.cuDriverGetVersion(&version), "cuDriverGetVersion")
        driverVersion = (Int(version) / 1000, (Int(version) % 1000) / 10)
        var count: Int32 = 0
        try api.check(api.cuDeviceGetCount(&count), "cuDeviceGetCount")
        if count == 0 { throw LowBitError(.device, "the driver (CUDA \(version / 1000).\((version % 1000) / 10)) sees no GPU") }
        deviceCount = Int(count)
    }

    /// Properties of device `ordinal` (0-based), read from the driver.
    public func deviceProperties(_ ordinal: Int) throws -> CUDADeviceProperties {
        guard ordinal >= 0 && ordinal < deviceCount else {
            throw LowBitError.invalidArgument("device", "GPU \(ordinal) does not exist (\(deviceCount) found)")
        }
        var device: Int32 = 0
        try api.check(api.cuDeviceGet(&device, Int32(ordinal)), "cuDeviceGet(\(ordinal))")
        var nameBuffer = [CChar](repeating: 0, count: 256)
        try api.check(api.cuDeviceGetName(&nameBuffer, 255, device), "cuDeviceGetName")
        var total = 0
        try api.check(api.cuDeviceTotalMem(&total, device), "cuDeviceTotalMem_v2")
        func attribute(_ a: CUDeviceAttribute) throws -> Int {
            var value: Int32 = 0
            try api.check(api.cuDeviceGetAttribute(&value, a.rawValue, device), "cuDeviceGetAttribute(\(a))")
            return Int(value)
        }
        return CUDADeviceProperties(
            ordinal: ordinal,
            name: String(decoding: nameBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self),
            totalMemoryBytes: total,
            multiprocessorCount: try attribute(.multiprocessorCount),
            computeCapability: CUDAComputeCapability(
                major: try attribute(.computeCapabilityMajor), minor: try attribute(.computeCapabilityMinor)),
            l2CacheBytes: try attribute(.l2CacheSize),
            maxSharedMemoryPerBlock: try attribute(.maxSharedMemoryPerBlock),
            maxSharedMemoryPerBlockOptIn: try attribute(.maxSharedMemoryPerBlockOptin),
            maxSharedMemoryPerMultiprocessor: try attribute(.maxSharedMemoryPerMultiprocessor),
            maxThreadsPerBlock: try attribute(.maxThreadsPerBlock),
            clockRateKHz: (try? attribute(.clockRateKHz)) ?? 0,
            memoryClockRateKHz: (try? attribute(.memoryClockRateKHz)) ?? 0,
            memoryBusWidthBits: (try? attribute(.globalMemoryBusWidth)) ?? 0,
            pciBusID: (try? attribute(.pciBusID)) ?? 0)
    }

    /// The primary context of device `ordinal`, retained once and shared by every caller.
    public func context(device ordinal: Int = 0) throws -> CUDAContext {
        if let existing = contexts.withLock({ $0[ordinal] }) { return existing }
        let properties = try deviceProperties(ordinal)
        let created = try CUDAContext(cuda: self, properties: properties)
        return contexts.withLock { cache in
            if let raced = cache[ordinal] { return raced }
            cache[ordinal] = created
            return created
        }
    }
}

public struct CUDAComputeCapability: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public init(major: Int, minor: Int) { self.major = major; self.minor = minor }
    public var description: String { "\(major).\(minor)" }
    public static func < (a: Self, b: Self) -> Bool { (a.major, a.minor) < (b.major, b.minor) }

    /// The NVRTC target for this chip: the architecture-specific `sm_90a` on Hopper (wgmma, setmaxnreg),
    /// `sm_100a`/`sm_120a` likewise on Blackwell, plain `sm_XY` before.
    public var architecture: CUDAArchitecture {
        major >= 9 ? CUDAArchitecture("sm_\(major)\(minor)a") : CUDAArchitecture("sm_\(major)\(minor)")
    }
}

/// An NVRTC target name such as "sm_80" or "sm_90a".
public struct CUDAArchitecture: Sendable, Hashable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }

    /// The numeric part (80 for sm_80, 90 for sm_90a), for `__CUDA_ARCH__`-style checks.
    public var number: Int {
        Int(name.dropFirst(3).filter(\.isNumber)) ?? 0
    }

    /// Parses "sm_80", "sm_90a" (also "80", "90a"); rejects anything else.
    public static func parse(_ text: String) throws -> CUDAArchitecture {
        let t = text.hasPrefix("sm_") ? String(text.dropFirst(3)) : text
        guard t.count >= 2, t.prefix(2).allSatisfy(\.isNumber),
              t.dropFirst(2).allSatisfy({ $0.isNumber || $0 == "a" || $0 == "f" }) else {
            throw LowBitError.invalidArgument("--arch", "'\(text)' is not a CUDA architecture like sm_80 or sm_90a")
        }
        return CUDAArchitecture("sm_" + t)
    }
}

public struct CUDADeviceProperties: Sendable, Codable {
    public let ordinal: Int
    public let name: String
    public let totalMemoryBytes: Int
    public let multiprocessorCount: Int
    public let computeCapability: CUDAComputeCapability
    public let l2CacheBytes: Int
    public let maxSharedMemoryPerBlock: Int
    /// The most shared memory one block may use after cuFuncSetAttribute raises its limit.
    public let maxSharedMemoryPerBlockOptIn: Int
    public let maxSharedMemoryPerMultiprocessor: Int
    public let maxThreadsPerBlock: Int
    public let clockRateKHz: Int
    public let memoryClockRateKHz: Int
    public let memoryBusWidthBits: Int
    public let pciBusID: Int

    public var architecture: CUDAArchitecture { computeCapability.architecture }
}

extension CUDAComputeCapability: Codable {}
