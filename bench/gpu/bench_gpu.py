#!/usr/bin/env python3
"""bench_gpu.py: asgc on a Vulkan GPU vs PyTorch CUDA eager, on the same card.
Started by bench/gpu/bench.sh on the GPU machine (see bench/README.md, "GPU (Vulkan)").

    bench_gpu.py --asg-run PATH --asgc PATH --device vulkan:N --out DIR
                 [--torch-device cuda] [--quick] [--no-extra | --only-extra]

The model is examples/transformer_adam/transformer_adam.json (one pre-norm block,
d_model 128, 4 heads, seq 64, ff 512, batch 16, Adam lr 0.002; the realistic
Transformer of bench/run.sh), forward and train step:

* asgc: the libraries that bench/gpu/prepare.sh compiled with `asgc --target=spirv`
  (served by the shim given as --asgc), timed by `asg-run --device vulkan:N
  --repeat N` (its last line `time per run: min X ms, median Y ms`). A forward run
  uploads the tokens, runs every kernel, waits for the fence and reads the logits
  back; a train step uploads the batch, runs train_step and reads the loss back
  (parameters and Adam state stay on the device).
* PyTorch: the same model written by hand with torch.nn.functional (the JSON's
  ops one for one; linear layers as F.linear, which fuses the bias into the GEMM),
  float32 with TF32 off, torch.optim.Adam with its CUDA default (foreach);
  each run between two torch.cuda.synchronize(), median of N after a warm-up.
  Variants: tokens already on the GPU; tokens uploaded and the result read back
  every run (what asg-run's time includes); attention through
  F.scaled_dot_product_attention (is_causal) instead of the explicit
  matmul-softmax-matmul; and N runs back to back with one synchronize at the end.
  Both sides start from the same parameters (written to a safetensors file for
  asg-run); the forward logits of the two are compared, and the hand-written
  module is checked against the JSON interpreter (test/e2e/asg_torch.py) on the CPU.

Then (unless --no-extra) the smaller cases of bench/run.sh: the seed block, the MLP,
sgemm and the elementwise models, PyTorch running the same JSON graphs through
bench/torch_side.py's Graph on the GPU (see extra_cases).

Prints Markdown tables; writes OUT/bench.md and OUT/bench.json.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))                       # bench/torch_side.py
sys.path.insert(0, os.path.join(ROOT, "test", "e2e"))          # asg_torch.py
sys.path.insert(0, os.path.join(ROOT, "test", "train"))        # run_train_case.py (safetensors)
import asg_torch  # noqa: E402
from run_train_case import safetensors_bytes  # noqa: E402
from torch_side import Graph, init_param, load, optimizer, read_safetensors  # noqa: E402

TFA = os.path.join(ROOT, "examples/transformer_adam/transformer_adam.json")
TFA_DATA = os.path.join(ROOT, "examples/transformer_adam/data.safetensors")
SEED = os.path.join(ROOT, "examples/transformer/seed_transformer.json")
SEED_DATA = os.path.join(ROOT, "examples/transformer/seed_data.safetensors")
MODELS = os.path.join(ROOT, "bench/models")
B, S, D, H, V = 16, 64, 128, 4, 32
HD = D // H
TIME_RE = re.compile(r"time per run: min ([0-9.]+) ms, median ([0-9.]+) ms")


def sh(cmd, timeout=600):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    if r.returncode != 0:
        raise SystemExit(f"bench_gpu: command failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout, r.stderr


# ---- the model, by hand ------------------------------------------------------

def forward(P, tokens, sdpa=False):
    """transformer_adam.json's graph: returns (logits [B,S,V], loss)."""
    ids, target = tokens[:, :S].long(), tokens[:, 1:S + 1].long()
    x = F.embedding(ids, P["tok_emb"]) + P["pos_emb"]
    h = F.layer_norm(x, (D,), P["ln1.gamma"], P["ln1.beta"], 1e-5)
    qkv = F.linear(h, P["attn.qkv.weight"].t(), P["attn.qkv.bias"])
    q, k, v = (t.reshape(-1, S, H, HD).transpose(1, 2) for t in qkv.split(D, dim=-1))
    if sdpa:
        ctx = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    else:
        scores = torch.matmul(q, k.transpose(-2, -1)) * (1 / HD ** 0.5) + P["_mask"]
        ctx = torch.matmul(torch.softmax(scores, dim=-1), v)
    ctx = ctx.transpose(1, 2).reshape(-1, S, D)
    res1 = x + F.linear(ctx, P["attn.out.weight"].t(), P["attn.out.bias"])
    h2 = F.layer_norm(res1, (D,), P["ln2.gamma"], P["ln2.beta"], 1e-5)
    ff = F.linear(F.gelu(F.linear(h2, P["ff1.weight"].t(), P["ff1.bias"])), P["ff2.weight"].t(), P["ff2.bias"])
    y = res1 + ff
    logits = F.linear(F.layer_norm(y, (D,), P["lnf.gamma"], P["lnf.beta"], 1e-5),
                      P["head.weight"].t(), P["head.bias"])
    loss = F.cross_entropy(logits.reshape(-1, V), target.reshape(-1))
    return logits, loss


def timed(fn, sync, seconds, min_runs, max_runs, warmup=10):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    t_end = time.perf_counter() + seconds
    while len(times) < max_runs and (len(times) < min_runs or time.perf_counter() < t_end):
        sync()
        t = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t) * 1e3)
    return {"median": statistics.median(times), "min": min(times), "runs": len(times)}


def back_to_back(fn, sync, n, warmup=10):
    for _ in range(warmup):
        fn()
    sync()
    t = time.perf_counter()
    for _ in range(n):
        fn()
    sync()
    ms = (time.perf_counter() - t) * 1e3 / n
    return {"median": ms, "min": ms, "runs": n}


def asg_run_timed(cmd, target_s, min_runs, max_runs):
    """asg-run --repeat: a short run to size N, then the measured run."""
    out, _ = sh(cmd + ["--repeat", "3"])
    est = float(TIME_RE.search(out.strip().splitlines()[-1]).group(2))
    n = int(min(max_runs, max(min_runs, target_s * 1e3 / max(est, 1e-3))))
    out, err = sh(cmd + ["--repeat", str(n), "--verbose"])
    m = TIME_RE.search(out.strip().splitlines()[-1])
    if not m:
        raise SystemExit(f"bench_gpu: no 'time per run' line from {' '.join(cmd)}:\n{out}")
    info = [l for l in err.splitlines() if l.startswith(("device", "peak memory"))]
    return {"median": float(m.group(2)), "min": float(m.group(1)), "runs": n, "info": info}


_eval_node = asg_torch.eval_node


def eval_node_any_device(op, attrs, args, fdt=torch.float32):
    """asg_torch.eval_node, but `slice` by basic indexing (a view) rather than index_select with
    an index tensor made on the CPU, so that it runs on CUDA tensors (same values)."""
    if op == "slice" and attrs.get("step", 1) > 0:
        x = args[0]
        sl = [slice(None)] * x.dim()
        sl[attrs["axis"] % x.dim()] = slice(attrs.get("start", 0), attrs.get("end"), attrs.get("step", 1))
        return x[tuple(sl)]
    return _eval_node(op, attrs, args, fdt)


def on_device(g, dev):
    """A torch_side.Graph with its folded constants moved to `dev` (the interpreter makes them on
    the CPU). torch.set_default_device would do it too, but it slows every op down."""
    g.consts = {k: v.to(dev) if torch.is_tensor(v) else v for k, v in g.consts.items()}
    asg_torch.eval_node = eval_node_any_device
    return g


def extra_cases(args, work, dev, sync, q):
    """The smaller cases of bench/run.sh on the GPU: the seed block (fixed costs: 30-odd tiny
    kernels per run), the MLP 1024-1024-1024 (matmul throughput), sgemm 1024^3 and the
    elementwise models over 4M f32 (whose 16 MB inputs asg-run uploads on every run).
    PyTorch runs the same JSON graphs through the reference interpreter's op semantics
    (bench/torch_side.py's Graph), tensors on the GPU."""
    rng = np.random.default_rng(0)
    npy = {}

    def save(name, a):
        npy[name] = os.path.join(work, name + ".npy")
        np.save(npy[name], a)
    save("seed_x", read_safetensors(SEED_DATA)["x"][:1])
    save("mlp_x", rng.standard_normal((256, 1024), dtype=np.float32))
    save("sgemm_a", rng.standard_normal((1024, 1024), dtype=np.float32))
    save("sgemm_b", rng.standard_normal((1024, 1024), dtype=np.float32))
    save("ew_x", rng.standard_normal(4 << 20, dtype=np.float32))
    # name, model, train?, asg-run args, inputs, label
    cases = [
        ("train_seed", SEED, True, ["--train", "--data", SEED_DATA, "--batch-size", "1"], {"x": "seed_x"},
         "train step: seed block d4, batch 1, SGD"),
        ("fwd_seed", SEED, False, [], {"x": "seed_x"}, "forward: seed block, batch 1"),
        ("fwd_mlp", os.path.join(MODELS, "mlp1024.json"), False, [], {"x": "mlp_x"},
         "forward: MLP 1024-1024-1024 gelu, batch 256"),
        ("sgemm", os.path.join(MODELS, "sgemm.json"), False, [], {"a": "sgemm_a", "b": "sgemm_b"},
         "sgemm 1024^3 (8 MB in, 4 MB out)"),
        ("ew_chain", os.path.join(MODELS, "ew_chain.json"), False, [], {"x": "ew_x"},
         "gelu(x*1.5+0.5)*sigmoid(x)-tanh(x), 4M f32"),
        ("ew_add", os.path.join(MODELS, "ew_add.json"), False, [], {"x": "ew_x"}, "x+1, 4M f32"),
    ]
    out = {}
    for name, path, train, rargs, ins, label in cases:
        so = os.path.join(work, name + ".so")
        sh([args.asgc, path] + (["--train"] if train else []) + ["--emit", "shared", "-o", so, "--target=spirv"])
        cmd = [args.asg_run, so, "--device", args.device, "--quiet"] + rargs
        if not train:
            cmd += [a for k, v in ins.items() for a in ("--input", f"{k}={npy[v]}")]
            cmd += ["--output-dir", os.path.join(work, "out_" + name)]
        try:
            a = asg_run_timed(cmd, 1.5 * q, 5, 5000)
        except SystemExit as e:  # report, keep going
            print(f"bench_gpu: {name}: {e}", file=sys.stderr)
            a = None
        model = load(path)
        gen = torch.Generator(device="cpu").manual_seed(0)
        params = {p["name"]: init_param(p, gen).to(dev) for p in model.get("params", [])}
        host = {k: torch.from_numpy(np.load(npy[v])) for k, v in ins.items()}
        resident = {k: v.to(dev) for k, v in host.items()}
        t = {}
        if not train:
            g = on_device(Graph(model, model["outputs"]), dev)

            def run(e2e):
                def f():
                    with torch.no_grad():
                        env = {**({k: v.to(dev) for k, v in host.items()} if e2e else resident), **params}
                        outs = g(env)
                        if e2e:
                            for o in outs:
                                o.cpu()
                return f
        else:
            g = on_device(Graph(model, [model["train"]["loss"]]), dev)
            trainable = [params[p["name"]].requires_grad_() for p in model["params"] if p.get("trainable", True)]
            opt = optimizer(model, trainable)

            def run(e2e):
                def f():
                    opt.zero_grad(set_to_none=True)
                    env = {**({k: v.to(dev) for k, v in host.items()} if e2e else resident), **params}
                    (loss,) = g(env)
                    loss.backward()
                    opt.step()
                    if e2e:
                        loss.item()
                return f
        t["resident"] = timed(run(False), sync, 1.0 * q, 20, 5000)
        t["e2e"] = timed(run(True), sync, 1.0 * q, 20, 5000)
        out[name] = {"label": label, "asgc": a, "torch": t}
        print(f"{name}: asgc {a and a['median']} ms, torch {t['resident']['median']:.3f} / "
              f"{t['e2e']['median']:.3f} ms", file=sys.stderr)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--asg-run", required=True)
    ap.add_argument("--asgc", required=True, help="asgc, or bench/gpu/asgc-shim.py on the GPU machine")
    ap.add_argument("--device", required=True, help="asg-run --device, e.g. vulkan:0")
    ap.add_argument("--out", required=True)
    ap.add_argument("--torch-device", default="cuda")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-extra", action="store_true", help="only the realistic Transformer")
    ap.add_argument("--only-extra", action="store_true", help="only the smaller cases (a dry run)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    work = "/tmp/asg-gpu-bench"
    os.makedirs(work, exist_ok=True)
    q = 0.2 if args.quick else 1.0
    dev = torch.device(args.torch_device)
    cuda = dev.type == "cuda"
    sync = torch.cuda.synchronize if cuda else (lambda: None)
    if cuda:
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    res = {"torch": torch.__version__, "asg_device": args.device}
    if cuda:
        res["torch_device"] = torch.cuda.get_device_name(0)
    if args.only_extra:
        res["extra"] = extra_cases(args, work, dev, sync, 0.2 if args.quick else 1.0)
        print(json.dumps(res["extra"], indent=1))
        return

    # ---- the same parameters and batch for both sides ------------------------
    model = asg_torch.load_model(TFA)
    gen = torch.Generator().manual_seed(0)
    params = {p["name"]: init_param(p, gen) for p in model["params"]}
    wpath = os.path.join(work, "weights.safetensors")
    with open(wpath, "wb") as f:
        f.write(safetensors_bytes({k: v.numpy() for k, v in params.items()}))
    tokens = read_safetensors(TFA_DATA)["tokens"][:B].astype(np.int32)
    tpath = os.path.join(work, "tokens.npy")
    np.save(tpath, tokens)

    # ---- asgc ---------------------------------------------------------------
    fwd_so, train_so = os.path.join(work, "fwd.so"), os.path.join(work, "train.so")
    sh([args.asgc, TFA, "--emit", "shared", "-o", fwd_so, "--target=spirv"])
    sh([args.asgc, TFA, "--train", "--emit", "shared", "-o", train_so, "--target=spirv"])
    outdir = os.path.join(work, "out")
    base = [args.asg_run, fwd_so, "--device", args.device, "--weights", wpath, "--input", f"tokens={tpath}",
            "--output-dir", outdir, "--quiet"]
    asg = {"forward": asg_run_timed(base, 3 * q, 5, 2000)}
    print(f"asgc forward: {asg['forward']}", file=sys.stderr)
    asg_logits = np.load(os.path.join(outdir, "logits.npy"))
    tbase = [args.asg_run, train_so, "--train", "--data", TFA_DATA, "--batch-size", str(B), "--device", args.device,
             "--weights", wpath, "--quiet"]
    asg["train"] = asg_run_timed(tbase, 4 * q, 5, 1000)
    print(f"asgc train: {asg['train']}", file=sys.stderr)
    res["asgc"] = asg

    # ---- PyTorch ------------------------------------------------------------
    mask = torch.tensor([[0.0 if j <= i else -1e9 for j in range(S)] for i in range(S)])
    P = {k: v.to(dev) for k, v in params.items()}
    P["_mask"] = mask.to(dev)
    tok_host = torch.from_numpy(tokens)
    tok_dev = tok_host.to(dev)
    has_sdpa = hasattr(F, "scaled_dot_product_attention")

    # checks: the hand-written module against the JSON interpreter (CPU), and asgc against it
    with torch.no_grad():
        logits_dev, loss_dev = forward(P, tok_dev)
        logits_t = logits_dev.cpu().numpy()
        ref = asg_torch.run_model(model, {"tokens": tok_host}, params)["logits"].numpy()
        loss_ref = float(asg_torch.eval_node("cross_entropy", {}, [torch.from_numpy(ref),
                                                                 tok_host[:, 1:].long()]))
        checks = {
            "torch_module_vs_json_interpreter_max_abs": float(np.abs(logits_t - ref).max()),
            "torch_module_loss": float(loss_dev), "json_interpreter_loss": loss_ref,
            "asgc_vs_torch_logits_max_abs": float(np.abs(asg_logits - logits_t).max()),
            "asgc_vs_torch_logits_within_spec": bool(np.all(np.abs(asg_logits - logits_t)
                                                            <= 1e-4 * np.abs(logits_t) + 1e-5)),
            "logits_max_abs": float(np.abs(logits_t).max()),
        }
        if has_sdpa:
            checks["sdpa_vs_explicit_max_abs"] = float((forward(P, tok_dev, sdpa=True)[0] - logits_dev).abs().max())
    res["checks"] = checks
    print(f"checks: {checks}", file=sys.stderr)

    trainable = [P[p["name"]].requires_grad_() for p in model["params"] if p.get("trainable", True)]
    opt = optimizer(model, trainable)
    res["torch_optimizer"] = repr(opt).replace("\n", " ")

    def fwd(sdpa=False, e2e=False):
        def f():
            with torch.no_grad():
                t = tok_host.to(dev, non_blocking=False) if e2e else tok_dev
                logits, _ = forward(P, t, sdpa)
                if e2e:
                    logits.cpu()
        return f

    def step(sdpa=False, e2e=False):
        def f():
            opt.zero_grad(set_to_none=True)
            t = tok_host.to(dev) if e2e else tok_dev
            _, loss = forward(P, t, sdpa)
            loss.backward()
            opt.step()
            if e2e:
                loss.item()
        return f

    tt = {}
    for kind, mk, secs in (("forward", fwd, 2 * q), ("train", step, 3 * q)):
        tt[f"{kind}"] = timed(mk(), sync, secs, 20, 5000)
        tt[f"{kind}_e2e"] = timed(mk(e2e=True), sync, secs, 20, 5000)
        if has_sdpa:
            tt[f"{kind}_sdpa"] = timed(mk(sdpa=True), sync, secs, 20, 5000)
        n = max(20, int(secs * 1e3 / max(tt[kind]["median"], 1e-3)))
        tt[f"{kind}_back_to_back"] = back_to_back(mk(), sync, min(n, 5000))
        print(f"torch {kind}: " + ", ".join(f"{k} {v['median']:.3f}" for k, v in tt.items() if k.startswith(kind)),
              file=sys.stderr)
    if cuda:
        res["torch_max_memory_allocated_MiB"] = torch.cuda.max_memory_allocated() / 2 ** 20
    res["torch_times"] = tt

    # ---- table --------------------------------------------------------------
    label = {"forward": "forward, batch 16", "train": "train step (Adam), batch 16"}
    ref_label = {
        "": f"PyTorch {'CUDA' if cuda else args.torch_device} eager, synchronize per run",
        "_e2e": "  same + tokens uploaded, result read back per run",
        "_sdpa": "  same as first, attention by F.scaled_dot_product_attention",
        "_back_to_back": "  same as first, runs back to back, one synchronize",
    }
    rows = []
    for kind in ("forward", "train"):
        a = asg[kind]["median"]
        for suf, rl in ref_label.items():
            if kind + suf not in tt:
                continue
            r = tt[kind + suf]["median"]
            rows.append(f"| {label[kind]} | {a:.3f} | {rl} | {r:.3f} | {a / r:.3g} | {r / a:.3g} |")
    lines = [
        f"asgc: asg-run --device {args.device} ({'; '.join(asg['forward']['info'][:1])}); "
        f"PyTorch {torch.__version__} on {res.get('torch_device', args.torch_device)}, fp32, TF32 off",
        "",
        "| benchmark | asgc median ms | reference | ref median ms | asgc / ref (>1: asgc slower) | ref / asgc |",
        "|---|---:|---|---:|---:|---:|",
        *rows,
        "",
        f"runs: asgc forward {asg['forward']['runs']}, train {asg['train']['runs']}; PyTorch "
        + ", ".join(f"{k} {v['runs']}" for k, v in tt.items()),
        f"checks: asgc logits vs PyTorch: max |diff| {checks['asgc_vs_torch_logits_max_abs']:.3g} "
        f"(within 1e-4*|x|+1e-5: {checks['asgc_vs_torch_logits_within_spec']}); hand-written module vs "
        f"JSON interpreter: max |diff| {checks['torch_module_vs_json_interpreter_max_abs']:.3g}, loss "
        f"{checks['torch_module_loss']:.6f} vs {checks['json_interpreter_loss']:.6f}",
    ]
    def write(lines):
        text = "\n".join(lines) + "\n"
        with open(os.path.join(args.out, "bench.md"), "w") as f:
            f.write(text)
        with open(os.path.join(args.out, "bench.json"), "w") as f:
            json.dump(res, f, indent=1)
        return text
    write(lines)  # the main table stays even if a case below fails
    if not args.no_extra:
        res["extra"] = extra = extra_cases(args, work, dev, sync, q)
        lines += [
            "",
            "| benchmark | asgc median ms | PyTorch, inputs on the GPU, ms | asgc / that | PyTorch incl. upload "
            "+ read-back, ms | asgc / that |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for name, e in extra.items():
            a = e["asgc"]["median"] if e["asgc"] else float("nan")
            r, r2 = e["torch"]["resident"]["median"], e["torch"]["e2e"]["median"]
            lines.append(f"| {e['label']} | {a:.3f} | {r:.3f} | {a / r:.3g} | {r2:.3f} | {a / r2:.3g} |")
        if extra.get("sgemm", {}).get("asgc") and extra.get("fwd_mlp", {}).get("asgc"):
            lines += ["", f"asgc sgemm incl. transfers: {2 * 1024 ** 3 / (extra['sgemm']['asgc']['median'] * 1e6):.1f}"
                      f" GFLOP/s; MLP forward (two 256x1024x1024 matmuls): "
                      f"{2 * 2 * 256 * 1024 * 1024 / (extra['fwd_mlp']['asgc']['median'] * 1e6):.1f} GFLOP/s; "
                      f"PyTorch sgemm (inputs on the GPU): "
                      f"{2 * 1024 ** 3 / (extra['sgemm']['torch']['resident']['median'] * 1e6):.1f} GFLOP/s"]
    print(write(lines))


if __name__ == "__main__":
    main()
