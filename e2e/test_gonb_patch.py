"""GoNB is built from the pinned version plus tools/gonb/connect-poll.patch (see its first lines).
These fail when the pinned GoNB changes and the patch no longer applies or is no longer needed,
and when set-up's GoNB is not the patched one."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PATCH = ROOT / "tools" / "gonb" / "connect-poll.patch"
GONB = "github.com/janpfeifer/gonb"
ENV = dict(os.environ, GOTOOLCHAIN="go1.27.3")


def go(*args, cwd=ROOT):
    return subprocess.run(["go", *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=True).stdout.strip()


def pinned(go_mod: Path):
    return re.search(rf"^\s*{re.escape(GONB)} (v\S+)", go_mod.read_text(), re.M).group(1)


def test_one_gonb_version_everywhere():
    """The lesson's go.mod (whose go.sum verifies the copy that is patched), tools/go.mod (which
    builds the kernel) and the patch's own first line name the same GoNB."""
    version = pinned(ROOT / "go.mod")
    assert pinned(ROOT / "tools" / "go.mod") == version
    assert f"replace {GONB} {version} => ../.venv/src/gonb" in (ROOT / "tools" / "go.mod").read_text()
    assert PATCH.read_text().startswith(f"GoNB {version}:"), "the patch's first line names another GoNB"


def test_the_patch_applies_and_is_still_needed(tmp_path):
    source = Path(go("list", "-m", "-f", "{{.Dir}}", GONB))
    copy = tmp_path / "gonb"
    shutil.copytree(source, copy)
    for path in copy.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    client = copy / "internal" / "goexec" / "goplsclient"
    # Still needed: the pinned GoNB sleeps ConnectTimeout (12 s) before it first connects, and
    # WaitConnection sleeps in steps of it. When upstream stops doing so, drop the patch.
    assert "case <-time.After(ConnectTimeout):" in (client / "exec.go").read_text(), \
        "GoNB no longer waits ConnectTimeout before connecting to gopls: remove tools/gonb/connect-poll.patch"
    assert "<-time.After(ConnectTimeout)\n\t\tc.mu.Lock()" in (client / "exec.go").read_text(), \
        "GoNB's WaitConnection no longer sleeps ConnectTimeout: remove tools/gonb/connect-poll.patch"
    # Applies, as set-up applies it: outside any git repository.
    done = subprocess.run(["git", "apply", "--verbose", str(PATCH)], cwd=copy, capture_output=True, text=True,
                          env=dict(os.environ, GIT_CEILING_DIRECTORIES=str(tmp_path)))
    assert done.returncode == 0, f"the patch does not apply to {source}: {done.stderr}"
    assert done.stderr.count("Applied patch") == 2, done.stderr
    assert "time.After(ConnectTimeout)" not in (client / "exec.go").read_text()
    assert "ConnectPollInterval = 250 * time.Millisecond" in (client / "conn.go").read_text()


def test_the_kernel_is_the_patched_gonb():
    gonb = ROOT / ".venv" / "bin" / "gonb"
    if not gonb.exists():
        pytest.skip(f"SKIP: no {gonb}: run scripts/setup (scripts/test does)")
    info = go("version", "-m", str(gonb))
    assert re.search(r"=>\s+\.\./\.venv/src/gonb", info), info
    assert "goplsclient.ConnectPollInterval" in go("tool", "nm", str(gonb))
