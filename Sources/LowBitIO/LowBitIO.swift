/// Model files (safetensors, GGUF) and fetched data.
public enum LowBitIOModule {}
