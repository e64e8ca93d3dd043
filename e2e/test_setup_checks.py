"""Set-up stops at once, with one sentence naming the problem and the fix, when its Python cannot
make the lesson's .venv: missing, older than 3.10, or without the venv module. Each case runs a
copy of scripts/setup in a folder of its own, so the project's .venv is never at risk."""
import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"


def setup_with(tmp_path, python=SYSTEM_PYTHON, **env):
    for name in ("setup", "env.sh"):
        (tmp_path / "scripts").mkdir(exist_ok=True)
        shutil.copy2(ROOT / "scripts" / name, tmp_path / "scripts" / name)
    done = subprocess.run([str(tmp_path / "scripts" / "setup")],
                          env=dict(os.environ, LESSON_PYTHON=str(python), **env),
                          capture_output=True, text=True, timeout=120)
    print(done.stderr)
    return done


def assert_stopped_before_anything(done, tmp_path, *words):
    assert done.returncode == 1
    assert "==> [" not in done.stdout, "set-up went on to its steps"
    assert not (tmp_path / ".venv").exists()
    message = done.stderr.strip()
    assert message.startswith("setup: ") and len(message.splitlines()) == 1, message
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_no_python_there(tmp_path):
    done = setup_with(tmp_path, tmp_path / "no-such-python3")
    assert_stopped_before_anything(done, tmp_path, "no Python at", "LESSON_PYTHON")


def test_a_python_older_than_3_10(tmp_path):
    old = sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.[5-9].*/bin/python3"))
                 + glob.glob("/usr/bin/python3.[5-9]"))
    if not old:
        pytest.skip("SKIP: no Python older than 3.10 on this machine (looked in ~/.pyenv/versions and /usr/bin)")
    done = setup_with(tmp_path, old[-1])
    assert_stopped_before_anything(done, tmp_path, "needs 3.10 or newer", "LESSON_PYTHON")


def test_a_python_without_venv(tmp_path):
    """As on Debian or Ubuntu without python3-venv: the system Python, with its ensurepip hidden
    (the one fault here that cannot be caused without uninstalling a package)."""
    if not Path(SYSTEM_PYTHON).exists():
        pytest.skip(f"SKIP: no {SYSTEM_PYTHON}")
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "ensurepip.py").write_text('raise ImportError("ensurepip is not available")\n')
    wrapper = tmp_path / "python3"
    wrapper.write_text(f'#!/bin/sh\nPYTHONPATH="{shadow}" exec {SYSTEM_PYTHON} "$@"\n')
    wrapper.chmod(0o755)
    done = setup_with(tmp_path, wrapper)
    assert_stopped_before_anything(done, tmp_path, "no venv module", "apt install python3-venv")


def test_no_c_compiler(tmp_path):
    done = setup_with(tmp_path, CC="no-such-cc")
    assert_stopped_before_anything(done, tmp_path, "no C compiler (no-such-cc)", "apt install gcc")


def test_a_go_older_than_1_21(tmp_path):
    """As with Debian 12's golang-go: a stand-in go that answers `go version` as Go 1.19 does (a
    real Go 1.19 is a 100 MB package to install for one message)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "go").write_text('#!/bin/sh\necho "go version go1.19.8 linux/amd64"\n')
    (bin_dir / "go").chmod(0o755)
    done = setup_with(tmp_path, PATH=f"{bin_dir}:{os.environ['PATH']}")
    assert_stopped_before_anything(done, tmp_path, "is go1.19.8", "needs Go 1.21 or newer", "go.dev/doc/install")
