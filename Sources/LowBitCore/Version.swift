public enum LowBitVersion {
    public static let string = "0.1.0"
}
