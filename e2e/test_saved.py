"""What a student or teacher sees without running anything: the HTML export opened from disk
with the network off, and the executed notebook reopened in JupyterLab."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from labdriver import (
    CHROMIUM,
    ROOT,
    SVG_IMAGE_TEXTS,
    LabRun,
    assert_korean_is_legible,
    korean_rendering,
    lab_session,
    open_offline,
    read_page,
)

if not Path(CHROMIUM).exists():
    pytest.skip(f"SKIP: no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set LESSON_CHROMIUM)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def executed(tmp_path_factory):
    """The notebook executed headless (1 epoch) by the same script as scripts/run. scripts/test
    has the Go notebook test write its run to $LESSON_EXECUTED_DIR (the same script, 1 epoch);
    when that run is there it is copied, else the notebook is executed here."""
    out = tmp_path_factory.mktemp("executed")
    shared = Path(os.environ.get("LESSON_EXECUTED_DIR", "/nonexistent"))
    names = ("mnist_mlp.ipynb", "mnist_mlp.html")
    if os.environ.get("LESSON_EPOCHS", "1") == "1" and all((shared / name).is_file() for name in names):
        for name in names:
            shutil.copy(shared / name, out / name)
        print(f"reusing the notebook executed by the Go test in {shared}")
        return out
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "execute_notebook.py"),
                    str(ROOT / "notebooks" / "mnist_mlp.ipynb"), str(out)],
                   env={**os.environ, "LESSON_EPOCHS": "1"}, check=True, capture_output=True)
    return out


def figures(page):
    """(loaded images, images, SVG texts) on the page."""
    sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.naturalWidth, e.complete])")
    svgs = page.eval_on_selector_all("svg", "els => els.map(e => e.textContent)")
    svgs += page.eval_on_selector_all("img", SVG_IMAGE_TEXTS)
    return sum(1 for w, done in sizes if w > 0 and done), len(sizes), svgs


def test_html_export_shows_everything_offline(executed):
    run = LabRun()
    with open_offline(executed / "mnist_mlp.html", run) as page:
        page.wait_for_timeout(1000)
        loaded, total, svgs = figures(page)
        text = page.inner_text("body")
        korean = korean_rendering(page, "h1")
        page.screenshot(path=str(ROOT / "out" / "e2e" / "html-export.png"), full_page=True)
    print(f"HTML export: {loaded}/{total} images loaded; external requests blocked: {run.external_requests}")
    assert loaded >= 7 and loaded == total, "digit, grid, diagram, curves, confusion matrix, mistakes, prediction"
    assert any("Total params: 52,650" in t for t in svgs), "the model diagram"
    assert "Test accuracy:" in text
    assert run.external_requests == [], run.external_requests
    assert_korean_is_legible(korean)


def test_saved_notebook_reopens_with_its_pictures(executed, tmp_path):
    run = LabRun()
    with lab_session(executed / "mnist_mlp.ipynb", tmp_path, run) as page:
        page.wait_for_timeout(2000)
        read_page(page, run)
    widths = [w for _, w, _ in run.images]
    # Reopened untrusted, the diagram shows as its PNG twin: 7 pictures in all.
    assert len(widths) >= 7 and all(w > 0 for w in widths), run.images
    assert any("Test accuracy:" in t for t in run.cell_texts)
    assert run.external_requests == []
