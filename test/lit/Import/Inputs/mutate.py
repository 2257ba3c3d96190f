"""mutate.py ASGC MODEL WORKDIR: robustness of asgc's importer on damaged models.

Compiles (--emit asg) 30 truncations of MODEL and a fixed, seeded set of 40
mutations (a few bytes replaced by a JSON token, NUL, an invalid UTF-8 byte, a
huge number...). Each run must exit 0 or
1 within 10 s; exit 1 must come with at least one located diagnostic
`FILE:LINE:COL: error: ...` and no internal error. Prints 'ok N' on success.
"""
import random
import re
import subprocess
import sys

asgc, model, workdir = sys.argv[1:4]
text = open(model, "rb").read()
cases = [text[:n] for n in range(0, len(text), max(1, len(text) // 30))]
rng = random.Random(1)
replacements = [b"", b"{", b"}", b"[", b"]", b",", b":", b'"', b"-1", b"1e999", b"null",
                b"true", b"\x00", b"\xff", b"\\", b"9223372036854775808", b"0.5", b"[[[[",
                b'"x"', b'"optim.a"']
for _ in range(40):
    i = rng.randrange(len(text))
    j = i + rng.randrange(4)
    cases.append(text[:i] + rng.choice(replacements) + text[j:])

located = re.compile(rb"^case\.json:\d+:\d+: error: ", re.M)
failures = []
for n, data in enumerate(cases):
    path = f"{workdir}/case.json"
    with open(path, "wb") as f:
        f.write(data)
    try:
        run = subprocess.run([asgc, "case.json", "--emit", "asg", "-o", "/dev/null"],
                             cwd=workdir, capture_output=True, timeout=10)
    except subprocess.TimeoutExpired:
        failures.append((n, "timeout", data))
        continue
    err = run.stderr
    if run.returncode == 0:
        continue
    if run.returncode != 1 or not located.search(err) or b"internal" in err:
        failures.append((n, f"exit {run.returncode}: {err[:300]!r}", data))
for n, why, data in failures:
    print(f"case {n}: {why}\n  input: {data!r}")
print("ok" if not failures else "FAILED", len(cases))
sys.exit(1 if failures else 0)
