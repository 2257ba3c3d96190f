#!/usr/bin/python3
"""Self-test of run_case.py with fake asgc / asg-run (NumPy only, no compiler).

The fake asgc writes a stub "library"; the fake asg-run checks its command
line like the real one must be called (weights iff the model has params,
exactly the inputs `forward` takes) and writes the golden outputs, unchanged
or damaged as FAKE_MODE says.  Every model must pass with exact and with
slightly perturbed (within tolerance) outputs, and each kind of damage must
fail with a message naming the problem.

    /usr/bin/python3 test/e2e/test_run_case.py
"""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
RUN_CASE = os.path.join(HERE, "run_case.py")

FAKE_ASGC = r'''#!/usr/bin/python3
import os, sys
args = sys.argv[1:]
assert args[1:4] == ["--emit", "shared", "-o"], args
if os.environ.get("FAKE_MODE") == "compile_error":
    sys.stderr.write("model.json:1:1: error: fake compile error\n")
    sys.exit(1)
with open(args[4], "w") as f:
    f.write(os.path.abspath(args[0]))
'''

FAKE_ASG_RUN = r'''#!/usr/bin/python3
import json, os, re, shutil, sys, time
import numpy as np
sys.path.insert(0, os.environ["FAKE_HERE"])
from run_case import needed_inputs
mode = os.environ.get("FAKE_MODE", "exact")
args = sys.argv[1:]
model_path = open(args[0]).read()
model = json.load(open(model_path))
inputs, weights, outdir = {}, None, None
i = 1
while i < len(args):
    if args[i] == "--input":
        name, path = args[i + 1].split("=", 1); inputs[name] = path
    elif args[i] == "--weights":
        weights = args[i + 1]
    elif args[i] == "--output-dir":
        outdir = args[i + 1]
    else:
        sys.exit(f"fake asg-run: unexpected argument {args[i]}")
    i += 2
assert list(inputs) == needed_inputs(model), (list(inputs), needed_inputs(model))
assert (weights is not None) == bool(model.get("params")), weights
some = next(iter(inputs.values()))
goldens = os.path.dirname(some)
b = re.match(r"in\.(\d+)\.", os.path.basename(some)).group(1)
if mode == "crash":
    sys.exit("fake asg-run: 'embedding' node 'e': id out of range")
if mode == "hang":
    time.sleep(60)
goldens_out = {o: np.load(os.path.join(goldens, f"out.{b}.{o}.npy")) for o in model["outputs"]}
damaged = model["outputs"][-1]  # damage one output only: the last, or the first integer one
if mode == "int_off":
    damaged = next(o for o, a in goldens_out.items() if a.dtype.kind == "i")
    mode = "beyond_tol"
for o, a in goldens_out.items():
    dst = os.path.join(outdir, o + ".npy")
    if o == damaged:
        if mode == "missing_output":
            continue
        if mode == "wrong_dtype":
            a = a.astype(np.float64 if a.dtype.kind == "f" else np.int16)
        if mode == "wrong_shape":
            a = a.reshape(-1)[:-1] if a.size > 1 else np.zeros((2,), a.dtype)
        if mode == "beyond_tol":
            a = a.copy()
            flat = a.reshape(-1)
            if a.dtype.kind == "f":
                j = int(np.argmax(np.isfinite(flat)))
                flat[j] += np.float32(3e-4 * abs(flat[j]) + 3e-5)
            else:
                flat[0] += 1
        if mode == "nan":
            a = a.copy()
            if a.dtype.kind == "f":
                a.reshape(-1)[int(np.argmax(np.isfinite(a.reshape(-1))))] = np.nan
            else:
                a.reshape(-1)[0] += 1
    if mode == "within_tol" and a.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            a = (a + np.where(np.isfinite(a), 0.5 * (1e-4 * np.abs(a) + 1e-5), 0)).astype(a.dtype)
    np.save(dst, a)
'''


def run_case(tools, model, mode, extra=()):
    env = dict(os.environ, FAKE_MODE=mode, FAKE_HERE=HERE)
    name = os.path.splitext(os.path.basename(model))[0]
    cmd = [sys.executable, RUN_CASE, "--asgc", tools["asgc"], "--asg-run", tools["asg-run"],
           "--model", model, "--goldens", os.path.join(HERE, "goldens", name),
           "--work", os.path.join(tools["dir"], "work", name, mode)] + list(extra)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, timeout=120)
    return p.returncode, p.stdout.decode()


def main():
    failures = []

    def expect(cond, what, out=""):
        if not cond:
            failures.append(what)
            print(f"FAIL {what}\n{out}")

    with tempfile.TemporaryDirectory() as tmp:
        tools = {"dir": tmp}
        for tool, text in (("asgc", FAKE_ASGC), ("asg-run", FAKE_ASG_RUN)):
            path = os.path.join(tmp, tool)
            with open(path, "w") as f:
                f.write(text)
            os.chmod(path, 0o755)
            tools[tool] = path
        models = sorted(os.path.join(HERE, "models", f)
                        for f in os.listdir(os.path.join(HERE, "models")) if f.endswith(".json"))
        for m in models:
            for mode in ("exact", "within_tol"):
                rc, out = run_case(tools, m, mode)
                expect(rc == 0 and "passed" in out, f"{os.path.basename(m)} {mode} should pass", out)

        probe = os.path.join(HERE, "models", "unary_ops.json")
        for mode, needle in (("beyond_tol", "worst at"), ("nan", "got nan"),
                             ("wrong_dtype", "dtype"), ("wrong_shape", "shape"),
                             ("missing_output", "cannot load"), ("crash", "exit status 1"),
                             ("compile_error", "asgc failed")):
            rc, out = run_case(tools, probe, mode)
            expect(rc == 1 and needle in out, f"{mode} should fail mentioning {needle!r}", out)
        ints = os.path.join(HERE, "models", "compare_where_cast.json")
        rc, out = run_case(tools, ints, "int_off")
        expect(rc == 1 and "exact match required" in out, "integer off by one should fail", out)
        rc, out = run_case(tools, probe, "hang", ["--run-timeout", "2"])
        expect(rc == 1 and "timed out" in out, "hang should time out", out)
        rc, out = run_case(tools, probe, "exact", ["--batch", "3"])
        expect(rc == 0 and "B=3" in out and "B=1" not in out, "--batch 3 runs only B=3", out)
        rc, out = run_case(tools, probe, "exact", ["--batch", "7"])
        expect(rc == 1 and "no goldens for batch" in out, "--batch 7 has no goldens", out)
        p = subprocess.run([sys.executable, RUN_CASE, "--model", probe], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        expect(p.returncode == 2, "missing arguments should exit 2", p.stdout.decode())

    sys.path.insert(0, HERE)
    import numpy as np
    from run_case import compare
    f = np.float32
    expect(compare(np.array([1.0001], f), np.array([1.0], f)) is None, "1.0001 vs 1 within 1e-4+1e-5")
    expect(compare(np.array([1.0002], f), np.array([1.0], f)) is not None, "1.0002 vs 1 outside")
    expect(compare(np.array([9e-6], f), np.array([0.0], f)) is None, "9e-6 vs 0 within atol")
    expect(compare(np.array([np.nan], f), np.array([np.nan], f)) is None, "NaN matches NaN")
    expect(compare(np.array([0.0], f), np.array([np.nan], f)) is not None, "0 vs NaN")
    expect(compare(np.array([np.inf], f), np.array([np.inf], f)) is None, "inf matches inf")
    expect(compare(np.array([-np.inf], f), np.array([np.inf], f)) is not None, "-inf vs inf")
    expect(compare(np.array([3e38], f), np.array([np.inf], f)) is not None, "finite vs inf")
    expect(compare(np.array(2.0, f), np.array([2.0], f)) is not None, "rank 0 vs rank 1")
    expect(compare(np.array([5], np.int64), np.array([5], np.int32)) is not None, "i64 vs i32")

    print(f"test_run_case: {'ok' if not failures else f'{len(failures)} failure(s)'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
