"""A booted Debian bookworm with systemd as PID 1, on this machine, for the class hub's tests of
SystemdSpawner (e2e/test_limits.py): what a plain Debian or Ubuntu server runs, where this
machine's PID 1 is not systemd.

- The root file system: debootstrap (Debian's) from the host's own apt mirror, systemd and dbus,
  then with apt-get what scripts/classroom needs on a bare server (python3-venv, npm, git, gcc,
  procps). Built once and cached under CACHE, keyed by what goes into it; a new key builds anew.
- Each boot: an overlay over that cached tree (writes go to a folder of the run, removed after),
  booted by systemd-nspawn (Debian's systemd-container) with the host's network, so that the
  host's tests and browser reach the hub on 127.0.0.1. Bound into it: the repository, the host's
  Go and the host's Go module cache (read-only; GOPROXY=file://… with the public proxy behind
  it), the host's CA bundle, and, writable and kept between runs, the shared install (/opt/mnist-
  lesson: scripts/classroom updates it as it would on a real server) and pip's and npm's caches.
- cgroups: this host has cgroup v1 (cpu, cpuacct, memory… and cgroup2 at /sys/fs/cgroup/unified,
  with no controllers). systemd-nspawn mounts a container's v1 controllers read-only (without a
  user namespace), so its systemd could not apply MemoryMax or CPUQuota: the box gets a cgroup of
  its own in each v1 hierarchy (made here, below this process's own, removed after), nspawn runs
  in it, and once booted its controllers are remounted read-write inside and systemd re-executed,
  so that it manages them as a host's systemd does. scripts/classroom then checks, with a probe
  unit, that a unit's limits apply.

Needs root, debootstrap and systemd-nspawn (installed with apt-get when missing and root),
overlayfs. Every process is started and ended here by its id; every wait is bounded.
"""
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

CACHE = Path(os.environ.get("LESSON_BOX_CACHE", "/var/cache/mnist-lesson/systemd-box"))
SUITE = "bookworm"
BASE = ["systemd", "systemd-sysv", "dbus"]  # debootstrap --include (its resolver handles these).
PACKAGES = ["python3", "python3-venv", "npm", "git", "gcc", "libc6-dev", "ca-certificates", "procps"]
# Students' accounts in the box get ids from 20000, apart from any account of the host: the host
# sees the box's processes (one process-id space for ps, not one user database).
UID_MIN = 20000
# What else goes into the tree: any change here builds a new one.
RECIPE = f"""minbase; login.defs UID_MIN/GID_MIN {UID_MIN}; DefaultTimeoutStopSec=15s; getty masked; v2"""
BOX_PATH = "/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"


def missing_tools():
    """Installs debootstrap and systemd-nspawn with apt-get when missing (as root); returns why the
    box cannot run here, or ""."""
    if os.geteuid() != 0:
        return "it must run as root (debootstrap, mounts, cgroups)"
    wanted = {"debootstrap": "debootstrap", "systemd-nspawn": "systemd-container", "nsenter": "util-linux"}
    missing = [pkg for tool, pkg in wanted.items() if not shutil.which(tool)]
    if missing and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], env=env, capture_output=True, timeout=900)
        missing = [pkg for tool, pkg in wanted.items() if not shutil.which(tool)]
    if missing:
        return f"{' and '.join(missing)} missing (Debian: apt-get install {' '.join(missing)})"
    if "overlay" not in Path("/proc/filesystems").read_text():
        return "the kernel has no overlayfs"
    if not v1_hierarchies():
        return "no cgroup v1 memory and cpu hierarchies here (this box is written for a v1 or hybrid host)"
    return ""


def v1_hierarchies():
    """{controllers: this process's path} for each cgroup v1 hierarchy with controllers, e.g.
    {"memory": "/process_api/1234", "cpu": "/"}; empty unless memory and cpu are among them."""
    found = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controllers and not controllers.startswith("name=") and Path("/sys/fs/cgroup", controllers).is_dir():
            found[controllers] = path
    names = {c for key in found for c in key.split(",")}
    return found if {"memory", "cpu"} <= names else {}


def host_mirror():
    """The Debian mirror the host's apt uses for SUITE (deb822 or one-line sources)."""
    sources = sorted(Path("/etc/apt").glob("sources.list.d/*.sources")) + [Path("/etc/apt/sources.list")]
    for path in sources:
        text = path.read_text() if path.exists() else ""
        for stanza in text.split("\n\n"):
            fields = dict(re.findall(r"^(\w[\w-]*):\s*(.+)$", stanza, re.M))
            if SUITE in fields.get("Suites", "").split() and "main" in fields.get("Components", "").split():
                return fields["URIs"].split()[0]
        for m in re.finditer(rf"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+{SUITE}\s+.*\bmain\b", text, re.M):
            return m.group(1)
    return "http://deb.debian.org/debian"


def _run(argv, log, timeout, **kw):
    """Runs argv, its output appended to log; raises with the log's tail when it fails."""
    with open(log, "a") as out:
        out.write(f"$ {' '.join(argv)}\n")
        out.flush()
        done = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, **kw)
    if done.returncode != 0:
        tail = "".join(Path(log).read_text().splitlines(keepends=True)[-15:])
        raise RuntimeError(f"{argv[0]} failed ({done.returncode}); the end of {log}:\n{tail}")


def rootfs(log):
    """The cached root file system (built when missing); returns (path, seconds it took to build, 0 if cached)."""
    mirror = host_mirror()
    key = hashlib.sha256(json.dumps([SUITE, mirror, BASE, PACKAGES, RECIPE]).encode()).hexdigest()[:12]
    tree = CACHE / f"rootfs-{key}"
    if (tree / ".complete").exists():
        return tree, 0.0
    started = time.time()
    CACHE.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".rootfs-{key}-", dir=CACHE))
    try:
        _run(["nice", "-n", "10", "debootstrap", "--variant=minbase", f"--include={','.join(BASE)}", SUITE, str(work),
              mirror], log, timeout=1200)
        # The packages debootstrap's own resolver cannot order (npm's), by apt-get in the tree.
        _run(["nice", "-n", "10", "systemd-nspawn", "--quiet", "-D", str(work), "--register=no", "--keep-unit",
              "--resolv-conf=copy-host", "--setenv=DEBIAN_FRONTEND=noninteractive", "/bin/sh", "-c",
              "apt-get update -qq && apt-get install -y -qq --no-install-recommends " + " ".join(PACKAGES) +
              " && apt-get clean"], log, timeout=1200)
        defs = work / "etc" / "login.defs"
        text = re.sub(r"^(UID_MIN|GID_MIN)\s+\d+", lambda m: f"{m.group(1)}\t\t\t{UID_MIN}", defs.read_text(), flags=re.M)
        defs.write_text(text)
        conf = work / "etc" / "systemd" / "system.conf.d"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "box.conf").write_text("[Manager]\nDefaultTimeoutStopSec=15s\n")
        for unit in ("console-getty.service", "getty@.service", "getty.target"):
            link = work / "etc" / "systemd" / "system" / unit
            link.unlink(missing_ok=True)
            link.symlink_to("/dev/null")
        (work / ".complete").write_text(json.dumps({"suite": SUITE, "mirror": mirror, "packages": BASE + PACKAGES}))
        for old in CACHE.glob("rootfs-*"):  # Trees of other keys: no longer used.
            shutil.rmtree(old, ignore_errors=True)
        os.rename(work, tree)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return tree, time.time() - started


def descendants(root):
    children = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Box:
    """One boot of the cached tree. with Box(tree, log_dir) as box: box.sh("systemctl ...")."""

    def __init__(self, tree: Path, log_dir: Path, binds=(), binds_ro=()):
        self.tree, self.log_dir = tree, log_dir
        self.binds, self.binds_ro = list(binds), list(binds_ro)
        self.nspawn = None
        self.init_pid = None
        self.run_dir = None
        self.cgroups = []

    # --- boot and stop

    def __enter__(self):
        try:
            self.boot()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_):
        self.stop()

    def boot(self, timeout=120):
        started = time.time()
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.run_dir = Path(tempfile.mkdtemp(prefix="mnist-box-", dir="/var/tmp"))
        upper, work, self.root = self.run_dir / "upper", self.run_dir / "work", self.run_dir / "root"
        tmp = self.run_dir / "tmp"  # The box's /tmp on disk, as on a server (nspawn's own is in memory).
        for d in (upper, work, self.root, tmp):
            d.mkdir()
        tmp.chmod(0o1777)
        subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                        f"lowerdir={self.tree},upperdir={upper},workdir={work}", str(self.root)], check=True, timeout=60)
        self.mounted = True
        name = f"mnist-box-{os.getpid()}"
        for controllers, path in v1_hierarchies().items():
            cg = Path("/sys/fs/cgroup", controllers, path.lstrip("/"), name)
            cg.mkdir(exist_ok=True)
            if "cpuset" in controllers.split(","):
                for f in ("cpuset.cpus", "cpuset.mems"):
                    (cg / f).write_text((cg.parent / f).read_text())
            self.cgroups.append(cg)
        procs = [str(cg / "cgroup.procs") for cg in self.cgroups]

        def join_cgroups():  # In the child, before nspawn starts: the box's cgroups are its own.
            for p in procs:
                with open(p, "w") as f:
                    f.write("0")

        argv = ["systemd-nspawn", "--boot", "-D", str(self.root), "--register=no", "--keep-unit",
                "--console=passive", f"--machine={name}", "--resolv-conf=copy-host", f"--bind={tmp}:/tmp"]
        argv += [f"--bind={src}:{dest}" for src, dest in self.binds]
        argv += [f"--bind-ro={src}:{dest}" for src, dest in self.binds_ro]
        self.console = open(self.log_dir / "box-console.log", "w")
        self.nspawn = subprocess.Popen(argv, stdout=self.console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       preexec_fn=join_cgroups)
        deadline = started + timeout
        while self.init_pid is None:
            if self.nspawn.poll() is not None:
                raise RuntimeError(f"systemd-nspawn ended ({self.nspawn.returncode}): see {self.log_dir}/box-console.log")
            if time.time() > deadline:
                raise TimeoutError(f"no PID 1 in the box after {timeout}s: see {self.log_dir}/box-console.log")
            for pid in descendants(self.nspawn.pid):
                try:
                    ns = re.search(r"^NSpid:\s+(.*)$", Path(f"/proc/{pid}/status").read_text(), re.M).group(1).split()
                except (OSError, AttributeError):
                    continue
                if ns[-1] == "1" and len(ns) > 1:
                    self.init_pid = pid
            time.sleep(0.1)
        state = ""
        while state not in ("running", "degraded"):
            if time.time() > deadline:
                raise TimeoutError(f"the box's systemd says {state!r} after {timeout}s")
            time.sleep(0.2)
            state = self.sh("systemctl is-system-running", check=False, timeout=30).stdout.strip()
        # Its v1 controllers read-write (see the top of this file), then systemd re-executed to use them.
        for controllers in v1_hierarchies():
            self.enter(["mount", "-o", "remount,bind,rw", f"/sys/fs/cgroup/{controllers}"], namespaces="-m", check=True)
        self.sh("systemctl daemon-reexec", timeout=60)
        self.boot_seconds = time.time() - started
        return self

    def stop(self, timeout=60):
        """Powers the box off (SIGTERM to systemd-nspawn, by its id), then SIGKILL if it hangs; unmounts
        and removes the run's folder and cgroups."""
        if self.nspawn and self.nspawn.poll() is None:
            self.nspawn.send_signal(signal.SIGTERM)
            try:
                self.nspawn.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.nspawn.kill()  # The box's PID 1 ends with it, and with it every process of the box.
                self.nspawn.wait(timeout=30)
        if getattr(self, "console", None):
            self.console.close()
        if getattr(self, "mounted", False):
            for _ in range(20):
                if subprocess.run(["umount", str(self.root)], capture_output=True, timeout=60).returncode == 0:
                    self.mounted = False
                    break
                time.sleep(0.5)
        for cg in self.cgroups:  # The box's systemd removes its own on the way down; any left, deepest first.
            for sub in sorted((p for p in cg.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)) + [cg]:
                try:
                    sub.rmdir()
                except OSError:
                    pass
        self.cgroups = []
        if self.run_dir and not getattr(self, "mounted", False):
            shutil.rmtree(self.run_dir, ignore_errors=True)

    # --- inside

    def enter(self, argv, namespaces="-m -u -i -n -p -C", check=False, timeout=120, **kw):
        """Runs argv in the box's namespaces, with a clean environment."""
        cmd = ["nsenter", "-t", str(self.init_pid), *namespaces.split(), "--root", "--wd",
               "env", "-i", f"PATH={BOX_PATH}", "HOME=/root", "LANG=C.UTF-8", *argv]
        return subprocess.run(cmd, capture_output=True, text=True, check=check, timeout=timeout, **kw)

    def sh(self, script, check=True, timeout=120):
        """Runs a shell script in the box, as root; raises with its output when it fails (check)."""
        done = self.enter(["/bin/bash", "-c", script], timeout=timeout)
        if check and done.returncode != 0:
            raise RuntimeError(f"in the box, {script!r} failed ({done.returncode}):\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return done

    def path(self, inside):
        """The host's path of a file in the box (through the overlay's mount)."""
        return self.root / inside.lstrip("/")
