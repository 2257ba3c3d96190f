#!/usr/bin/env python3
"""torch_side.py: the PyTorch (and NumPy) half of bench/run.sh.

Runs the same JSON graphs as asgc, op by op in PyTorch eager through the
reference interpreter's op semantics (test/e2e/asg_torch.py: check_model,
eval_node), and prints one JSON object {case: {"median": ms, "min": ms, "runs": n}}.
It is started by bench.py once per thread count; the thread count is applied
with torch.set_num_threads (and OMP/OpenBLAS variables set by the caller).

Differences from asg_torch.run_model, all in PyTorch's favour: the model is
checked once (not per call), constant nodes are evaluated once, only the nodes
that the requested values need are evaluated, each intermediate is dropped
after its last use, and scalar constants of arithmetic are Python floats.
"""
import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))
import asg_torch  # noqa: E402


def load(path):
    model = asg_torch.load_model(path)
    for n in model["nodes"]:  # `inputs` may be absent on a constant (docs/format.md)
        n.setdefault("inputs", [])
    try:
        asg_torch.check_model(model)
    except asg_torch.ModelError as e:
        # The reference checker is stricter than asgc in places (e.g. it wants mse_loss's
        # operands of one shape; the seed model compares with a scalar): run it anyway.
        print(f"torch_side: {os.path.basename(path)}: asg_torch.check_model: {e} (ignored)", file=sys.stderr)
    return model


class Graph:
    """A model's nodes needed for `roots`, with constants folded once."""

    def __init__(self, model, roots):
        deps = {n["name"]: n for n in model["nodes"]}
        need, stack = set(), list(roots)
        while stack:
            v = stack.pop()
            if v not in need:
                need.add(v)
                if v in deps:
                    stack.extend(deps[v]["inputs"])
        self.consts, self.nodes = {}, []
        for n in model["nodes"]:
            if n["name"] not in need:
                continue
            if n["op"] == "constant":
                self.consts[n["name"]] = asg_torch.eval_node("constant", n.get("attrs", {}), [])
            else:
                self.nodes.append((n["name"], n["op"], n.get("attrs", {}), n["inputs"]))
        self.roots = roots
        # a 0-d f32 constant used only by + - * / or mse_loss becomes a Python float: PyTorch
        # 1.13 takes a slow broadcasting path for a 0-d tensor operand (x * tensor(1.5) is
        # about 10x slower than x * 1.5 here), and a hand-written module would use the float
        users = {}
        for _, op, _, ins in self.nodes:
            for v in ins:
                users.setdefault(v, set()).add(op)
        for k, t in self.consts.items():
            if t.dim() == 0 and t.is_floating_point() and k not in roots and \
                    users.get(k, {"?"}) <= {"add", "sub", "mul", "div", "mse_loss"}:
                self.consts[k] = float(t)
        # free each intermediate after its last use, as a hand-written eager module would
        # (keeping all of them alive costs PyTorch fresh, page-faulting allocations each call)
        last = {}
        for i, (_, _, _, ins) in enumerate(self.nodes):
            for v in ins:
                last[v] = i
        produced = {n[0] for n in self.nodes}
        self.free_after = [[v for v in set(ins) if last[v] == i and v in produced and v not in roots]
                           for i, (_, _, _, ins) in enumerate(self.nodes)]

    def __call__(self, env):
        env = {**env, **self.consts}
        for (name, op, attrs, ins), dead in zip(self.nodes, self.free_after):
            env[name] = asg_torch.eval_node(op, attrs, [env[i] for i in ins])
            for v in dead:
                del env[v]
        return [env[r] for r in self.roots]


def init_param(p, gen):
    """SPEC section 1 initializers (the distribution, not asgc's random stream)."""
    shape, init = p["shape"], p.get("init", {"kind": "zeros"})
    k = init["kind"]
    t = torch.empty(shape)
    if k == "zeros":
        return t.zero_()
    if k == "ones":
        return t.fill_(1.0)
    if k == "constant":
        return t.fill_(init["value"])
    if k == "normal":
        return t.normal_(init.get("mean", 0.0), init.get("std", 1.0), generator=gen)
    if k == "uniform":
        return t.uniform_(init.get("low", -1.0), init.get("high", 1.0), generator=gen)
    fan_in, fan_out = math.prod(shape[:-1]), shape[-1]
    if k == "xavier_uniform":
        b = math.sqrt(6.0 / (fan_in + fan_out))
    else:  # kaiming_uniform
        a = init.get("a", math.sqrt(5.0))
        b = math.sqrt(6.0 / ((1 + a * a) * fan_in))
    return t.uniform_(-b, b, generator=gen)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
        blob = f.read()
    dt = {"F32": np.float32, "I32": np.int32, "I64": np.int64}
    out = {}
    for name, h in header.items():
        if name == "__metadata__":
            continue
        a, b = h["data_offsets"]
        out[name] = np.frombuffer(blob[a:b], dtype=dt[h["dtype"]]).reshape(h["shape"]).copy()
    return out


def timed(fn, seconds, min_runs=5, max_runs=200, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    t_end = time.perf_counter() + seconds
    while len(times) < max_runs and (len(times) < min_runs or time.perf_counter() < t_end):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1e3)
    return {"median": statistics.median(times), "min": min(times), "runs": len(times)}


def optimizer(model, params):
    o = model["train"]["optimizer"]
    k = o["kind"]
    if k == "sgd":
        return torch.optim.SGD(params, lr=o["lr"], momentum=o.get("momentum", 0.0),
                               weight_decay=o.get("weight_decay", 0.0), nesterov=o.get("nesterov", False))
    cls = torch.optim.Adam if k == "adam" else torch.optim.AdamW
    return cls(params, lr=o.get("lr", 1e-3), betas=(o.get("beta1", 0.9), o.get("beta2", 0.999)),
               eps=o.get("eps", 1e-8), weight_decay=o.get("weight_decay", 0.0 if k == "adam" else 0.01))


def bench_model(path, inputs, train, seconds):
    model = load(path)
    gen = torch.Generator().manual_seed(0)
    params = {p["name"]: init_param(p, gen) for p in model.get("params", [])}
    env = {**{k: torch.from_numpy(v) for k, v in inputs.items()}, **params}
    if not train:
        g = Graph(model, model["outputs"])
        with torch.no_grad():
            return timed(lambda: g(env), seconds)
    g = Graph(model, [model["train"]["loss"]])
    trainable = [params[p["name"]].requires_grad_() for p in model["params"] if p.get("trainable", True)]
    opt = optimizer(model, trainable)
    clip = model["train"].get("clip_grad_norm")

    def step():
        opt.zero_grad(set_to_none=True)
        (loss,) = g(env)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(trainable, clip)
        opt.step()
    return timed(step, seconds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", required=True, help="cases.json written by bench.py")
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--only", default="", help="comma-separated case names (default: all)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    with open(args.cases) as f:
        cases = json.load(f)
    only = set(filter(None, args.only.split(",")))
    res = {}
    for c in cases:
        if only and c["name"] not in only:
            continue
        if c.get("data"):
            d = read_safetensors(c["data"])
            inputs = {k: v[: c["batch"]] for k, v in d.items()}
        else:
            inputs = {k: np.load(v) for k, v in c.get("inputs", {}).items()}
        if c["kind"] == "numpy_matmul":
            a, b = inputs["a"], inputs["b"]
            res[c["name"]] = timed(lambda: a @ b, c["seconds"])
        else:
            res[c["name"]] = bench_model(c["model"], inputs, c["kind"] == "train", c["seconds"])
    res["_info"] = {"torch": torch.__version__, "threads": torch.get_num_threads(),
                    "blas": blas_name()}
    print(json.dumps(res))


def blas_name():
    """Which libblas.so.3 this process loaded (PyTorch and NumPy share it here)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line}
    except OSError:
        return "?"
    libs = sorted(l for l in libs if l.startswith("/"))
    core = ""
    if not any("openblas" in l for l in libs):
        return ", ".join(os.path.realpath(l) for l in libs)
    try:
        import ctypes
        ob = ctypes.CDLL("libopenblas.so.0")
        ob.openblas_get_corename.restype = ctypes.c_char_p
        core = " (OpenBLAS core " + ob.openblas_get_corename().decode() + ")"
    except OSError:
        pass
    return ", ".join(os.path.realpath(l) for l in libs) + core


if __name__ == "__main__":
    main()
