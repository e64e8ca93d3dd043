"""Classroom capacity: N students stepping through the lesson at the same moment on this machine.

Usage: classroom.py [--students 1,2,4,8] [--json OUT.json] [--doc docs/classroom.md]

Each simulated student is one GoNB kernel of the project's environment, in a folder of its own,
running the notebook's cells one after the other with no pause (LESSON_EPOCHS=1), as bench/cells.py
does for one. All N start together: the worst case of a class told "Run All now". Reported per N:
per-cell latency p50 and p90 over every non-training cell of every student, the training cell's
time, and the peak memory of one student's kernel (the largest sum, at one moment, of the RSS of
GoNB, gopls, the build tools and the cell's process). A student on the class hub also has a
JupyterLab server: its memory is measured separately (--server-mb, from the classroom test).
"""
import argparse
import json
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import cells  # noqa: E402 (bench/ is not a package: its path comes first)
from sections import measured_line, percentile, replace_section  # noqa: E402

BEGIN, END = "<!-- capacity -->", "<!-- /capacity -->"


def measure(n):
    """n students at once; returns their runs."""
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(lambda _: cells.one_run(cells.NOTEBOOK, 1, lambda s: None, completion=False), range(n)))


def table(results, server_mb):
    lines = ["| students at once | non-training cell p50 | p90 | slowest | training cell (1 epoch) p50 | "
             "whole notebook p50 | peak memory per student (kernel) | + JupyterLab server | machine's memory in use, peak |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for n, r in results.items():
        plain = [c["seconds"] for run in r["runs"] for c in run["cells"] if not c["training"]]
        train = [c["seconds"] for run in r["runs"] for c in run["cells"] if c["training"]]
        kernel = statistics.median(run["kernel_tree_peak_mb"] for run in r["runs"])
        lines.append(f"| {n} | {percentile(plain, 0.5):.2f} s | {percentile(plain, 0.9):.2f} s | {max(plain):.2f} s | "
                     f"{statistics.median(train):.1f} s | {statistics.median(run['wall'] for run in r['runs']):.0f} s | "
                     f"{kernel:.0f} MB | {kernel + server_mb:.0f} MB | {r['used_peak_mb']:.0f} MB |")
    return "\n".join(lines)


def memory_used_mb():
    info = dict(line.split(":", 1) for line in open("/proc/meminfo"))
    kb = lambda k: int(info[k].split()[0])  # noqa: E731 (a one-line helper reads best as a lambda here)
    return (kb("MemTotal") - kb("MemAvailable")) / 1024


class MemorySampler:
    """The machine's peak memory in use while the block runs, sampled every 0.1 s."""

    def __enter__(self):
        self.peak = memory_used_mb()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, memory_used_mb())
            time.sleep(0.1)

    def __exit__(self, *_):
        self.stop.set()
        self.thread.join()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", default="1,2,4,8")
    parser.add_argument("--server-mb", type=float, default=145, help="RSS of one student's JupyterLab server")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--doc", type=Path)
    args = parser.parse_args()
    results = {}
    for n in [int(x) for x in args.students.split(",")]:
        print(f"==> {n} student(s) at once", flush=True)
        baseline = memory_used_mb()
        with MemorySampler() as sampler:
            started = time.time()
            runs = measure(n)
        results[n] = {"runs": runs, "seconds": time.time() - started, "used_peak_mb": sampler.peak - baseline}
        errors = [c["error"] for run in runs for c in run["cells"] if c["error"]]
        print(f"    {time.time() - started:.0f}s, {len(errors)} cell error(s)" + (f": {errors[0][-200:]}" if errors else ""))
    out = table(results, args.server_mb)
    print(out)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({str(n): r for n, r in results.items()}, indent=1, default=str))
    if args.doc:
        replace_section(args.doc, BEGIN, END, f"{measured_line('`scripts/bench classroom`')}.\n\n{out}")

if __name__ == "__main__":
    main()
