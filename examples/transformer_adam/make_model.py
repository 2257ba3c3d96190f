#!/usr/bin/env python3
"""make_model.py [--layers N] [--out PATH]: writes transformer_adam.json (the committed model; rerun after editing).

A next-token model around pre-norm Transformer blocks at a realistic size:
d_model 128, 4 heads of 32, seq 64, ff 512 (gelu), causal attention, residuals,
token + learned position embeddings, a final layer_norm and a linear head over
a vocabulary of 32, cross_entropy, Adam. The batch dim is the named dim `batch`.
The input is one i32 tensor `tokens` [batch, 65]: positions 0..63 are read,
positions 1..64 are the targets.

--layers N (default 1) stacks N blocks; with N > 1 each block's parameters and
nodes are prefixed `l0.`, `l1.`, ... (the attention's scale and causal mask
are shared constants) and the model is named `transformerN_adam`.
bench/models/transformer2_adam.json is `--layers 2 --out bench/models/transformer2_adam.json`.
--out (default: transformer_adam.json next to this script) is the file to write.
"""
import argparse
import json
import os

V, S, D, H, FF = 32, 64, 128, 4, 512
HD = D // H


def p(name, shape, init=None):
    return {"name": name, "shape": shape, **({"init": init} if init else {})}


def n(name, op, inputs, **attrs):
    return {"name": name, "op": op, "inputs": inputs, **({"attrs": attrs} if attrs else {})}


def causal_mask():
    return [[0 if j <= i else -1e9 for j in range(S)] for i in range(S)]


def block_params(pre):
    return [
        p(pre + "ln1.gamma", [D], {"kind": "ones"}), p(pre + "ln1.beta", [D]),
        p(pre + "attn.qkv.weight", [D, 3 * D], {"kind": "xavier_uniform"}), p(pre + "attn.qkv.bias", [3 * D]),
        p(pre + "attn.out.weight", [D, D], {"kind": "xavier_uniform"}), p(pre + "attn.out.bias", [D]),
        p(pre + "ln2.gamma", [D], {"kind": "ones"}), p(pre + "ln2.beta", [D]),
        p(pre + "ff1.weight", [D, FF], {"kind": "kaiming_uniform"}), p(pre + "ff1.bias", [FF]),
        p(pre + "ff2.weight", [FF, D], {"kind": "kaiming_uniform"}), p(pre + "ff2.bias", [D]),
    ]


def block_nodes(pre, x, first):
    """One pre-norm block reading `x`, its output `pre + "y"`. The first block defines the
    shared constants `scale` and `causal_mask` (where the one-block model always had them)."""
    q = lambda name: pre + name  # noqa: E731
    return [
        # attention sub-block
        n(q("ln1"), "layer_norm", [x, q("ln1.gamma"), q("ln1.beta")]),
        n(q("qkv.mm"), "matmul", [q("ln1"), q("attn.qkv.weight")]),
        n(q("qkv"), "add", [q("qkv.mm"), q("attn.qkv.bias")]),
        n(q("q"), "slice", [q("qkv")], axis=-1, start=0, end=D),
        n(q("k"), "slice", [q("qkv")], axis=-1, start=D, end=2 * D),
        n(q("v"), "slice", [q("qkv")], axis=-1, start=2 * D),
        n(q("q.heads"), "reshape", [q("q")], shape=[-1, S, H, HD]),
        n(q("k.heads"), "reshape", [q("k")], shape=[-1, S, H, HD]),
        n(q("v.heads"), "reshape", [q("v")], shape=[-1, S, H, HD]),
        n(q("q.bhsd"), "transpose", [q("q.heads")], perm=[0, 2, 1, 3]),
        n(q("k.bhds"), "transpose", [q("k.heads")], perm=[0, 2, 3, 1]),
        n(q("v.bhsd"), "transpose", [q("v.heads")], perm=[0, 2, 1, 3]),
        n(q("scores.raw"), "matmul", [q("q.bhsd"), q("k.bhds")]),
        *([n("scale", "constant", [], value=1 / HD ** 0.5)] if first else []),
        n(q("scores.scaled"), "mul", [q("scores.raw"), "scale"]),
        *([n("causal_mask", "constant", [], value=causal_mask())] if first else []),
        n(q("scores"), "add", [q("scores.scaled"), "causal_mask"]),
        n(q("attn.probs"), "softmax", [q("scores")], axis=-1),
        n(q("ctx.bhsd"), "matmul", [q("attn.probs"), q("v.bhsd")]),
        n(q("ctx.bshd"), "transpose", [q("ctx.bhsd")], perm=[0, 2, 1, 3]),
        n(q("ctx"), "reshape", [q("ctx.bshd")], shape=[-1, S, D]),
        n(q("attn.out.mm"), "matmul", [q("ctx"), q("attn.out.weight")]),
        n(q("attn.out"), "add", [q("attn.out.mm"), q("attn.out.bias")]),
        n(q("res1"), "add", [x, q("attn.out")]),
        # feed-forward sub-block
        n(q("ln2"), "layer_norm", [q("res1"), q("ln2.gamma"), q("ln2.beta")]),
        n(q("ff1.mm"), "matmul", [q("ln2"), q("ff1.weight")]),
        n(q("ff1.out"), "add", [q("ff1.mm"), q("ff1.bias")]),
        n(q("ff.act"), "gelu", [q("ff1.out")]),
        n(q("ff2.mm"), "matmul", [q("ff.act"), q("ff2.weight")]),
        n(q("ff2.out"), "add", [q("ff2.mm"), q("ff2.bias")]),
        n(q("y"), "add", [q("res1"), q("ff2.out")]),
    ]


def build(layers):
    pres = [""] if layers == 1 else [f"l{i}." for i in range(layers)]
    params = [p("tok_emb", [V, D], {"kind": "normal", "std": 0.02}),
              p("pos_emb", [S, D], {"kind": "normal", "std": 0.02})]
    nodes = [
        n("ids", "slice", ["tokens"], axis=1, start=0, end=S),
        n("target", "slice", ["tokens"], axis=1, start=1, end=S + 1),
        n("tok", "embedding", ["tok_emb", "ids"]),
        n("x", "add", ["tok", "pos_emb"]),
    ]
    x = "x"
    for i, pre in enumerate(pres):
        params += block_params(pre)
        nodes += block_nodes(pre, x, first=i == 0)
        x = pre + "y"
    params += [p("lnf.gamma", [D], {"kind": "ones"}), p("lnf.beta", [D]),
               p("head.weight", [D, V], {"kind": "xavier_uniform"}), p("head.bias", [V])]
    nodes += [
        # head
        n("lnf", "layer_norm", [x, "lnf.gamma", "lnf.beta"]),
        n("logits.mm", "matmul", ["lnf", "head.weight"]),
        n("logits", "add", ["logits.mm", "head.bias"]),
        n("loss", "cross_entropy", ["logits", "target"]),
    ]
    return {
        "asg": 1,
        "name": "transformer_adam" if layers == 1 else f"transformer{layers}_adam",
        "inputs": [{"name": "tokens", "shape": ["batch", S + 1], "dtype": "i32"}],
        "params": params,
        "nodes": nodes,
        "outputs": ["logits"],
        "train": {"loss": "loss", "optimizer": {"kind": "adam", "lr": 0.002}},
    }


def write(model, out):
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


def main():
    ap = argparse.ArgumentParser(description="Writes the transformer_adam model (see the docstring).")
    ap.add_argument("--layers", type=int, default=1, help="Transformer blocks (default 1)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "transformer_adam.json"),
                    help="output file (default: transformer_adam.json next to this script)")
    args = ap.parse_args()
    if args.layers < 1:
        ap.error("--layers must be at least 1")
    write(build(args.layers), args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
