#!/usr/bin/python3
"""Tiny reference models of the decoder architectures, for tests/engine/tst_reference_models.

For each architecture this builds a small random model in PyTorch, written here from the
Hugging Face modeling_*.py semantics (Qwen3, Gemma2, Gemma3, Exaone4, Phi3), saves it as GGUF
with the tensor names, metadata keys and weight conventions of llama.cpp's converter
(convert_hf_to_gguf.py), and saves its float logits on a fixed Korean token sequence and on
a long synthetic one. The engine must reproduce those logits: an independent check of every
norm, RoPE, window and capping convention.

Run with Debian's python3 and python3-torch (never needed by the build or CI):
    /usr/bin/python3 scripts/make-reference-models.py tests/data/reference-models
"""
import json
import math
import struct
import sys
from pathlib import Path

import torch

torch.set_default_dtype(torch.float64)  # the reference runs in double; the files hold F32

TEXT = "안녕하세요 오늘 날씨가 정말 좋네요 우리 같이 산책하러 갈까요 한국어 모델을 시험합니다"
LONG_LENGTH = 200  # longer than a sliding-window ring (window + 127 rows) at n_ctx 256
LONG_KEEP = 4      # logits saved for the last positions of the long sequence


# --- vocabulary: a SentencePiece-style ("llama") vocabulary of Korean pieces ---------------

def build_vocab():
    words = TEXT.split()
    pieces = ["<unk>", "<s>", "</s>", "▁"]
    for w in words:
        for k in range(1, len(w) + 1):  # every prefix, so that merging reaches the word
            p = "▁" + w[:k]
            if p not in pieces:
                pieces.append(p)
    for ch in sorted(set("".join(words))):
        if ch not in pieces:
            pieces.append(ch)
    while len(pieces) < 80:
        pieces.append(chr(0xAC00 + 7 * len(pieces)))  # more Hangul syllables
    # Longer pieces score higher: the tokenizer merges whole words.
    scores = [0.0, 0.0, 0.0] + [float(len(p)) - 10.0 for p in pieces[3:]]
    types = [2, 3, 3] + [1] * (len(pieces) - 3)
    return pieces, scores, types


def text_tokens(pieces):
    return [pieces.index("▁" + w) for w in TEXT.split()]


def long_tokens(n_vocab):
    return [(i * 37 + 11) % (n_vocab - 3) + 3 for i in range(LONG_LENGTH)]


# --- GGUF (version 3) -----------------------------------------------------------------------

GGUF_U32, GGUF_I32, GGUF_F32, GGUF_BOOL, GGUF_STRING, GGUF_ARRAY = 4, 5, 6, 7, 8, 9


class Gguf:
    def __init__(self):
        self.kv = []
        self.tensors = []

    def u32(self, key, v): self.kv.append((key, GGUF_U32, v))
    def f32(self, key, v): self.kv.append((key, GGUF_F32, v))
    def string(self, key, v): self.kv.append((key, GGUF_STRING, v))
    def array(self, key, elem, v): self.kv.append((key, GGUF_ARRAY, (elem, v)))

    def tensor(self, name, t):
        # ggml lists dims innermost first: a torch [out, in] matrix is ggml [in, out].
        self.tensors.append((name, t.detach().to(torch.float32).contiguous()))

    @staticmethod
    def _str(s):
        b = s.encode("utf-8")
        return struct.pack("<Q", len(b)) + b

    def _value(self, typ, v):
        if typ == GGUF_U32: return struct.pack("<I", v)
        if typ == GGUF_I32: return struct.pack("<i", v)
        if typ == GGUF_F32: return struct.pack("<f", v)
        if typ == GGUF_BOOL: return struct.pack("<B", 1 if v else 0)
        if typ == GGUF_STRING: return self._str(v)
        elem, items = v
        return struct.pack("<IQ", elem, len(items)) + b"".join(self._value(elem, x) for x in items)

    def write(self, path):
        out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.kv)))
        for key, typ, v in self.kv:
            out += self._str(key) + struct.pack("<I", typ) + self._value(typ, v)
        offset, blobs = 0, []
        for name, t in self.tensors:
            dims = list(reversed(t.shape))
            out += self._str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
            out += struct.pack("<IQ", 0, offset)  # type F32
            data = t.numpy().tobytes()
            blobs.append(data)
            offset += (len(data) + 31) // 32 * 32
        out += b"\0" * (-len(out) % 32)
        for data in blobs:
            out += data + b"\0" * (-len(data) % 32)
        Path(path).write_bytes(bytes(out))


def common_metadata(g, arch, cfg, pieces, scores, types):
    g.string("general.architecture", arch)
    g.string("general.name", "reference " + arch)
    g.u32("general.file_type", 0)
    p = arch + "."
    g.u32(p + "context_length", cfg["n_ctx"])
    g.u32(p + "embedding_length", cfg["d"])
    g.u32(p + "block_count", cfg["layers"])
    g.u32(p + "feed_forward_length", cfg["ff"])
    g.u32(p + "attention.head_count", cfg["heads"])
    g.u32(p + "attention.head_count_kv", cfg["kv_heads"])
    g.f32(p + "attention.layer_norm_rms_epsilon", cfg["eps"])
    g.f32(p + "rope.freq_base", cfg["rope_base"])
    if cfg["head_dim"] != cfg["d"] // cfg["heads"]:
        g.u32(p + "attention.key_length", cfg["head_dim"])
        g.u32(p + "attention.value_length", cfg["head_dim"])
    g.string("tokenizer.ggml.model", "llama")
    g.array("tokenizer.ggml.tokens", GGUF_STRING, pieces)
    g.array("tokenizer.ggml.scores", GGUF_F32, scores)
    g.array("tokenizer.ggml.token_type", GGUF_I32, types)
    g.u32("tokenizer.ggml.bos_token_id", 1)
    g.u32("tokenizer.ggml.eos_token_id", 2)
    g.u32("tokenizer.ggml.unknown_token_id", 0)


# --- building blocks, as the modeling files define them -------------------------------------

def rms_norm(x, w, eps, gemma=False):
    # Gemma*RMSNorm scales by (1 + weight); the others by weight.
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return y * ((1.0 + w) if gemma else w)


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope(x, positions, rot_dim, inv_freq, attention_scaling=1.0):
    # x [T, heads, head_dim]; the first rot_dim dims rotate (partial rotary), HF's rotate_half.
    freqs = positions[:, None].to(torch.float64) * inv_freq[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos = (emb.cos() * attention_scaling)[:, None, :]
    sin = (emb.sin() * attention_scaling)[:, None, :]
    xr, xp = x[..., :rot_dim], x[..., rot_dim:]
    return torch.cat((xr * cos + rotate_half(xr) * sin, xp), dim=-1)


def default_inv_freq(base, rot_dim):
    return 1.0 / (base ** (torch.arange(0, rot_dim, 2, dtype=torch.float64) / rot_dim))


def attention(q, k, v, scaling, window=None, softcap=None):
    # q [T, H, hd], k/v [T, Hkv, hd]; causal, with a sliding window: i sees j iff 0 <= i-j < window.
    T, H, _ = q.shape
    rep = H // k.shape[1]
    k = k.repeat_interleave(rep, dim=1)
    v = v.repeat_interleave(rep, dim=1)
    scores = torch.einsum("ihd,jhd->hij", q, k) * scaling
    if softcap:
        scores = torch.tanh(scores / softcap) * softcap
    i = torch.arange(T)[:, None]
    j = torch.arange(T)[None, :]
    allowed = (j <= i) if window is None else ((j <= i) & (i - j < window))
    scores = scores.masked_fill(~allowed[None], float("-inf"))
    p = torch.softmax(scores, dim=-1)
    return torch.einsum("hij,jhd->ihd", p, v).reshape(T, -1)


def silu(x): return x * torch.sigmoid(x)
def gelu_tanh(x): return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


class Rand:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def __call__(self, *shape, std=0.4):
        # Rounded to float32: the files hold F32, the reference evaluates those values.
        return (torch.randn(*shape, generator=self.g) * std).to(torch.float32).to(torch.float64)

    def norm(self, n, gemma=False):
        # HF weights around 1 (gemma: around 0, applied as 1 + w)
        return self(n, std=0.2) + (0.0 if gemma else 1.0)


# --- the architectures ------------------------------------------------------------------------

def build(arch):
    r = Rand(sum(map(ord, arch)))
    pieces, scores, types = build_vocab()
    V = len(pieces)
    g = Gguf()

    if arch == "qwen3":
        cfg = dict(n_ctx=4096, d=16, layers=2, ff=32, heads=4, kv_heads=2, head_dim=8, eps=1e-6, rope_base=1000000.0)
    elif arch == "gemma2":
        cfg = dict(n_ctx=8192, d=16, layers=3, ff=32, heads=2, kv_heads=1, head_dim=8, eps=1e-6, rope_base=10000.0,
                   window=5, attn_cap=2.0, final_cap=6.0)
    elif arch == "gemma3":
        cfg = dict(n_ctx=32768, d=16, layers=6, ff=32, heads=2, kv_heads=1, head_dim=8, eps=1e-6, rope_base=1000000.0,
                   window=5, local_base=10000.0, linear_factor=4.0)
    elif arch == "exaone4":
        cfg = dict(n_ctx=65536, d=16, layers=4, ff=32, heads=2, kv_heads=1, head_dim=8, eps=1e-5, rope_base=1000000.0,
                   window=5, pattern="LLLG")
    elif arch == "phi3":
        cfg = dict(n_ctx=4096, d=16, layers=2, ff=32, heads=2, kv_heads=1, head_dim=8, eps=1e-5, rope_base=10000.0,
                   partial=0.5, orig_ctx=512)
    else:
        raise SystemExit("unknown architecture " + arch)
    d, L, ff, H, KV, hd, eps = cfg["d"], cfg["layers"], cfg["ff"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"], cfg["eps"]
    gemma = arch.startswith("gemma")
    common_metadata(g, arch, cfg, pieces, scores, types)
    p = arch + "."

    embed = r(V, d, std=1.0)
    tied = arch in ("gemma2", "gemma3", "exaone4")
    lm_head = embed if tied else r(V, d, std=0.6)
    final_norm = r.norm(d, gemma)
    layers = []
    for il in range(L):
        lw = dict(q=r(H * hd, d), k=r(KV * hd, d), v=r(KV * hd, d), o=r(d, H * hd),
                  gate=r(ff, d), up=r(ff, d), down=r(d, ff),
                  attn_norm=r.norm(d, gemma), ffn_norm=r.norm(d, gemma),
                  post_attn=r.norm(d, gemma), post_ffn=r.norm(d, gemma),
                  q_norm=r.norm(hd, gemma), k_norm=r.norm(hd, gemma))
        layers.append(lw)

    # Per-layer attention setup, and the metadata that describes it.
    rot_dim = hd
    inv_freq_full = default_inv_freq(cfg["rope_base"], hd)
    inv_freq_local = inv_freq_full
    attn_scale = hd ** -0.5  # gemma: query_pre_attn_scalar**-0.5 with query_pre_attn_scalar = head_dim
    is_sliding = [False] * L
    use_rope = [True] * L
    rope_scaling = 1.0
    if arch == "gemma2":
        is_sliding = [il % 2 == 0 for il in range(L)]
        g.u32(p + "attention.sliding_window", cfg["window"])
        g.f32(p + "attn_logit_softcapping", cfg["attn_cap"])
        g.f32(p + "final_logit_softcapping", cfg["final_cap"])
    elif arch == "gemma3":
        is_sliding = [(il + 1) % 6 != 0 for il in range(L)]
        g.u32(p + "attention.sliding_window", cfg["window"])
        inv_freq_full = default_inv_freq(cfg["rope_base"], hd) / cfg["linear_factor"]  # rope_type linear
        inv_freq_local = default_inv_freq(cfg["local_base"], hd)
        g.string(p + "rope.scaling.type", "linear")
        g.f32(p + "rope.scaling.factor", cfg["linear_factor"])
    elif arch == "exaone4":
        is_sliding = [cfg["pattern"][il % len(cfg["pattern"])] == "L" for il in range(L)]
        use_rope = is_sliding[:]  # the full-attention layers of the hybrid model have no RoPE
        g.u32(p + "attention.sliding_window", cfg["window"])
        g.array(p + "attention.sliding_window_pattern", GGUF_BOOL, is_sliding)
    elif arch == "phi3":
        rot_dim = int(hd * cfg["partial"])
        short = (1.0 + torch.rand(rot_dim // 2, generator=r.g)).to(torch.float32).to(torch.float64)
        long = 2.0 + 4.0 * torch.rand(rot_dim // 2, generator=r.g)
        scale = cfg["n_ctx"] / cfg["orig_ctx"]
        rope_scaling = float(torch.tensor(math.sqrt(1 + math.log(scale) / math.log(cfg["orig_ctx"])), dtype=torch.float32))
        # The sequences stay within original_max_position_embeddings: the short factors apply.
        inv_freq_full = inv_freq_local = 1.0 / (short * cfg["rope_base"] ** (torch.arange(0, rot_dim, 2, dtype=torch.float64) / rot_dim))
        g.u32(p + "rope.dimension_count", rot_dim)
        g.u32(p + "rope.scaling.original_context_length", cfg["orig_ctx"])
        g.f32(p + "rope.scaling.attn_factor", rope_scaling)
        g.tensor("rope_factors_long.weight", long)
        g.tensor("rope_factors_short.weight", short)
    elif arch == "qwen3":
        pass  # no rope.dimension_count: the rotary width is the head size

    def forward(tokens):
        T = len(tokens)
        pos = torch.arange(T)
        x = embed[torch.tensor(tokens)]
        if gemma:
            x = x * math.sqrt(d)
        for il, lw in enumerate(layers):
            h = x if arch == "exaone4" else rms_norm(x, lw["attn_norm"], eps, gemma)
            q = (h @ lw["q"].T).view(T, H, hd)
            k = (h @ lw["k"].T).view(T, KV, hd)
            v = (h @ lw["v"].T).view(T, KV, hd)
            if arch in ("qwen3", "gemma3", "exaone4"):
                q = rms_norm(q, lw["q_norm"], eps, gemma)
                k = rms_norm(k, lw["k_norm"], eps, gemma)
            if use_rope[il]:
                inv = inv_freq_local if is_sliding[il] else inv_freq_full
                q = rope(q, pos, rot_dim, inv, rope_scaling)
                k = rope(k, pos, rot_dim, inv, rope_scaling)
            a = attention(q, k, v, attn_scale, cfg["window"] if is_sliding[il] else None,
                          cfg.get("attn_cap"))
            a = a @ lw["o"].T
            if gemma or arch == "exaone4":
                a = rms_norm(a, lw["post_attn"], eps, gemma)
            x = x + a
            h = x if arch == "exaone4" else rms_norm(x, lw["ffn_norm"], eps, gemma)
            act = gelu_tanh if gemma else silu
            f = (act(h @ lw["gate"].T) * (h @ lw["up"].T)) @ lw["down"].T
            if gemma or arch == "exaone4":
                f = rms_norm(f, lw["post_ffn"], eps, gemma)
            x = x + f
        logits = rms_norm(x, final_norm, eps, gemma) @ lm_head.T
        if cfg.get("final_cap"):
            logits = torch.tanh(logits / cfg["final_cap"]) * cfg["final_cap"]
        return logits

    # The tensors, named and laid out as the converter writes them.
    shift = 1.0 if gemma else 0.0  # Gemma's converter stores norm weights with the 1 added
    g.tensor("token_embd.weight", embed)
    g.tensor("output_norm.weight", final_norm + shift)
    if not tied:
        g.tensor("output.weight", lm_head)
    for il, lw in enumerate(layers):
        b = f"blk.{il}."
        if arch == "phi3":
            g.tensor(b + "attn_qkv.weight", torch.cat((lw["q"], lw["k"], lw["v"]), 0))
            g.tensor(b + "ffn_up.weight", torch.cat((lw["gate"], lw["up"]), 0))  # gate_up_proj: [gate | up]
        else:
            g.tensor(b + "attn_q.weight", lw["q"])
            g.tensor(b + "attn_k.weight", lw["k"])
            g.tensor(b + "attn_v.weight", lw["v"])
            g.tensor(b + "ffn_gate.weight", lw["gate"])
            g.tensor(b + "ffn_up.weight", lw["up"])
        g.tensor(b + "attn_output.weight", lw["o"])
        g.tensor(b + "ffn_down.weight", lw["down"])
        if arch != "exaone4":
            g.tensor(b + "attn_norm.weight", lw["attn_norm"] + shift)
            g.tensor(b + "ffn_norm.weight", lw["ffn_norm"] + shift)
        if gemma or arch == "exaone4":
            g.tensor(b + "post_attention_norm.weight", lw["post_attn"] + shift)
            g.tensor(b + "post_ffw_norm.weight", lw["post_ffn"] + shift)
        if arch in ("qwen3", "gemma3", "exaone4"):
            g.tensor(b + "attn_q_norm.weight", lw["q_norm"] + shift)
            g.tensor(b + "attn_k_norm.weight", lw["k_norm"] + shift)

    tokens = text_tokens(pieces)
    logits = forward(tokens)
    ltoks = long_tokens(V)
    long_logits = forward(ltoks)[-LONG_KEEP:]
    spread = logits.std(dim=-1).mean().item()
    print(f"{arch}: vocab {V}, {len(tokens)} tokens, logit spread (mean std) {spread:.2f}, "
          f"max prob {torch.softmax(logits, -1).max().item():.2f}")
    return g, dict(architecture=arch, text=TEXT, tokens=tokens,
                   logits=[[round(float(v), 6) for v in row] for row in logits],
                   long_tokens=ltoks, long_logits=[[round(float(v), 6) for v in row] for row in long_logits])


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/reference-models")
    out.mkdir(parents=True, exist_ok=True)
    archs = sys.argv[2:] or ["qwen3", "gemma2", "gemma3", "exaone4", "phi3"]
    for arch in archs:
        g, ref = build(arch)
        g.write(out / f"{arch}.gguf")
        (out / f"{arch}.json").write_text(json.dumps(ref, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
