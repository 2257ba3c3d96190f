#!/usr/bin/env python3
"""make_model.py: writes transformer_adam.json (the committed model; rerun after editing).

A next-token model around one pre-norm Transformer block at a realistic size:
d_model 128, 4 heads of 32, seq 64, ff 512 (gelu), causal attention, residuals,
token + learned position embeddings, a final layer_norm and a linear head over
a vocabulary of 32, cross_entropy, Adam. The batch dim is the named dim `batch`.
The input is one i32 tensor `tokens` [batch, 65]: positions 0..63 are read,
positions 1..64 are the targets.
"""
import json
import os

V, S, D, H, FF = 32, 64, 128, 4, 512
HD = D // H


def main():
    p = lambda name, shape, init=None: {"name": name, "shape": shape, **({"init": init} if init else {})}
    params = [
        p("tok_emb", [V, D], {"kind": "normal", "std": 0.02}),
        p("pos_emb", [S, D], {"kind": "normal", "std": 0.02}),
        p("ln1.gamma", [D], {"kind": "ones"}), p("ln1.beta", [D]),
        p("attn.qkv.weight", [D, 3 * D], {"kind": "xavier_uniform"}), p("attn.qkv.bias", [3 * D]),
        p("attn.out.weight", [D, D], {"kind": "xavier_uniform"}), p("attn.out.bias", [D]),
        p("ln2.gamma", [D], {"kind": "ones"}), p("ln2.beta", [D]),
        p("ff1.weight", [D, FF], {"kind": "kaiming_uniform"}), p("ff1.bias", [FF]),
        p("ff2.weight", [FF, D], {"kind": "kaiming_uniform"}), p("ff2.bias", [D]),
        p("lnf.gamma", [D], {"kind": "ones"}), p("lnf.beta", [D]),
        p("head.weight", [D, V], {"kind": "xavier_uniform"}), p("head.bias", [V]),
    ]
    mask = [[0 if j <= i else -1e9 for j in range(S)] for i in range(S)]
    n = lambda name, op, inputs, **attrs: {"name": name, "op": op, "inputs": inputs, **({"attrs": attrs} if attrs else {})}
    nodes = [
        n("ids", "slice", ["tokens"], axis=1, start=0, end=S),
        n("target", "slice", ["tokens"], axis=1, start=1, end=S + 1),
        n("tok", "embedding", ["tok_emb", "ids"]),
        n("x", "add", ["tok", "pos_emb"]),
        # attention sub-block
        n("ln1", "layer_norm", ["x", "ln1.gamma", "ln1.beta"]),
        n("qkv.mm", "matmul", ["ln1", "attn.qkv.weight"]),
        n("qkv", "add", ["qkv.mm", "attn.qkv.bias"]),
        n("q", "slice", ["qkv"], axis=-1, start=0, end=D),
        n("k", "slice", ["qkv"], axis=-1, start=D, end=2 * D),
        n("v", "slice", ["qkv"], axis=-1, start=2 * D),
        n("q.heads", "reshape", ["q"], shape=[-1, S, H, HD]),
        n("k.heads", "reshape", ["k"], shape=[-1, S, H, HD]),
        n("v.heads", "reshape", ["v"], shape=[-1, S, H, HD]),
        n("q.bhsd", "transpose", ["q.heads"], perm=[0, 2, 1, 3]),
        n("k.bhds", "transpose", ["k.heads"], perm=[0, 2, 3, 1]),
        n("v.bhsd", "transpose", ["v.heads"], perm=[0, 2, 1, 3]),
        n("scores.raw", "matmul", ["q.bhsd", "k.bhds"]),
        n("scale", "constant", [], value=1 / HD ** 0.5),
        n("scores.scaled", "mul", ["scores.raw", "scale"]),
        n("causal_mask", "constant", [], value=mask),
        n("scores", "add", ["scores.scaled", "causal_mask"]),
        n("attn.probs", "softmax", ["scores"], axis=-1),
        n("ctx.bhsd", "matmul", ["attn.probs", "v.bhsd"]),
        n("ctx.bshd", "transpose", ["ctx.bhsd"], perm=[0, 2, 1, 3]),
        n("ctx", "reshape", ["ctx.bshd"], shape=[-1, S, D]),
        n("attn.out.mm", "matmul", ["ctx", "attn.out.weight"]),
        n("attn.out", "add", ["attn.out.mm", "attn.out.bias"]),
        n("res1", "add", ["x", "attn.out"]),
        # feed-forward sub-block
        n("ln2", "layer_norm", ["res1", "ln2.gamma", "ln2.beta"]),
        n("ff1.mm", "matmul", ["ln2", "ff1.weight"]),
        n("ff1.out", "add", ["ff1.mm", "ff1.bias"]),
        n("ff.act", "gelu", ["ff1.out"]),
        n("ff2.mm", "matmul", ["ff.act", "ff2.weight"]),
        n("ff2.out", "add", ["ff2.mm", "ff2.bias"]),
        n("y", "add", ["res1", "ff2.out"]),
        # head
        n("lnf", "layer_norm", ["y", "lnf.gamma", "lnf.beta"]),
        n("logits.mm", "matmul", ["lnf", "head.weight"]),
        n("logits", "add", ["logits.mm", "head.bias"]),
        n("loss", "cross_entropy", ["logits", "target"]),
    ]
    model = {
        "asg": 1,
        "name": "transformer_adam",
        "inputs": [{"name": "tokens", "shape": ["batch", S + 1], "dtype": "i32"}],
        "params": params,
        "nodes": nodes,
        "outputs": ["logits"],
        "train": {"loss": "loss", "optimizer": {"kind": "adam", "lr": 0.002}},
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "transformer_adam.json")
    with open(out, "w") as f:
        f.write("{\n")
        items = list(model.items())
        for i, (k, v) in enumerate(items):
            sep = "," if i + 1 < len(items) else ""
            if isinstance(v, list) and k in ("inputs", "params", "nodes"):
                rows = ",\n".join("    " + json.dumps(e, separators=(", ", ": ")) for e in v)
                f.write(f'  "{k}": [\n{rows}\n  ]{sep}\n')
            else:
                f.write(f'  "{k}": {json.dumps(v)}{sep}\n')
        f.write("}\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
