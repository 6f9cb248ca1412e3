#!/usr/bin/env python3
"""Independent numpy reference for LowBit's Llama forward pass, byte-level BPE tokenizer and perplexity.

Written separately from the Swift code (regex-based pre-tokenizer via the `regex` module, rank-based BPE,
dense float32 numpy forward with float64 log-softmax) so the two can check each other.

  reference.py tokenize MODEL.gguf TEXT...          print token ids (JSON) for each text
  reference.py perplexity MODEL.gguf FILE --context C --max-tokens N
  reference.py logits MODEL.gguf --ids 1,2,3        print the last position's top logits
"""
import argparse
import json
import math
import sys
import time

import numpy as np
import regex

from gguf_reader import GGUF

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
LLAMA3_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
QWEN2_PATTERN = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


def split_keep_all(pattern, text):
    """regex split that keeps matches and the unmatched gaps (llama.cpp / HF 'Isolated' behaviour)."""
    out = []
    last = 0
    for m in regex.finditer(pattern, text):
        if m.start() > last:
            out.append(text[last:m.start()])
        if m.end() > m.start():
            out.append(m.group(0))
        last = m.end()
    if last < len(text):
        out.append(text[last:])
    return out


class BPE:
    def __init__(self, tokens, merges, pre, special):
        self.tokens = tokens
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.ranks = {}
        for r, m in enumerate(merges):
            a, b = m.split(" ", 1)
            self.ranks[(a, b)] = r
        self.pre = pre
        self.special = sorted(special, key=len, reverse=True)
        self.byte_enc = bytes_to_unicode()
        self.byte_dec = {c: b for b, c in self.byte_enc.items()}
        self.cache = {}

    def pretokenize(self, text):
        if self.pre in ("smollm", "starcoder"):
            pieces = []
            for p in split_keep_all(r"\p{N}", text):
                pieces.extend(split_keep_all(GPT2_PATTERN, p))
            return pieces
        if self.pre == "llama-bpe":
            return split_keep_all(LLAMA3_PATTERN, text)
        if self.pre == "qwen2":
            return split_keep_all(QWEN2_PATTERN, text)
        return split_keep_all(GPT2_PATTERN, text)

    def bpe(self, piece):
        if piece in self.cache:
            return self.cache[piece]
        word = [self.byte_enc[b] for b in piece.encode("utf-8")]
        while len(word) > 1:
            best = None
            for i in range(len(word) - 1):
                r = self.ranks.get((word[i], word[i + 1]))
                if r is not None and (best is None or r < best[0]):
                    best = (r, i)
            if best is None:
                break
            i = best[1]
            word = word[:i] + [word[i] + word[i + 1]] + word[i + 2:]
        ids = [self.ids[w] for w in word]
        self.cache[piece] = ids
        return ids

    def encode(self, text):
        ids = []
        pos = 0
        chunk_start = 0
        while pos < len(text):
            hit = None
            for s in self.special:
                if text.startswith(s, pos):
                    hit = s
                    break
            if hit is None:
                pos += 1
                continue
            ids.extend(self._encode_plain(text[chunk_start:pos]))
            ids.append(self.ids[hit])
            pos += len(hit)
            chunk_start = pos
        ids.extend(self._encode_plain(text[chunk_start:]))
        return ids

    def _encode_plain(self, text):
        out = []
        for p in self.pretokenize(text):
            out.extend(self.bpe(p))
        return out

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            t = self.tokens[i]
            if t in self.special:
                data.extend(t.encode("utf-8"))
            else:
                data.extend(self.byte_dec[c] for c in t)
        return data.decode("utf-8", errors="replace")


def load_tokenizer(g):
    md = g.metadata
    tokens = md["tokenizer.ggml.tokens"]
    types = md.get("tokenizer.ggml.token_type", [1] * len(tokens))
    special = [t for t, ty in zip(tokens, types) if ty in (3, 4)]
    return BPE(tokens, md["tokenizer.ggml.merges"], md.get("tokenizer.ggml.pre", "gpt2"), special)


class Llama:
    def __init__(self, g):
        md = g.metadata
        a = md["general.architecture"]
        self.n_layer = md[f"{a}.block_count"]
        self.d = md[f"{a}.embedding_length"]
        self.n_head = md[f"{a}.attention.head_count"]
        self.n_kv = md.get(f"{a}.attention.head_count_kv", self.n_head)
        self.hd = self.d // self.n_head
        self.eps = md[f"{a}.attention.layer_norm_rms_epsilon"]
        self.base = md.get(f"{a}.rope.freq_base", 10000.0)
        self.emb = g.tensor("token_embd.weight")
        self.out = g.tensor("output.weight") if "output.weight" in g.tensors else self.emb
        self.norm = g.tensor("output_norm.weight")
        self.layers = []
        for i in range(self.n_layer):
            p = f"blk.{i}."
            self.layers.append({k: g.tensor(p + k + ".weight") for k in
                                ["attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm",
                                 "ffn_gate", "ffn_up", "ffn_down"]})

    def rms(self, x, w):
        x64 = x.astype(np.float64)
        return (x64 / np.sqrt((x64 * x64).mean(-1, keepdims=True) + self.eps) * w).astype(np.float32)

    def rope(self, x, positions):
        # GGUF llama: adjacent pairs (2i, 2i+1) rotate by pos * base^(-2i/hd)
        T, H, hd = x.shape
        inv = self.base ** (-np.arange(0, hd, 2, dtype=np.float64) / hd)
        ang = positions[:, None].astype(np.float64) * inv[None, :]
        c = np.cos(ang)[:, None, :]
        s = np.sin(ang)[:, None, :]
        x0 = x[..., 0::2].astype(np.float64)
        x1 = x[..., 1::2].astype(np.float64)
        out = np.empty(x.shape, dtype=np.float64)
        out[..., 0::2] = x0 * c - x1 * s
        out[..., 1::2] = x0 * s + x1 * c
        return out.astype(np.float32)

    def forward(self, ids):
        """Logits [T, vocab] for a window of token ids starting from an empty cache."""
        T = len(ids)
        x = self.emb[np.asarray(ids)]
        pos = np.arange(T)
        mask = np.triu(np.full((T, T), -np.inf, dtype=np.float32), 1)
        group = self.n_head // self.n_kv
        for L in self.layers:
            h = self.rms(x, L["attn_norm"])
            q = (h @ L["attn_q"].T).reshape(T, self.n_head, self.hd)
            k = (h @ L["attn_k"].T).reshape(T, self.n_kv, self.hd)
            v = (h @ L["attn_v"].T).reshape(T, self.n_kv, self.hd)
            q = self.rope(q, pos)
            k = self.rope(k, pos)
            att = np.empty((T, self.n_head, self.hd), dtype=np.float32)
            for hh in range(self.n_head):
                kv = hh // group
                s = (q[:, hh, :] @ k[:, kv, :].T) / np.float32(math.sqrt(self.hd)) + mask
                s = s - s.max(-1, keepdims=True)
                p = np.exp(s)
                p /= p.sum(-1, keepdims=True)
                att[:, hh, :] = p @ v[:, kv, :]
            x = x + att.reshape(T, self.d) @ L["attn_output"].T
            h = self.rms(x, L["ffn_norm"])
            gte = h @ L["ffn_gate"].T
            up = h @ L["ffn_up"].T
            act = gte / (1 + np.exp(-gte)) * up
            x = x + act @ L["ffn_down"].T
        return self.rms(x, self.norm) @ self.out.T


def log_softmax64(logits):
    z = logits.astype(np.float64)
    z = z - z.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tokenize"); t.add_argument("model"); t.add_argument("texts", nargs="+")
    p = sub.add_parser("perplexity"); p.add_argument("model"); p.add_argument("file")
    p.add_argument("--context", type=int, default=512); p.add_argument("--max-tokens", type=int, default=4096)
    lg = sub.add_parser("logits"); lg.add_argument("model"); lg.add_argument("--ids", required=True)
    args = ap.parse_args()
    g = GGUF(args.model)
    if args.cmd == "tokenize":
        tok = load_tokenizer(g)
        print(json.dumps([{"text": s, "ids": tok.encode(s)} for s in args.texts], ensure_ascii=False))
        return
    if args.cmd == "logits":
        m = Llama(g)
        ids = [int(s) for s in args.ids.split(",")]
        lo = m.forward(ids)[-1]
        top = np.argsort(-lo)[:10]
        print(json.dumps({"ids": ids, "top": [[int(i), float(lo[i])] for i in top]}))
        return
    tok = load_tokenizer(g)
    text = open(args.file, encoding="utf-8").read()
    t0 = time.time()
    ids = tok.encode(text[: args.max_tokens * 12])  # plenty of characters for N tokens
    ids = ids[: args.max_tokens]
    if len(ids) < args.max_tokens:
        ids = tok.encode(text)[: args.max_tokens]
    m = Llama(g)
    C = args.context
    nll = 0.0
    count = 0
    # consecutive non-overlapping windows of C tokens (a shorter last window is scored too), each from an
    # empty cache; every token but a window's first is scored
    for w in range(0, len(ids), C):
        win = ids[w:w + C]
        if len(win) < 2:
            continue
        lp = log_softmax64(m.forward(win))
        for j in range(1, len(win)):
            nll -= lp[j - 1, win[j]]
            count += 1
        print(f"window {w // C}: running ppl {math.exp(nll / count):.6f}", file=sys.stderr)
    print(json.dumps({"perplexity": math.exp(nll / count), "tokens_scored": count, "tokens": len(ids),
                      "context": C, "seconds": time.time() - t0, "first_ids": ids[:16]}))


if __name__ == "__main__":
    main()
