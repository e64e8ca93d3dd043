"""Turns scripts/bench's results (one JSON line per run) into the Markdown report
docs/benchmarks.md and the bar chart docs/benchmarks.png, and prints the main table.

Usage: report.py RESULTS.jsonl REPORT.md CHART.png"""
import json
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:
        return ""


def ms_per_step(r):
    """Median epoch after the first (which compiles), per step."""
    secs = r["epoch_seconds"][1:] or r["epoch_seconds"]
    return statistics.median(secs) / r["steps"] * 1000


def s_per_epoch(r):
    secs = r["epoch_seconds"][1:] or r["epoch_seconds"]
    return statistics.median(secs)


def main():
    results_path, report_path, chart_path = sys.argv[1:4]
    runs = [json.loads(line) for line in open(results_path) if line.strip()]
    floor = next((r["result"] for r in runs if r["kind"] == "floor"), None)
    main_runs = defaultdict(list)
    for r in runs:
        if r["kind"] == "main":
            main_runs[r["name"]].append(r)
    keras = main_runs.get("Keras (TensorFlow)", [])
    keras_train = statistics.median(sum(r["result"]["epoch_seconds"]) for r in keras) if keras else None
    epochs = runs[0]["result"]["epochs"] if runs else 0

    rows = []
    lines = ["| run | ms/step | s/epoch | training (s) | total wall (s) | test accuracy | peak memory (MB) | training vs Keras |",
             "|---|---:|---:|---:|---:|---|---:|---:|"]
    for name, rs in main_runs.items():
        res = [r["result"] for r in rs]
        ms = statistics.median(ms_per_step(r) for r in res)
        spe = statistics.median(s_per_epoch(r) for r in res)
        train = statistics.median(sum(r["epoch_seconds"]) for r in res)
        wall = statistics.median(r["process_seconds"] for r in rs)
        accs = [r["test_accuracy"] for r in res]
        acc = f"{statistics.mean(accs):.4f}"
        if len(accs) > 1:
            acc += f" ({min(accs):.4f}–{max(accs):.4f}, {len(accs)} seeds)"
        rss = max(r["peak_rss_kb"] for r in rs) / 1024
        speed = f"{keras_train / train:.1f}×" if keras_train else "—"
        rows.append((name, train))
        lines.append(f"| {name} | {ms:.3f} | {spe:.2f} | {train:.1f} | {wall:.1f} | {acc} | {rss:.0f} | {speed} |")
    if floor:
        steps = 1875
        floor_train = floor["floor_ms_per_step"] * steps * epochs / 1000
        lines.append(f"| arithmetic floor ({floor['gemm_gflops']:.0f} GFLOP/s GEMM, "
                     f"{floor['flops_per_step'] / 1e6:.2f} MFLOP/step) | {floor['floor_ms_per_step']:.3f} | "
                     f"{floor['floor_ms_per_step'] * steps / 1000:.2f} | {floor_train:.1f} | — | — | — | — |")
        rows.append(("arithmetic floor", floor_train))
    table = "\n".join(lines)

    batch = defaultdict(dict)
    for r in runs:
        if r["kind"] == "batch":
            batch[r["name"]][r["result"]["batch_size"]] = r["result"]
    blines = ["| run | batch | steps/epoch | ms/step | s/epoch | test accuracy |", "|---|---:|---:|---:|---:|---:|"]
    for name, by in batch.items():
        for b, r in sorted(by.items()):
            blines.append(f"| {name} | {b} | {r['steps']} | {ms_per_step(r):.3f} | {s_per_epoch(r):.2f} | "
                          f"{r['test_accuracy']:.4f} |")

    elines = ["| run | " + " | ".join(f"after {e} epochs" for e in (1, 10, 50, 100) if e <= epochs) + " |"]
    elines.append("|---|" + "---:|" * sum(1 for e in (1, 10, 50, 100) if e <= epochs))
    for name, rs in main_runs.items():
        secs = rs[0]["result"]["epoch_seconds"]
        cells = [f"{sum(secs[:e]):.1f} s" for e in (1, 10, 50, 100) if e <= epochs]
        elines.append(f"| {name} | " + " | ".join(cells) + " |")

    cpu = sh("lscpu | sed -n 's/^Model name: *//p'") or platform.processor()
    mem = sh("free -g | awk '/Mem:/{print $2}'")
    machine = (f"{cpu}, {os.cpu_count()} cores, {mem} GiB memory; {platform.system()} {platform.release()}; "
               f"{sh('go version')}; Python {platform.python_version()}.")
    backends = sorted({r["result"].get("backend", "") for r in runs if r["kind"] == "main"})

    fig, ax = plt.subplots(figsize=(8, 3.2))
    names = [n for n, _ in rows]
    ax.barh(names, [t for _, t in rows], color=["#d62728" if "Keras" in n else "#1f77b4" for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(f"training time for {epochs} epochs (s)")
    for i, (_, t) in enumerate(rows):
        ax.text(t, i, f" {t:.0f} s", va="center")
    fig.tight_layout()
    fig.savefig(chart_path, dpi=110)

    report = f"""# Benchmarks

The lesson's training (MNIST, 784-64-32-10, Adam, batch 32, {epochs} epochs), timed by
`scripts/bench` on one machine in one run. ms/step and s/epoch are medians over the epochs after
the first (which includes compilation); "training" sums all epochs; "total wall" is the whole
process: start-up, data loading, compilation, training, evaluation. Peak memory is the process's
maximum resident set size. The Keras run is the lesson's code as written, on TensorFlow's CPU
build (see `bench/run_keras.py` for the three things its harness changes).

Machine: {machine}
This is a virtual machine with neighbours: compare runs within one report, not across reports
(on the same machine the same day, quieter runs gave 0.37–0.45 ms/step for XLA CPU and 2.4 ms/step
for Keras).

Backends: {"; ".join(backends)}.

{table}

![training time per run]({os.path.basename(chart_path)})

## Batch size

{blines and chr(10).join(blines)}

## Growth with epochs (training time, first seed)

{chr(10).join(elines)}
"""
    with open(report_path, "w") as f:
        f.write(report)
    print(table)
    print(f"\nReport: {report_path}\nChart:  {chart_path}")


if __name__ == "__main__":
    main()
