#!/usr/bin/python3
"""Makes the goldens of the training tests (test/train/goldens/<model>/) with
PyTorch: torch autograd for the gradient checks, torch.optim for the
optimizer trajectories. Deterministic: values come from NumPy generators
seeded by a CRC of the model name (and batch size); regenerating gives
identical bytes.

    /usr/bin/python3 test/train/gen_train_goldens.py            # (re)generate all
    /usr/bin/python3 test/train/gen_train_goldens.py g_pow      # only some models
    /usr/bin/python3 test/train/gen_train_goldens.py --check    # verify, write nothing

Gradient checks: grad_models/<m>.json (hand-written; SGD with lr 1, so one
step gives p' = p - g). Goldens: init.safetensors (parameters),
data.B.safetensors (one batch of B examples) and expected.B.safetensors (torch
autograd's gradient of the loss for every parameter, 0 for those without one).

Trajectories: models/<m>.json are written by this script from the base
architectures and optimizer configurations below. Goldens: init.safetensors,
data.safetensors (N examples), expected.safetensors (parameters and the
optimizer state `optim.<param>.<slot>`, `optim.step`, after `steps` steps of
torch.optim over batches of B in data order).

Every golden is also computed in float64; a float32 value not within a
quarter of the test's tolerance of the float64 one is ill conditioned and the
script refuses to write it. `case.json` tells run_train_case.py what to run.
"""

import argparse
import json
import math
import os
import sys
import zlib

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import asg_torch  # noqa: E402
from run_train_case import safetensors_bytes, read_safetensors, compare  # noqa: E402

GRAD_DIR = os.path.join(HERE, "grad_models")
MODELS_DIR = os.path.join(HERE, "models")
GOLDENS_DIR = os.path.join(HERE, "goldens")
NP_DTYPES = {"f32": np.dtype("<f4"), "i32": np.dtype("<i4"), "i64": np.dtype("<i8")}


def seed(*parts):
    return zlib.crc32(json.dumps(parts).encode())


# --------------------------------------------------------------------------
# Value generators: (rng, shape, prev) -> array; prev holds the values made
# before (params in model order, then inputs), for ties between tensors.
# --------------------------------------------------------------------------

def uniform(lo, hi):
    return lambda rng, shape, prev: rng.uniform(lo, hi, shape)


def ints(lo, hi):
    return lambda rng, shape, prev: rng.integers(lo, hi, shape)


def signed(lo, hi):
    """|v| in [lo, hi], random sign: away from zero (divisors)."""
    return lambda rng, shape, prev: rng.uniform(lo, hi, shape) * rng.choice([-1.0, 1.0], shape)


def with_values(base, values, every=3):
    """base values, with every `every`-th element (flat) replaced by one of `values`."""
    def gen(rng, shape, prev):
        v = np.array(base(rng, shape, prev), dtype=np.float64)
        flat = v.reshape(-1)
        for j, i in enumerate(range(0, flat.size, every)):
            flat[i] = values[j % len(values)]
        return v
    return gen


def copy_some(src, base, idx):
    """base values with the elements at `idx` (flat) equal to the broadcast `src`."""
    def gen(rng, shape, prev):
        v = np.array(base(rng, shape, prev), dtype=np.float64)
        s = np.broadcast_to(prev[src].astype(np.float64), shape).reshape(-1)
        flat = v.reshape(-1)
        flat[idx] = s[idx]
        return v
    gen.after = True  # made after the other tensors
    return gen


def tied_extrema(sign, pattern):
    """Values in [-1, 1] whose rows (last axis) have ties at their max (sign 1)
    or min (-1): pattern[r] = how many elements of row r share the extremum."""
    def gen(rng, shape, prev):
        v = rng.uniform(-1, 1, shape).reshape(-1, shape[-1])
        for r in range(v.shape[0]):
            n = pattern[r % len(pattern)]
            cols = rng.permutation(shape[-1])[:n]
            v[r, cols] = sign * 1.25
        return v.reshape(shape)
    return gen


def repeated_ids(hi):
    def gen(rng, shape, prev):
        v = rng.integers(0, hi, shape)
        v[..., 0] = v[..., -1]  # at least one repeat per row
        return v
    return gen


def min_ties(rng, shape, prev):
    # [2, 3, 4] reduced over axes (0, 2): for each j the minimum is shared
    # by 1, 2 and 3 elements.
    v = rng.uniform(-1, 1, shape)
    for j, n in zip(range(shape[1]), (1, 2, 3)):
        cells = [(a, c) for a in range(shape[0]) for c in range(shape[2])]
        for k in rng.permutation(len(cells))[:n]:
            v[cells[k][0], j, cells[k][1]] = -1.5
    return v


P_DEFAULT = uniform(-1.5, 1.5)
I_DEFAULT = uniform(-1.0, 1.0)
POSITIVE = uniform(0.5, 2.0)

GRAD_CASES = {
    "g_mul_div": {"params": {"div.b": signed(0.5, 1.5), "div.d": signed(0.5, 1.5)}},
    "g_pow": {"params": {
        "pow.base": lambda rng, shape, prev: np.where(np.arange(12).reshape(3, 4) == 0, 0.0,
                                                      rng.uniform(0.5, 1.8, shape)),
        "pow.exp": lambda rng, shape, prev: np.concatenate([[2.0], rng.uniform(-1.5, 2.5, 3)]),
        "pow.base2": P_DEFAULT, "pow.base3": uniform(-1.2, 1.2)}},
    "g_maximum_minimum": {"params": {
        "maximum.a": copy_some("maximum.b", P_DEFAULT, [0, 1, 6, 11]),
        "minimum.b": copy_some("minimum.a", P_DEFAULT, [2, 3, 5, 8, 9]),
        "maximum.d": lambda rng, shape, prev: np.array(0.375),
        "maximum.c": lambda rng, shape, prev: np.array([[0.375], [-0.8]])}},
    "g_compare_where": {"params": {
        "cmp.a": copy_some("cmp.b", P_DEFAULT, [1, 4, 7, 10]),
        "where.c": lambda rng, shape, prev: np.array([0.0, 1.0, -2.0, 0.0])}},
    "g_unary": {"params": {
        "abs.x": with_values(P_DEFAULT, [0.0]), "log.x": POSITIVE, "sqrt.x": POSITIVE,
        "rsqrt.x": POSITIVE}},
    "g_activations": {"params": {
        "relu.x": with_values(P_DEFAULT, [0.0]),
        "softplus.x": with_values(uniform(-3, 3), [21.0, -25.0, 30.0], every=5),
        "gelu.x": with_values(uniform(-3, 3), [0.0], every=7),
        "gelu_tanh.x": uniform(-3, 3),
        "elu.x": with_values(P_DEFAULT, [0.0], every=5),
        "leaky_relu.x": with_values(P_DEFAULT, [0.0], every=5),
        "clamp.x": with_values(P_DEFAULT, [-0.5, 0.75]),
        "clamp_min.x": with_values(P_DEFAULT, [0.25]),
        "clamp_max.x": with_values(P_DEFAULT, [-0.25])}},
    "g_reductions": {"params": {
        "max.x": tied_extrema(1, [2, 1, 4]), "max_all.x": tied_extrema(1, [2, 0]),
        "min.x": min_ties}},
    "g_embedding": {"inputs": {"ids": repeated_ids(6), "ids32": repeated_ids(3)}},
    "g_losses": {"inputs": {"label": ints(0, 4)}},
    "g_cross_entropy3": {"inputs": {"target": ints(0, 4)}, "batches": [2]},
}


def make_params(model, gens, rng):
    out = {}
    params = model.get("params", [])
    order = sorted(params, key=lambda p: getattr(gens.get(p["name"]), "after", False))
    for p in order:
        gen = gens.get(p["name"], P_DEFAULT)
        out[p["name"]] = np.asarray(gen(rng, p["shape"], out), dtype=np.float64) \
            .reshape(p["shape"]).astype("<f4")
    return {p["name"]: out[p["name"]] for p in params}


def make_inputs(model, gens, rng, n, names=None):
    """n examples of each input (dims named `batch` or null are the example dim)."""
    out = {}
    for inp in model["inputs"]:
        if names is not None and inp["name"] not in names:
            continue
        dt = inp.get("dtype", "f32")
        shape = [d if isinstance(d, int) else n for d in inp["shape"]]
        gen = gens.get(inp["name"]) or (I_DEFAULT if dt == "f32" else ints(0, 4))
        out[inp["name"]] = np.asarray(gen(rng, shape, out)).astype(NP_DTYPES[dt]).reshape(shape)
    return out


def to_torch(a, fdt):
    t = torch.from_numpy(np.array(a, dtype=a.dtype.newbyteorder("=")))
    return t.to(fdt) if t.is_floating_point() else t


def loss_of(model, sym, inputs, params, fdt):
    trace = {}
    asg_torch.run_model(model, inputs, params, fdt, sym, trace)
    return trace[model["train"]["loss"]]


def torch_grads(model, sym, params, inputs, fdt):
    """{param: gradient as float64 numpy}: zeros for those without one."""
    trainable = {p["name"] for p in model["params"] if p.get("trainable", True)}
    ps = {k: to_torch(v, fdt).requires_grad_(k in trainable) for k, v in params.items()}
    loss = loss_of(model, sym, {k: to_torch(v, fdt) for k, v in inputs.items()}, ps, fdt)
    loss.backward()
    return {k: (p.grad.double().numpy() if p.grad is not None else np.zeros(p.shape))
            for k, p in ps.items() if k in trainable}


def quarter_tolerance_problems(what, got32, got64, rtol):
    probs = []
    for k in sorted(got64):
        if np.asarray(got64[k]).dtype.kind in "iu":
            continue
        msg = compare(np.asarray(got32[k], np.float64), got64[k], rtol=rtol / 4, atol=1e-5 / 4)
        if msg:
            probs.append(f"{what}: {k} ill conditioned (float32 vs float64): {msg}")
    return probs


def grad_goldens(model):
    name = model["name"]
    cfg = GRAD_CASES.get(name, {})
    sym = asg_torch.check_model(model)
    opt = model["train"]["optimizer"]
    assert opt == {"kind": "sgd", "lr": 1.0}, f"{name}: gradient models use sgd with lr 1.0"
    params = make_params(model, cfg.get("params", {}), np.random.default_rng(seed(name, "params")))
    files = {"init.safetensors": safetensors_bytes(params)}
    runs, problems = [], []
    for B in cfg.get("batches", [1, 3]):
        inputs = make_inputs(model, cfg.get("inputs", {}), np.random.default_rng(seed(name, "inputs", B)), B)
        g32 = torch_grads(model, sym, params, inputs, torch.float32)
        g64 = torch_grads(model, sym, params, inputs, torch.float64)
        problems += quarter_tolerance_problems(f"{name} B={B}", g32, g64, 1e-4)
        for k, g in g32.items():
            p = params[k].astype(np.float64)
            lost = np.abs((p - g).astype(np.float32).astype(np.float64) - (p - g))
            if (lost > 2e-6).any():
                problems.append(f"{name} B={B}: {k}: p - g too large to recover g to 2e-6 in float32")
        files[f"data.{B}.safetensors"] = safetensors_bytes(inputs)
        files[f"expected.{B}.safetensors"] = safetensors_bytes(
            {k: v.astype("<f4") for k, v in g32.items()})
        runs.append({"batch_size": B})
    files["case.json"] = (json.dumps({"kind": "grad", "runs": runs}, indent=1) + "\n").encode()
    return files, problems


# --------------------------------------------------------------------------
# Trajectory models: base architectures x optimizer configurations
# --------------------------------------------------------------------------

def N(name, op, ins, **attrs):
    d = {"name": name, "op": op, "inputs": ins}
    if attrs:
        d["attrs"] = attrs
    return d


def P(name, shape, init=None, trainable=True):
    d = {"name": name, "shape": shape}
    if init:
        d["init"] = init
    if not trainable:
        d["trainable"] = False
    return d


def tiny_transformer():
    """Token ids [batch, 5] -> embedding + positions -> pre-norm attention block
    (2 heads of 2) with a ReLU feed-forward -> mean pool -> 3 classes. No key
    bias: its gradient is exactly zero (softmax is shift invariant), and Adam
    would turn the float32 rounding noise of that zero into full-size steps."""
    S, D = 5, 4
    params = [P("embed.table", [7, D], {"kind": "normal"}), P("pos", [S, D], {"kind": "normal"}),
              P("ln1.gamma", [D], {"kind": "ones"}), P("ln1.beta", [D]),
              P("attn.qkv.weight", [D, 3 * D], {"kind": "xavier_uniform"}), P("attn.q.bias", [D]), P("attn.v.bias", [D]),
              P("attn.out.weight", [D, D], {"kind": "xavier_uniform"}), P("attn.out.bias", [D]),
              P("ln2.gamma", [D], {"kind": "ones"}), P("ln2.beta", [D]),
              P("ff1.weight", [D, 8], {"kind": "kaiming_uniform"}), P("ff1.bias", [8]),
              P("ff2.weight", [8, D], {"kind": "kaiming_uniform"}), P("ff2.bias", [D]),
              P("head.weight", [D, 3], {"kind": "xavier_uniform"}), P("head.bias", [3])]
    nodes = [
        N("tok", "embedding", ["embed.table", "ids"]),
        N("x", "add", ["tok", "pos"]),
        N("ln1", "layer_norm", ["x", "ln1.gamma", "ln1.beta"]),
        N("qkv", "matmul", ["ln1", "attn.qkv.weight"]),
        N("q.mm", "slice", ["qkv"], axis=-1, start=0, end=D),
        N("q", "add", ["q.mm", "attn.q.bias"]),
        N("k", "slice", ["qkv"], axis=-1, start=D, end=2 * D),
        N("v.mm", "slice", ["qkv"], axis=-1, start=2 * D),
        N("v", "add", ["v.mm", "attn.v.bias"]),
        N("q.heads", "reshape", ["q"], shape=[-1, S, 2, 2]),
        N("k.heads", "reshape", ["k"], shape=[-1, S, 2, 2]),
        N("v.heads", "reshape", ["v"], shape=[-1, S, 2, 2]),
        N("q.bhsd", "transpose", ["q.heads"], perm=[0, 2, 1, 3]),
        N("k.bhds", "transpose", ["k.heads"], perm=[0, 2, 3, 1]),
        N("v.bhsd", "transpose", ["v.heads"], perm=[0, 2, 1, 3]),
        N("scores.raw", "matmul", ["q.bhsd", "k.bhds"]),
        N("scale", "constant", [], value=0.7071067811865476),
        N("scores", "mul", ["scores.raw", "scale"]),
        N("attn.probs", "softmax", ["scores"], axis=-1),
        N("ctx.bhsd", "matmul", ["attn.probs", "v.bhsd"]),
        N("ctx.bshd", "transpose", ["ctx.bhsd"], perm=[0, 2, 1, 3]),
        N("ctx", "reshape", ["ctx.bshd"], shape=[-1, S, D]),
        N("attn.out.mm", "matmul", ["ctx", "attn.out.weight"]),
        N("attn.out", "add", ["attn.out.mm", "attn.out.bias"]),
        N("res1", "add", ["x", "attn.out"]),
        N("ln2", "layer_norm", ["res1", "ln2.gamma", "ln2.beta"]),
        N("ff1.mm", "matmul", ["ln2", "ff1.weight"]),
        N("ff1.out", "add", ["ff1.mm", "ff1.bias"]),
        N("ff.act", "relu", ["ff1.out"]),
        N("ff2.mm", "matmul", ["ff.act", "ff2.weight"]),
        N("ff2.out", "add", ["ff2.mm", "ff2.bias"]),
        N("y", "add", ["res1", "ff2.out"]),
        N("pooled", "mean", ["y"], axes=[1]),
        N("head.mm", "matmul", ["pooled", "head.weight"]),
        N("logits", "add", ["head.mm", "head.bias"]),
        N("loss", "cross_entropy", ["logits", "label"]),
    ]
    inputs = [{"name": "ids", "shape": ["batch", S], "dtype": "i64"},
              {"name": "label", "shape": ["batch"], "dtype": "i64"}]
    data = {"ids": ints(0, 7), "label": ints(0, 3)}
    return inputs, params, nodes, ["logits"], data


def mlp(unused=False):
    """x [batch, 6] -> 8 (silu) -> 8 (tanh) -> 3, mse_loss against a target."""
    params = [P("fc1.weight", [6, 8], {"kind": "xavier_uniform"}), P("fc1.bias", [8]),
              P("fc2.weight", [8, 8], {"kind": "xavier_uniform"}), P("fc2.bias", [8]),
              P("fc3.weight", [8, 3], {"kind": "xavier_uniform"}), P("fc3.bias", [3])]
    nodes = [N("fc1.mm", "matmul", ["x", "fc1.weight"]), N("fc1.out", "add", ["fc1.mm", "fc1.bias"]),
             N("act1", "silu", ["fc1.out"]),
             N("fc2.mm", "matmul", ["act1", "fc2.weight"]), N("fc2.out", "add", ["fc2.mm", "fc2.bias"]),
             N("act2", "tanh", ["fc2.out"]),
             N("fc3.mm", "matmul", ["act2", "fc3.weight"]), N("pred", "add", ["fc3.mm", "fc3.bias"]),
             N("loss", "mse_loss", ["pred", "target"])]
    if unused:  # a param only the forward output uses: no gradient, so no update or state
        params.append(P("out.scale", [3], {"kind": "ones"}))
        nodes.append(N("pred.scaled", "mul", ["pred", "out.scale"]))
    inputs = [{"name": "x", "shape": ["batch", 6]}, {"name": "target", "shape": ["batch", 3]}]
    data = {"x": uniform(-2, 2), "target": uniform(-1, 1)}
    return inputs, params, nodes, ["pred.scaled" if unused else "pred"], data


BASES = {"tfm": tiny_transformer, "mlp": mlp, "mlp_unused": lambda: mlp(unused=True)}

# name: (base, optimizer, extra train keys, frozen params, resume runs)
TRAJECTORIES = {
    "tfm_sgd": ("tfm", {"kind": "sgd", "lr": 0.1}, {}, [], []),
    "tfm_sgd_momentum": ("tfm", {"kind": "sgd", "lr": 0.05, "momentum": 0.9}, {}, [],
                         [{"k": 4, "steps": 10}, {"k": 7, "steps": 12, "shuffle": True}]),
    "tfm_sgd_nesterov": ("tfm", {"kind": "sgd", "lr": 0.05, "momentum": 0.8, "nesterov": True}, {}, [], []),
    "tfm_sgd_weight_decay": ("tfm", {"kind": "sgd", "lr": 0.1, "weight_decay": 0.05}, {}, [], []),
    "tfm_adam": ("tfm", {"kind": "adam", "lr": 0.01}, {}, [],
                 [{"k": 3, "steps": 10}, {"k": 5, "steps": 11, "shuffle": True}]),
    "tfm_adam_weight_decay": ("tfm", {"kind": "adam", "lr": 0.01, "weight_decay": 0.1}, {}, [], []),
    "tfm_adamw": ("tfm", {"kind": "adamw", "lr": 0.01, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6,
                          "weight_decay": 0.1}, {}, [], []),
    "tfm_clip": ("tfm", {"kind": "sgd", "lr": 0.1, "momentum": 0.9}, {"clip_grad_norm": 0.25}, [], []),
    "tfm_frozen": ("tfm", {"kind": "adam", "lr": 0.01}, {}, ["pos", "ln1.gamma", "head.bias"], []),
    "mlp_sgd_momentum": ("mlp", {"kind": "sgd", "lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}, {}, [],
                         [{"k": 6, "steps": 10}, {"k": 4, "steps": 9, "shuffle": True}]),
    "mlp_adam": ("mlp_unused", {"kind": "adam", "lr": 0.005}, {}, [], []),
    "mlp_adamw_clip": ("mlp", {"kind": "adamw", "lr": 0.01}, {"clip_grad_norm": 0.5}, ["fc2.bias"], []),
}
TRAJ_EXAMPLES, TRAJ_BATCH, TRAJ_STEPS = 10, 4, 10  # batches 4, 4, 2; wraps into epoch 2


def dump_model(m):
    lines = ["{", '  "asg": 1,', f'  "name": "{m["name"]}",']
    for key in ("inputs", "params", "nodes"):
        lines.append(f'  "{key}": [')
        lines.append(",\n".join("    " + json.dumps(x) for x in m[key]))
        lines.append("  ],")
    lines.append(f'  "outputs": {json.dumps(m["outputs"])},')
    lines.append(f'  "train": {json.dumps(m["train"])}')
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()


def trajectory_model(name):
    base, opt, extra, frozen, _ = TRAJECTORIES[name]
    inputs, params, nodes, outputs, _ = BASES[base]()
    for p in params:
        if p["name"] in frozen:
            p["trainable"] = False
    m = {"asg": 1, "name": name, "inputs": inputs, "params": params, "nodes": nodes,
         "outputs": outputs, "train": {"loss": "loss", "optimizer": opt, **extra}}
    asg_torch.check_model(m)
    return m


def trajectory_params(model):
    """Random parameters: rank >= 2 uniform +-sqrt(6/(fan_in+fan_out)), gammas
    1 +- 0.2, others N(0, 0.3^2); seeded by the base (same start for every optimizer)."""
    base = TRAJECTORIES[model["name"]][0]
    rng = np.random.default_rng(seed(base, "params"))
    out = {}
    for p in model["params"]:
        shape = p["shape"]
        if len(shape) >= 2:
            bound = math.sqrt(6.0 / (math.prod(shape[:-1]) + shape[-1]))
            v = rng.uniform(-bound, bound, shape)
        elif p["name"].endswith("gamma"):
            v = 1.0 + 0.2 * rng.standard_normal(shape)
        else:
            v = 0.3 * rng.standard_normal(shape)
        if p["name"] in ("embed.table", "pos"):
            v = rng.standard_normal(shape)
        out[p["name"]] = v.astype("<f4")
    return out


def torch_optimizer(opt, params):
    k = opt["kind"]
    if k == "sgd":
        return torch.optim.SGD(params, lr=opt["lr"], momentum=opt.get("momentum", 0.0),
                               weight_decay=opt.get("weight_decay", 0.0),
                               nesterov=opt.get("nesterov", False), foreach=False)
    cls = torch.optim.Adam if k == "adam" else torch.optim.AdamW
    return cls(params, lr=opt.get("lr", 1e-3), betas=(opt.get("beta1", 0.9), opt.get("beta2", 0.999)),
               eps=opt.get("eps", 1e-8), weight_decay=opt.get("weight_decay", 0.0 if k == "adam" else 0.01),
               foreach=False)


def torch_train(model, params, data, B, steps, fdt):
    """Parameters and optimizer state after `steps` torch.optim steps (SPEC names)."""
    sym = asg_torch.check_model(model)
    train = model["train"]
    trainable = [p["name"] for p in model["params"] if p.get("trainable", True)]
    ps = {k: to_torch(v, fdt).requires_grad_(k in trainable) for k, v in params.items()}
    opt = torch_optimizer(train["optimizer"], [ps[k] for k in trainable])
    n = next(iter(data.values())).shape[0]
    nb = -(-n // B)
    for k in range(steps):
        b = k % nb
        batch = {name: to_torch(v[b * B:min((b + 1) * B, n)], fdt) for name, v in data.items()}
        opt.zero_grad(set_to_none=True)
        loss_of(model, sym, batch, ps, fdt).backward()
        if "clip_grad_norm" in train:
            torch.nn.utils.clip_grad_norm_([ps[k] for k in trainable if ps[k].grad is not None],
                                           train["clip_grad_norm"])
        opt.step()
    out = {k: p.detach().double().numpy() for k, p in ps.items()}
    for k in trainable:
        for slot, v in opt.state[ps[k]].items():
            if slot != "step" and v is not None:
                out[f"optim.{k}.{slot}"] = v.detach().double().numpy()
    out["optim.step"] = np.array(steps, dtype="<i8")
    return out


def trajectory_goldens(model):
    name = model["name"]
    base, opt, extra, frozen, resume = TRAJECTORIES[name]
    data_gens = BASES[base]()[4]
    params = trajectory_params(model)
    data = make_inputs(model, data_gens, np.random.default_rng(seed(base, "data")), TRAJ_EXAMPLES)
    got32 = torch_train(model, params, data, TRAJ_BATCH, TRAJ_STEPS, torch.float32)
    got64 = torch_train(model, params, data, TRAJ_BATCH, TRAJ_STEPS, torch.float64)
    problems = quarter_tolerance_problems(name, got32, got64, TRAJ_STEPS * 1e-4)
    expected = {k: (v if v.dtype.kind in "iu" else v.astype("<f4")) for k, v in got32.items()}
    spec = {"kind": "trajectory", "batch_size": TRAJ_BATCH, "steps": TRAJ_STEPS, "resume": resume}
    files = {"init.safetensors": safetensors_bytes(params),
             "data.safetensors": safetensors_bytes(data),
             "expected.safetensors": safetensors_bytes(expected),
             "case.json": (json.dumps(spec, indent=1) + "\n").encode()}
    return files, problems


# --------------------------------------------------------------------------
# Bad training inputs
# --------------------------------------------------------------------------

def bad_inputs_model():
    return {"asg": 1, "name": "bad_train_inputs",
            "inputs": [{"name": "x", "shape": ["batch", 3]},
                       {"name": "label", "shape": ["batch"], "dtype": "i64"}],
            "params": [P("w", [3, 4]), P("b", [4])],
            "nodes": [N("mm", "matmul", ["x", "w"]), N("logits", "add", ["mm", "b"]),
                      N("loss", "cross_entropy", ["logits", "label"])],
            "outputs": ["logits"],
            "train": {"loss": "loss", "optimizer": {"kind": "sgd", "lr": 0.1}}}


def bad_inputs_goldens(model):
    rng = np.random.default_rng(seed(model["name"]))
    x = rng.uniform(-1, 1, (4, 3)).astype("<f4")
    label = np.array([0, 3, 1, 2], dtype="<i8")
    params = {"w": rng.uniform(-1, 1, (3, 4)).astype("<f4"), "b": np.zeros(4, "<f4")}
    st = safetensors_bytes
    files = {
        "init.safetensors": st(params),
        "ok.safetensors": st({"x": x, "label": label}),
        "label_too_big.safetensors": st({"x": x, "label": np.array([0, 1, 2, 4], "<i8")}),
        "label_negative.safetensors": st({"x": x, "label": np.array([0, -1, 2, 3], "<i8")}),
        "x_wrong_width.safetensors": st({"x": rng.uniform(-1, 1, (4, 5)).astype("<f4"), "label": label}),
        "x_wrong_rank.safetensors": st({"x": x.reshape(4, 3, 1), "label": label}),
        "label_wrong_dtype.safetensors": st({"x": x, "label": label.astype("<i4")}),
        "examples_differ.safetensors": st({"x": x, "label": label[:3]}),
        "no_examples.safetensors": st({"x": x[:0], "label": label[:0]}),
        "missing_label.safetensors": st({"x": x}),
        "extra_tensor.safetensors": st({"x": x, "label": label, "bogus": x}),
        "no_tensors.safetensors": st({}),
        "empty.safetensors": b"",
    }
    # (what, data file, batch size, steps, exit, stderr regex)
    errors = [
        ("valid data trains", "ok.safetensors", 2, 2, 0, r"^$"),
        ("label out of range (= C) in batch 2", "label_too_big.safetensors", 2, 2, 1,
         r"step 2 \(epoch 1, batch 2/2\): 'cross_entropy' node 'loss': .*outside \[0, 4\)"),
        ("negative label", "label_negative.safetensors", 2, 1, 1,
         r"step 1 \(epoch 1, batch 1/2\): 'cross_entropy' node 'loss': .*outside \[0, 4\)"),
        ("data of the wrong trailing dim", "x_wrong_width.safetensors", 2, 1, 1,
         r"x_wrong_width\.safetensors: tensor 'x' has shape \[4, 5\].*expected 3"),
        ("data of the wrong rank", "x_wrong_rank.safetensors", 2, 1, 1,
         r"tensor 'x' has shape \[4, 3, 1\].*rank 2"),
        ("label of the wrong dtype", "label_wrong_dtype.safetensors", 2, 1, 1,
         r"tensor 'label' has dtype i32.*i64"),
        ("leading dims differ", "examples_differ.safetensors", 2, 1, 1,
         r"tensor 'label' has 3 examples.*'x' has 4"),
        ("no examples", "no_examples.safetensors", 2, 1, 1, r"no examples"),
        ("missing tensor", "missing_label.safetensors", 2, 1, 1, r"tensor 'label' is missing"),
        ("extra tensor", "extra_tensor.safetensors", 2, 1, 1, r"tensor 'bogus' is not an input"),
        ("data file without tensors", "no_tensors.safetensors", 2, 1, 1, r"tensor '(x|label)' is missing"),
        ("empty data file", "empty.safetensors", 2, 1, 1, r"empty\.safetensors: .*(truncated|empty)"),
        ("data file that does not exist", "does_not_exist.safetensors", 2, 1, 1,
         r"does_not_exist\.safetensors"),
    ]
    spec = {"kind": "errors", "errors": [
        {"what": w, "data": d, "batch_size": b, "steps": s, "exit": e, "stderr": r}
        for w, d, b, s, e, r in errors]}
    files["case.json"] = (json.dumps(spec, indent=1) + "\n").encode()
    return files, []


# --------------------------------------------------------------------------

def all_models():
    """[(model, model file bytes or None if hand-written, goldens function)]."""
    out = []
    for fn in sorted(os.listdir(GRAD_DIR)):
        if fn.endswith(".json"):
            m = asg_torch.load_model(os.path.join(GRAD_DIR, fn))
            assert m["name"] == fn[:-5], f"{fn}: name {m['name']!r} != file stem"
            out.append((m, None, grad_goldens))
    for name in TRAJECTORIES:
        m = trajectory_model(name)
        out.append((m, dump_model(m), trajectory_goldens))
    m = bad_inputs_model()
    out.append((m, dump_model(m), bad_inputs_goldens))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("models", nargs="*", help="only these models")
    ap.add_argument("--check", action="store_true", help="verify the checked-in files, write nothing")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    failed = False
    todo = [t for t in all_models() if not args.models or t[0]["name"] in args.models]
    unknown = set(args.models) - {t[0]["name"] for t in todo}
    if unknown:
        print(f"unknown models: {sorted(unknown)}")
        return 2
    for model, model_bytes, make in todo:
        name = model["name"]
        files, problems = make(model)
        if problems:
            failed = True
            print("\n".join(f"REFUSED {p}" for p in problems))
            continue
        gdir = os.path.join(GOLDENS_DIR, name)
        targets = {os.path.join(gdir, k): v for k, v in files.items()}
        if model_bytes is not None:
            targets[os.path.join(MODELS_DIR, name + ".json")] = model_bytes
        if args.check:
            stale = [p for p, v in targets.items()
                     if not os.path.exists(p) or open(p, "rb").read() != v]
            if os.path.isdir(gdir):
                stale += [os.path.join(gdir, f) for f in os.listdir(gdir)
                          if os.path.join(gdir, f) not in targets]
            for p in stale:
                print(f"STALE {os.path.relpath(p, HERE)}")
            failed |= bool(stale)
            if not stale:
                for p in targets:
                    if p.endswith(".safetensors") and targets[p]:
                        read_safetensors(p)
                print(f"ok {name}")
            continue
        os.makedirs(gdir, exist_ok=True)
        for f in os.listdir(gdir):
            if os.path.join(gdir, f) not in targets:
                os.remove(os.path.join(gdir, f))
        for p, v in targets.items():
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(v)
        print(f"wrote {name} ({sum(len(v) for v in files.values())} bytes)")
    if not args.models:
        known = {t[0]["name"] + ".json" for t in all_models()}
        for d in (MODELS_DIR,):
            for fn in os.listdir(d):
                if fn not in known:
                    print(f"STALE {os.path.relpath(os.path.join(d, fn), HERE)} (no such model)")
                    failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
