"""The class hub that the classroom and class-board tests share (e2e/conftest.py makes one per
test session: one install, one class): scripts/classroom installs the lesson in a shared prefix,
makes the accounts and starts a real JupyterHub on 127.0.0.1 with the class board on a port of
its own and an admin service token for the tests' API calls; three students run the whole lesson
at once in Chromium (class_run). REPORTER, a fourth student on the roster, is the account whose
kernel sends the board hand-made reports (e2e/test_board.py), so that the class's own stays
apart."""
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from labdriver import CHROMIUM, ROOT

OUT = ROOT / "out" / "e2e"
STUDENTS = ["lstu1", "lstu2", "lstu3"]
REPORTER = "lstu4"
TEACHER = "lteach"
ACCOUNTS = STUDENTS + [REPORTER, TEACHER]
PASSWORDS = {name: f"{name}-pass-{i}!" for i, name in enumerate(ACCOUNTS)}
BOARD = "/services/class-board/"


def skip_reason():
    """Why the class hub cannot run here, or ""."""
    for need, why in [(os.geteuid() == 0, "it must run as root (it makes Unix accounts)"),
                      (shutil.which("npm"), "npm is missing (JupyterHub's proxy)"),
                      (shutil.which("prlimit"), "prlimit is missing (util-linux)"),
                      (Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}"),
                      (Path("/usr/bin/python3").exists(), "no /usr/bin/python3 for the shared install")]:
        if not need:
            return f"SKIP: the class hub's tests need root, npm, prlimit, Chromium: {why}"
    return ""


def _port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def free_port():
    """A port p with p+1 and p+2 free too (the hub's API and the proxy's)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            p = s.getsockname()[1]
        try:
            for q in (p + 1, p + 2):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", q))
            return p
        except OSError:
            continue
    raise RuntimeError("no three free ports in a row")


def remove_accounts():
    for name in ACCOUNTS:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    time.sleep(0.5)
    for name in ACCOUNTS:
        subprocess.run(["userdel", "-r", name], capture_output=True)


class Hub:
    """scripts/classroom start, in the background."""

    def __init__(self, base_dir: Path, port: int):
        self.port, self.base = port, f"http://127.0.0.1:{port}"
        self.prefix, self.state = base_dir / "prefix", base_dir / "state"
        self.roster = base_dir / "roster.txt"
        self.roster.write_text("# test class\n" + "\n".join(STUDENTS + [REPORTER]) + "\n")
        self.log_path = OUT / "classroom-hub.log"
        self.proc = None

    def start(self, timeout=900, sigint_ignored=False):
        """Starts the hub; returns the seconds it took to answer. sigint_ignored: start it as
        `nohup scripts/classroom … &` does, with SIGINT ignored (its children inherit that)."""
        started = time.time()
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "classroom"), "start", "--roster", str(self.roster), "--teacher", TEACHER,
             "--prefix", str(self.prefix), "--state", str(self.state), "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)) if sigint_ignored else None)
        while time.time() < started + timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"scripts/classroom ended with {self.proc.returncode}: see {self.log_path}")
            try:
                if requests.get(f"{self.base}/hub/health", timeout=5).status_code == 200:
                    return time.time() - started
            except requests.RequestException:
                pass
            time.sleep(1)
        raise TimeoutError(f"the hub did not answer within {timeout}s: see {self.log_path}")

    def stop(self):
        """Stops scripts/classroom as Ctrl-C would (it relays the signal to the hub, which stops the
        students' servers, its services and the proxy); returns the seconds it took."""
        if self.proc and self.proc.poll() is None:
            started = time.time()
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
            return time.time() - started
        return None

    def hub_children(self):
        """The processes the hub runs ({pid: command line}): the proxy, the culler, students' servers."""
        def children(pid):
            found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
            return [int(p) for p in found]

        def cmdline(pid):
            try:
                return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
            except OSError:
                return ""

        hubs = [p for p in children(self.proc.pid) if "jupyterhub" in cmdline(p)]
        assert len(hubs) == 1, f"scripts/classroom runs {[cmdline(p) for p in children(self.proc.pid)]}"
        return {p: cmdline(p) for p in children(hubs[0])}


@contextmanager
def class_hub():
    """Installs and starts the class hub, yields it (a Hub, with board_direct: the board's own
    address, as CLASS_BOARD_URL names it for kernels, and api_token), and stops it."""
    OUT.mkdir(parents=True, exist_ok=True)
    saved = {k: os.environ.get(k) for k in ("CLASSROOM_BOARD_PORT", "CLASSROOM_API_TOKEN")}
    remove_accounts()
    # Students must reach the shared install below it: not under pytest's /tmp/pytest-of-root, which
    # every new pytest session (another test run on this machine) makes private again (mode 700).
    base_dir = Path(tempfile.mkdtemp(prefix="mnist-classroom-", dir="/tmp"))
    os.chmod(base_dir, 0o755)
    board_port = _port()
    os.environ["CLASSROOM_BOARD_PORT"] = str(board_port)
    os.environ["CLASSROOM_API_TOKEN"] = secrets.token_hex(16)
    h = Hub(base_dir, free_port())
    (OUT / "classroom-hub.log").write_text("")
    h.board_direct = f"http://127.0.0.1:{board_port}{BOARD}"
    h.api_token = os.environ["CLASSROOM_API_TOKEN"]
    try:
        h.install_seconds = h.start()
        print(f"scripts/classroom: install and start took {h.install_seconds:.0f}s")
        yield h
    finally:
        h.stop()
        remove_accounts()
        shutil.rmtree(base_dir, ignore_errors=True)
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def run_class(hub):
    """The three students' sessions, at the same time, each in its own process and browser: the
    whole lesson, as it is (100 epochs). Returns {name: LabRun as a dict}."""
    started = time.time()

    def one(name):
        done = subprocess.run([sys.executable, str(Path(__file__).parent / "hubdriver.py"), "student", hub.base, name,
                               PASSWORDS[name], str(OUT), "900"], capture_output=True, text=True, timeout=1200)
        assert done.returncode == 0, done.stderr[-3000:]
        return json.loads(done.stdout.strip().splitlines()[-1])

    with ThreadPoolExecutor(len(STUDENTS)) as pool:
        runs = dict(zip(STUDENTS, pool.map(one, STUDENTS), strict=True))
    print(f"3 students at once: {time.time() - started:.0f}s; " +
          ", ".join(f"{n} {r['seconds']:.0f}s" for n, r in runs.items()))
    return runs
