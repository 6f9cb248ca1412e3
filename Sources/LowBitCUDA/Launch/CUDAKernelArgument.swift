/// A value that can be passed to a kernel parameter: its bytes are copied, in the parameter's layout, into
/// storage that lives until cuLaunchKernel returns.
public protocol CUDAKernelArgument {
    /// Bytes the parameter occupies (at most 4 KB; CUDA's limit on all parameters together is 32 KB).
    var kernelArgumentSize: Int { get }
    /// Writes the bytes to `destination` (64-byte aligned, `kernelArgumentSize` bytes).
    func writeKernelArgument(to destination: UnsafeMutableRawPointer)
}

/// Plain values passed by value; the Swift type must have the C type's size (Int32 for `int`,
/// UInt64 for `unsigned long long`, Float for `float`, Float16 or UInt16 bits for `__half`, ...).
/// A struct parameter (a tile descriptor, a CUtensorMap) can conform too if its layout matches the C struct.
public protocol CUDAValueKernelArgument: CUDAKernelArgument, BitwiseCopyable {}

extension CUDAValueKernelArgument {
    public var kernelArgumentSize: Int { MemoryLayout<Self>.size }
    public func writeKernelArgument(to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: self, as: Self.self)
    }
}

extension Int8: CUDAValueKernelArgument {}
extension UInt8: CUDAValueKernelArgument {}
extension Int16: CUDAValueKernelArgument {}
extension UInt16: CUDAValueKernelArgument {}
extension Int32: CUDAValueKernelArgument {}
extension UInt32: CUDAValueKernelArgument {}
extension Int64: CUDAValueKernelArgument {}
extension UInt64: CUDAValueKernelArgument {}
extension Float: CUDAValueKernelArgument {}
extension Double: CUDAValueKernelArgument {}
#if !((os(macOS) || targetEnvironment(macCatalyst)) && arch(x86_64))
extension Float16: CUDAValueKernelArgument {}
#endif
extension CUDADevicePointer: CUDAValueKernelArgument {}

extension CUDABuffer: CUDAKernelArgument {
    public var kernelArgumentSize: Int { 8 }
    public func writeKernelArgument(to destination: UnsafeMutableRawPointer) {
        destination.storeBytes(of: address, as: UInt64.self)
    }
}

/// The `void**` cuLaunchKernel reads: each argument in its own 64-byte-aligned slot of one allocation
/// (64 covers CUtensorMap's alignment), and an array of pointers to the slots.
enum CUDAKernelArgumentPack {
    static func with<R>(_ arguments: [any CUDAKernelArgument],
                        _ body: (UnsafeMutablePointer<UnsafeMutableRawPointer?>?) throws -> R) throws -> R {
        var offsets: [Int] = []
        offsets.reserveCapacity(arguments.count)
        var total = 0
        for argument in arguments {
            offsets.append(total)
            total += (max(argument.kernelArgumentSize, 1) + 63) & ~63
        }
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(total, 64), alignment: 64)
        defer { storage.deallocate() }
        let pointers = UnsafeMutablePointer<UnsafeMutableRawPointer?>.allocate(capacity: max(arguments.count, 1))
        defer { pointers.deallocate() }
        for (i, argument) in arguments.enumerated() {
            argument.writeKernelArgument(to: storage + offsets[i])
            pointers[i] = storage + offsets[i]
        }
        return try withExtendedLifetime(arguments) { try body(pointers) }
    }
}
