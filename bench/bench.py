#!/usr/bin/env python3
"""bench.py: asgc vs PyTorch eager side by side (started by bench/run.sh; see bench/README.md).

    bench.py BUILD_DIR [--out DIR] [--quick] [--openblas DIR]

asgc times come from `asg-run --repeat N` (`time per run: min X ms, median Y ms`),
`--train` for train_step; PyTorch times from bench/torch_side.py, run once with
1 thread and once with 2 (OMP_NUM_THREADS / OPENBLAS_NUM_THREADS and
torch.set_num_threads), the better median kept. Compile times are the wall time
of the asgc process, median of 3. Prints a Markdown table, also written to
OUT/results.md, with the raw numbers in OUT/results.json.
"""
import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from torch_side import read_safetensors  # noqa: E402

SEED = os.path.join(ROOT, "examples/transformer/seed_transformer.json")
SEED_DATA = os.path.join(ROOT, "examples/transformer/seed_data.safetensors")
TFA = os.path.join(ROOT, "examples/transformer_adam/transformer_adam.json")
TFA_DATA = os.path.join(ROOT, "examples/transformer_adam/data.safetensors")
MODELS = os.path.join(HERE, "models")


# glibc malloc: keep freed blocks instead of unmapping / trimming them, so that neither side
# page-faults fresh memory for every large intermediate on every call. asg-run sets the same
# itself (mallopt); the environment gives PyTorch the same treatment.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(4 << 30)}


def sh(cmd, env=None):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"bench: command failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def asgc_compile(asgc, model, out, train, runs=3):
    cmd = [asgc, model, "-O2", "--emit", "shared", "-o", out] + (["--train"] if train else [])
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sh(cmd)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


TIME_RE = re.compile(r"time per run: min ([0-9.]+) ms, median ([0-9.]+) ms")


def asg_run(run, so, args, repeat):
    env = dict(os.environ)
    env.update(MALLOC_ENV)
    out = sh([run, so, "--repeat", str(repeat), "--quiet"] + args, env=env)
    m = TIME_RE.search(out.strip().splitlines()[-1])
    if not m:
        raise SystemExit(f"bench: no 'time per run' line from asg-run {so}:\n{out}")
    return {"min": float(m.group(1)), "median": float(m.group(2)), "runs": repeat}


def torch_side(cases_path, threads, openblas, only=None):
    env = dict(os.environ)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = str(threads)
    env.update(MALLOC_ENV)
    if openblas:
        env["LD_LIBRARY_PATH"] = openblas + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    else:
        env.pop("LD_LIBRARY_PATH", None)
    cmd = [sys.executable, os.path.join(HERE, "torch_side.py"), "--cases", cases_path, "--threads", str(threads)]
    if only:
        cmd += ["--only", ",".join(only)]
    return json.loads(sh(cmd, env=env).strip().splitlines()[-1])


def lscpu():
    info = {}
    try:
        for line in sh(["lscpu"]).splitlines():
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()
    except SystemExit:
        pass
    return f"{info.get('Model name', platform.processor())}, {info.get('CPU(s)', os.cpu_count())} CPUs " \
           f"({info.get('Core(s) per socket', '?')} cores/socket, {info.get('Thread(s) per core', '?')} threads/core)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--out", default=None, help="work folder (default BUILD/bench)")
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run; numbers are noisier)")
    ap.add_argument("--openblas", default=os.environ.get("BENCH_OPENBLAS", ""),
                    help="folder holding an OpenBLAS libblas.so.3 for PyTorch/NumPy (default: $BENCH_OPENBLAS, "
                         "else BUILD/openblas/root/usr/lib/x86_64-linux-gnu/openblas-pthread if present)")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    asgc = os.path.join(build, "tools/asgc/asgc")
    run = os.path.join(build, "tools/asg-run/asg-run")
    for tool in (asgc, run):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"bench: {tool} not found: build asgc and asg-run first (bench/README.md)")
    out = os.path.abspath(args.out or os.path.join(build, "bench"))
    os.makedirs(out, exist_ok=True)
    openblas = args.openblas
    if not openblas:
        cand = os.path.join(build, "openblas/root/usr/lib/x86_64-linux-gnu/openblas-pthread")
        openblas = cand if os.path.exists(os.path.join(cand, "libblas.so.3")) else ""
    q = 0.3 if args.quick else 1.0
    rep = lambda n: max(3, int(n * q))

    # ---- inputs -------------------------------------------------------------
    rng = np.random.default_rng(0)
    npy = {}

    def save(name, a):
        npy[name] = os.path.join(out, name + ".npy")
        np.save(npy[name], a)
    save("seed_x", read_safetensors(SEED_DATA)["x"][:1])
    save("tfa_tokens", read_safetensors(TFA_DATA)["tokens"][:16])
    save("mlp_x", rng.standard_normal((256, 1024), dtype=np.float32))
    save("sgemm_a", rng.standard_normal((1024, 1024), dtype=np.float32))
    save("sgemm_b", rng.standard_normal((1024, 1024), dtype=np.float32))
    save("ew_x", rng.standard_normal(4 << 20, dtype=np.float32))

    # name, model, kind, asg-run args, repeats, PyTorch inputs, row label
    cases = [
        ("train_seed", SEED, "train", ["--train", "--data", SEED_DATA, "--batch-size", "1"], rep(300),
         dict(data=SEED_DATA, batch=1), "(a) train step: seed block d4, batch 1, SGD"),
        ("train_tfa", TFA, "train", ["--train", "--data", TFA_DATA, "--batch-size", "16"], rep(10),
         dict(data=TFA_DATA, batch=16), "(a) train step: block d128 h4 s64 ff512, batch 16, Adam"),
        ("fwd_seed", SEED, "forward", ["--input", f"x={npy['seed_x']}"], rep(300),
         dict(inputs={"x": npy["seed_x"]}), "(b) forward: seed block, batch 1"),
        ("fwd_tfa", TFA, "forward", ["--input", f"tokens={npy['tfa_tokens']}"], rep(20),
         dict(inputs={"tokens": npy["tfa_tokens"]}), "(b) forward: block d128, batch 16"),
        ("fwd_mlp", os.path.join(MODELS, "mlp1024.json"), "forward", ["--input", f"x={npy['mlp_x']}"], rep(10),
         dict(inputs={"x": npy["mlp_x"]}), "(b) forward: MLP 1024-1024-1024 gelu, batch 256"),
        ("sgemm", os.path.join(MODELS, "sgemm.json"), "forward",
         ["--input", f"a={npy['sgemm_a']}", "--input", f"b={npy['sgemm_b']}"], rep(5),
         dict(inputs={"a": npy["sgemm_a"], "b": npy["sgemm_b"]}), "(c) sgemm 1024^3 vs torch.matmul"),
        ("ew_chain", os.path.join(MODELS, "ew_chain.json"), "forward", ["--input", f"x={npy['ew_x']}"], rep(30),
         dict(inputs={"x": npy["ew_x"]}), "(d) gelu(x*a+0.5)*sigmoid(x)-tanh(x), 4M f32"),
        ("ew_add", os.path.join(MODELS, "ew_add.json"), "forward", ["--input", f"x={npy['ew_x']}"], rep(30),
         dict(inputs={"x": npy["ew_x"]}), "(d) x+1, 4M f32 (memory floor)"),
    ]

    # ---- compile (timed) ----------------------------------------------------
    compile_times, sos = {}, {}
    for name, model, kind, *_ in cases:
        so = os.path.join(out, name + ".so")
        mname = os.path.basename(model)
        key = (mname, kind == "train")
        t = asgc_compile(asgc, model, so, kind == "train", runs=2 if args.quick else 3)
        compile_times.setdefault(mname, {})["train" if kind == "train" else "forward"] = t
        sos[name] = so
        print(f"compiled {mname}{' --train' if kind == 'train' else ''}: {t:.2f} s", file=sys.stderr)

    # ---- asgc runs ----------------------------------------------------------
    asg = {}
    for name, model, kind, rargs, n, *_ in cases:
        asg[name] = asg_run(run, sos[name], rargs + ([] if kind == "train" else ["--output-dir", out]), n)
        print(f"asgc {name}: median {asg[name]['median']:.3f} ms", file=sys.stderr)

    # ---- PyTorch / NumPy runs -------------------------------------------------
    budget = 1.0 * q + 0.5
    tcases = [dict(name=name, model=model, kind=kind, seconds=budget, **tin)
              for name, model, kind, _, _, tin, _ in cases]
    tcases.append(dict(name="numpy_sgemm", kind="numpy_matmul", seconds=budget,
                       inputs={"a": npy["sgemm_a"], "b": npy["sgemm_b"]}))
    cases_path = os.path.join(out, "cases.json")
    with open(cases_path, "w") as f:
        json.dump(tcases, f)
    torch_res = {t: torch_side(cases_path, t, openblas) for t in (1, 2)}
    sysblas = {}
    if openblas:  # matmul with the system's default libblas.so.3 too, for reference
        sysblas = {t: torch_side(cases_path, t, "", only=["sgemm", "numpy_sgemm"]) for t in (1, 2)}
    for t, r in torch_res.items():
        print(f"PyTorch {t} thread(s): {r['_info']}", file=sys.stderr)

    def best(res, name):
        t = min(res, key=lambda k: res[k][name]["median"])
        return res[t][name]["median"], t

    # ---- table ----------------------------------------------------------------
    rows = []
    blas = torch_res[1]["_info"]["blas"]
    short_blas = "OpenBLAS" if "openblas" in blas.lower() else "system BLAS"

    def row(label, a_ms, ref_label, r_ms, r_threads):
        rows.append(f"| {label} | {a_ms:.3f} | {ref_label} | {r_ms:.3f} ({r_threads}t) | "
                    f"{a_ms / r_ms:.3g} | {r_ms / a_ms:.3g} |")

    for name, _, _, _, _, _, label in cases:
        ref_label = "PyTorch eager" + (f", {short_blas}" if name == "sgemm" else "")
        ms, t = best(torch_res, name)
        row(label, asg[name]["median"], ref_label, ms, t)
        if name == "sgemm":
            ms, t = best(torch_res, "numpy_sgemm")
            row("(c) sgemm 1024^3 vs numpy", asg[name]["median"], f"numpy, {short_blas}", ms, t)
            if sysblas:
                sysname = sysblas[1]["_info"]["blas"].split(",")[0]
                ms, t = best(sysblas, "sgemm")
                row("(c) sgemm 1024^3 vs torch.matmul", asg[name]["median"],
                    f"PyTorch eager, system {os.path.basename(sysname)}", ms, t)
                ms, t = best(sysblas, "numpy_sgemm")
                row("(c) sgemm 1024^3 vs numpy", asg[name]["median"],
                    f"numpy, system {os.path.basename(sysname)}", ms, t)
        if name == "ew_chain":
            rows.append(f"| (d) chain vs asgc's own x+1 (floor) | {asg[name]['median']:.3f} | asgc x+1 | "
                        f"{asg['ew_add']['median']:.3f} | {asg[name]['median'] / asg['ew_add']['median']:.3g} | "
                        f"{asg['ew_add']['median'] / asg[name]['median']:.3g} |")

    gflops = 2 * 1024 ** 3 / (asg["sgemm"]["median"] * 1e6)
    gbs = 2 * 4 * (4 << 20) / (asg["ew_add"]["median"] * 1e6)
    lines = [
        f"machine: {lscpu()}; load average before the run: {os.getloadavg()[0]:.2f}",
        f"asgc: {sh([asgc, '--version']).strip().splitlines()[0]}; PyTorch {torch_res[1]['_info']['torch']}; "
        f"BLAS for PyTorch/NumPy: {blas}",
        "",
        "| benchmark | asgc median ms | reference | ref median ms (threads) | asgc / ref (>1: asgc slower) | ref / asgc (asgc speedup) |",
        "|---|---:|---|---:|---:|---:|",
        *rows,
        "",
        f"asgc sgemm: {gflops:.2f} GFLOP/s; asgc x+1: {gbs:.2f} GB/s (read + write).",
        "",
        "| model | asgc -O2 compile s (forward) | asgc -O2 --train compile s |",
        "|---|---:|---:|",
    ]
    for m, d in compile_times.items():
        f = f"{d['forward']:.2f}" if "forward" in d else "-"
        tr = f"{d['train']:.2f}" if "train" in d else "-"
        lines.append(f"| {m} | {f} | {tr} |")
    text = "\n".join(lines) + "\n"
    print(text)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"asgc": asg, "torch": torch_res, "torch_system_blas": sysblas,
                   "compile_s": compile_times}, f, indent=1)


if __name__ == "__main__":
    main()
