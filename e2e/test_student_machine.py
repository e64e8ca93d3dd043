"""The README's first command on a student's machine: the OS's own Python (Debian's
/usr/bin/python3), an unprivileged user with a HOME of its own, and a fresh copy of the project
in a folder whose path has spaces. Set-up downloads what it needs as that user would (Go
toolchain and modules from the Go module proxy, packages from PyPI): nothing is shared with the
machine's caches, so this also proves set-up needs nothing installed by hand.

When the tests run as root (CI), the student is a Unix user made for the test (lesson-student) and
removed after it; otherwise the student is the user running the tests."""
import os
import platform
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "e2e"
PYTHON = os.environ.get("LESSON_STUDENT_PYTHON", "/usr/bin/python3")
STUDENT = "lesson-student"
# What a student's shell would pass on: how to reach the registries, never the machine's caches.
NETWORK_ENV = ("GOPROXY", "GOSUMDB", "GONOSUMDB", "GOPRIVATE", "GOINSECURE", "PIP_INDEX_URL",
               "PIP_EXTRA_INDEX_URL", "PIP_CERT", "PIP_DEFAULT_TIMEOUT", "SSL_CERT_FILE", "http_proxy",
               "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY")

if not Path(PYTHON).exists():
    pytest.skip(f"SKIP: no {PYTHON}, the OS's own Python (set LESSON_STUDENT_PYTHON to another)",
                allow_module_level=True)
if not shutil.which("go"):
    pytest.skip("SKIP: no go on PATH (Go 1.21 or newer is what a student installs first)", allow_module_level=True)


def python_id(python):
    """What scripts/setup records for a Python: its real path and version."""
    return subprocess.run([python, "-c", "import os, sys; print(os.path.realpath(sys.executable), "
                           "sys.version.split()[0])"], capture_output=True, text=True, check=True).stdout.strip()


def copy_project(dest: Path):
    """The project's files as a fresh clone of this working tree has them (tracked, and new files
    git does not ignore), without .venv, out/ or any other ignored file."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)


@pytest.fixture(scope="module")
def student():
    """(uid, gid, name): a new unprivileged user when running as root, else the current user."""
    if os.geteuid() != 0:
        yield os.getuid(), os.getgid(), pwd.getpwuid(os.getuid()).pw_name
        return
    subprocess.run(["userdel", STUDENT], capture_output=True)  # Left over by an interrupted run.
    subprocess.run(["useradd", "--no-create-home", "--user-group", "--shell", "/bin/sh", STUDENT], check=True)
    user = pwd.getpwnam(STUDENT)
    try:
        yield user.pw_uid, user.pw_gid, STUDENT
    finally:
        subprocess.run(["pkill", "-KILL", "-u", STUDENT], capture_output=True)
        time.sleep(1)
        subprocess.run(["userdel", STUDENT], check=True)


def chown_tree(path: Path, uid, gid):
    for dirpath, _dirnames, filenames in os.walk(path):
        os.chown(dirpath, uid, gid)
        for name in filenames:
            os.lchown(os.path.join(dirpath, name), uid, gid)


def remove_tree(path: Path):
    """rm -rf, including Go's module cache, whose folders are read-only."""
    def writable_then_retry(func, p, _):
        os.chmod(os.path.dirname(p), 0o755)
        if os.path.isdir(p) and not os.path.islink(p):
            os.chmod(p, 0o755)
        func(p)
    shutil.rmtree(path, onerror=writable_then_retry)


@pytest.fixture(scope="module")
def machine(student):
    """The student's folders: a HOME and a project copy, both under a path with spaces."""
    uid, gid, name = student
    base = Path(tempfile.mkdtemp(prefix="lesson-student-"))
    os.chmod(base, 0o755)
    home = base / "home"
    project = base / "My Lessons" / "mnist lesson"
    home.mkdir()
    project.mkdir(parents=True)
    copy_project(project)
    # A .venv left by another Python, as after an upgrade of the OS: set-up must rebuild it.
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(project / ".venv")], check=True)
    stale_id = f"{os.path.realpath(sys.executable)} {platform.python_version()}"
    (project / ".venv" / ".python").write_text(stale_id + "\n")
    chown_tree(base, uid, gid)
    go_dir = os.path.dirname(os.path.realpath(shutil.which("go")))
    env = {"HOME": str(home), "USER": name, "LOGNAME": name, "LANG": "C.UTF-8",
           "PATH": f"{go_dir}:/usr/bin:/bin", "LESSON_EPOCHS": "1", "LESSON_BACKEND": "xla:cpu"}
    env.update({k: os.environ[k] for k in NETWORK_ENV if k in os.environ})
    yield {"uid": uid, "gid": gid, "home": home, "project": project, "env": env, "stale_id": stale_id}
    remove_tree(base)


def as_student(machine, args, log, timeout):
    """Runs args in the student's project as the student; returns (exit status, output, seconds)."""
    started = time.time()
    kwargs = {}
    if os.geteuid() == 0:
        kwargs = {"user": machine["uid"], "group": machine["gid"], "extra_groups": []}
    done = subprocess.run(args, cwd=machine["project"], env=machine["env"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=timeout, **kwargs)
    seconds = time.time() - started
    log.write(f"$ {' '.join(args)}   # {seconds:.0f}s, exit {done.returncode}\n{done.stdout}\n")
    log.flush()
    return done.returncode, done.stdout, seconds


@pytest.fixture(scope="module")
def lesson(machine):
    """scripts/run (set-up included) with LESSON_EPOCHS=1, then scripts/setup once more."""
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "student-machine.log", "w") as log:
        first = as_student(machine, ["scripts/run"], log, timeout=1800)
        again = as_student(machine, ["scripts/setup"], log, timeout=300)
    return first, again


def test_setup_and_lesson_run_as_a_student(machine, lesson):
    (status, output, seconds), _ = lesson
    setup_seconds = re.search(r"Set-up done in (\d+)s", output)
    print(f"student machine: {PYTHON} ({python_id(PYTHON)}), user uid {machine['uid']}, "
          f"project {str(machine['project'])!r}: scripts/run {seconds:.0f}s "
          f"(set-up {setup_seconds.group(1) if setup_seconds else '?'}s); log in {OUT / 'student-machine.log'}")
    assert status == 0, output[-3000:]
    accuracy = re.search(r"^Test accuracy: ([0-9.]+)$", output, re.M)
    assert accuracy and float(accuracy.group(1)) >= 0.9, output[-2000:]
    assert "Backend: XLA CPU" in output, "the lesson should train on XLA CPU, with the plugin set-up installed"
    assert (machine["project"] / "out" / "mnist_mlp.html").is_file()
    assert (machine["home"] / ".cache" / "mnist-lesson").is_dir(), "MNIST is cached in the student's own HOME"


MB = 2**20  # The sizes below and in README's table are in MB of 2^20 bytes, as this test prints them.
VENV = "project .venv (JupyterLab, XLA plugin, GoNB and its tools)"
TOOLCHAIN = "Go toolchain (in the module cache)"
MODULES = "Go modules, unpacked (without the toolchain)"
DOWNLOADS = "Go module and toolchain downloads (zips, in the module cache)"
BUILD_CACHE = "Go build cache"
MNIST = "MNIST cache"
TOTAL = "on disk in all"
PYPI = "downloaded from PyPI"
# What today's set-up and one lesson run put on a student's disk, as this test measured it on
# 2026-11-30 (2-core VM, Debian's Python 3.11.2, empty caches), and how far a new measure may
# stray from it: set-up is pinned (the Python lock, go.mod, tools/, Go 1.27.3), so a measure
# outside its band means set-up or the lesson now downloads or builds something else. Update
# the figure that moved, and README's table ("What set-up downloads, and the disk it takes").
# The run measured the lock just before RISE joined it (commit ce3cf4a): RISE and what came with
# it are added from their installed files in the project's .venv and pip's download sizes.
RISE_MB = 55 + 2 + 1   # jupyterlab-rise 55.2 MB, jupyterlab-mathjax3 2.3, the Korean language pack 0.5.
RISE_WHEELS_MB = 18    # Their wheels: 16.4 MB, 1.1 and 0.2.
# plotly left the lock after that run (scripts/plotly_js.py fetches plotly.js from npm instead):
# plotly 5.24.1 and tenacity, installed with Debian's Python 3.11.2, took 107 MB of files (du's
# apparent size; 188 MB on disk, 33,500 files); their wheels 18.2 MB and 0.03 MB.
PLOTLY_MB = 107
PLOTLY_WHEELS_MB = 18
DISK_MEASURED_MB = {
    # 827 MB measured + RISE - plotly: JupyterLab, JupyterHub, nbgrader, the XLA plugin (193 MB),
    # the patched GoNB's source (.venv/src, 66 MB), and the Go tools set-up builds into .venv/bin
    # (gonb, gopls, goimports, staticcheck, gotestsum). (README, 2026-11-29, before the GoNB
    # patch, gotestsum and RISE, with plotly: 753 MB.)
    VENV: 827 + RISE_MB - PLOTLY_MB,
    TOOLCHAIN: 216,     # Go 1.27.3, unpacked. (README: 216 MB.)
    MODULES: 385,       # (README: 384 MB.)
    DOWNLOADS: 291,     # Go 1.27.3 (76 MB) and the modules, zipped. (README: 290 MB.)
    BUILD_CACHE: 723,   # GoMLX, the XLA bindings, the lesson's packages and cells. (README: 716 MB.)
    MNIST: 63,          # The checked files and their decoded cache. (README: 63 MB.)
    TOTAL: 2506 + RISE_MB - PLOTLY_MB,  # 2506 MB measured. (README, with a .venv of 753 MB: 2.4 GB.)
    # 184 MB measured: the Python packages and the XLA plugin (63 MB). (README: 184 MB.)
    PYPI: 184 + RISE_WHEELS_MB - PLOTLY_WHEELS_MB,
}
# The share of its measure by which a new measure may differ: a few percent where the content is
# pinned byte for byte; the build cache moves with the lesson's own Go code.
DISK_TOLERANCE = {
    VENV: 0.05, TOOLCHAIN: 0.02, MODULES: 0.05, DOWNLOADS: 0.05, BUILD_CACHE: 0.15, MNIST: 0.02,
    TOTAL: 0.05, PYPI: 0.05,
}


def disk_use(path: Path) -> int:
    """Bytes in the files under path (du's apparent size, links not followed)."""
    total = 0
    for dirpath, _, filenames in os.walk(path):
        for name in filenames:
            total += os.lstat(os.path.join(dirpath, name)).st_size
    return total


def test_what_setup_puts_on_disk(machine, lesson):
    """Measures what set-up and one run of the lesson left on the student's disk."""
    home, project = machine["home"], machine["project"]
    mod = home / "go" / "pkg" / "mod"
    toolchains = list(mod.glob("golang.org/toolchain@*"))
    parts = {
        VENV: project / ".venv",
        TOOLCHAIN: toolchains[0] if toolchains else None,
        MODULES: mod,
        DOWNLOADS: mod / "cache" / "download",
        BUILD_CACHE: home / ".cache" / "go-build",
        MNIST: home / ".cache" / "mnist-lesson",
    }
    sizes = {name: disk_use(path) if path and path.exists() else 0 for name, path in parts.items()}
    sizes[MODULES] -= sizes[TOOLCHAIN] + sizes[DOWNLOADS]
    table = "\n".join(f"{size / MB:8.0f} MB  {name}" for name, size in sizes.items())
    sizes[TOTAL] = sum(sizes.values())
    table += f"\n{sizes[TOTAL] / MB:8.0f} MB  {TOTAL}"
    # What pip downloaded, as its progress lines say (Debian's pip keeps no cache in a venv here).
    sizes[PYPI] = sum(float(n) * (2**10 if unit == "kB" else MB)
                      for n, unit in re.findall(r"Downloading \S+ \(([\d.]+) (kB|MB)\)", lesson[0][1]))
    table += f"\n{sizes[PYPI] / MB:8.0f} MB  {PYPI}"
    print("what set-up and one lesson run put on a student's disk:\n" + table)
    (OUT / "student-machine-disk.txt").write_text(table + "\n")
    assert sizes[VENV] > 100 * MB
    assert sizes[TOOLCHAIN] > 50 * MB, "set-up fetched Go 1.27 into the student's HOME"
    outside = [f"{name}: {sizes[name] / MB:.0f} MB, measured {measured} MB ± {DISK_TOLERANCE[name]:.0%}"
               for name, measured in DISK_MEASURED_MB.items()
               if abs(sizes[name] / MB - measured) > measured * DISK_TOLERANCE[name]]
    assert outside == [], "set-up's disk use moved from what was measured (DISK_MEASURED_MB): " + "; ".join(outside)


def test_setup_uses_the_os_python_and_rebuilds_a_foreign_venv(machine, lesson):
    (_, output, _), _ = lesson
    student_id = python_id(PYTHON)
    assert f"    {student_id}\n" in output, f"set-up should make .venv with {student_id}"
    venv_python = subprocess.run([str(machine["project"] / ".venv" / "bin" / "python"), "--version"],
                                 capture_output=True, text=True).stdout.split()[-1]
    assert venv_python == student_id.split()[-1]
    if machine["stale_id"] == student_id:
        pytest.skip(f"SKIP: the tests run on {student_id} itself, so there is no other Python's .venv to rebuild")
    assert f"was made by {machine['stale_id']}; rebuilding it with {student_id}" in output


def test_setup_again_changes_nothing(lesson):
    _, (status, output, seconds) = lesson
    print(f"second scripts/setup: {seconds:.1f}s")
    assert status == 0, output
    assert output.count("up to date") >= 4, output
    assert "rebuilding" not in output
