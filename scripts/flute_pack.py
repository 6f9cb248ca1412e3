"""NumPy mirror of Sources/LowBitCUDA/FLUTE/FLUTELayout.swift (pack only), for the GPU harness.

The Swift test FLUTELayoutTests.numpyMirrorHashes pins FNV-1a hashes of both packers' output on a fixed
pattern, so the two cannot drift apart silently.
"""
import numpy as np

def chunk_k(bits): return 64 if bits == 4 else 128

def pair_index(even, odd, bits):
    even = even.astype(np.uint32); odd = odd.astype(np.uint32)
    if bits == 4: return (even << 4) | odd
    if bits == 2: return (even << 2) | odd
    return ((even >> 2) << 5) | ((odd >> 2) << 4) | ((even & 3) << 2) | (odd & 3)

def codes_of_pair_index(e, bits):
    if bits == 4: return e >> 4, e & 15
    if bits == 2: return e >> 2, e & 3
    return (((e >> 5) & 1) << 2) | ((e >> 2) & 3), (((e >> 4) & 1) << 2) | (e & 3)

class Shape:
    def __init__(self, bits, outputs, inputs, group):  # group: 32/64/128/256 or None (per row)
        self.bits, self.outputs, self.inputs, self.group = bits, outputs, inputs, group
        self.ck = chunk_k(bits)
        self.row_tiles = (outputs + 15) // 16
        self.chunks = (inputs + self.ck - 1) // self.ck
        self.padded_outputs = self.row_tiles * 16
        self.padded_inputs = self.chunks * self.ck
        if group is None:
            g = 16
            while g < self.padded_inputs: g *= 2
            self.kernel_group = g
            self.groups_per_row = 1
            self.padded_groups = 1
        else:
            self.kernel_group = group
            self.groups_per_row = (inputs + group - 1) // group
            self.padded_groups = (self.padded_inputs + group - 1) // group
        self.group_shift = self.kernel_group.bit_length() - 1
        self.code_bytes = self.row_tiles * self.chunks * 32 * (24 if bits == 3 else 16)

def pair_table(table, bits, bf16):
    e = np.arange(1 << (2 * bits), dtype=np.uint32)
    even, odd = codes_of_pair_index(e, bits)
    t = np.asarray(table, dtype=np.float32)
    if bf16:
        b = t.view(np.uint32)
        r = ((b + 0x7FFF + ((b >> 16) & 1)) >> 16).astype(np.uint32)
        h = r
    else:
        h = t.astype(np.float16).view(np.uint16).astype(np.uint32)
    return (h[even] | (h[odd] << 16)).astype(np.uint32)

def pack(codes, scales, shape):
    """codes: uint8 (outputs, inputs); scales: uint16 fp16 bits (outputs, groups_per_row).
    Returns (packed uint8 [code_bytes], scale words uint32 [row_tiles * padded_groups * 8])."""
    s = shape
    kl = s.ck // 4; steps = kl // 4
    cp = np.zeros((s.padded_outputs, s.padded_inputs + 2), dtype=np.uint8)
    cp[:s.outputs, :s.inputs] = codes
    rt = np.arange(s.row_tiles)[:, None, None, None, None]
    c = np.arange(s.chunks)[None, :, None, None, None]
    lane = np.arange(32)[None, None, :, None, None]
    j = np.arange(steps)[None, None, None, :, None]
    i = np.arange(4)[None, None, None, None, :]
    g = lane >> 2; t = lane & 3
    row = rt * 16 + g + (i & 1) * 8
    k = c * s.ck + t * kl + 4 * j + (i >> 1) * 2
    e = pair_index(cp[row, k], cp[row, k + 1], s.bits)  # (rt, c, lane, j, i)
    if s.bits == 4:
        low = e.astype(np.uint8).reshape(-1)
        packed = low
    else:
        lo4 = e & 15
        # bytes per lane: byte 2j + h holds nibbles i = 2h (low) and 2h + 1 (high)
        b = (lo4[..., 0::2] | (lo4[..., 1::2] << 4)).astype(np.uint8)  # (rt, c, lane, j, 2)
        low = b.reshape(-1)
        if s.bits == 2:
            packed = low
        else:
            hi2 = (e >> 4) & 3
            hb = (hi2[..., 0] | (hi2[..., 1] << 2) | (hi2[..., 2] << 4) | (hi2[..., 3] << 6)).astype(np.uint8)
            packed = np.concatenate([low, hb.reshape(-1)])
    assert packed.size == s.code_bytes
    sp = np.zeros((s.padded_outputs, s.padded_groups), dtype=np.uint32)
    sp[:s.outputs, :s.groups_per_row] = scales
    sp = sp.reshape(s.row_tiles, 2, 8, s.padded_groups)  # (rt, half, g, group)
    words = (sp[:, 0] | (sp[:, 1] << 16)).transpose(0, 2, 1)  # (rt, group, g)
    return packed, np.ascontiguousarray(words).reshape(-1).astype(np.uint32)

def fnv1a(data):
    h = 0xcbf29ce484222325
    for b in np.asarray(data).tobytes():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h

def pattern(bits, outputs, inputs, groups):
    n = np.arange(outputs)[:, None]; k = np.arange(inputs)[None, :]
    codes = ((n * 7 + k * 13 + (n * k) % 11) % (1 << bits)).astype(np.uint8)
    gi = np.arange(groups)[None, :]
    scales = (0x3000 + (n * 3 + gi * 5) % 1024).astype(np.uint16)
    return codes, scales

if __name__ == "__main__":
    for bits in (2, 3, 4):
        for (o, i, gs) in ((33, 300, 64), (48, 576, None), (17, 129, 32)):
            s = Shape(bits, o, i, gs)
            codes, scales = pattern(bits, o, i, s.groups_per_row)
            p, w = pack(codes, scales, s)
            print(f"bits {bits} {o}x{i} G={gs}: codes {fnv1a(p):#018x} scales {fnv1a(w.view(np.uint8)):#018x}")
