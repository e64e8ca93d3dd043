"""GoNB is built from the pinned version plus the patches tools/gonb/series names (each one's first
lines say why). These fail when the pinned GoNB changes and a patch no longer applies or is no
longer needed, when set-up's GoNB is not the patched one, and when the patched kernel does not do
what the patches promise: a cell sent after a Tab is not held by it, a go.work changed by a cell
after a Tab still works in gopls, and a file changed in a folder the kernel tracks is seen by the
next completion."""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from kernel_reply import read_reply  # noqa: E402 (scripts/ is not a package)

PATCHES = ROOT / "tools" / "gonb"
SERIES = [line for line in (PATCHES / "series").read_text().splitlines() if line and not line.startswith("#")]
GONB = "github.com/janpfeifer/gonb"
ENV = dict(os.environ, GOTOOLCHAIN="go1.27.3")

# Text of the pinned GoNB that each patch changes: while it is there, the patch is still needed.
STILL_NEEDED = {
    "connect-poll.patch": [  # Waits 12 s before it first connects to gopls, and between checks.
        ("internal/goexec/goplsclient/exec.go", "case <-time.After(ConnectTimeout):"),
        ("internal/goexec/goplsclient/exec.go", "<-time.After(ConnectTimeout)\n\t\tc.mu.Lock()"),
    ],
    "track-without-opening.patch": [  # Marks every file of a tracked folder as changed.
        ("internal/goexec/tracking.go", 'klog.V(2).Infof("tracking %q: added file for update %q", fileOrDirPath, path)'),
    ],
    "cell-cancels-completion.patch": [  # A completion cannot be cancelled.
        ("internal/goexec/inspect.go", "ctx := context.Background()\n\terr = s.notifyAboutStandardAndTrackedFiles(ctx)"),
    ],
    "whole-text-change.patch": [  # A change is sent with a range (0:0, empty): gopls inserts it.
        ("internal/goexec/goplsclient/conn.go", "ContentChanges: []lsp.TextDocumentContentChangeEvent{"),
    ],
}
# Text each patch leaves.
APPLIED = {
    "connect-poll.patch": [("internal/goexec/goplsclient/conn.go", "ConnectPollInterval = 250 * time.Millisecond")],
    "track-without-opening.patch": [("internal/goexec/tracking.go", "Only changes from now on are told to gopls")],
    "cell-cancels-completion.patch": [("internal/dispatcher/dispatcher.go", "completionCancel.Load()")],
    "whole-text-change.patch": [("internal/goexec/goplsclient/conn.go", "ContentChanges: []wholeText{{Text: fileData.Content}}")],
}


def go(*args, cwd=ROOT):
    return subprocess.run(["go", *args], cwd=cwd, env=ENV, capture_output=True, text=True, check=True).stdout.strip()


def pinned(go_mod: Path):
    return re.search(rf"^\s*{re.escape(GONB)} (v\S+)", go_mod.read_text(), re.M).group(1)


def test_the_series_names_every_patch_once():
    assert sorted(SERIES) == sorted(p.name for p in PATCHES.glob("*.patch")), "tools/gonb/series and its folder differ"
    assert len(set(SERIES)) == len(SERIES)
    assert set(SERIES) == set(STILL_NEEDED) == set(APPLIED), "a patch without its checks here"


def test_one_gonb_version_everywhere():
    """The lesson's go.mod (whose go.sum verifies the copy that is patched), tools/go.mod (which
    builds the kernel) and each patch's first line name the same GoNB."""
    version = pinned(ROOT / "go.mod")
    assert pinned(ROOT / "tools" / "go.mod") == version
    assert f"replace {GONB} {version} => ../.venv/src/gonb" in (ROOT / "tools" / "go.mod").read_text()
    for name in SERIES:
        assert (PATCHES / name).read_text().startswith(f"GoNB {version}:"), f"{name}'s first line names another GoNB"


def test_the_patches_apply_in_order_and_are_still_needed(tmp_path):
    source = Path(go("list", "-m", "-f", "{{.Dir}}", GONB))
    copy = tmp_path / "gonb"
    shutil.copytree(source, copy)
    for path in copy.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    for name in SERIES:
        for file, text in STILL_NEEDED[name]:
            assert text in (source / file).read_text(), \
                f"GoNB {source.name} no longer has {file}'s {text!r}: check whether tools/gonb/{name} is still needed"
    for name in SERIES:
        # Applied as set-up applies it: outside any git repository.
        done = subprocess.run(["git", "apply", "--verbose", str(PATCHES / name)], cwd=copy, capture_output=True,
                              text=True, env=dict(os.environ, GIT_CEILING_DIRECTORIES=str(tmp_path)))
        assert done.returncode == 0, f"{name} does not apply to {source} after the patches before it: {done.stderr}"
        files = (PATCHES / name).read_text().count("\ndiff --git ")
        assert done.stderr.count("Applied patch") == files, done.stderr
        for file, text in APPLIED[name]:
            assert text in (copy / file).read_text(), f"{name} left {file} without {text!r}"
    assert "time.After(ConnectTimeout)" not in (copy / "internal/goexec/goplsclient/exec.go").read_text()


def test_the_kernel_is_the_patched_gonb():
    gonb = ROOT / ".venv" / "bin" / "gonb"
    if not gonb.exists():
        pytest.skip(f"SKIP: no {gonb}: run scripts/setup (scripts/test does)")
    info = go("version", "-m", str(gonb))
    assert re.search(r"=>\s+\.\./\.venv/src/gonb", info), info
    symbols = go("tool", "nm", str(gonb))
    assert "goplsclient.ConnectPollInterval" in symbols
    assert "dispatcher.completionCancel" in symbols


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    """The lesson's GoNB kernel, as set-up registered it, in a folder of its own."""
    if not (ROOT / ".venv" / "bin" / "gonb").exists():
        pytest.skip("SKIP: no .venv/bin/gonb: run scripts/setup (scripts/test does)")
    work = tmp_path_factory.mktemp("gonb-patch")
    km = KernelManager(kernel_name="gonb")
    km.start_kernel(cwd=str(work), env=dict(os.environ, LESSON_EPOCHS="1"))
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=120)
        yield client
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def run(client, code):
    """Runs code; returns its stdout, failing on any error."""
    msg_id = client.execute(code, store_history=True)
    out, errors = read_reply(iter(lambda: client.get_iopub_msg(timeout=120), None), msg_id)
    assert not errors, errors
    return out


def reply(client, msg_id):
    """The shell reply to request msg_id (replies to other requests are skipped)."""
    while True:
        msg = client.get_shell_msg(timeout=120)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


def complete(client, code):
    return reply(client, client.complete(code, len(code)))


LESSON_IMPORT = 'import "mnistlesson/pkg/mnist"\n\n%%\nmnist.Lo'


def test_a_cell_sent_after_a_tab_cancels_it(kernel):
    """A Tab then, at once, a cell: the cell runs and the Tab's answer is empty, not an error (the
    cell did not wait for gopls). A Tab asked with nothing behind it answers in full."""
    assert run(kernel, '%%\nfmt.Println("first")') == "first\n"
    tab = kernel.complete(LESSON_IMPORT, len(LESSON_IMPORT))
    assert run(kernel, '%%\nfmt.Println("ran")') == "ran\n"
    early = reply(kernel, tab)
    assert early["status"] == "ok" and early["matches"] == [], early
    assert "LoadData" in complete(kernel, LESSON_IMPORT)["matches"]


def test_a_tab_queued_behind_a_cell_and_before_another_answers_at_once_with_nothing(kernel):
    busy = kernel.execute('%%\ntime.Sleep(500 * time.Millisecond)')
    tab = kernel.complete(LESSON_IMPORT, len(LESSON_IMPORT))
    assert run(kernel, '%%\nfmt.Println("next")') == "next\n"
    assert reply(kernel, busy)["status"] == "ok"
    queued = reply(kernel, tab)
    assert queued["status"] == "ok" and queued["matches"] == [], queued


def test_a_file_written_in_a_tracked_folder_is_completed(kernel, tmp_path):
    """A cell adds a module to the kernel's go.work after earlier Tabs (whole-text-change.patch: the
    change used to be inserted before go.work's old text in gopls, which then found no package).
    GoNB then tracks the module's folder and tells gopls only of files that change there
    (track-without-opening.patch): a file written after tracking began must still reach gopls."""
    module = tmp_path / "probe"
    module.mkdir()
    (module / "go.mod").write_text("module example.com/probe\n\ngo 1.27\n")
    (module / "old.go").write_text("package probe\n\n// Old is there from the start.\nfunc Old() {}\n")
    run(kernel, f"!*go work use {module}")
    code = 'import "example.com/probe"\n\n%%\nprobe.'
    assert complete(kernel, code)["matches"] == ["Old"]
    (module / "later.go").write_text("package probe\n\n// Later is written once the folder is tracked.\nfunc Later() {}\n")
    deadline = time.time() + 30
    while "Later" not in (matches := complete(kernel, code)["matches"]) and time.time() < deadline:
        time.sleep(0.2)  # The watcher's event reaches GoNB a moment after the write.
    assert matches == ["Later", "Old"]
