/// Every GPU self-test `lowbit selftest --device cuda` runs, in order. Teammates define
/// `extension GPUSelfTests { static let mine: [GPUSelfTest] = [...] }` in their own file and add
/// `+ mine` here (one line).
extension GPUSelfTests {
    public static var all: [GPUSelfTest] {
        core
            + cublas
            + tcfpx
            + tcfpxWgmma
            + flute
            + fluteWgmma
    }
}

public enum GPUSelfTests {}
