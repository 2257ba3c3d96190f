#!/usr/bin/env python3
"""asgc-shim.py: a stand-in for `asgc` on the GPU machine, which has no LLVM.

bench/gpu/prepare.sh compiles every test and benchmark model here with the real
asgc (`--target=spirv --cpu=<portable host CPU> --emit shared`, plus `--train`
for the training models) into .device/models/ and records in
.device/manifest.json, per model, the JSON's path, its SHA-256, whether it was
compiled with --train, and the .so. This script answers exactly the compile
commands that the test drivers and bench/gpu/bench_gpu.py make:

    asgc-shim.py MODEL.json [--train] --emit shared -o OUT.so --target=spirv

by copying the prebuilt .so for (MODEL, --train) to OUT.so. Anything else (an
unknown or edited model, another --emit, other flags such as -O0) fails with
exit status 2 and says why: it never pretends to compile.

The bundle folder is $ASG_GPU_BUNDLE, else .device/ at the repository root.
"""
import hashlib
import json
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUNDLE = os.environ.get("ASG_GPU_BUNDLE") or os.path.join(ROOT, ".device")


def die(msg):
    print(f"asgc-shim: {msg}", file=sys.stderr)
    sys.exit(2)


def parse(argv):
    model, out, emit, train, extra = None, None, "obj", False, []
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("-o", "--emit", "--target") and i + 1 < len(argv):
            v = argv[i + 1]
            i += 1
            if a == "-o":
                out = v
            elif a == "--emit":
                emit = v
            else:
                extra.append("--target=" + v)
        elif a.startswith("--emit="):
            emit = a.split("=", 1)[1]
        elif a == "--train":
            train = True
        elif a.startswith("-"):
            extra.append(a)
        elif model is None:
            model = a
        else:
            die(f"more than one model on the command line: {model!r}, {a!r}")
        i += 1
    return model, out, emit, train, extra


def main():
    argv = sys.argv[1:]
    if argv in (["--version"], ["-h"], ["--help"]):
        print(__doc__.strip())
        return 0
    try:
        with open(os.path.join(BUNDLE, "manifest.json")) as f:
            manifest = json.load(f)
    except OSError as e:
        die(f"no prebuilt bundle ({e}): run bench/gpu/prepare.sh where asgc is built")
    model, out, emit, train, extra = parse(argv)
    cmd = "asgc " + " ".join(argv)
    if model is None or out is None:
        die(f"need a model and -o: {cmd}")
    if emit != "shared":
        die(f"only --emit shared is prebuilt, not --emit {emit}: {cmd}")
    if sorted(extra) != sorted(manifest["accept"]):
        die(f"flags {extra} are not those the bundle was compiled for "
            f"(the drivers' {manifest['accept']}; compiled with {manifest['flags']}): {cmd}")
    path = os.path.realpath(model)
    rel = os.path.relpath(path, ROOT)
    for m in manifest["models"]:
        if m["model"] == rel and m["train"] == train:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
            if digest != m["sha256"]:
                die(f"{rel} changed since bench/gpu/prepare.sh compiled it (sha256 {digest[:12]} != "
                    f"{m['sha256'][:12]}): run prepare.sh again")
            os.makedirs(os.path.dirname(os.path.abspath(out)) or ".", exist_ok=True)
            shutil.copyfile(os.path.join(BUNDLE, m["so"]), out)
            return 0
    die(f"no prebuilt {'--train ' if train else ''}library for {rel}: {cmd}")


if __name__ == "__main__":
    sys.exit(main())
