#!/usr/bin/env python3
"""SPEC 3: on the CPU, results are bitwise identical across --threads settings.

Compiles models large enough for asg-cpu-parallel-outlining to share their loops
among threads, runs them with --threads 1, 2 and 3 (3 on a 2-core machine is
oversubscribed, which must still be correct) and compares the outputs, and the
parameters and optimizer state saved after training steps, byte for byte. Each
multi-threaded run must also report (asg-run --verbose) that loops ran on several
threads, so the test cannot pass by running everything serially. See docs/testing.md.

    bitwise_threads.py --asgc ASGC --asg-run ASG_RUN --root REPO --work DIR
"""
import argparse
import filecmp
import os
import re
import subprocess
import sys

import numpy as np

THREADS = (1, 2, 3)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}\n{p.stdout}{p.stderr}")
    return p


def parallel_loops(stderr):
    m = re.search(r"^threads: (\d+) used at most \(cap (\d+)\), (\d+) loops ran on several threads$", stderr, re.M)
    if not m:
        sys.exit(f"FAIL: asg-run --verbose printed no thread statistics:\n{stderr}")
    return int(m.group(1)), int(m.group(3))


def check_parallel(label, threads, stderr):
    used, loops = parallel_loops(stderr)
    if threads == 1 and loops != 0:
        sys.exit(f"FAIL: {label}: --threads 1 ran {loops} loops on several threads")
    if threads > 1 and (loops == 0 or used < 2):
        sys.exit(f"FAIL: {label}: --threads {threads} ran no loop on several threads (the test needs some)")


def same_files(label, dirs):
    names = sorted(os.listdir(dirs[0]))
    if not names:
        sys.exit(f"FAIL: {label}: no output files in {dirs[0]}")
    for d in dirs[1:]:
        if sorted(os.listdir(d)) != names:
            sys.exit(f"FAIL: {label}: {d} holds {sorted(os.listdir(d))}, expected {names}")
        for n in names:
            if not filecmp.cmp(os.path.join(dirs[0], n), os.path.join(d, n), shallow=False):
                sys.exit(f"FAIL: {label}: {n} differs between {dirs[0]} and {d}")
    print(f"PASS {label}: {', '.join(names)} identical for --threads {', '.join(map(str, THREADS))}")


def forward_case(a, label, model, inputs):
    work = os.path.join(a.work, label)
    os.makedirs(work, exist_ok=True)
    so = os.path.join(work, "model.so")
    run([a.asgc, model, "--emit", "shared", "-o", so])
    args = []
    for name, array in inputs.items():
        path = os.path.join(work, f"{name}.npy")
        np.save(path, array)
        args += ["--input", f"{name}={path}"]
    dirs = []
    for t in THREADS:
        out = os.path.join(work, f"out.threads{t}")
        os.makedirs(out, exist_ok=True)
        p = run([a.asg_run, so, *args, "--output-dir", out, "--threads", str(t), "--verbose", "--quiet"])
        check_parallel(label, t, p.stderr)
        dirs.append(out)
    same_files(f"{label} forward", dirs)


def train_case(a, label, model, data, batch, steps):
    work = os.path.join(a.work, label)
    os.makedirs(work, exist_ok=True)
    so = os.path.join(work, "model.so")
    run([a.asgc, model, "--train", "--emit", "shared", "-o", so])
    dirs = []
    for t in THREADS:
        out = os.path.join(work, f"trained.threads{t}")
        os.makedirs(out, exist_ok=True)
        p = run([a.asg_run, so, "--train", "--data", data, "--batch-size", str(batch), "--steps", str(steps),
                 "--save-weights", os.path.join(out, "weights.safetensors"), "--threads", str(t), "--verbose"])
        check_parallel(label, t, p.stderr)
        with open(os.path.join(out, "log.txt"), "w") as f:  # the losses, without the times
            f.write(re.sub(r"time [0-9.]+ ms", "", p.stdout.split("trained")[0]))
        dirs.append(out)
    same_files(f"{label} train_step x{steps}", dirs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--asgc", required=True)
    ap.add_argument("--asg-run", dest="asg_run", required=True)
    ap.add_argument("--root", required=True, help="the repository (models and data)")
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    rng = np.random.default_rng(7)
    # Matmuls, bias + gelu over [batch, 1024] (rows split across chunks), dynamic batch.
    forward_case(a, "mlp1024", os.path.join(a.root, "bench/models/mlp1024.json"),
                 {"x": rng.standard_normal((37, 1024), dtype=np.float32)})
    # Elementwise chain over 4M elements (static trip counts).
    forward_case(a, "ew_chain", os.path.join(a.root, "bench/models/ew_chain.json"),
                 {"x": rng.standard_normal(1 << 22, dtype=np.float32)})
    # The Transformer block with Adam: attention, layer norms, softmax, embeddings, backward.
    tfa = os.path.join(a.root, "examples/transformer_adam")
    train_case(a, "transformer_adam", os.path.join(tfa, "transformer_adam.json"),
               os.path.join(tfa, "data.safetensors"), 16, 2)


if __name__ == "__main__":
    main()
