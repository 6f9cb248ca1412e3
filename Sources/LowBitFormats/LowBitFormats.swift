/// Number formats: exact codecs for every low-bit format LowBit supports.
public enum LowBitFormatsModule {}
