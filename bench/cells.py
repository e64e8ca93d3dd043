"""Cell latency: the lesson executed through the GoNB kernel one cell at a time, as JupyterLab
runs it when a student presses Shift+Enter, timing each cell and the peak memory of its process.

Usage: cells.py [--runs N] [--epochs N] [--json OUT.json] [--doc docs/benchmarks.md] [--label TEXT]

Each run starts a new kernel in a new folder holding a copy of the notebook (so models saved by
earlier runs are not reused) and then, right after the first cell, asks for one Tab completion
(`mnist.Lo` in a `%%` cell -> `LoadData`), as a student typing would. Per cell it records the wall time from the
execute request to the kernel going idle, and the peak RSS (VmHWM) of the cell's own process
(GoNB builds each cell into a binary named gonb_<id> and runs it), sampled every 10 ms.
Prints a Markdown table of the medians over the runs and checks the targets of issue [2/5]. Then, in
one more kernel, it measures what an early Tab costs: Tab right after the first cell, then the
second cell at once (GoNB answers one request at a time; skip with --no-early-tab).
"""
import argparse
import contextlib
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import nbformat
from jupyter_client.manager import KernelManager

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from kernel_reply import read_reply  # noqa: E402 (scripts/ is not a package: its path comes first)
from sections import measured_line, replace_section  # noqa: E402 (bench/ is the script's own folder)

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "mnist_mlp.ipynb"
# Targets on the developers' 2-core machine (issue [2/5]).
CELL_TARGET_S = 2.0
ALL_CELLS_TARGET_S = 20.0
FIRST_CELL_TARGET_S = 3.0
COMPLETION_TARGET_S = 1.0
CELL_RSS_TARGET_MB = 300
TRAINING_RSS_TARGET_MB = 600
# What the benchmark types after the first cell, then presses Tab: GoNB should offer LoadData.
COMPLETION_CODE = "%%\nmnist.Lo"
# The section of docs/benchmarks.md this writes; bench/report.py keeps it when it rewrites the rest.
CELLS_BEGIN, CELLS_END = "<!-- cells -->", "<!-- /cells -->"


class ProcessWatcher:
    """Samples the kernel's descendant processes every 10 ms: the peak RSS of each cell process
    (a binary named gonb_…) and of the build tools (go, compile, link, goimports)."""

    def __init__(self, root_pid):
        self.root_pid = root_pid
        self.peaks = {}  # pid -> (name, peak kB)
        self.total_peak_kb = 0  # Largest sum of RSS over the kernel and all its processes at once.
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        self.thread.join()

    def _children(self):
        parents = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                parents.setdefault(int(fields[1]), []).append(int(entry.name))
            except OSError:
                continue
        found, todo = [], [self.root_pid]
        while todo:
            pid = todo.pop()
            for child in parents.get(pid, []):
                found.append(child)
                todo.append(child)
        return found

    def _run(self):
        while not self.stop.is_set():
            total = 0
            for pid in [self.root_pid] + self._children():
                try:
                    with open(f"/proc/{pid}/status") as f:
                        status = dict(line.split(":", 1) for line in f if ":" in line)
                except OSError:
                    continue
                total += int(status.get("VmRSS", "0 kB").split()[0])
                if pid == self.root_pid:
                    continue
                name = status.get("Name", "").strip()
                hwm = int(status.get("VmHWM", "0 kB").split()[0])
                with self.lock:
                    old = self.peaks.get(pid, (name, 0))
                    self.peaks[pid] = (name, max(old[1], hwm))
            self.total_peak_kb = max(self.total_peak_kb, total)
            time.sleep(0.01)

    def take(self):
        """The peaks seen since the last take: (cell process peak MB, build tools peak MB)."""
        with self.lock:
            peaks, self.peaks = self.peaks, {}
        cell = [kb for name, kb in peaks.values() if name.startswith("gonb_")]
        tools = [kb for name, kb in peaks.values() if not name.startswith("gonb_")]
        return (max(cell) / 1024 if cell else 0.0), (max(tools) / 1024 if tools else 0.0)


def execute(client, code, timeout):
    """Runs code; returns (seconds, output text, error text)."""
    started = time.time()
    msg_id = client.execute(code, store_history=True)
    deadline = started + timeout
    messages = iter(lambda: client.get_iopub_msg(timeout=max(1, deadline - time.time())), None)
    out, errors = read_reply(messages, msg_id)
    return time.time() - started, out, "".join(errors)


def complete(client, code):
    started = time.time()
    msg_id = client.complete(code, len(code))
    reply = client.get_shell_msg(timeout=120)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=120)
    return time.time() - started, reply["content"].get("matches", [])


@contextlib.contextmanager
def kernel_session(notebook, epochs, kernel="gonb", kernel_log=None):
    """A fresh kernel in a new folder holding a copy of notebook (so models saved by earlier runs
    are not reused); yields (client, kernel pid, start time, kernel manager) and ends the kernel and
    its children."""
    work = Path(tempfile.mkdtemp(prefix="bench-cells-"))
    shutil.copy(notebook, work / notebook.name)
    env = dict(os.environ, LESSON_EPOCHS=str(epochs), JPY_SESSION_NAME=str(work / notebook.name))
    km = KernelManager(kernel_name=kernel)
    started = time.time()
    km.start_kernel(cwd=str(work), env=env, stderr=kernel_log)
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        yield client, km.provisioner.process.pid, started, km
    finally:
        leftovers = kernel_children(km)
        client.stop_channels()
        km.shutdown_kernel(now=True)
        end(leftovers)
        shutil.rmtree(work, ignore_errors=True)


def kernel_children(km):
    """The kernel's children: GoNB's own (gopls, a cell still running) outlive a killed kernel."""
    return ProcessWatcher(km.provisioner.process.pid)._children() if km.has_kernel else []


def end(pids):
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def code_cells(notebook):
    return [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]


def one_run(notebook, epochs, log, kernel="gonb", kernel_log=None, completion=True):
    """Executes notebook cell by cell in a fresh kernel; returns the run's measurements."""
    run = {"cells": [], "epochs": epochs}
    with kernel_session(notebook, epochs, kernel, kernel_log) as (client, pid, started, _):
        with ProcessWatcher(pid) as watch:
            for n, code in enumerate(code_cells(notebook), 1):
                seconds, out, err = execute(client, code, timeout=3600)
                cell_mb, tools_mb = watch.take()
                first = code.strip().splitlines()[0] if code.strip() else ""
                cell = {"n": n, "first_line": first, "seconds": seconds, "cell_rss_mb": cell_mb,
                        "build_rss_mb": tools_mb, "training": ".Fit(" in code, "error": err.strip()[-500:]}
                if n == 1:
                    run["first_cell_from_start"] = time.time() - started
                if n == 1 and completion:
                    run["completion_seconds"], matches = complete(client, COMPLETION_CODE)
                    run["completion_ok"] = any("LoadData" in m for m in matches)
                    run["completion_matches"] = matches[:10]
                    watch.take()
                run["cells"].append(cell)
                log(f"  cell {n:2d} {seconds:6.2f}s  cell process {cell_mb:5.0f} MB  build {tools_mb:5.0f} MB  {first[:50]}"
                    + (f"  ERROR: {err.strip().splitlines()[-1][:120]}" if err.strip() else ""))
                if n == 1 and completion:
                    log(f"  first cell {run['first_cell_from_start']:.2f}s from kernel start; "
                        f"completion {run['completion_seconds']:.2f}s: {run['completion_matches'][:3]}")
        run["kernel_tree_peak_mb"] = watch.total_peak_kb / 1024
    run["wall"] = time.time() - started
    return run


def early_tab(notebook, kernel="gonb", kernel_log=None):
    """A student who presses Tab right after the first cell and then runs the second, in a new
    kernel and again after a restart of it: GoNB handles requests one at a time, so the second
    cell used to wait for the completion (13 s with GoNB v0.11.5, which first connected to gopls
    12 s after the kernel started); patched, the cell cancels it. After the restart, it also
    times a Tab right after the first cell, waited for. Returns the times."""
    cells = code_cells(notebook)
    with kernel_session(notebook, 1, kernel, kernel_log) as (client, _, started, km):
        execute(client, cells[0], timeout=600)
        client.complete(COMPLETION_CODE, len(COMPLETION_CODE))  # Not waited for, as in JupyterLab.
        tab_at = time.time() - started
        seconds, _, err = execute(client, cells[1], timeout=600)
        tab = {"tab_after_start": tab_at, "next_cell_seconds": seconds, "error": err.strip()[-500:]}
        # Kernel > Restart, as a student does: the new kernel starts its own gopls.
        for measure in ("completion", "early_tab"):
            leftovers = kernel_children(km)
            km.restart_kernel(now=True)
            end(leftovers)
            client.wait_for_ready(timeout=120)
            execute(client, cells[0], timeout=600)
            if measure == "completion":
                tab["restart_completion_seconds"], matches = complete(client, COMPLETION_CODE)
                tab["restart_completion_ok"] = any("LoadData" in m for m in matches)
            else:
                client.complete(COMPLETION_CODE, len(COMPLETION_CODE))
                tab["restart_next_cell_seconds"], _, err = execute(client, cells[1], timeout=600)
                tab["error"] += err.strip()[-500:]
    return tab


def stats(runs):
    """Medians over runs: per cell, and for each target."""
    med = statistics.median
    cells = []
    for i in range(len(runs[0]["cells"])):
        cs = [r["cells"][i] for r in runs]
        cells.append({"n": i + 1, "first_line": cs[0]["first_line"], "training": cs[0]["training"],
                      "seconds": med([c["seconds"] for c in cs]), "min": min(c["seconds"] for c in cs),
                      "max": max(c["seconds"] for c in cs), "rss": med([c["cell_rss_mb"] for c in cs]),
                      "build_rss": med([c["build_rss_mb"] for c in cs]),
                      "errors": [c["error"] for c in cs if c["error"]]})
    plain = [c for c in cells if not c["training"]]
    training = [c for c in cells if c["training"]]
    return {
        "runs": len(runs), "epochs": runs[0]["epochs"], "cells": cells,
        "slowest": max(plain, key=lambda c: c["seconds"]),
        "total_plain": med([sum(c["seconds"] for c in r["cells"] if not c["training"]) for r in runs]),
        "first": med([r["first_cell_from_start"] for r in runs]),
        "completion": med([r["completion_seconds"] for r in runs]),
        "completion_ok": all(r["completion_ok"] for r in runs),
        "rss_plain": max(plain, key=lambda c: c["rss"]),
        "rss_train": max((c["rss"] for c in training), default=0),
        "training_seconds": sum(c["seconds"] for c in training),
        "wall": med([r["wall"] for r in runs]),
    }


def targets(st):
    """(name, goal, measured text, met) for each target of issue [2/5]."""
    return [
        ("every non-training cell", f"≤ {CELL_TARGET_S:.1f} s",
         f"slowest: cell {st['slowest']['n']}, {st['slowest']['seconds']:.2f} s", st["slowest"]["seconds"] <= CELL_TARGET_S),
        ("non-training cells together", f"≤ {ALL_CELLS_TARGET_S:.0f} s", f"{st['total_plain']:.1f} s",
         st["total_plain"] <= ALL_CELLS_TARGET_S),
        ("first cell, from kernel start", f"≤ {FIRST_CELL_TARGET_S:.0f} s", f"{st['first']:.2f} s",
         st["first"] <= FIRST_CELL_TARGET_S),
        ("first Tab completion, right after the first cell", f"≤ {COMPLETION_TARGET_S:.0f} s",
         f"{st['completion']:.2f} s" + ("" if st["completion_ok"] else " (LoadData missing)"),
         st["completion"] <= COMPLETION_TARGET_S and st["completion_ok"]),
        ("peak RSS, non-training cell", f"≤ {CELL_RSS_TARGET_MB} MB",
         f"{st['rss_plain']['rss']:.0f} MB (cell {st['rss_plain']['n']})", st["rss_plain"]["rss"] <= CELL_RSS_TARGET_MB),
        ("peak RSS, training cell", f"≤ {TRAINING_RSS_TARGET_MB} MB", f"{st['rss_train']:.0f} MB",
         st["rss_train"] <= TRAINING_RSS_TARGET_MB),
    ]


def summarize(runs, label, before=None, tab=None):
    """The Markdown table of medians and the target checks, beside the before runs if given, and
    what an early Tab costs the next cell (tab, from early_tab) if measured."""
    st = stats(runs)
    old = stats(before) if before else None
    lines = [f"{label + ': ' if label else ''}{st['runs']} run(s), LESSON_EPOCHS={st['epochs']}, median per cell "
             "(min-max), through the GoNB kernel one cell at a time; peak RSS of the cell's process (sampled every "
             "10 ms) and of the build tools (go, compile, link, goimports)."
             + (f" Before: {old['runs']} run(s) of the same benchmark on the code before the change." if old else ""), ""]
    head = "| cell | first line | wall s | min-max s | cell process MB | build tools MB |"
    rule = "|---:|---|---:|---:|---:|---:|"
    if old:
        head += " before: wall s | before: cell process MB |"
        rule += "---:|---:|"
    lines += [head, rule]
    for c in st["cells"]:
        first = c["first_line"].replace("|", "\\|")[:48]
        line = (f"| {c['n']}{' (training)' if c['training'] else ''} | `{first}` | {c['seconds']:.2f} | "
                f"{c['min']:.2f}-{c['max']:.2f} | {c['rss']:.0f} | {c['build_rss']:.0f} |")
        if old:
            o = old["cells"][c["n"] - 1]
            line += f" {o['seconds']:.2f} | {o['rss']:.0f} |"
        lines.append(line)
    lines += ["", "| target | goal | measured | met |" + (" before | met before |" if old else ""),
              "|---|---|---|---|" + ("---|---|" if old else "")]
    for k, (name, goal, got, ok) in enumerate(targets(st)):
        line = f"| {name} | {goal} | {got} | {'yes' if ok else '**no**'} |"
        if old:
            _, _, got_old, ok_old = targets(old)[k]
            line += f" {got_old} | {'yes' if ok_old else 'no'} |"
        lines.append(line)
    lines += ["", f"Whole run (kernel start to the last cell, with the completion): median {st['wall']:.1f} s, of "
              f"which the training cell took {st['training_seconds']:.1f} s"
              + (f" (before: {old['wall']:.1f} s)." if old else ".")]
    tabs = [r["completion_seconds"] for r in runs if "completion_seconds" in r]
    if tabs:
        lines += ["", "The first Tab completion right after the first cell, run by run: "
                  + ", ".join(f"{t:.2f} s" for t in tabs) + "."]
    peaks = [r["kernel_tree_peak_mb"] for r in runs]
    lines += ["", "Peak memory of the kernel and all its processes at once (GoNB, gopls, the builds, the cell), "
              f"run by run: {', '.join(f'{m:.0f}' for m in peaks)} MB."]
    if tab:
        usual = st["cells"][1]["seconds"]
        lines += ["", f"An early Tab: pressed {tab['tab_after_start']:.1f} s after the kernel started (right after the "
                  f"first cell, not waited for), then the second cell: it took {tab['next_cell_seconds']:.2f} s "
                  f"(usually {usual:.2f} s: a cell sent to run cancels the Tab GoNB is still answering, "
                  "see docs/cell-latency.md)."]
        if "restart_completion_seconds" in tab:
            lines += ["", f"After Kernel > Restart: the first Tab completion right after the first cell took "
                      f"{tab['restart_completion_seconds']:.2f} s"
                      + ("" if tab["restart_completion_ok"] else " (LoadData missing)")
                      + f"; an early Tab then the second cell: {tab['restart_next_cell_seconds']:.2f} s."]
        if tab["error"]:
            lines += ["", f"Error: `{tab['error'][-200:]}`"]
    errors = [e for c in st["cells"] for e in c["errors"]]
    if errors:
        lines += ["", f"**{len(errors)} cell error(s)**, e.g.: `{errors[0].splitlines()[-1][:200]}`"]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--notebook", type=Path, default=NOTEBOOK)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--doc", type=Path, help="report to write the table into, between "
                        f"{CELLS_BEGIN} and {CELLS_END} (bench/report.py keeps that section)")
    parser.add_argument("--label", default="")
    parser.add_argument("--before", type=Path, help="the --json of an earlier run, shown beside this one")
    parser.add_argument("--kernel", default="gonb", help="kernel spec name (default gonb)")
    parser.add_argument("--kernel-log", type=Path, default=ROOT / "out" / "bench" / "cells-kernel.log",
                        help="where the kernel's own log goes")
    parser.add_argument("--no-early-tab", action="store_true",
                        help="skip the extra kernel that measures a cell run right after an early Tab")
    args = parser.parse_args()
    runs, tab = [], None
    args.kernel_log.parent.mkdir(parents=True, exist_ok=True)
    with open(args.kernel_log, "w") as kernel_log:
        for i in range(args.runs):
            print(f"==> run {i + 1}/{args.runs} (LESSON_EPOCHS={args.epochs})", flush=True)
            runs.append(one_run(args.notebook, args.epochs, lambda s: print(s, flush=True), args.kernel, kernel_log))
        if not args.no_early_tab:
            print("==> an early Tab, then the second cell", flush=True)
            tab = early_tab(args.notebook, args.kernel, kernel_log)
            print(f"  second cell {tab['next_cell_seconds']:.2f}s after a Tab at {tab['tab_after_start']:.1f}s; after a "
                  f"restart: completion {tab['restart_completion_seconds']:.2f}s, second cell after an early Tab "
                  f"{tab['restart_next_cell_seconds']:.2f}s", flush=True)
    before = load_runs(args.before) if args.before else None
    table = summarize(runs, args.label, before, tab)
    print()
    print(table)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": runs, "early_tab": tab}, indent=1))
    if args.doc:
        write_section(args.doc, table)


def load_runs(path: Path):
    """The runs of an earlier --json: a list of runs, or (since the early-Tab check) {"runs": …}."""
    data = json.loads(path.read_text())
    return data["runs"] if isinstance(data, dict) else data


def write_section(doc: Path, table: str):
    """Replaces the cell-latency section of doc (or appends one), keeping everything else."""
    body = f"## Cell latency (`scripts/bench cells`)\n\n{measured_line('`scripts/bench cells`')}.\n\n{table}"
    replace_section(doc, CELLS_BEGIN, CELLS_END, body, new_doc="# Benchmarks\n")


if __name__ == "__main__":
    main()
