"""The Python locks install, hashes checked, on every Python a student's machine may have:
scripts/check_lock.py checks each version with uv, without needing that Python."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "scripts" / "check_lock.py"
UV = ROOT / "scripts" / "uv"
LOCKS = [ROOT / "scripts" / name for name in ("requirements.txt", "requirements-test.txt", "requirements-xla.txt")]
# Ubuntu 22.04 has 3.10, Debian 12 3.11.2, Ubuntu 24.04 3.12; 3.11.0 is the oldest 3.11 (some
# packages need 3.11.5); 3.14 is the newest release.
PYTHONS = ["3.10", "3.11.0", "3.11.2", "3.12", "3.13", "3.14"]


def check_lock(python_version, *locks):
    done = subprocess.run([sys.executable, str(CHECK), "--python-version", python_version, *map(str, locks)],
                          capture_output=True, text=True, timeout=600)
    done.stderr = " ".join(done.stderr.split())  # uv wraps its messages to the terminal's width
    return done


@pytest.mark.parametrize("python_version", PYTHONS)
def test_locks_install_on(python_version):
    done = check_lock(python_version, *LOCKS)
    print(done.stdout)
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(f"Python {python_version}: ") == len(LOCKS)


def test_every_line_is_hashed():
    for lock in LOCKS:
        text = lock.read_text()
        pins = re.findall(r"^[A-Za-z0-9][^\s;]*==", text, re.M)
        assert pins, f"{lock.name}: no pins"
        entries = re.split(r"\n(?=[A-Za-z0-9])", text)
        unhashed = [e.split()[0] for e in entries if re.match(r"[A-Za-z0-9]", e) and "--hash=sha256:" not in e]
        assert unhashed == [], f"{lock.name}: lines without a hash: {unhashed}"


def test_a_missing_dependency_is_caught(tmp_path):
    """A lock without exceptiongroup (which only Python 3.10 needs) fails on 3.10, not on 3.12."""
    lock = tmp_path / "requirements.txt"
    shutil.copy(ROOT / "scripts" / "requirements.in", tmp_path / "requirements.in")
    text = (ROOT / "scripts" / "requirements.txt").read_text()
    cut = re.sub(r"^exceptiongroup==.*?(?=^\S)", "", text, flags=re.M | re.S)
    assert cut != text, "exceptiongroup is no longer in the lock: pick another 3.10-only package"
    lock.write_text(cut)
    on_310 = check_lock("3.10", lock)
    assert on_310.returncode == 1
    assert "cannot install it on CPython 3.10" in on_310.stderr and "`exceptiongroup`" in on_310.stderr, on_310.stderr
    assert check_lock("3.12", lock).returncode == 0


def test_a_pin_too_new_for_the_python_is_caught(tmp_path):
    """The old lock's soupsieve 4.1.3 (a pip freeze on Python 3.11.7) needs Python >= 3.11.5: it
    fails on 3.11.0, which Debian 12's 3.11.2 would have hit, and passes on 3.12."""
    lock = tmp_path / "requirements-xla.txt"  # no short list beside it: installed with --no-deps
    lock.write_text(soupsieve_4_1_3())
    done = check_lock("3.11.0", lock)
    assert done.returncode == 1 and "soupsieve==4.1.3 depends on Python>=3.11.5" in done.stderr, done.stderr
    assert check_lock("3.12", lock).returncode == 0


def test_a_wrong_hash_is_caught(tmp_path):
    """The check installs for real (into a temporary folder) because uv's --dry-run passed this lock."""
    lock = tmp_path / "requirements-xla.txt"
    lock.write_text(re.sub(r"sha256:[0-9a-f]{8}", "sha256:00000000", soupsieve_4_1_3()))
    done = check_lock("3.12", lock)
    assert done.returncode == 1 and "Hash mismatch" in done.stderr and "soupsieve" in done.stderr, done.stderr


def test_a_line_without_a_hash_is_refused(tmp_path):
    lock = tmp_path / "requirements-xla.txt"
    lock.write_text("soupsieve==2.10\n")
    done = check_lock("3.12", lock)
    assert done.returncode == 1 and "must have a hash, but none were provided for: soupsieve==2.10" in done.stderr, done.stderr


def soupsieve_4_1_3():
    """A lock line for soupsieve 4.1.3 with the hashes of its files, from uv (PyPI)."""
    done = subprocess.run([str(UV), "pip", "compile", "-", "--quiet", "--no-header", "--no-annotate",
                           "--generate-hashes", "--python-version", "3.12"],
                          input="soupsieve==4.1.3\n", capture_output=True, text=True, check=True, timeout=300)
    assert "--hash=sha256:" in done.stdout, done.stdout
    return done.stdout


def test_uv_itself_is_installed_only_as_pinned(tmp_path):
    """scripts/uv installs uv from PyPI with the hashes of scripts/requirements-uv.txt: a wheel
    that does not match stops it with one sentence, and leaves no half-installed uv behind."""
    pins = (ROOT / "scripts" / "requirements-uv.txt").read_text()
    hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", pins)
    assert len(hashes) >= 10, "every platform's wheel is pinned"
    (tmp_path / "scripts").mkdir()
    for name in ("uv", "env.sh"):
        shutil.copy2(ROOT / "scripts" / name, tmp_path / "scripts" / name)
    (tmp_path / "scripts" / "requirements-uv.txt").write_text(
        re.sub(r"sha256:[0-9a-f]{64}", "sha256:" + "0" * 64, pins))
    done = subprocess.run([str(tmp_path / "scripts" / "uv"), "--version"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in done.stderr
    assert "uv: pip could not install uv==" in done.stderr and "a hash mismatch means" in done.stderr
    assert not list((tmp_path / ".cache").glob("uv-*")), "a half-installed uv was left"
