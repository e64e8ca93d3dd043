"""Checks that the Python locks install on a given CPython, without that Python: uv (pinned in
scripts/uv) installs each lock as it would on that version, on Linux x86-64 with glibc 2.35
(Ubuntu 22.04's) or older wheels.

    check_lock.py --python-version 3.10 scripts/requirements.txt scripts/requirements-test.txt

uv evaluates the lock's environment markers for that Python; with --require-hashes it refuses a
line without a hash and a dependency that the lock does not pin (the lock must be complete); with
--only-binary it needs a wheel of each pinned version for that platform whose Requires-Python
allows the version, and checks that wheel's SHA-256 against the lock. A lock with no short list
(.in) beside it, such as the XLA plugin's that set-up installs with --no-deps, is installed with
--no-deps too. Prints one line per lock; exits 1, with uv's explanation, if one fails.
"""
import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

UV = Path(__file__).resolve().parent / "uv"
PLATFORM = "x86_64-manylinux_2_35"


def check(lock: Path, python_version: str) -> str:
    """Installs lock for python_version into a temporary folder; returns the problem, or ''."""
    # A real install, not --dry-run: uv's dry run resolves from the index's metadata and never
    # compares a wheel with the lock's hashes (a lock whose hashes were all wrong passed it).
    # The wheels come from uv's cache after the first run, hard-linked, so this takes seconds.
    with tempfile.TemporaryDirectory() as target:
        cmd = [str(UV), "pip", "install", "--quiet", "--target", target, "--python", sys.executable,
               "--python-version", python_version, "--python-platform", PLATFORM,
               "--only-binary", ":all:", "--require-hashes", "-r", str(lock)]
        with_deps = lock.with_suffix(".in").exists()
        if not with_deps:
            cmd.append("--no-deps")
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            return (f"{lock}: uv cannot install it on CPython {python_version} (Linux x86-64):\n"
                    f"{(done.stderr or done.stdout).strip()}")
        wheels = len(list(Path(target).glob("*.dist-info")))
    print(f"{lock}: Python {python_version}: {wheels} wheel(s), hashes checked, "
          + ("dependencies complete" if with_deps else "installed with --no-deps: no dependency check"))
    return ""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python-version", required=True, help="e.g. 3.10 or 3.11.0")
    parser.add_argument("locks", nargs="+", type=Path)
    args = parser.parse_args()
    problems = [p for p in (check(lock, args.python_version) for lock in args.locks) if p]
    for problem in problems:
        print("PROBLEM:", problem, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
