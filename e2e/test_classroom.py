"""A whole class on one server: scripts/classroom installs the lesson once (a shared, read-only
prefix), makes an account per student and starts a real JupyterHub on 127.0.0.1. Three students
log in with Chromium at the same time and run the whole lesson (1 epoch) in their own copy; one
cannot reach another's notebook, through the hub or through a Go cell; the teacher's admin page
lists them; a restart of the hub keeps every student's notebook and model.

Needs root (it makes Unix accounts, removed afterwards), npm, prlimit and Chromium; skips, saying
why, without them."""
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from hubdriver import ServerClient, admin_users
from labdriver import CHROMIUM, ROOT

OUT = ROOT / "out" / "e2e"
STUDENTS = ["lstu1", "lstu2", "lstu3"]
TEACHER = "lteach"
PASSWORDS = {name: f"{name}-pass-{i}!" for i, name in enumerate(STUDENTS + [TEACHER])}

for need, why in [(os.geteuid() == 0, "it must run as root (it makes Unix accounts)"),
                  (shutil.which("npm"), "npm is missing (JupyterHub's proxy)"),
                  (shutil.which("prlimit"), "prlimit is missing (util-linux)"),
                  (Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM}"),
                  (Path("/usr/bin/python3").exists(), "no /usr/bin/python3 for the shared install")]:
    if not need:
        pytest.skip(f"SKIP: the classroom test needs root, npm, prlimit, Chromium: {why}", allow_module_level=True)


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
    for name in STUDENTS + [TEACHER]:
        subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    time.sleep(0.5)
    for name in STUDENTS + [TEACHER]:
        subprocess.run(["userdel", "-r", name], capture_output=True)


class Hub:
    """scripts/classroom start, in the background."""

    def __init__(self, base_dir: Path, port: int):
        self.port, self.base = port, f"http://127.0.0.1:{port}"
        self.prefix, self.state = base_dir / "prefix", base_dir / "state"
        self.roster = base_dir / "roster.txt"
        self.roster.write_text("# test class\n" + "\n".join(STUDENTS) + "\n")
        self.log_path = OUT / "classroom-hub.log"
        self.proc = None

    def start(self, timeout=900):
        started = time.time()
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "classroom"), "start", "--roster", str(self.roster), "--teacher", TEACHER,
             "--prefix", str(self.prefix), "--state", str(self.state), "--port", str(self.port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
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


@pytest.fixture(scope="module")
def hub():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "classroom-hub.log").write_text("")
    remove_accounts()
    # Students must reach the shared install below it: not under pytest's /tmp/pytest-of-root, which
    # every new pytest session (another test run on this machine) makes private again (mode 700).
    base_dir = Path(tempfile.mkdtemp(prefix="mnist-classroom-", dir="/tmp"))
    os.chmod(base_dir, 0o755)
    h = Hub(base_dir, free_port())
    try:
        h.install_seconds = h.start()
        print(f"scripts/classroom: install and start took {h.install_seconds:.0f}s")
        yield h
    finally:
        h.stop()
        remove_accounts()
        shutil.rmtree(base_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def class_run(hub):
    """The three students' sessions, at the same time, each in its own process and browser."""
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


def test_three_students_run_the_lesson_at_once(class_run):
    for name, run in class_run.items():
        assert run["problems"] == [], f"{name}: {run['problems']}"
        assert run["external_requests"] == [], f"{name}: {run['external_requests']}"
        text = "\n".join(run["cell_texts"])
        m = re.search(r"Test accuracy: ([0-9.]+)", text)
        assert m and float(m.group(1)) >= 0.90, f"{name}: {m and m.group(0)}"
        assert "Backend: XLA CPU" in text, f"{name} did not train on XLA CPU"


def test_each_student_has_their_own_files(hub, class_run):
    for name in STUDENTS:
        home = Path(f"/home/{name}")
        assert (home / "mnist_mlp.ipynb").stat().st_uid == int(subprocess.check_output(["id", "-u", name]))
        assert (home / "mnist_mlp_model").is_dir(), f"{name}'s model is not in their home"
        assert os.stat(home).st_mode & 0o077 == 0, f"{name}'s home is readable by others"


def test_a_student_cannot_reach_another(hub, class_run):
    intruder = ServerClient(hub.base, STUDENTS[1], PASSWORDS[STUDENTS[1]])
    assert intruder.login_status == 302
    through_hub = intruder.http.get(f"{hub.base}/user/{STUDENTS[0]}/api/contents/mnist_mlp.ipynb", timeout=30)
    print(f"{STUDENTS[1]} asking for {STUDENTS[0]}'s notebook through the hub: HTTP {through_hub.status_code}")
    assert through_hub.status_code == 403
    out, errors = intruder.open().run_cell(
        'import "os"\n\n%%\n_, err := os.ReadFile("/home/' + STUDENTS[0] + '/mnist_mlp.ipynb")\nfmt.Println("read:", err)')
    print(f"{STUDENTS[1]}'s Go cell reading {STUDENTS[0]}'s notebook: {out.strip()}")
    assert "permission denied" in out, (out, errors)


def test_the_teacher_sees_the_class(hub, class_run):
    listed = admin_users(hub.base, TEACHER, PASSWORDS[TEACHER], OUT / "classroom-admin.png")
    print("the admin page lists:", listed)
    assert set(STUDENTS) <= set(listed)
    student = ServerClient(hub.base, STUDENTS[2], PASSWORDS[STUDENTS[2]])
    assert student.http.get(f"{hub.base}/hub/admin", timeout=30).status_code == 403, "a student reached the admin page"


def test_the_hub_stops_promptly_and_ends_only_its_own_processes(hub, class_run):
    """Ctrl-C stops the hub in seconds (JupyterHub's 30 s wait for its idle culler is gone), ends
    what it started, and leaves alone another hub's culler (here a stand-in with that name)."""
    own = hub.hub_children()
    culler = [p for p, cmd in own.items() if "jupyterhub_idle_culler" in cmd]
    assert len(culler) == 1, f"the hub runs {own}"
    other = subprocess.Popen(["bash", "-c", "exec -a jupyterhub_idle_culler sleep 600"])
    try:
        time.sleep(0.5)
        seconds = hub.stop()
        print(f"the hub (with {len(own)} processes of its own: {sorted(own.values())}) stopped in {seconds:.1f}s")
        assert other.poll() is None, "stopping the hub ended a process it did not start (another hub's culler)"
    finally:
        other.kill()
        other.wait()
        hub.start()
    assert seconds < 15, f"the hub took {seconds:.0f}s to stop"
    left = [f"{p}: {cmd}" for p, cmd in own.items() if Path(f"/proc/{p}").exists()]
    assert left == [], f"the hub left these running: {left}"


def test_a_restart_keeps_notebooks_models_and_passwords(hub, class_run):
    before = {n: Path(f"/home/{n}/mnist_mlp.ipynb").read_bytes() for n in STUDENTS}
    hub.stop()
    seconds = hub.start()
    print(f"hub restarted in {seconds:.0f}s")
    client = ServerClient(hub.base, STUDENTS[0], PASSWORDS[STUDENTS[0]])
    assert client.login_status == 302, "the password chosen at first login was lost"
    assert ServerClient(hub.base, STUDENTS[0], "not-the-password").login_status == 403
    client.open()
    saved = client.api("GET", "contents/mnist_mlp.ipynb").json()
    text = json.dumps(saved["content"])
    assert "Test accuracy:" in text, "the student's saved notebook (with its outputs) was replaced"
    listing = [c["name"] for c in client.api("GET", "contents").json()["content"]]
    assert "mnist_mlp_model" in listing
    assert Path(f"/home/{STUDENTS[0]}/mnist_mlp.ipynb").read_bytes() == before[STUDENTS[0]]


def test_students_fetch_and_submit_exercises_through_the_exchange(hub, class_run, tmp_path):
    """The teacher releases the exercises (scripts/grade); a student fetches and submits them with
    the requests JupyterLab's Assignments tab makes to their server; the teacher collects them."""
    course = tmp_path / "course"
    shutil.copytree(ROOT / "notebooks" / "source", course / "source")
    shutil.copytree(ROOT / "notebooks" / "templates", course / "templates")
    shutil.copy(ROOT / "notebooks" / "nbgrader_config.py", course)
    env = dict(os.environ, LESSON_COURSE_DIR=str(course), LESSON_EXCHANGE=str(hub.prefix / "exchange"))

    def grade(step):
        done = subprocess.run([str(ROOT / "scripts" / "grade"), step], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]

    grade("generate")
    grade("release")
    name = STUDENTS[0]
    student = ServerClient(hub.base, name, PASSWORDS[name]).open()
    query = {"course_id": "mnist-lesson", "assignment_id": "mnist_mlp"}
    listed = student.request("GET", "assignments", params={"course_id": "mnist-lesson"})
    assert listed.status_code == 200 and "mnist_mlp" in listed.text, listed.text[:500]
    assert student.request("POST", "assignments/fetch", params=query).status_code == 200
    fetched = Path(f"/home/{name}/mnist_mlp/mnist_mlp.ipynb")
    assert fetched.is_file() and fetched.stat().st_uid == int(subprocess.check_output(["id", "-u", name]))
    assert "panic(lesson.NotDone())" in fetched.read_text()
    submitted = student.request("POST", "assignments/submit", params=query)
    assert submitted.status_code == 200 and "submitted" in submitted.text, submitted.text[:500]
    grade("collect")
    assert (course / "submitted" / name / "mnist_mlp" / "mnist_mlp.ipynb").is_file()
