/// Architectures, tokenizers, generation and evaluation.
public enum LowBitModelModule {}
