"""Set-up stops, showing the error and saying what to do, when a step of its own fails: the Go
modules cannot be downloaded, or GoNB cannot register its kernel. Each case runs a copy of
scripts/setup in a folder of its own, whose .venv is stamped up to date up to the step that
fails (its Python is a stand-in that runs the project's), so the project's .venv is never at risk."""
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Set-up's inputs besides scripts/ (copied whole: set-up runs from it).
COPIED = ["tools/go.mod", "tools/go.sum", "tools/lint/go.sum"]


def lesson_copy(tmp_path, go_mod, stamped):
    """A copy of set-up's inputs with go_mod as go.mod, its .venv stamped for the steps named."""
    shutil.copytree(ROOT / "scripts", tmp_path / "scripts", ignore=shutil.ignore_patterns("__pycache__"))
    for name in COPIED:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, tmp_path / name)
    shutil.copytree(ROOT / "tools" / "gonb", tmp_path / "tools" / "gonb")  # GoNB's patches and their series
    (tmp_path / "go.mod").write_text(go_mod)
    (tmp_path / "go.sum").write_text("")
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / ".python").write_text(f"{os.path.realpath(sys.executable)} {platform.python_version()}\n")
    python = venv / "bin" / "python"
    python.write_text(f'#!/bin/sh\nexec "{ROOT / ".venv" / "bin" / "python"}" "$@"\n')
    python.chmod(0o755)
    (venv / "lib" / "go-xla").mkdir(parents=True)
    (venv / "lib" / "go-xla" / "pjrt_c_api_cpu_plugin.so").touch()
    (venv / "src" / "gonb").mkdir(parents=True)   # set-up's patched copy of GoNB (step 4)
    (venv / "src" / "gonb" / "go.mod").write_text("module github.com/janpfeifer/gonb\n")
    inputs = {"python": "scripts/requirements.txt", "xla": "scripts/requirements-xla.txt",
              "gotools": "go.sum tools/go.mod tools/go.sum tools/lint/go.sum tools/gonb/*"}
    marks = "; ".join(f'stamp="$VENV/.stamp-{step}"; stamp_changed "$stamp" {inputs[step]} || true; stamp_mark "$stamp"'
                      for step in stamped)
    subprocess.run(["bash", "-c", f"set -euo pipefail; source scripts/env.sh; {marks}"], cwd=tmp_path, check=True)
    return venv


def run_setup(tmp_path, **env):
    done = subprocess.run([str(tmp_path / "scripts" / "setup")], env=dict(os.environ, LESSON_PYTHON=sys.executable, **env),
                          capture_output=True, text=True, timeout=300)
    print(done.stdout, done.stderr)
    return done


def test_a_failed_module_download_stops_setup(tmp_path):
    lesson_copy(tmp_path, "module lessoncopy\n\ngo 1.27.3\n\nrequire example.invalid/nothing v1.0.0\n",
                ["python", "xla"])
    done = run_setup(tmp_path, GOPROXY="off", GOFLAGS="-mod=mod")
    assert done.returncode == 1
    assert "    modules fetched: 0" in done.stdout
    assert "[5/7]" not in done.stdout, "set-up went on after the failed download"
    assert "example.invalid/nothing@v1.0.0: module lookup disabled by GOPROXY=off" in done.stderr
    assert "setup: go mod download failed (its errors are above)" in done.stderr
    assert "Check the network, or GOPROXY and GOFLAGS, then run scripts/setup again." in done.stderr


def test_a_failed_kernel_registration_stops_setup_once(tmp_path):
    """gonb --install runs once (it used to run a second time, silenced the first), its output shown."""
    venv = lesson_copy(tmp_path, "module lessoncopy\n\ngo 1.27.3\n", ["python", "xla", "gotools"])
    calls = tmp_path / "gonb-calls"
    for tool in ("gopls", "staticcheck", "gotestsum", "gonb"):
        (venv / "bin" / tool).write_text(
            f'#!/bin/sh\necho "$@" >>"{calls}"\necho "gonb: cannot write kernel.json: permission denied" >&2\nexit 1\n')
        (venv / "bin" / tool).chmod(0o755)
    done = run_setup(tmp_path)
    assert done.returncode == 1
    assert calls.read_text() == "--install\n"
    assert "gonb: cannot write kernel.json: permission denied" in done.stderr
    assert f"setup: gonb --install could not register the GoNB kernel in {venv}/share/jupyter" in done.stderr
    assert "[6/7]" not in done.stdout


def test_a_patch_that_does_not_apply_stops_setup_and_keeps_the_built_gonb(tmp_path):
    """A GoNB patch that no longer applies (the pinned GoNB changed under it) stops set-up with its
    name, and the copy of GoNB that the installed kernel was built from is left as it was."""
    venv = lesson_copy(tmp_path, (ROOT / "go.mod").read_text(), ["python", "xla"])
    shutil.copy2(ROOT / "go.sum", tmp_path / "go.sum")
    patch = tmp_path / "tools" / "gonb" / "whole-text-change.patch"
    patch.write_text(patch.read_text().replace("ContentChanges: []lsp.TextDocumentContentChangeEvent{",
                                               "ContentChanges: []lsp.SomethingUpstreamRenamed{"))
    built = (venv / "src" / "gonb" / "go.mod").read_text()
    done = run_setup(tmp_path, GOPROXY="off", GOFLAGS="-mod=mod")
    assert done.returncode == 1
    assert "error: patch failed: internal/goexec/goplsclient/conn.go" in done.stderr
    assert "setup: tools/gonb/whole-text-change.patch does not apply to " in done.stderr
    assert "/github.com/janpfeifer/gonb@v0.11.5 (the error is above)" in done.stderr
    assert "GoNB's version changed; see the patch's first lines." in done.stderr
    assert "[5/7]" not in done.stdout
    assert (venv / "src" / "gonb" / "go.mod").read_text() == built
