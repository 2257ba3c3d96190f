"""bench_report.py: bench.py's Markdown tables, from times already measured (nothing is timed here).

Shapes of the inputs: asg[case][threads] = {"ms": ..., "how": "median" | "wall mean", ...} (asgc);
ref[threads][case] = {"median": ms, ...} (torch_side.py: PyTorch eager, or NumPy for sgemm cases).
"""
import math
import os
import platform


def sig4(x):
    """4 significant digits, no exponent."""
    decimals = max(0, 3 - math.floor(math.log10(x))) if x > 0 else 3
    return f"{x:.{decimals}f}"


def best(times):
    """{threads: ms} -> (the smallest ms, its thread count)."""
    t = min(times, key=times.get)
    return times[t], t


def asg_ms(entry):
    return {t: r["ms"] for t, r in entry.items()}


def ref_ms(ref, name, scale=1):
    return {t: scale * r[name]["median"] for t, r in ref.items()}


def asg_cell(r):
    return sig4(r["ms"]) + ("*" if r["how"] == "wall mean" else "")


def lscpu(sh):
    info = {}
    try:
        for line in sh(["lscpu"]).splitlines():
            k, _, v = line.partition(":")
            info[k.strip()] = v.strip()
    except SystemExit:
        pass
    return f"{info.get('Model name', platform.processor())}, {info.get('CPU(s)', os.cpu_count())} CPUs " \
           f"({info.get('Core(s) per socket', '?')} cores/socket, {info.get('Thread(s) per core', '?')} threads/core)"


def header(asgc, load_before, ref_info, sh):
    return [
        f"machine: {lscpu(sh)}; load average before the run: {load_before:.2f}",
        f"asgc: {sh([asgc, '--version']).strip().splitlines()[0]}; PyTorch {ref_info['torch']}; "
        f"BLAS for PyTorch/NumPy: {ref_info['blas']}",
        "",
    ]


def model_row(label, asg_entry, ref_label, ref_times):
    a, _ = best(asg_ms(asg_entry))
    r, rt = best(ref_times)
    return (f"| {label} | {asg_cell(asg_entry[1])} | {asg_cell(asg_entry[2])} | {ref_label} | {sig4(r)} ({rt}t) | "
            f"{a / r:.3g} | {r / a:.3g} |")


def model_table(cases, asg, ref, demo):
    lines = [
        "| benchmark | asgc 1t ms | asgc 2t ms | reference | ref ms (threads) | asgc / ref (>1: asgc slower) "
        "| ref / asgc (asgc speedup) |",
        "|---|---:|---:|---|---:|---:|---:|",
    ]
    for c in cases:
        lines.append(model_row(c.label, asg[c.name], "PyTorch eager", ref_ms(ref, c.name)))
        if c.name == "train_seed":
            lines.append(model_row("(a) seed demo: 15 steps (`--epochs 15 --batch-size 1`), total", demo,
                                   "PyTorch eager, 15 × step", ref_ms(ref, c.name, 15)))
        if c.name == "ew_chain":
            lines.append(model_row("(d) chain vs asgc's own x+1 (floor)", asg[c.name], "asgc x+1",
                                   asg_ms(asg["ew_add"])))
    return lines


def gflops(flop, ms):
    return flop / (ms * 1e6)


def sgemm_row(c, entry, ref_times):
    a1, ab = entry[1]["ms"], best(asg_ms(entry))[0]
    r1, (rb, rt) = ref_times[1], best(ref_times)
    rates = " / ".join(f"{gflops(c.flop, entry[t]['ms']):.1f}" for t in (1, 2))
    return (f"| {c.label} | {sig4(c.flop / 1e9)} | {asg_cell(entry[1])} | {asg_cell(entry[2])} | {rates} | "
            f"{sig4(r1)} | {sig4(rb)} ({rt}t) | {r1 / a1:.3g} | {rb / ab:.3g} |")


def sgemm_table(gemms, asg, ref, blas):
    lines = [
        f"| sgemm c = a @ b | GFLOP | asgc 1t ms | asgc 2t ms | asgc GFLOP/s 1t / 2t | {blas} 1t ms "
        f"| {blas} ms (threads) | speed asgc 1t / {blas} 1t (target ≥ 0.9 on 1024³) "
        f"| speed asgc / {blas}, best of 1t/2t each |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    return lines + [sgemm_row(c, asg[c.name], ref_ms(ref, c.name)) for c in gemms]


def notes(gemms, asg, blas, sysblas):
    sgemm = gemms[0]
    lines = [
        "",
        "asgc times: median of `asg-run --threads T --repeat N`; with *, the mean per call from the wall "
        "time of N extra calls (asg-run prints whole µs). The first table's ratios and the sgemm table's "
        "last column compare each side's better thread count.",
        f"{blas}: NumPy's `a @ b` (one cblas_sgemm per matrix), the library named above.",
    ]
    if sysblas:
        ms = sysblas["sgemm"]["median"]
        lines.append(f"{sgemm.label} with the system's {sysblas['_info']['blas'].split(',')[0]}, 1 thread: "
                     f"{sig4(ms)} ms ({gflops(sgemm.flop, ms):.1f} GFLOP/s).")
    ew = best(asg_ms(asg["ew_add"]))[0]
    lines.append(f"asgc x+1: {2 * 4 * (4 << 20) / (ew * 1e6):.2f} GB/s (read + write).")
    return lines


def compile_table(compile_s):
    lines = ["", "| model | asgc -O2 compile s (forward) | asgc -O2 --train compile s |", "|---|---:|---:|"]
    for m, d in compile_s.items():
        f = f"{d['forward']:.2f}" if "forward" in d else "-"
        tr = f"{d['train']:.2f}" if "train" in d else "-"
        lines.append(f"| {m} | {f} | {tr} |")
    return lines


def render(header, cases, gemms, asg, ref, demo, sysblas, compile_s):
    blas_info = ref[1]["_info"]["blas"]
    blas = "OpenBLAS" if "openblas" in blas_info.lower() else "system BLAS"
    lines = header + model_table(cases, asg, ref, demo) + [""] + sgemm_table(gemms, asg, ref, blas) \
        + notes(gemms, asg, blas, sysblas) + compile_table(compile_s)
    return "\n".join(lines) + "\n"
