#!/usr/bin/python3
"""Generates the end-to-end goldens from test/e2e/models/*.json.

For each model M (file stem == model name) it writes test/e2e/goldens/M/:
  weights.safetensors      every parameter (F32), when the model has any
  in.B.<input>.npy         the inputs `forward` takes, for each case B
  out.B.<output>.npy       the expected outputs, computed by asg_torch.py

B is the batch size of a case: the size given to the dims named "batch" and
to anonymous (null) dims; models may size other named dims per case (CASES).
Static models have the single case 1.  Everything is deterministic: values
come from NumPy generators seeded from the model name and B.

Before writing, every case is also run in float64; a golden whose float32
value is not within a quarter of SPEC's tolerance of the float64 one (or whose
integer / comparison results differ) is ill conditioned and refused.

    /usr/bin/python3 test/e2e/gen_goldens.py            # (re)generate all
    /usr/bin/python3 test/e2e/gen_goldens.py mlp        # only some models
    /usr/bin/python3 test/e2e/gen_goldens.py --check    # verify, write nothing

--check verifies that the checked-in goldens are exactly what this script
produces, that the interpreter agrees with hand-written PyTorch on several
models, and that every v1 op is covered by some model.
"""

import argparse
import json
import math
import os
import struct
import sys
import zlib

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import asg_torch  # noqa: E402

MODELS_DIR = os.path.join(HERE, "models")
GOLDENS_DIR = os.path.join(HERE, "goldens")
NP_DTYPES = {"f32": np.dtype("<f4"), "i32": np.dtype("<i4"), "i64": np.dtype("<i8")}

V1_OPS = sorted(asg_torch.ALL_OPS)


# --------------------------------------------------------------------------
# Input values.  Default: f32 uniform in [-2, 2], ints in [0, 10).  Per model
# and input, a function (rng, shape, B) -> array overrides it.
# --------------------------------------------------------------------------

def uniform(lo, hi):
    return lambda rng, shape, B: rng.uniform(lo, hi, shape)


def ints(lo, hi):
    return lambda rng, shape, B: rng.integers(lo, hi, shape)


def nonzero_ints(lo, hi):
    def gen(rng, shape, B):
        v = rng.integers(lo, hi, shape)
        return np.where(v == 0, 1, v)
    return gen


def cmp_u(rng, shape, B):
    # Away from integers (the selected values are cast to i32).
    return rng.integers(-5, 5, shape) + 0.5 + rng.uniform(-0.3, 0.3, shape)


def cmp_v(rng, shape, B, prev):
    # Integer offsets keep u's fractional part; offset 0 = an exact tie.
    # Every row has all three outcomes (greater, equal, less).
    base = np.array([-2.0, 0.0, 3.0, 0.0])[rng.permutation(4)]
    return prev["u"] + np.stack([np.roll(base, r) for r in range(shape[0])])


def cmp_k(rng, shape, B, prev):
    # Non-zero divisors; column 0 equals i (ties for equal / maximum).
    k = nonzero_ints(-7, 8)(rng, shape, B)
    k[:, 0] = prev["i"][:, 0]
    return k


def cast_specials(rng, shape, B):
    rows = []
    edge = [2147483648.0, 2147483520.0, -2147483648.0]  # 2^31, max f32 < 2^31, -2^31
    for r in range(shape[0]):
        rows.append([math.nan, math.inf, -math.inf, edge[r % 3], -3e9, 1e19,
                     -(2.75 + r), 0.5 + 1.25 * r])
    return np.array(rows)


def raw_conditions(rng, shape, B):
    # where's condition is "!= 0", not "== 1": zeros and other values.
    base = np.array([0.0, -1.5, 2.0, 0.25])[rng.permutation(4)]
    return np.stack([np.roll(base, r) for r in range(shape[0])])


NAN_X = [[math.nan, 0.5, -2.0, 3.0, -0.25], [1.5, -1.5, math.nan, 2.0, 0.75]]
NAN_Y = [[1.0, math.nan, -2.0, -3.0, 0.5], [1.5, 0.25, -1.0, math.nan, -0.75]]

CASES = {
    "mlp": {"inputs": {"label": ints(0, 4)}},
    "transformer_block": {},
    "embed_classifier": {
        "dims": lambda B: {"batch": B, "seq": 4 if B == 1 else 6},
        "inputs": {"ids": ints(0, 12), "labels": ints(0, 3)}},
    "unary_ops": {"inputs": {"x": uniform(-3, 3), "pos": uniform(0.2, 3)}},
    "binary_broadcast": {"inputs": {
        "col_pos": uniform(0.5, 2), "base_pos": uniform(0.5, 2),
        "expo": uniform(-1.5, 1.5), "t": uniform(0.75, 1.75)}},
    "compare_where_cast": {"inputs": {
        "u": cmp_u, "v": cmp_v, "special": cast_specials,
        "i": nonzero_ints(-20, 21), "k": cmp_k, "j": ints(-50, 51)}},
    "reductions": {"inputs": {"x": uniform(-2, 2)}},
    "shape_ops": {"inputs": {"n": ints(-100, 100), "m": ints(-10**12, 10**12)}},
    "dynamic_axis_ops": {"batches": [1, 2, 3], "inputs": {"ids": ints(-100, 100)}},
    "nan_propagation": {"inputs": {"x": lambda rng, shape, B: np.array(NAN_X),
                                   "y": lambda rng, shape, B: np.array(NAN_Y)}},
    "matmul_variants": {},
    "matmul_tiles": {"inputs": {"x": uniform(0, 1), "y": uniform(0, 1), "z": uniform(0, 1)}},
    # Intentional edges, all well defined in IEEE float32 and by PyTorch:
    # logits of +-80 (softmax needs max subtraction), softplus / sigmoid far
    # out, a common offset of 100 (variance needs a stable algorithm, not
    # E[x^2] - E[x]^2), pow of negative bases with integral exponents,
    # x/0, 0/0, exp overflow, log(0).
    "numerics_edge": {"inputs": {
        "big_logits": uniform(-80, 80), "labels": ints(0, 5), "wide": uniform(-40, 40),
        "offset": lambda rng, shape, B: 100 + rng.uniform(-2, 2, shape),
        "cond_raw": raw_conditions,
        "num": lambda rng, shape, B: np.array([1.0, -1.0, 0.0, 3.0, 100.0, -2.0]),
        "den": lambda rng, shape, B: np.array([0.0, 0.0, 0.0, 2.0, 4.0, 0.5])}},
    "norms_losses": {"inputs": {"classes": ints(0, 5), "class1": ints(0, 5),
                                "ids": ints(0, 7)}},
}


def is_static(model):
    return all(isinstance(d, int) for i in model["inputs"] for d in i["shape"])


def batches(model):
    cfg = CASES.get(model["name"], {})
    return cfg.get("batches", [1] if is_static(model) else [1, 3])


def seed(name, *more):
    return zlib.crc32(json.dumps([name, *more]).encode())


def make_inputs(model, B):
    cfg = CASES.get(model["name"], {})
    dims = cfg.get("dims", lambda B: {"batch": B})(B)
    gens = cfg.get("inputs", {})
    rng = np.random.default_rng(seed(model["name"], "inputs", B))
    out = {}
    for inp in model["inputs"]:
        dt = inp.get("dtype", "f32")
        shape = [d if isinstance(d, int) else dims.get(d, B) if isinstance(d, str) else B
                 for d in inp["shape"]]
        gen = gens.get(inp["name"]) or (uniform(-2, 2) if dt == "f32" else ints(0, 10))
        # A generator may look at the inputs made before it: (rng, shape, B, prev).
        v = gen(rng, shape, B, out) if gen.__code__.co_argcount == 4 else gen(rng, shape, B)
        out[inp["name"]] = np.asarray(v).astype(NP_DTYPES[dt]).reshape(shape)
    return out


def make_params(model):
    """Random parameters (not the declared init: zero biases would test little)."""
    rng = np.random.default_rng(seed(model["name"], "params"))
    out = {}
    for p in model.get("params", []):
        shape = p["shape"]
        if len(shape) >= 2:
            fan_in, fan_out = math.prod(shape[:-1]), shape[-1]
            bound = math.sqrt(6.0 / (fan_in + fan_out))
            v = rng.uniform(-bound, bound, shape)
        elif p["name"].endswith("gamma"):
            v = 1.0 + 0.2 * rng.standard_normal(shape)
        else:
            v = 0.5 * rng.standard_normal(shape)
        if p["name"] == "scale":
            v = np.abs(v) + 0.5
        out[p["name"]] = v.astype("<f4")
    return out


# --------------------------------------------------------------------------
# File formats
# --------------------------------------------------------------------------

def safetensors_bytes(tensors):
    """safetensors: u64 LE header length, JSON header, raw LE data."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.array(tensors[name], dtype="<f4", order="C")
        data = a.tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # pad to 8 bytes, as the safetensors library does
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        assert info["dtype"] == "F32"
        out[name] = np.frombuffer(raw[base + b:base + e], dtype="<f4").reshape(info["shape"])
    return out


def npy_bytes(a):
    import io
    buf = io.BytesIO()
    np.save(buf, np.array(a, order="C"), allow_pickle=False)  # keeps rank 0
    return buf.getvalue()


# --------------------------------------------------------------------------
# Goldens
# --------------------------------------------------------------------------

def to_torch(arrays):
    return {k: torch.from_numpy(np.array(v, dtype=v.dtype.newbyteorder("="))) for k, v in arrays.items()}


def conditioning_problems(name, got32, got64):
    """Differences between the float32 and the float64 runs of one case."""
    bad = []
    for o, a in got32.items():
        a = a.numpy()
        b = got64[o].numpy()
        if a.shape != b.shape:
            bad.append(f"{o}: shapes differ between f32 and f64 runs")
            continue
        if a.dtype.kind != "f":
            if not np.array_equal(a, b):
                bad.append(f"{o}: integer result differs between f32 and f64 runs")
            continue
        b = b.astype(np.float64)
        with np.errstate(invalid="ignore"):  # beyond float32's range is inf in float32
            b = np.where(np.abs(b) > np.finfo(np.float32).max, np.sign(b) * np.inf, b)
        a64 = a.astype(np.float64)
        same_special = (np.isnan(a64) == np.isnan(b)).all() and \
            (a64[np.isinf(b)] == b[np.isinf(b)]).all()
        fin = np.isfinite(b)
        if not same_special or not np.isfinite(a64[fin]).all():
            bad.append(f"{o}: NaN/inf pattern differs between f32 and f64 runs")
            continue
        err = np.abs(a64[fin] - b[fin])
        tol = 0.25 * (1e-4 * np.abs(b[fin]) + 1e-5)
        if (err > tol).any():
            i = int(np.argmax(err / tol))
            bad.append(f"{o}: f32 {a64[fin][i]!r} vs f64 {b[fin][i]!r} (ill conditioned)")
    return [f"{name}: {m}" for m in bad]


def golden_files(model):
    """{relative file name: bytes} of one model's goldens."""
    sym = asg_torch.check_model(model)
    name = model["name"]
    files = {}
    params = make_params(model)
    if params:
        files["weights.safetensors"] = safetensors_bytes(params)
    needed = asg_torch.needed_inputs(model)
    problems = []
    for B in batches(model):
        inputs = {k: v for k, v in make_inputs(model, B).items() if k in needed}
        outs = asg_torch.run_model(model, to_torch(inputs), to_torch(params), torch.float32, sym)
        outs64 = asg_torch.run_model(model, to_torch(inputs), to_torch(params), torch.float64, sym)
        problems += conditioning_problems(f"{name} B={B}", outs, outs64)
        for k, v in inputs.items():
            files[f"in.{B}.{k}.npy"] = npy_bytes(v)
        for o, t in outs.items():
            dt = NP_DTYPES[sym[o][0]]
            a = t.numpy()
            assert a.dtype == dt.newbyteorder("="), (o, a.dtype, dt)
            assert list(a.shape) == _concrete(sym[o][1], a.shape), (o, a.shape, sym[o][1])
            files[f"out.{B}.{o}.npy"] = npy_bytes(a.astype(dt))
    if problems:
        raise SystemExit("refusing ill-conditioned goldens:\n  " + "\n  ".join(problems))
    return files


def _concrete(sym_shape, actual):
    """The symbolic shape with dynamic dims replaced by the actual sizes."""
    assert len(sym_shape) == len(actual)
    return [d if isinstance(d, int) else n for d, n in zip(sym_shape, actual)]


def load_models(names=None):
    models = []
    for fn in sorted(os.listdir(MODELS_DIR)):
        if not fn.endswith(".json"):
            continue
        m = asg_torch.load_model(os.path.join(MODELS_DIR, fn))
        if m["name"] != fn[:-5]:
            raise SystemExit(f"{fn}: model name {m['name']!r} must equal the file stem")
        if names is None or m["name"] in names:
            models.append(m)
    if names:
        missing = set(names) - {m["name"] for m in models}
        if missing:
            raise SystemExit(f"no such model(s): {sorted(missing)}")
    return models


def write_goldens(model):
    d = os.path.join(GOLDENS_DIR, model["name"])
    files = golden_files(model)
    os.makedirs(d, exist_ok=True)
    for fn in os.listdir(d):  # drop stale files
        if fn not in files:
            os.remove(os.path.join(d, fn))
    for fn, data in files.items():
        with open(os.path.join(d, fn), "wb") as f:
            f.write(data)
    size = sum(map(len, files.values()))
    print(f"{model['name']:20s} B={batches(model)}  {len(files)} files  {size} bytes")


# --------------------------------------------------------------------------
# --check: goldens up to date; interpreter vs hand-written torch; coverage
# --------------------------------------------------------------------------

def check_goldens_current(models):
    bad = 0
    for m in models:
        d = os.path.join(GOLDENS_DIR, m["name"])
        want = golden_files(m)
        have = set(os.listdir(d)) if os.path.isdir(d) else set()
        if have != set(want):
            print(f"FAIL {m['name']}: files differ: missing {sorted(set(want) - have)}, "
                  f"extra {sorted(have - set(want))}")
            bad += 1
            continue
        for fn, data in want.items():
            with open(os.path.join(d, fn), "rb") as f:
                if f.read() != data:
                    print(f"FAIL {m['name']}/{fn}: differs from a fresh generation")
                    bad += 1
        if "weights.safetensors" in want:
            back = read_safetensors(os.path.join(d, "weights.safetensors"))
            for k, v in make_params(m).items():
                if not np.array_equal(back[k], v):
                    print(f"FAIL {m['name']}: safetensors round trip of {k}")
                    bad += 1
    print(f"goldens current: {'ok' if not bad else f'{bad} problem(s)'}")
    return bad


def _case(models, name, B):
    m = next(x for x in models if x["name"] == name)
    inputs = to_torch({k: v for k, v in make_inputs(m, B).items()
                       if k in asg_torch.needed_inputs(m)})
    params = to_torch(make_params(m))
    return m, inputs, params, asg_torch.run_model(m, inputs, params)


def hand_written_checks(models):
    """The interpreter against direct torch code for a few models."""
    results = {}

    def linear(x, p, prefix):  # [in, out] layout -> torch Linear's [out, in]
        lin = torch.nn.Linear(*p[prefix + ".weight"].shape)
        with torch.no_grad():
            lin.weight.copy_(p[prefix + ".weight"].T)
            lin.bias.copy_(p[prefix + ".bias"])
        return lin(x)

    for B in (1, 3):
        m, x, p, got = _case(models, "mlp", B)
        with torch.no_grad():
            h = F.gelu(linear(x["x"], p, "fc1"))
            h = F.relu(linear(h, p, "fc2"))
            logits = linear(h, p, "fc3")
            results[f"mlp B={B}"] = [(got["logits"], logits),
                                     (got["probs"], torch.softmax(logits, -1))]

        m, x, p, got = _case(models, "transformer_block", B)
        with torch.no_grad():
            def ln(v, pre):
                mod = torch.nn.LayerNorm(4)
                mod.weight.copy_(p[pre + ".gamma"])
                mod.bias.copy_(p[pre + ".beta"])
                return mod(v)
            xx = x["x"]
            b, s, d, h = xx.shape[0], 5, 4, 2
            qkv = linear(ln(xx, "ln1"), p, "attn.qkv")
            q, k, v = (t.reshape(b, s, h, d // h).transpose(1, 2) for t in qkv.split(d, -1))
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // h), -1)
            ctx = (att @ v).transpose(1, 2).reshape(b, s, d)
            res1 = xx + linear(ctx, p, "attn.out")
            y = res1 + linear(F.relu(linear(ln(res1, "ln2"), p, "ff1")), p, "ff2")
            results[f"transformer_block B={B}"] = [(got["y"], y)]

        m, x, p, got = _case(models, "embed_classifier", B)
        with torch.no_grad():
            emb = torch.nn.Embedding(12, 6)
            emb.weight.copy_(p["embed.table"])
            logits = linear(emb(x["ids"]).mean(1), p, "head")
            labels = torch.from_numpy(make_inputs(m, B)["labels"].astype(np.int64))
            results[f"embed_classifier B={B}"] = [
                (got["log_probs"], F.log_softmax(logits, -1)),
                (got["loss"], F.cross_entropy(logits, labels))]

        m, x, p, got = _case(models, "norms_losses", B)
        with torch.no_grad():
            lnm = torch.nn.LayerNorm([3, 4], eps=1e-3)
            lnm.weight.copy_(p["ln2d.gamma"])
            lnm.bias.copy_(p["ln2d.beta"])
            results[f"norms_losses B={B}"] = [
                (got["ln_last_two"], lnm(x["x"])),
                (got["mse"], F.mse_loss(x["x"], x["target"])),
                (got["ce_rank3"], F.cross_entropy(x["logits"].permute(0, 2, 1),
                                                  x["classes"].long())),
                (got["ce_single"], F.cross_entropy(x["logits1"][None], x["class1"].long()[None])),
                (got["embedded"], F.embedding(x["ids"].long(), p["table"]))]

        m, x, p, got = _case(models, "reductions", B)
        xx = x["x"]
        results[f"reductions B={B}"] = [
            (got["var_unbiased_keep"], torch.var(xx, dim=(1, 2), unbiased=True, keepdim=True)),
            (got["var_last"], torch.var(xx, dim=-1, unbiased=False)),
            (got["var_all"], torch.var(xx, unbiased=False)),
            (got["sum_none"], xx), (got["min_none"], xx),
            (got["var_none"], torch.zeros_like(xx)),
            (got["max_axes02"], xx.max(2).values.max(0).values)]

    m, x, p, got = _case(models, "compare_where_cast", 3)
    i32max, i32min, i64max = 2**31 - 1, -2**31, 2**63 - 1
    rows = [[0, i32max, i32min, i32max, i32min, i32max, -2, 0],
            [0, i32max, i32min, 2147483520, i32min, i32max, -3, 1],
            [0, i32max, i32min, i32min, i32min, i32max, -4, 3]]
    rows64 = [[0, i64max, -2**63, 2**31, -3000000000, i64max, -2, 0],
              [0, i64max, -2**63, 2147483520, -3000000000, i64max, -3, 1],
              [0, i64max, -2**63, -2**31, -3000000000, i64max, -4, 3]]
    i, k, j = x["i"], x["k"], x["j"]
    results["compare_where_cast B=3"] = [
        (got["special_i32"], torch.tensor(rows, dtype=torch.int32)),
        (got["special_i64"], torch.tensor(rows64, dtype=torch.int64)),
        (got["i_div"], torch.tensor([[int(a / b) for a, b in zip(r, s)]
                                     for r, s in zip(i.tolist(), k.tolist())], dtype=torch.int32)),
        (got["j_div"], torch.tensor([[int(a / -3) for a in r] for r in j.tolist()]))]

    m, x, p, got = _case(models, "nan_propagation", 1)
    nan = math.nan
    results["nan_propagation"] = [
        (got["maximum"], torch.tensor([[nan, nan, -2.0, 3.0, 0.5], [1.5, 0.25, nan, nan, 0.75]])),
        (got["minimum"], torch.tensor([[nan, nan, -2.0, -3.0, -0.25], [1.5, -1.5, nan, nan, -0.75]])),
        (got["max_rows"], torch.tensor([nan, nan])), (got["max_all"], torch.tensor(nan)),
        (got["min_cols"], torch.tensor([[1.0, nan, -2.0, nan, -0.75]])),
        (got["relu"], torch.tensor([[nan, 0.5, 0.0, 3.0, 0.0], [1.5, 0.0, nan, 2.0, 0.75]])),
        (got["select"], torch.tensor([[1.0, nan, -2.0, 3.0, 0.5], [1.5, 0.25, -1.0, nan, 0.75]])),
        (got["x_i32"], torch.tensor([[0, 0, -2, 3, 0], [1, -1, 0, 2, 0]], dtype=torch.int32))]

    bad = 0
    for case, pairs in results.items():
        for n, (a, b) in enumerate(pairs):
            a, b = a.detach(), b.detach()
            ok = a.shape == b.shape and a.dtype == b.dtype and (
                torch.equal(a, b) if not a.is_floating_point() else
                bool(((a - b).abs() <= 1e-5 * b.abs() + 1e-6).logical_or(
                    a.isnan() & b.isnan()).all()))
            if not ok:
                bad += 1
                print(f"FAIL hand-written check {case} #{n}:\n  interp {a}\n  torch  {b}")
    print(f"hand-written torch checks: {sum(map(len, results.values()))} comparisons, "
          f"{'ok' if not bad else f'{bad} failed'}")
    return bad


def coverage(models, verbose=True):
    used = {}
    for m in models:
        for op, variants in asg_torch.ops_used(m).items():
            for v in variants:
                used.setdefault(op, {}).setdefault(v, []).append(m["name"])
    missing = [op for op in V1_OPS if op not in used]
    if verbose:
        for op in V1_OPS:
            for v, ms in sorted(used.get(op, {}).items()):
                print(f"  {op:14s} {v:45s} {', '.join(sorted(set(ms)))}")
    print(f"op coverage: {len(V1_OPS) - len(missing)}/{len(V1_OPS)} v1 ops"
          + (f"; MISSING {missing}" if missing else ""))
    return len(missing)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("models", nargs="*", help="model names (default: all)")
    ap.add_argument("--check", action="store_true", help="verify only; write nothing")
    ap.add_argument("--coverage", action="store_true", help="print the op/attribute coverage")
    args = ap.parse_args()
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    models = load_models(args.models or None)
    if args.check:
        allm = load_models()
        bad = check_goldens_current(models) + hand_written_checks(allm) + \
            coverage(allm, args.coverage)
        sys.exit(1 if bad else 0)
    for m in models:
        write_goldens(m)
    total = sum(os.path.getsize(os.path.join(dp, f))
                for dp, _, fs in os.walk(GOLDENS_DIR) for f in fs)
    print(f"goldens total: {total} bytes")
    coverage(load_models(), args.coverage)


if __name__ == "__main__":
    main()
