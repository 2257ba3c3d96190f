#!/usr/bin/python3
"""End-to-end test driver: compile one model, run it, compare with goldens.

    run_case.py --asgc PATH --asg-run PATH --model M.json --goldens DIR
                --work WORKDIR [--batch B]...

1. `asgc M.json --emit shared -o WORK/M.so`
2. for each case B found in DIR (files in.B.<input>.npy / out.B.<output>.npy),
   or only the --batch ones:
   `asg-run WORK/M.so [--weights DIR/weights.safetensors]
            --input NAME=DIR/in.B.NAME.npy ... --output-dir WORK/outB`
   passing exactly the inputs that `forward` takes (those the outputs depend on)
3. compares each WORK/outB/<output>.npy with DIR/out.B.<output>.npy: same
   dtype and shape; integers exactly; floats with SPEC's numeric agreement
   |got - expected| <= 1e-4*|expected| + 1e-5 (NaN must match NaN, +-inf
   must match exactly), printing the worst element on failure.

Exit status: 0 all cases pass, 1 any failure, 2 bad command line.
Needs only Python 3 and NumPy (no PyTorch).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np

RTOL, ATOL = 1e-4, 1e-5
CASE_RE = re.compile(r"^(in|out)\.(\d+)\.(.+)\.npy$")


def needed_inputs(model):
    """Inputs that `forward` takes: those its outputs depend on, in model order."""
    deps = {n["name"]: n.get("inputs", []) for n in model["nodes"]}
    seen, stack = set(), list(model["outputs"])
    while stack:
        v = stack.pop()
        if v not in seen:
            seen.add(v)
            stack.extend(deps.get(v, []))
    return [i["name"] for i in model["inputs"] if i["name"] in seen]


def find_cases(goldens):
    """{B: {"in": {name: path}, "out": {name: path}}} from a goldens folder."""
    cases = {}
    for fn in sorted(os.listdir(goldens)):
        m = CASE_RE.match(fn)
        if m:
            kind, b, name = m.group(1), int(m.group(2)), m.group(3)
            cases.setdefault(b, {"in": {}, "out": {}})[kind][name] = os.path.join(goldens, fn)
    return cases


def compare(got, want, rtol=RTOL, atol=ATOL):
    """None if `got` agrees with `want` (|got-want| <= rtol*|want| + atol, ints
    and non-finite values exactly), else a message naming the worst element."""
    if got.dtype.kind != want.dtype.kind or got.dtype.itemsize != want.dtype.itemsize:
        return f"dtype {got.dtype.str} != expected {want.dtype.str}"
    if got.shape != want.shape:
        return f"shape {list(got.shape)} != expected {list(want.shape)}"
    if got.size == 0:
        return None
    if want.dtype.kind in "iub":
        bad = got != want
        if not bad.any():
            return None
        diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
        idx = np.unravel_index(int(np.argmax(np.where(bad, diff, -1))), want.shape)
        return (f"{int(bad.sum())}/{want.size} elements differ (exact match required); "
                f"worst at {list(idx)}: got {got[idx]}, expected {want[idx]}")
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    tol = rtol * np.abs(w) + atol
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(g - w)
        ratio = np.where(np.isfinite(w), err / tol, 0.0)
    # Non-finite expectations must be matched exactly (NaN by NaN).
    special = ~np.isfinite(w)
    ok_special = np.where(np.isnan(w), np.isnan(g), g == w)
    ratio = np.where(special, np.where(ok_special, 0.0, np.inf), ratio)
    ratio = np.where(np.isnan(ratio), np.inf, ratio)  # finite expected, got NaN
    bad = ratio > 1.0
    if not bad.any():
        return None
    idx = np.unravel_index(int(np.argmax(ratio)), want.shape)
    return (f"{int(bad.sum())}/{want.size} elements outside |got-exp| <= {rtol:g}*|exp| + {atol:g}; "
            f"worst at {list(idx)}: got {got[idx]!r}, expected {want[idx]!r}, "
            f"|diff| {err[idx]:.3g} (allowed {tol[idx]:.3g})")


def validate_spirv(asgc, model, asgc_args, work, spirv_val, timeout, train=False):
    """`asgc --emit spirv` into WORK/spirv, then `spirv-val` on every module.
    Returns a list of problems (empty when every module is valid)."""
    outdir = os.path.join(work, "spirv")
    shutil.rmtree(outdir, ignore_errors=True)
    cmd = [asgc, model, "--emit", "spirv", "-o", outdir] + (["--train"] if train else []) + asgc_args
    ok, msg = run(cmd, timeout, "asgc --emit spirv")
    if not ok:
        return [msg]
    modules = sorted(f for f in os.listdir(outdir) if f.endswith(".spv"))
    if not modules:
        return [f"asgc --emit spirv wrote no module into {outdir}"]
    problems = []
    for f in modules:
        ok, msg = run([spirv_val, "--target-env", "vulkan1.1", os.path.join(outdir, f)], timeout,
                      "spirv-val")
        if not ok:
            problems.append(msg)
    return problems


def add_variant_arguments(ap):
    """The options both drivers take to run a suite as a variant: extra compiler
    and runner arguments, and SPIR-V validation."""
    ap.add_argument("--asgc-arg", action="append", default=[],
                    help="extra compiler argument, e.g. --asgc-arg=-O0 (repeatable)")
    ap.add_argument("--run-arg", action="append", default=[],
                    help="extra asg-run argument, e.g. --run-arg=--device=vulkan (repeatable)")
    ap.add_argument("--spirv-val", help="also validate every SPIR-V module with this spirv-val")


def run(cmd, timeout, what):
    """Runs cmd; returns (ok, message)."""
    printable = " ".join(cmd)
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, f"{what} timed out after {timeout} s: {printable}"
    except OSError as e:
        return False, f"{what} could not start: {e}: {printable}"
    if p.returncode != 0:
        out = (p.stdout + p.stderr).decode(errors="replace").strip()
        return False, f"{what} failed with exit status {p.returncode}: {printable}\n{out}"
    return True, ""


def main(argv=None):
    ap = argparse.ArgumentParser(description="Compile a model with asgc, run it with "
                                 "asg-run and compare its outputs with goldens.")
    ap.add_argument("--asgc", required=True, help="the compiler")
    ap.add_argument("--asg-run", required=True, help="the runner")
    ap.add_argument("--model", required=True, help="model JSON")
    ap.add_argument("--goldens", required=True, help="folder of weights.safetensors, in.B.*.npy, out.B.*.npy")
    ap.add_argument("--work", required=True, help="scratch folder (created)")
    ap.add_argument("--batch", type=int, action="append", help="only this case (repeatable)")
    add_variant_arguments(ap)
    ap.add_argument("--compile-timeout", type=float, default=90.0)
    ap.add_argument("--run-timeout", type=float, default=30.0)
    args = ap.parse_args(argv)

    try:
        with open(args.model) as f:
            model = json.load(f)
        inputs, outputs = needed_inputs(model), list(model["outputs"])
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"FAIL: cannot read model {args.model}: {e}")
        return 1
    if not os.path.isdir(args.goldens):
        print(f"FAIL: no goldens folder {args.goldens}")
        return 1
    cases = find_cases(args.goldens)
    if args.batch:
        missing = [b for b in args.batch if b not in cases]
        if missing:
            print(f"FAIL: no goldens for batch size(s) {missing} in {args.goldens} "
                  f"(have {sorted(cases)})")
            return 1
        cases = {b: cases[b] for b in args.batch}
    if not cases:
        print(f"FAIL: no in.B.*.npy / out.B.*.npy files in {args.goldens}")
        return 1

    stem = os.path.splitext(os.path.basename(args.model))[0]
    os.makedirs(args.work, exist_ok=True)
    lib = os.path.join(args.work, stem + ".so")
    if os.path.exists(lib):
        os.remove(lib)
    ok, msg = run([args.asgc, args.model, "--emit", "shared", "-o", lib] + args.asgc_arg,
                  args.compile_timeout, "asgc")
    if ok and not os.path.isfile(lib):
        ok, msg = False, f"asgc exited 0 but wrote no {lib}"
    if not ok:
        print(f"FAIL {stem}: {msg}")
        return 1

    failures = 0
    if args.spirv_val:
        for problem in validate_spirv(args.asgc, args.model, args.asgc_arg, args.work,
                                      args.spirv_val, args.compile_timeout):
            print(f"FAIL {stem}: {problem}")
            failures += 1
    weights = os.path.join(args.goldens, "weights.safetensors")
    for b, files in sorted(cases.items()):
        label = f"{stem} B={b}"
        problems = []
        absent = [n for n in inputs if n not in files["in"]]
        if absent:
            problems.append(f"goldens lack inputs {absent}")
        if sorted(files["out"]) != sorted(outputs):
            problems.append(f"golden outputs {sorted(files['out'])} != model outputs {sorted(outputs)}")
        if problems:
            print(f"FAIL {label}: " + "; ".join(problems))
            failures += 1
            continue
        outdir = os.path.join(args.work, f"out{b}")
        shutil.rmtree(outdir, ignore_errors=True)
        os.makedirs(outdir)
        cmd = [args.asg_run, lib] + args.run_arg
        if os.path.exists(weights):
            cmd += ["--weights", weights]
        for n in inputs:
            cmd += ["--input", f"{n}={files['in'][n]}"]
        cmd += ["--output-dir", outdir]
        ok, msg = run(cmd, args.run_timeout, "asg-run")
        if not ok:
            print(f"FAIL {label}: {msg}")
            failures += 1
            continue
        bad = 0
        for o in outputs:
            path = os.path.join(outdir, o + ".npy")
            want = np.load(files["out"][o], allow_pickle=False)
            try:
                got = np.load(path, allow_pickle=False)
            except (OSError, ValueError) as e:
                print(f"FAIL {label} output '{o}': cannot load {path}: {e}")
                bad += 1
                continue
            err = compare(got, want)
            if err:
                print(f"FAIL {label} output '{o}': {err}")
                bad += 1
        if bad:
            failures += 1
        else:
            print(f"PASS {label}: {len(outputs)} output(s)")
    if failures:
        print(f"{stem}: {failures} of {len(cases)} case(s) failed")
        return 1
    print(f"{stem}: all {len(cases)} case(s) passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
