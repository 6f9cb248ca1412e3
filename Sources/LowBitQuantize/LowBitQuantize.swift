/// Turning models into LowBit checkpoints.
public enum LowBitQuantizeModule {}
