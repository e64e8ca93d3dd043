"""Classroom capacity with each student capped: N students of the class hub stepping through the
lesson at the same moment, each student's server a systemd unit with a memory cap and a CPU quota
(SystemdSpawner, what scripts/classroom picks where systemd runs).

Usage: classroom_limits.py [--students 1,2,4,8] [--mem-limit 2G] [--cpu-limit 1] [--json OUT.json] [--doc docs/classroom.md]

It boots the same Debian box with systemd as PID 1 as e2e/test_limits.py (e2e/systemdbox.py: this
machine's PID 1 is not systemd), starts scripts/classroom in it for 8 students, and drives their
servers from here over 127.0.0.1 as their browsers would (REST API, kernel websockets). Each student
goes through the lesson once alone first (their first builds and their first Tab ever: only its
peak memory is reported). Then for each N, N students run the notebook's cells one after the other
with no pause (LESSON_EPOCHS=1), all at once, as bench/classroom.py does without caps, each
pressing Tab once after the first cell. Measured: per-cell latency over every non-training cell of
every student, the training cell, the whole notebook, the peak memory of one student's unit (its
cgroup: server, kernel, gopls, builds and the cell's process together), the CPU one student's unit
used while stepping (the quota holds it at or below --cpu-limit), and the machine's memory in use.

Needs root, debootstrap and systemd-nspawn, like e2e/test_limits.py; says why and stops without them.
"""
import argparse
import json
import secrets
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
import systemdbox  # noqa: E402 (e2e/ is not a package: its path comes first)

sys.path.insert(0, str(ROOT / "bench"))
from sections import measured_line, percentile, replace_section  # noqa: E402

BEGIN, END = "<!-- capacity with limits -->", "<!-- /capacity with limits -->"
STUDENTS = [f"cap{i}" for i in range(1, 9)]


def machine_memory_mb():
    info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    kb = lambda key: int(info[key].split()[0])  # noqa: E731
    return (kb("MemTotal") - kb("MemAvailable")) / 1024


class MachineMemory:
    """The peak of this machine's memory in use while the block runs, sampled every 0.2 s."""

    def __enter__(self):
        self.peak, self.stop = machine_memory_mb(), threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        return self

    def _run(self):
        while not self.stop.wait(0.2):
            self.peak = max(self.peak, machine_memory_mb())

    def __exit__(self, *_):
        self.stop.set()
        self.thread.join()


def at_once(tl, hub, clients, names):
    """names step through the lesson together; returns their runs, memory peaks and CPU use."""
    runs, errors = {}, []
    samplers = {name: tl.CgroupSampler(hub, name) for name in names}
    cpu0 = {name: hub.cpu_seconds(name) for name in names}

    def one(name):
        try:
            runs[name] = tl.step_through(hub, clients[name], f"{name} ({len(names)} at once)", name, tab=True)
        except Exception as e:  # Reported below: one student's failure must not hide the others' figures.
            errors.append(f"{name}: {e}")

    started = time.time()
    for s in samplers.values():
        s.__enter__()
    with MachineMemory() as machine:
        threads = [threading.Thread(target=one, args=(name,)) for name in names]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for s in samplers.values():
        s.__exit__()
    seconds = time.time() - started
    if errors:
        raise RuntimeError("; ".join(errors))
    return {"runs": runs, "machine_peak_mb": machine.peak,
            "peak_rss_mb": {n: s.peak_rss / 2**20 for n, s in samplers.items()},
            "cores_per_student": {n: (hub.cpu_seconds(n) - cpu0[n]) / seconds for n in names}}


def row(n, result, idle_mb):
    runs = result["runs"].values()
    plain = [c["seconds"] for r in runs for c in r["cells"] if not c["training"]]
    train = [c["seconds"] for r in runs for c in r["cells"] if c["training"]]
    whole = [sum(c["seconds"] for c in r["cells"]) for r in runs]
    return (f"| {n} | {statistics.median(plain):.2f} s | {percentile(plain, 0.9):.2f} s | {max(plain):.2f} s | "
            f"{statistics.median(train):.1f} s | {statistics.median(whole):.0f} s | "
            f"{max(result['peak_rss_mb'].values()):.0f} MB | {max(result['cores_per_student'].values()):.2f} | "
            f"{max(0, result['machine_peak_mb'] - idle_mb):.0f} MB |")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", default="1,2,4,8")
    parser.add_argument("--mem-limit", default="2G")
    parser.add_argument("--cpu-limit", default="1")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--doc", type=Path)
    args = parser.parse_args()
    counts = [int(x) for x in args.students.split(",")]
    if max(counts) > len(STUDENTS):
        parser.error(f"--students: at most {len(STUDENTS)} at once")
    reason = systemdbox.missing_tools()
    if reason:
        sys.exit(f"classroom_limits: the booted systemd box cannot run here: {reason}")
    # After the check: test_limits skips itself, pytest's way, without the tools.
    import test_limits as tl
    from classhub import free_port
    from hubdriver import ServerClient

    names = STUDENTS[:max(counts)]
    results = {}
    with tl.booted_box(tl.OUT / "capacity-limits") as box:
        # Accounts are made anew in each box (their ids reused): caches kept from another run are not theirs.
        box.sh(f"printf '%s\\n' {' '.join(names)} > /root/roster.txt; "
               f"rm -rf {tl.PREFIX}/user-caches/* {tl.PREFIX}/user-gopls-caches/*")
        hub = tl.BoxHub(box, free_port(), secrets.token_hex(16),
                        limits=("--mem-limit", args.mem_limit, "--cpu-limit", args.cpu_limit, "--spawner", "systemd"))
        hub.log = tl.OUT / "capacity-limits" / "hub.log"
        try:
            print(f"==> scripts/classroom in the box: started in {hub.start(timeout=2400):.0f}s", flush=True)
            clients, first_peaks = {}, {}
            for name in names:
                client = ServerClient(hub.base, name, f"{name}-bench-pass!")
                assert client.login_status == 302, f"{name} could not log in: HTTP {client.login_status}"
                clients[name] = client.open(timeout=240)
                with tl.CgroupSampler(hub, name) as first:
                    tl.step_through(hub, clients[name], f"{name}: first time through (its cells not measured)", name,
                                    tab=True)
                first_peaks[name] = first.peak_rss / 2**20
            print(f"==> peak memory per student the first time through, with their first Tab: "
                  f"{min(first_peaks.values()):.0f}-{max(first_peaks.values()):.0f} MB", flush=True)
            time.sleep(5)
            idle_mb = machine_memory_mb()
            for n in counts:
                print(f"==> {n} student(s) at once, each capped at {args.mem_limit} and {args.cpu_limit} core(s)", flush=True)
                results[n] = at_once(tl, hub, clients, names[:n])
                print(row(n, results[n], idle_mb), flush=True)
        finally:
            hub.stop()
    header = ("| students at once | non-training cell p50 | p90 | slowest | training cell (1 epoch) p50 | whole notebook p50 "
              "| peak memory per student (its unit: server and kernel) | CPU per student, most (cores) "
              "| machine's memory in use, peak |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    out = (header + "\n" + "\n".join(row(n, results[n], idle_mb) for n in counts) + "\n\n"
           f"Each student's first time through, alone, with their first kernel and first Tab ever (gopls starts "
           f"from the install's warmed cache, but checks again the packages built with cgo, whose compiled files lie "
           f"in the student's own Go build cache): peak memory "
           f"{min(first_peaks.values()):.0f}-{max(first_peaks.values()):.0f} MB per student.\n")
    print(out)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rounds": {str(n): r for n, r in results.items()},
                                         "first_time_peak_mb": first_peaks}, indent=1, default=str))
    if args.doc:
        replace_section(args.doc, BEGIN, END, f"{measured_line('`scripts/bench classroom-limits`')}, each student capped at "
                        f"{args.mem_limit} and {args.cpu_limit} core(s) (SystemdSpawner: MemoryMax, CPUQuota).\n\n{out}")

if __name__ == "__main__":
    main()
