"""A whole class on one server: scripts/classroom installs the lesson once (a shared, read-only
prefix), makes an account per student and starts a real JupyterHub on 127.0.0.1. Three students
log in with Chromium at the same time and run the whole lesson (100 epochs) in their own copy; one
cannot reach another's notebook, through the hub or through a Go cell; the teacher's admin page
lists them; a restart of the hub keeps every student's notebook and model.

Needs root (it makes Unix accounts, removed afterwards), npm, prlimit and Chromium; skips, saying
why, without them. The hub and the three students' run are the test session's (e2e/conftest.py),
shared with e2e/test_board.py."""
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from classhub import OUT, PASSWORDS, STUDENTS, TEACHER, skip_reason
from hubdriver import ServerClient, admin_users
from labdriver import ROOT

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)


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
    # The other student's server runs (a restart of the hub, in the board's tests, stops it): the
    # request reaches it, and it refuses.
    ServerClient(hub.base, STUDENTS[0], PASSWORDS[STUDENTS[0]]).open()
    intruder = ServerClient(hub.base, STUDENTS[1], PASSWORDS[STUDENTS[1]])
    assert intruder.login_status == 302
    through_hub = intruder.http.get(f"{hub.base}/user/{STUDENTS[0]}/api/contents/mnist_mlp.ipynb", timeout=30)
    print(f"{STUDENTS[1]} asking for {STUDENTS[0]}'s notebook through the hub: HTTP {through_hub.status_code}")
    assert through_hub.status_code == 403
    out, errors = intruder.open().run_cell(
        'import "os"\n\n%%\n_, err := os.ReadFile("/home/' + STUDENTS[0] + '/mnist_mlp.ipynb")\nfmt.Println("read:", err)')
    print(f"{STUDENTS[1]}'s Go cell reading {STUDENTS[0]}'s notebook: {out.strip()}")
    assert "permission denied" in out, (out, errors)


def test_each_student_starts_with_a_warm_gopls_cache_of_their_own(hub, class_run):
    """scripts/classroom fills gopls' cache for the lesson once (scripts/warm_gopls.py); each
    student's kernel gets a copy made of hard links to it (their first Tab then need not
    type-check GoMLX from source at 1 GB), which they can read and add to, and no one else can."""
    template = hub.prefix / "gopls-cache"
    shared = {f.stat().st_ino for f in template.rglob("*") if f.is_file()}
    assert len(shared) > 100, f"{template} holds {len(shared)} files"
    for name in STUDENTS:
        own = hub.prefix / "user-gopls-caches" / name
        uid = int(subprocess.check_output(["id", "-u", name]))
        assert own.stat().st_uid == uid and own.stat().st_mode & 0o077 == 0, f"{own} is not {name}'s alone"
        linked = {f.stat().st_ino for f in own.rglob("*") if f.is_file()} & shared
        assert len(linked) == len(shared), f"{name}'s gopls cache links {len(linked)} of {len(shared)} files"
        # gopls keeps its cache in a folder named by its executable's hash: a second folder beside
        # the template's would mean the template came from another gopls, and goes unused.
        assert [d.name for d in (own / "gopls").iterdir()] == [d.name for d in (template / "gopls").iterdir()], \
            f"{name}'s gopls did not use the template made for it"
        out, errors = ServerClient(hub.base, name, PASSWORDS[name]).open().run_cell(
            'import (\n\t"io/fs"\n\t"os"\n\t"path/filepath"\n)\n\n%%\nroot := os.Getenv("GOPLSCACHE")\nread := 0\n'
            'filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {\n'
            '\tif err == nil && !d.IsDir() {\n\t\tif _, err := os.ReadFile(p); err == nil {\n\t\t\tread++\n\t\t}\n\t}\n'
            '\treturn nil\n})\nfmt.Println(root, read)')
        root, read = out.split()  # Their own gopls may have added files beside the linked ones.
        assert root == str(own) and int(read) >= len(shared), (out, errors)
    assert (hub.prefix / "user-gopls-caches").stat().st_mode & 0o777 == 0o711, "students could list each other's caches"


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
        hub.start(sigint_ignored=True)  # The next test stops it: as `nohup scripts/classroom … &` starts it.
    assert seconds < 15, f"the hub took {seconds:.0f}s to stop"
    left = [f"{p}: {cmd}" for p, cmd in own.items() if Path(f"/proc/{p}").exists()]
    assert left == [], f"the hub left these running: {left}"


def test_a_restart_keeps_notebooks_models_and_passwords(hub, class_run):
    before = {n: Path(f"/home/{n}/mnist_mlp.ipynb").read_bytes() for n in STUDENTS}
    seconds = hub.stop()
    # The test before started this hub with SIGINT ignored; its services must not inherit that (the
    # hub stops them with SIGINT and waits 30 s for one that ignores it).
    assert seconds < 15, f"a hub started with SIGINT ignored took {seconds:.0f}s to stop"
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


def _processes_of(uid):
    """{pid: command line} of every process of uid on this machine."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                status = Path(f"/proc/{entry.name}/status").read_text()
                if int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1)) == uid:
                    found[int(entry.name)] = Path(f"/proc/{entry.name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, AttributeError):
                continue
    return found


def _is_gopls(cmdline):
    return bool(cmdline.split()) and Path(cmdline.split()[0]).name == "gopls"


def test_the_fallback_says_what_it_enforces_and_a_stopped_server_leaves_nothing(hub):
    """Here (systemd is not PID 1) scripts/classroom falls back to LocalProcessSpawner and says, in
    one line, what is and is not enforced. A kernel killed outright leaves its gopls (GoNB starts it
    in a process group of its own); stopping the server through the hub's API, as the idle culler
    does, ends it with the rest (scripts/hub/subreaper.py): the student has no process left."""
    lines = [ln for ln in (OUT / "classroom-hub.log").read_text().splitlines() if ln.startswith("==> Limits")]
    print(lines[-1] if lines else "no limits line")
    assert lines and "LocalProcessSpawner" in lines[-1] and "per PROCESS" in lines[-1] and "NOT capped" in lines[-1]
    name = STUDENTS[2]
    uid = int(subprocess.check_output(["id", "-u", name]))
    client = ServerClient(hub.base, name, PASSWORDS[name]).open()
    kernel = client.api("POST", "kernels", json={"name": "gonb"})
    kernel.raise_for_status()
    kid = kernel.json()["id"]
    deadline = time.time() + 60
    while time.time() < deadline:
        procs = _processes_of(uid)
        gonb = [p for p, cmd in procs.items() if f"kernel-{kid}.json" in cmd]
        if gonb and any(_is_gopls(cmd) for cmd in procs.values()):
            break
        time.sleep(0.2)
    assert gonb, f"no GoNB kernel {kid} among {name}'s processes: {procs}"
    os.kill(gonb[0], signal.SIGKILL)
    while time.time() < deadline and Path(f"/proc/{gonb[0]}").exists():
        time.sleep(0.1)
    orphans = [p for p, cmd in _processes_of(uid).items() if _is_gopls(cmd)]
    print(f"{name}'s gopls after their kernel was killed: {orphans}")
    assert orphans, "no gopls outlived its killed kernel: the case this test is about did not happen"
    token = {"Authorization": f"token {hub.api_token}"}
    answer = requests.delete(f"{hub.base}/hub/api/users/{name}/server", headers=token, timeout=60)
    assert answer.status_code in (202, 204), answer.text
    deadline = time.time() + 60
    while time.time() < deadline:
        user = requests.get(f"{hub.base}/hub/api/users/{name}", headers=token, timeout=30).json()
        if not user.get("servers", {}).get("") and not user.get("pending"):
            break
        time.sleep(0.5)
    left = _processes_of(uid)
    print(f"{name}'s processes once the server stopped: {left}")
    assert left == {}, f"{name}'s server stopped, but these run on: {left}"
