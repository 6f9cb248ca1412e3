#!/usr/bin/env python3
"""Writes tiny random Llama models and their numpy logits as JSON test fixtures (one per variant), so the
Swift forward pass is checked against this independent implementation without any large file.

  tiny_fixtures.py OUT_DIR
"""
import json
import math
import sys

import numpy as np


def forward(w, cfg, ids):
    d, nh, nkv, hd = cfg["hidden"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"]
    eps, base, layout = cfg["eps"], cfg["theta"], cfg["layout"]
    T = len(ids)
    x = w["token_embd.weight"][ids].astype(np.float64)

    def rms(v, g):
        return v / np.sqrt((v * v).mean(-1, keepdims=True) + eps) * g

    half = hd // 2
    inv = base ** (-np.arange(half) * 2.0 / hd) / cfg.get("linear_scaling", 1.0)
    ang = np.arange(T)[:, None] * inv[None, :]
    c, s = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]

    def rope(v):
        out = v.copy()
        if layout == "interleaved":
            a, b = v[..., 0::2], v[..., 1::2]
            out[..., 0::2] = a * c - b * s
            out[..., 1::2] = a * s + b * c
        else:
            a, b = v[..., :half], v[..., half:]
            out[..., :half] = a * c - b * s
            out[..., half:] = a * s + b * c
        return out

    for i in range(cfg["layers"]):
        p = f"blk.{i}."
        h = rms(x, w[p + "attn_norm.weight"])
        q = rope((h @ w[p + "attn_q.weight"].T).reshape(T, nh, hd))
        k = rope((h @ w[p + "attn_k.weight"].T).reshape(T, nkv, hd))
        v = (h @ w[p + "attn_v.weight"].T).reshape(T, nkv, hd)
        att = np.zeros((T, nh, hd))
        for hh in range(nh):
            g = hh // (nh // nkv)
            sc = q[:, hh] @ k[:, g].T / math.sqrt(hd)
            sc = sc + np.triu(np.full((T, T), -np.inf), 1)
            pr = np.exp(sc - sc.max(-1, keepdims=True))
            pr /= pr.sum(-1, keepdims=True)
            att[:, hh] = pr @ v[:, g]
        x = x + att.reshape(T, nh * hd) @ w[p + "attn_output.weight"].T
        h = rms(x, w[p + "ffn_norm.weight"])
        gt = h @ w[p + "ffn_gate.weight"].T
        x = x + (gt / (1 + np.exp(-gt)) * (h @ w[p + "ffn_up.weight"].T)) @ w[p + "ffn_down.weight"].T
    out = w["token_embd.weight"] if cfg["tied"] else w["output.weight"]
    return rms(x, w["output_norm.weight"]) @ out.T


def make(name, seed, layout, tied, heads, kv_heads, scaling=1.0):
    rng = np.random.default_rng(seed)
    cfg = dict(vocab=29, hidden=16, ffn=24, layers=2, heads=heads, kv_heads=kv_heads, head_dim=16 // heads,
               eps=1e-5, theta=10000.0, layout=layout, tied=tied, linear_scaling=scaling)
    d, f, V = cfg["hidden"], cfg["ffn"], cfg["vocab"]
    qw, kvw = heads * cfg["head_dim"], kv_heads * cfg["head_dim"]
    shapes = {"token_embd.weight": [V, d], "output_norm.weight": [d]}
    if not tied:
        shapes["output.weight"] = [V, d]
    for i in range(cfg["layers"]):
        p = f"blk.{i}."
        shapes.update({p + "attn_norm.weight": [d], p + "attn_q.weight": [qw, d], p + "attn_k.weight": [kvw, d],
                       p + "attn_v.weight": [kvw, d], p + "attn_output.weight": [d, qw], p + "ffn_norm.weight": [d],
                       p + "ffn_gate.weight": [f, d], p + "ffn_up.weight": [f, d], p + "ffn_down.weight": [d, f]})
    w = {}
    for k, shp in shapes.items():
        if len(shp) == 1:
            w[k] = (1 + 0.1 * rng.standard_normal(shp)).astype(np.float32)
        else:
            w[k] = (rng.standard_normal(shp) / math.sqrt(shp[1])).astype(np.float32)
        # 5 significant digits keep the fixture small; the logits are computed from the rounded values
        w[k] = np.array([float("%.5g" % v) for v in w[k].reshape(-1)], dtype=np.float32).reshape(shp)
    ids = rng.integers(0, V, size=9).tolist()
    logits = forward({k: v.astype(np.float64) for k, v in w.items()}, cfg, ids)
    return {"name": name, "config": cfg, "ids": ids,
            "tensors": {k: {"shape": shapes[k], "values": [float("%.5g" % v) for v in w[k].reshape(-1)]} for k in shapes},
            "logits": [float("%.9g" % v) for v in logits.reshape(-1)]}


if __name__ == "__main__":
    out = sys.argv[1]
    variants = [make("interleaved_tied_gqa", 1, "interleaved", True, 4, 2),
                make("halfsplit_separate_gqa", 2, "halfSplit", False, 4, 2),
                make("interleaved_separate_mha_linear2", 3, "interleaved", False, 4, 4, scaling=2.0),
                make("halfsplit_tied_mqa", 4, "halfSplit", True, 2, 1)]
    with open(f"{out}/tiny_llama.json", "w") as fh:
        json.dump(variants, fh)
