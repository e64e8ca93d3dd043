"""Checks that the Python locks install on a given Python, without that Python.

    check_lock.py --python-version 3.10 scripts/requirements.txt scripts/requirements-test.txt

For each lock, on Linux x86-64 (glibc 2.35, Ubuntu 22.04's, or older wheels) and the given
CPython version:
  1. the lines whose environment markers hold there are picked out (pip itself would evaluate
     markers for the Python that runs it, not for --python-version, so this is done here);
  2. pip, in --dry-run mode with --require-hashes, --only-binary=:all: and --python-version, finds
     a wheel of each pinned version whose hash is in the lock and whose Requires-Python allows it;
  3. the dependencies that each of those wheels declares (Requires-Dist, markers evaluated for
     that Python, extras followed) are all in the lock, at a version their specifier allows,
     starting from the names in the lock's short list (the .in file beside it). A lock without a
     short list (the XLA plugin's, installed with --no-deps) skips this step.
Prints one line per lock; exits 1, naming each problem, if any check fails.
"""
import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

# Wheels Ubuntu 22.04 (glibc 2.35), Debian 12 (2.36) and newer can use: pip does not expand one
# manylinux tag to the older ones, so each is named.
PLATFORMS = ([f"manylinux_2_{minor}_x86_64" for minor in range(35, 4, -1)]
             + ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64"])


def marker_environment(python_version: str) -> dict:
    """The values of environment markers on CPython python_version, Linux x86-64."""
    parts = python_version.split(".")
    full = ".".join((parts + ["0", "0"])[:3])
    return {
        "python_version": ".".join(parts[:2]), "python_full_version": full,
        "implementation_name": "cpython", "implementation_version": full,
        "platform_python_implementation": "CPython", "os_name": "posix", "sys_platform": "linux",
        "platform_system": "Linux", "platform_machine": "x86_64", "platform_release": "",
        "platform_version": "", "extra": "",
    }


def read_lock(path: Path):
    """The lock's requirement lines: [(Requirement, [hash options])], continuations joined."""
    text = re.sub(r"\\\n", " ", path.read_text())
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-"):
            continue
        spec, *hashes = re.split(r"\s+(?=--hash=)", line)
        entries.append((Requirement(spec), [h.strip() for h in hashes]))
    return entries


def roots_of(lock: Path):
    """The top-level requirements: the short list (.in) beside the lock, or None."""
    short = lock.with_suffix(".in")
    if not short.exists():
        return None
    return [Requirement(line.split("#", 1)[0].strip()) for line in short.read_text().splitlines()
            if line.split("#", 1)[0].strip() and not line.startswith("-")]


def pip_dry_run(lines, python_version, workdir: Path):
    """Runs pip's dry run over the pinned lines; returns its report's install list."""
    req = workdir / "pinned.txt"
    req.write_text("\n".join(lines) + "\n")
    report = workdir / "report.json"
    cmd = [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--disable-pip-version-check",
           "--ignore-installed", "--no-deps", "--require-hashes", "--only-binary=:all:",
           "--python-version", python_version, "--implementation", "cp",
           "--target", str(workdir / "target"), "--report", str(report), "-r", str(req)]
    for platform in PLATFORMS:
        cmd += ["--platform", platform]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        return None, (done.stderr or done.stdout).strip()
    return json.loads(report.read_text())["install"], ""


def check(lock: Path, python_version: str) -> list:
    """Problems found installing lock on python_version; prints one line of what was checked."""
    env = marker_environment(python_version)
    picked = {}
    for req, hashes in read_lock(lock):
        if req.marker is None or req.marker.evaluate(env):
            name = canonicalize_name(req.name)
            if name in picked:
                return [f"{lock}: two lines for {req.name} apply on Python {python_version}"]
            picked[name] = (req, hashes)
    for req, hashes in picked.values():
        if not hashes:
            return [f"{lock}: {req.name} has no --hash"]
    lines = [f"{req.name}{req.specifier} " + " ".join(hashes) for req, hashes in picked.values()]
    with tempfile.TemporaryDirectory() as tmp:
        installed, error = pip_dry_run(lines, python_version, Path(tmp))
    if installed is None:
        return [f"{lock}: pip cannot install it on Python {python_version}:\n{error}"]
    found = {canonicalize_name(item["metadata"]["name"]): item for item in installed}
    problems = [f"{lock}: pip did not pick {name}" for name in picked if name not in found]

    roots = roots_of(lock)
    if roots is None:
        print(f"{lock}: Python {python_version}: {len(found)} wheel(s), hashes checked "
              "(installed with --no-deps: no dependency check)")
        return problems
    # Walk the dependencies from the short list, with the extras each package is asked for.
    wanted = [(r, "the short list") for r in roots]
    seen = set()
    while wanted:
        req, who = wanted.pop()
        name = canonicalize_name(req.name)
        if req.marker is not None and not req.marker.evaluate(env):
            continue
        item = found.get(name)
        if item is None:
            problems.append(f"{lock}: {req} (needed by {who}) is not in the lock for Python {python_version}")
            continue
        version = Version(item["metadata"]["version"])
        if not req.specifier.contains(version, prereleases=True):
            problems.append(f"{lock}: {who} needs {req}, the lock has {version}")
        for extra in [""] + sorted(req.extras):
            if (name, extra) in seen:
                continue
            seen.add((name, extra))
            for dep in item["metadata"].get("requires_dist", []):
                dep_req = Requirement(dep)
                if dep_req.marker is None or dep_req.marker.evaluate(dict(env, extra=extra)):
                    dep_req.marker = None
                    wanted.append((dep_req, f"{item['metadata']['name']}{'[' + extra + ']' if extra else ''}"))
    used = {n for n, _ in seen}
    print(f"{lock}: Python {python_version}: {len(found)} wheel(s), hashes checked, "
          f"dependencies complete ({len(used)} needed from {len(roots)} top-level)")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python-version", required=True, help="e.g. 3.10 or 3.11.0")
    parser.add_argument("locks", nargs="+", type=Path)
    args = parser.parse_args()
    problems = []
    for lock in args.locks:
        problems += check(lock, args.python_version)
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
