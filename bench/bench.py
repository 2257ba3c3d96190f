#!/usr/bin/env python3
"""bench.py: asgc vs PyTorch eager and OpenBLAS side by side (started by bench/run.sh; see bench/README.md).

    bench.py BUILD_DIR [--out DIR] [--quick] [--openblas DIR]

asgc times come from `asg-run --threads T --repeat N` (`time per run: min X ms, median Y ms`),
`--train` for train_step, for T = 1 and 2; below FINE_MS, where asg-run's 1 µs print resolution
matters, from the wall time of N extra runs instead. PyTorch and NumPy times come from
bench/torch_side.py, run once with 1 thread and once with 2 (OMP_NUM_THREADS /
OPENBLAS_NUM_THREADS and torch.set_num_threads). Compile times are the wall time of the asgc
process, median of 3. Prints Markdown tables (bench_report.py), also written to OUT/results.md,
with the raw numbers in OUT/results.json.
"""
import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import bench_report  # noqa: E402
from torch_side import read_safetensors  # noqa: E402

SEED = os.path.join(ROOT, "examples/transformer/seed_transformer.json")
SEED_DATA = os.path.join(ROOT, "examples/transformer/seed_data.safetensors")
TFA = os.path.join(ROOT, "examples/transformer_adam/transformer_adam.json")
TFA_DATA = os.path.join(ROOT, "examples/transformer_adam/data.safetensors")
MODELS = os.path.join(HERE, "models")
TFA2 = os.path.join(MODELS, "transformer2_adam.json")
# one matmul of inputs a and b each; the first is the 1024^3 target of issue 6
SGEMM_MODELS = ["sgemm", "sgemm1000", "sgemm1023", "sgemm37", "bmm64_64x32x64", "bmm64_64x64x32"]
THREADS = (1, 2)
FINE_MS = 0.02  # asg-run prints times in whole µs: below this, time calls by the process's wall time

# glibc malloc: keep freed blocks instead of unmapping / trimming them, so that neither side
# page-faults fresh memory for every large intermediate on every call. asg-run sets the same
# itself (mallopt); the environment gives PyTorch the same treatment.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": str(32 << 20), "MALLOC_TRIM_THRESHOLD_": str(4 << 30)}


@dataclass
class Case:
    """One benchmark row: a model run by asgc, and the same work in PyTorch (or NumPy for sgemm)."""
    name: str
    model: str
    label: str
    repeat: int
    inputs: dict = field(default_factory=dict)  # forward: input name -> .npy
    data: str = ""  # train_step: a safetensors file, its first `batch` examples
    batch: int = 0
    flop: int = 0  # sgemm cases: 2*batch*m*k*n

    @property
    def train(self):
        return bool(self.data)

    def run_args(self, out):
        if self.train:
            return ["--train", "--data", self.data, "--batch-size", str(self.batch)]
        return [a for k, v in self.inputs.items() for a in ("--input", f"{k}={v}")] + ["--output-dir", out]

    def ref_case(self, seconds):
        """The case for torch_side.py: the model in PyTorch eager, an sgemm as `a @ b` in NumPy."""
        if self.flop:
            return dict(name=self.name, kind="numpy_matmul", seconds=seconds, inputs=self.inputs)
        if self.train:
            return dict(name=self.name, model=self.model, kind="train", seconds=seconds, data=self.data,
                        batch=self.batch)
        return dict(name=self.name, model=self.model, kind="forward", seconds=seconds, inputs=self.inputs)


def sh(cmd, env=None):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"bench: command failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout}{r.stderr}")
    return r.stdout


def with_malloc_env():
    return {**os.environ, **MALLOC_ENV}


def save_npy(out, name, a):
    path = os.path.join(out, name + ".npy")
    np.save(path, a)
    return path


def model_cases(out, rep):
    rng = np.random.default_rng(0)
    seed_x = save_npy(out, "seed_x", read_safetensors(SEED_DATA)["x"][:1])
    tokens = save_npy(out, "tfa_tokens", read_safetensors(TFA_DATA)["tokens"][:16])
    mlp_x = save_npy(out, "mlp_x", rng.standard_normal((256, 1024), dtype=np.float32))
    ew_x = save_npy(out, "ew_x", rng.standard_normal(4 << 20, dtype=np.float32))
    block = "d128 h4 s64 ff512"
    return [
        Case("train_seed", SEED, "(a) train step: seed block d4, batch 1, SGD", rep(300), data=SEED_DATA, batch=1),
        Case("train_tfa", TFA, f"(a) train step: 1 block {block}, batch 16, Adam", rep(50), data=TFA_DATA, batch=16),
        Case("train_tfa2", TFA2, f"(a) train step: 2 blocks {block}, batch 16, Adam", rep(30), data=TFA_DATA,
             batch=16),
        Case("fwd_seed", SEED, "(b) forward: seed block, batch 1", rep(300), inputs={"x": seed_x}),
        Case("fwd_tfa", TFA, "(b) forward: 1 block d128, batch 16", rep(100), inputs={"tokens": tokens}),
        Case("fwd_tfa2", TFA2, "(b) forward: 2 blocks d128, batch 16", rep(50), inputs={"tokens": tokens}),
        Case("fwd_mlp", os.path.join(MODELS, "mlp1024.json"), "(b) forward: MLP 1024-1024-1024 gelu, batch 256",
             rep(50), inputs={"x": mlp_x}),
        Case("ew_chain", os.path.join(MODELS, "ew_chain.json"), "(d) gelu(x*a+0.5)*sigmoid(x)-tanh(x), 4M f32",
             rep(30), inputs={"x": ew_x}),
        Case("ew_add", os.path.join(MODELS, "ew_add.json"), "(d) x+1, 4M f32 (memory floor)", rep(30),
             inputs={"x": ew_x}),
    ]


def sgemm_case(out, name, rng, rep):
    """models/NAME.json: c = a @ b, the shapes read from the model; random inputs of those shapes."""
    model = os.path.join(MODELS, name + ".json")
    with open(model) as f:
        shapes = {i["name"]: i["shape"] for i in json.load(f)["inputs"]}
    a, b = shapes["a"], shapes["b"]
    inputs = {k: save_npy(out, f"{name}_{k}", rng.standard_normal(s, dtype=np.float32)) for k, s in shapes.items()}
    flop = 2 * math.prod(a) * b[-1]
    batch = "".join(f"{d}× " for d in a[:-2])
    label = f"(c) {batch}{a[-2]}×{a[-1]} @ {b[-2]}×{b[-1]}"
    return Case(name, model, label, rep(min(2000, max(20, int(3e10 / flop)))), inputs=inputs, flop=flop)


def asgc_compile(asgc, model, out, train, runs):
    cmd = [asgc, model, "-O2", "--emit", "shared", "-o", out] + (["--train"] if train else [])
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        sh(cmd)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def compile_all(asgc, cases, out, runs):
    """Compiles each case's model (timed); returns ({model file: {"forward"|"train": s}}, {case: .so})."""
    times, sos = {}, {}
    for c in cases:
        sos[c.name] = os.path.join(out, c.name + ".so")
        mode = "train" if c.train else "forward"
        mname = os.path.basename(c.model)
        times.setdefault(mname, {})[mode] = asgc_compile(asgc, c.model, sos[c.name], c.train, runs)
        print(f"compiled {mname} ({mode}): {times[mname][mode]:.2f} s", file=sys.stderr)
    return times, sos


TIME_RE = re.compile(r"time per run: min ([0-9.]+) ms, median ([0-9.]+) ms")


def asg_run(cmd, repeat):
    out = sh(cmd + ["--repeat", str(repeat)], env=with_malloc_env())
    m = TIME_RE.search(out.strip().splitlines()[-1])
    if not m:
        raise SystemExit(f"bench: no 'time per run' line from {' '.join(cmd)}:\n{out}")
    return {"min": float(m.group(1)), "median": float(m.group(2)), "runs": repeat}


def wall_s(cmd, repeat, tries=3):
    """The shortest wall time of `tries` asg-run processes with --repeat `repeat`."""
    best = math.inf
    for _ in range(tries):
        t = time.perf_counter()
        sh(cmd + ["--repeat", str(repeat)], env=with_malloc_env())
        best = min(best, time.perf_counter() - t)
    return best


def asg_time(run, so, args, repeat, threads):
    """asg-run's median time per call; below FINE_MS the mean per call from the wall time of
    k extra calls (about 0.3 s of them): (wall(1 + k runs) - wall(1 run)) / k."""
    cmd = [run, so, "--threads", str(threads), "--quiet"] + args
    r = asg_run(cmd, repeat)
    r["ms"], r["how"] = r["median"], "median"
    if r["median"] < FINE_MS:
        k = min(1_000_000, max(1000, int(300 / max(r["median"], 0.0005))))
        r["ms"], r["how"], r["wall_runs"] = (wall_s(cmd, 1 + k) - wall_s(cmd, 1)) * 1e3 / k, "wall mean", k
    return r


def seed_demo_ms(run, so, threads, tries):
    """The seed demo's training run as the top-level README shows it: 15 steps of batch 1
    (`trained 15 steps in X ms`, which covers the whole loop), median of `tries` processes."""
    cmd = [run, so, "--threads", str(threads), "--train", "--data", SEED_DATA, "--epochs", "15",
           "--batch-size", "1", "--seed", "0"]
    times = []
    for _ in range(tries):
        m = re.search(r"trained 15 steps in ([0-9.]+) ms", sh(cmd, env=with_malloc_env()))
        if not m:
            raise SystemExit(f"bench: no 'trained 15 steps' line from {' '.join(cmd)}")
        times.append(float(m.group(1)))
    return {"ms": statistics.median(times), "how": "median", "runs": tries}


def torch_side(cases_path, threads, openblas, only=None):
    env = with_malloc_env()
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = str(threads)
    if openblas:
        env["LD_LIBRARY_PATH"] = openblas + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    else:
        env.pop("LD_LIBRARY_PATH", None)
    cmd = [sys.executable, os.path.join(HERE, "torch_side.py"), "--cases", cases_path, "--threads", str(threads)]
    if only:
        cmd += ["--only", ",".join(only)]
    return json.loads(sh(cmd, env=env).strip().splitlines()[-1])


def parse_args():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default="build")
    ap.add_argument("--out", default=None, help="work folder (default BUILD/bench)")
    ap.add_argument("--quick", action="store_true", help="fewer repeats (a smoke run; numbers are noisier)")
    ap.add_argument("--openblas", default=os.environ.get("BENCH_OPENBLAS", ""),
                    help="folder holding an OpenBLAS libblas.so.3 for PyTorch/NumPy (default: $BENCH_OPENBLAS, "
                         "else BUILD/openblas/root/usr/lib/x86_64-linux-gnu/openblas-pthread if present)")
    args = ap.parse_args()
    args.build = os.path.abspath(args.build)
    args.out = os.path.abspath(args.out or os.path.join(args.build, "bench"))
    if not args.openblas:
        cand = os.path.join(args.build, "openblas/root/usr/lib/x86_64-linux-gnu/openblas-pthread")
        args.openblas = cand if os.path.exists(os.path.join(cand, "libblas.so.3")) else ""
    return args


def main():
    args = parse_args()
    asgc = os.path.join(args.build, "tools/asgc/asgc")
    run = os.path.join(args.build, "tools/asg-run/asg-run")
    for tool in (asgc, run):
        if not os.access(tool, os.X_OK):
            raise SystemExit(f"bench: {tool} not found: build asgc and asg-run first (bench/README.md)")
    out = args.out
    os.makedirs(out, exist_ok=True)
    q = 0.3 if args.quick else 1.0
    rep = lambda n: max(3, int(n * q))  # noqa: E731
    load_before = os.getloadavg()[0]

    rng = np.random.default_rng(1)
    cases = model_cases(out, rep)
    gemms = [sgemm_case(out, name, rng, rep) for name in SGEMM_MODELS]
    compile_s, sos = compile_all(asgc, cases + gemms, out, runs=1 if args.quick else 3)

    asg = {}
    for c in cases + gemms:
        asg[c.name] = {t: asg_time(run, sos[c.name], c.run_args(out), c.repeat, t) for t in THREADS}
        print(f"asgc {c.name}: " + ", ".join(f"{t}t {r['ms']:.4g} ms" for t, r in asg[c.name].items()),
              file=sys.stderr)
    demo = {t: seed_demo_ms(run, sos["train_seed"], t, tries=3 if args.quick else 7) for t in THREADS}

    cases_path = os.path.join(out, "cases.json")
    with open(cases_path, "w") as f:
        json.dump([c.ref_case(seconds=1.0 * q + 0.5) for c in cases + gemms], f)
    ref = {t: torch_side(cases_path, t, args.openblas) for t in THREADS}
    # the 1024^3 sgemm with the system's default libblas.so.3 too, for reference (single-threaded)
    sysblas = torch_side(cases_path, 1, "", only=["sgemm"]) if args.openblas else None
    for t, r in ref.items():
        print(f"PyTorch/NumPy {t} thread(s): {r['_info']}", file=sys.stderr)

    text = bench_report.render(
        header=bench_report.header(asgc, load_before, ref[1]["_info"], sh),
        cases=cases, gemms=gemms, asg=asg, ref=ref, demo=demo, sysblas=sysblas, compile_s=compile_s)
    print(text)
    with open(os.path.join(out, "results.md"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump({"asgc": asg, "reference": ref, "reference_system_blas": sysblas,
                   "seed_demo_15_steps_ms": demo, "compile_s": compile_s}, f, indent=1)


if __name__ == "__main__":
    main()
