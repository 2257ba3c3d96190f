#!/usr/bin/python3
"""Training test driver: compile one model with `asgc --train`, train it with
`asg-run --train` and compare the result with PyTorch goldens.

    run_train_case.py --asgc PATH --asg-run PATH --model M.json --goldens DIR --work WORKDIR
                      [--asgc-arg=-O0]...

DIR/case.json says what kind of case it is:

* "grad" (test/train/grad_models/): the model's optimizer is SGD with lr 1, so
  one step gives p' = p - g. For each run (one batch size B): `asg-run --train
  --data DIR/data.B.safetensors --batch-size B --steps 1 --weights
  DIR/init.safetensors --save-weights WORK/...`, then g = p - p' (float64) of
  every parameter is compared with torch autograd's gradient in
  DIR/expected.B.safetensors: |g - want| <= 1e-4*|want| + 1e-5.
* "trajectory" (test/train/models/): `steps` steps over DIR/data.safetensors
  in batches of `batch_size` (no shuffle) from DIR/init.safetensors; every
  parameter and optimizer state tensor saved must match
  DIR/expected.safetensors (torch.optim after the same steps) with
  |got - want| <= steps*1e-4*|want| + 1e-5, `optim.step` exactly, and the
  saved file must hold exactly the expected tensor names, and a run with
  --threads 1 must save the same bytes. Each `resume`
  entry {k, steps, shuffle} then checks that `steps` steps in one run give
  the same bytes as k steps + --save-weights + --weights + steps-k steps.
* "errors": each entry of `errors` runs `asg-run --train` on a bad data file
  and requires its exit status and a regular expression on stderr.

Exit status: 0 pass, 1 fail, 2 bad command line. Needs only Python 3 and
NumPy (no PyTorch); the goldens come from gen_train_goldens.py.
"""

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys

import numpy as np

# One comparison for forward and training results (test/e2e/run_case.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "e2e"))
from run_case import add_variant_arguments, compare, validate_spirv  # noqa: E402

RTOL, ATOL = 1e-4, 1e-5
ST_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8"), "I32": np.dtype("<i4"),
             "I64": np.dtype("<i8")}
ST_NAMES = {v.str: k for k, v in ST_DTYPES.items()}


# --------------------------------------------------------------------------
# safetensors (numpy only): u64 LE header length, JSON header, raw LE data
# --------------------------------------------------------------------------

def safetensors_bytes(tensors):
    """Deterministic bytes: tensors sorted by name, header padded with spaces to 8."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        a = np.asarray(tensors[name])
        a = np.array(a, dtype=a.dtype.newbyteorder("<"), order="C")  # keeps rank 0
        data = a.tobytes()
        header[name] = {"dtype": ST_NAMES[a.dtype.str], "shape": list(a.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + b"".join(blobs)


def read_safetensors(path):
    """{name: array}; raises ValueError on a malformed file."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    base, out = 8 + n, {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        dt = ST_DTYPES[info["dtype"]]
        out[name] = np.frombuffer(raw[base + b:base + e], dtype=dt).reshape(info["shape"])
    return out


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def run(cmd, timeout):
    """(exit status, stdout+stderr text); exit status None if it could not run."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {timeout} s"
    except OSError as e:
        return None, f"could not start: {e}"
    return p.returncode, (p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace"))


class Case:
    def __init__(self, args):
        self.args = args
        self.failures = 0
        self.so = os.path.join(args.work, "model.so")

    def fail(self, msg):
        self.failures += 1
        print(f"FAIL {msg}")

    def check(self, cmd, what):
        """Runs a tool; True on exit 0, else reports the failure."""
        rc, out = run(cmd, self.args.run_timeout)
        if rc == 0:
            return True
        text = out if isinstance(out, str) else (out[0] + out[1]).strip()
        self.fail(f"{what}: exit status {rc}: {' '.join(cmd)}\n{text}")
        return False

    def compile(self):
        cmd = [self.args.asgc, self.args.model, "--train", "--emit", "shared", "-o", self.so,
               *self.args.asgc_arg]
        rc, out = run(cmd, self.args.compile_timeout)
        if rc != 0:
            text = out if isinstance(out, str) else (out[0] + out[1]).strip()
            self.fail(f"compile: exit status {rc}: {' '.join(cmd)}\n{text}")
            return False
        return True

    def train(self, data, batch, steps, weights, save, shuffle=False, seed=None, threads=None):
        cmd = [self.args.asg_run, self.so, "--train", "--data", data, "--batch-size", str(batch),
               "--steps", str(steps), "--weights", weights, "--save-weights", save, "--quiet",
               *self.args.run_arg]
        if threads is not None:
            cmd += ["--threads", str(threads)]
        if shuffle:
            cmd.append("--shuffle")
        if seed is not None:
            cmd += ["--seed", str(seed)]
        return cmd

    def g(self, name):
        return os.path.join(self.args.goldens, name)

    def w(self, name):
        return os.path.join(self.args.work, name)

    # ---- kinds ------------------------------------------------------------

    def grad(self, spec):
        init = read_safetensors(self.g("init.safetensors"))
        for r in spec["runs"]:
            B, label = r["batch_size"], f"B={r['batch_size']}"
            out = self.w(f"step.{B}.safetensors")
            if not self.check(self.train(self.g(f"data.{B}.safetensors"), B, 1,
                                         self.g("init.safetensors"), out), f"{label}: asg-run"):
                continue
            got = read_safetensors(out)
            want = read_safetensors(self.g(f"expected.{B}.safetensors"))
            bad = 0
            for name, w in sorted(want.items()):
                if name not in got:
                    self.fail(f"{label}: parameter {name} missing from the saved weights")
                    bad += 1
                    continue
                g = init[name].astype(np.float64) - got[name].astype(np.float64)
                msg = compare(g, w.astype(np.float64))
                if msg:
                    self.fail(f"{label}: gradient of {name}: {msg}")
                    bad += 1
            step = got.get("optim.step")
            if step is None or step.dtype != np.int64 or step.shape != () or int(step) != 1:
                self.fail(f"{label}: optim.step after one step is {step!r}, expected i64 scalar 1")
                bad += 1
            if not bad:
                print(f"PASS {label}: gradients of {len(want)} parameters")

    def trajectory(self, spec):
        B, N = spec["batch_size"], spec["steps"]
        data, init = self.g("data.safetensors"), self.g("init.safetensors")
        out = self.w("trained.safetensors")
        label = f"{N} steps, B={B}"
        if self.check(self.train(data, B, N, init, out), f"{label}: asg-run"):
            got = read_safetensors(out)
            want = read_safetensors(self.g("expected.safetensors"))
            bad = 0
            extra = sorted(set(got) - set(want))
            missing = sorted(set(want) - set(got))
            if extra or missing:
                self.fail(f"{label}: saved tensors differ from torch's: extra {extra}, missing {missing}")
                bad += 1
            for name in sorted(set(want) & set(got)):
                msg = compare(got[name], want[name], rtol=N * RTOL)
                if msg:
                    self.fail(f"{label}: {name}: {msg}")
                    bad += 1
            if not bad:
                print(f"PASS {label}: {len(want)} tensors (parameters and optimizer state)")
            # SPEC 3: on the CPU, results are bitwise identical across --threads settings.
            one = self.w("trained.threads1.safetensors")
            if self.check(self.train(data, B, N, init, one, threads=1), f"{label}: --threads 1"):
                with open(out, "rb") as f1, open(one, "rb") as f2:
                    if f1.read() != f2.read():
                        self.fail(f"{label}: --threads 1 saves different bytes than the default")
                    else:
                        print(f"PASS {label}: --threads 1 gives the same bytes")
        for r in spec.get("resume", []):
            self.resume(data, init, B, r)

    def resume(self, data, init, B, r):
        k, n, shuffle = r["k"], r["steps"], r.get("shuffle", False)
        label = f"resume {k}+{n - k} == {n} steps{' --shuffle' if shuffle else ''}"
        tag = f"{k}.{n}.{int(shuffle)}"
        whole, part, rest = (self.w(f"whole.{tag}.safetensors"), self.w(f"part.{tag}.safetensors"),
                             self.w(f"rest.{tag}.safetensors"))
        seed = 7 if shuffle else None
        if not (self.check(self.train(data, B, n, init, whole, shuffle, seed), f"{label}: whole run")
                and self.check(self.train(data, B, k, init, part, shuffle, seed), f"{label}: first part")
                and self.check(self.train(data, B, n - k, part, rest, shuffle, seed),
                               f"{label}: resumed part")):
            return
        a, b = read_safetensors(whole), read_safetensors(rest)
        bad = [name for name in sorted(set(a) | set(b))
               if name not in a or name not in b or a[name].dtype != b[name].dtype
               or a[name].shape != b[name].shape or a[name].tobytes() != b[name].tobytes()]
        step = b.get("optim.step")
        if bad:
            self.fail(f"{label}: tensors not bit-identical: {bad}")
        elif step is None or int(step) != n:
            self.fail(f"{label}: optim.step is {step!r}, expected {n}")
        else:
            with open(whole, "rb") as f1, open(rest, "rb") as f2:
                same_bytes = f1.read() == f2.read()
            if not same_bytes:
                self.fail(f"{label}: same tensors but the files' bytes differ")
            else:
                print(f"PASS {label}: bit for bit ({len(a)} tensors)")

    def errors(self, spec):
        for e in spec["errors"]:
            label = e["what"]
            cmd = self.train(self.g(e["data"]), e.get("batch_size", 2), e.get("steps", 1),
                             self.g("init.safetensors"), self.w("never.safetensors"))
            if os.path.exists(self.w("never.safetensors")):
                os.remove(self.w("never.safetensors"))
            rc, out = run(cmd, self.args.run_timeout)
            if rc is None:
                self.fail(f"{label}: asg-run {out}")
                continue
            stdout, stderr = out
            if rc != e["exit"]:
                self.fail(f"{label}: exit status {rc}, expected {e['exit']}: {' '.join(cmd)}\n"
                          f"{(stdout + stderr).strip()}")
            elif not re.search(e["stderr"], stderr):
                self.fail(f"{label}: stderr does not match /{e['stderr']}/:\n{stderr.strip()}")
            elif rc != 0 and os.path.exists(self.w("never.safetensors")):
                self.fail(f"{label}: a failed run saved weights")
            elif rc == 0 and not os.path.exists(self.w("never.safetensors")):
                self.fail(f"{label}: a successful run saved no weights")
            else:
                print(f"PASS {label}: exit {rc}" + (f", {stderr.strip().splitlines()[-1]}" if rc else ""))


def main(argv=None):
    ap = argparse.ArgumentParser(description="Train a model with asgc/asg-run and compare "
                                 "with PyTorch goldens.")
    ap.add_argument("--asgc", required=True)
    ap.add_argument("--asg-run", required=True)
    ap.add_argument("--model", required=True, help="model JSON")
    ap.add_argument("--goldens", required=True, help="folder with case.json and safetensors files")
    ap.add_argument("--work", required=True, help="scratch folder (recreated)")
    add_variant_arguments(ap)
    ap.add_argument("--compile-timeout", type=float, default=120.0)
    ap.add_argument("--run-timeout", type=float, default=30.0)
    args = ap.parse_args(argv)
    try:
        with open(os.path.join(args.goldens, "case.json")) as f:
            spec = json.load(f)
    except (OSError, ValueError) as e:
        print(f"FAIL: cannot read {args.goldens}/case.json: {e}")
        return 1
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    case = Case(args)
    if args.spirv_val:
        for problem in validate_spirv(args.asgc, args.model, args.asgc_arg, args.work,
                                      args.spirv_val, args.compile_timeout, train=True):
            case.fail(problem)
    if case.compile():
        getattr(case, spec["kind"])(spec)
    print("FAILED" if case.failures else "PASSED")
    return 1 if case.failures else 0


if __name__ == "__main__":
    sys.exit(main())
