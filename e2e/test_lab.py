"""The lesson in a real JupyterLab and a real browser, offline: see labdriver.py."""
import json
import os
import re
import struct
from pathlib import Path

import pytest
from labdriver import CHROMIUM, ROOT, assert_korean_is_legible, run_in_lab

OUT = ROOT / "out" / "e2e"
EPOCHS = int(os.environ.get("LESSON_E2E_EPOCHS", "2"))

if not Path(CHROMIUM).exists():
    pytest.skip(f"SKIP: no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set LESSON_CHROMIUM)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def lesson_run():
    return run_in_lab(ROOT / "notebooks" / "mnist_mlp.ipynb", OUT, epochs=EPOCHS)


def cell_with(run, text):
    """The number of the first code cell whose output contains text."""
    for i, t in enumerate(run.cell_texts):
        if text in t:
            return i + 1
    raise AssertionError(f"no cell output contains {text!r}")


def test_runs_in_jupyterlab_with_the_gonb_kernel(lesson_run):
    print(f"JupyterLab run: {lesson_run.seconds:.0f}s, kernel {lesson_run.kernel_name!r}")
    assert "gonb" in lesson_run.kernel_name.lower(), f"kernel shown: {lesson_run.kernel_name!r}"
    assert lesson_run.problems == []


def test_needs_nothing_from_the_internet(lesson_run):
    assert lesson_run.external_requests == [], "requests to other hosts: " + ", ".join(lesson_run.external_requests)


def test_shows_digits_diagram_curves_and_analysis(lesson_run):
    run = lesson_run
    images = {cell: (w, h) for cell, w, h in run.images}
    print("images (cell: width x height):", images)
    assert all(w > 0 and h > 0 for _, w, h in run.images), f"an image did not load: {run.images}"
    digit_cell = cell_with(run, "x_train: uint8 (60000, 28, 28)") + 1
    assert digit_cell in images and digit_cell + 1 in images, "the digit and the 10×10 grid"
    assert any("Total params: 52,650" in t for t in run.svg_texts), "the model diagram"
    # The curves: one output whose picture plotly replaces with two interactive charts.
    assert run.plotly_charts >= 2, f"interactive curves: {run.plotly_charts} plotly charts rendered"
    assert cell_with(run, "test images are right") in images, "the confusion matrix"
    assert cell_with(run, "mistakes; the first") in images, "the mistakes grid"
    assert len(run.images) >= 6, "digit, grid, diagram, confusion matrix, mistakes, prediction"


def test_training_updates_live(lesson_run):
    run = lesson_run
    print(f"live: {run.progress_updates} progress bar states, {run.live_curve_updates} chart states, "
          f"{run.live_curves_at_end} chart(s) at the end")
    assert run.progress_updates >= 2, "the progress bar did not move during training"
    assert run.live_curve_updates >= min(EPOCHS, 2), "the training chart was not redrawn after each epoch"
    assert run.live_curves_at_end == 1, "the training chart should stay, in one place, when training ends"


def test_prints_test_accuracy(lesson_run):
    text = "\n".join(lesson_run.cell_texts)
    m = re.search(r"Test accuracy: ([0-9.]+)", text)
    assert m, "no 'Test accuracy:' line"
    assert float(m.group(1)) >= 0.90


def test_korean_headings_are_legible(lesson_run):
    assert_korean_is_legible(lesson_run.korean)
    assert (OUT / "korean-heading.png").stat().st_size > 1000


def png_size(path):
    """(width, height) from a PNG file's header."""
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


# A picture is not blank when it has at least this many colours and no one colour covers more
# than this share of it. Measured (2 epochs): each figure had 256 to 3,216 colours, its commonest
# covering 25% to 96.6% (the plotly charts, mostly white); the notebook 1,779 to 2,205, 58% to 76%.
MIN_COLOURS, MAX_DOMINANT = 64, 0.98


def test_screenshots_show_the_whole_notebook_and_each_figure(lesson_run):
    """notebook.png is the whole notebook: every cell inside the picture, nothing scrolled away;
    each figure-NN.png is one figure, at its size on the page, not blank."""
    shots = lesson_run.shot_checks
    for s in shots:
        print(f"{Path(s['path']).name}: {png_size(s['path'])} for {s['width']:.0f} x {s['height']:.0f} on the page, "
              f"{s['image']['colours']} colours, the commonest {s['image']['dominant']:.1%}"
              + (f", fits {s['fits']}, cells inside {s['cells']}" if s["what"] == "notebook" else ""))
    assert (OUT / "notebook.png").stat().st_size > 50_000
    assert len(lesson_run.screenshots) >= 8, lesson_run.screenshots
    notebook = next(s for s in shots if s["what"] == "notebook")
    cells = len(json.loads((ROOT / "notebooks" / "mnist_mlp.ipynb").read_text())["cells"])
    assert png_size(notebook["path"]) == (notebook["width"], notebook["height"]), "notebook.png is not the whole page"
    assert notebook["fits"], "the notebook did not fit in the page: notebook.png leaves part of it out"
    assert notebook["cells"] == (cells, cells), f"(cells inside the picture, on the page) should both be {cells}"
    assert notebook["image"]["colours"] >= MIN_COLOURS and notebook["image"]["dominant"] <= MAX_DOMINANT, notebook
    figures = [s for s in shots if s["what"] == "figure"]
    assert len(figures) >= 7, "digit, grid, diagram, live curves, two interactive charts, confusion matrix, mistakes"
    for s in figures:
        width, height = png_size(s["path"])
        # The element's box, rounded out to whole pixels at both edges.
        assert abs(width - s["width"]) < 2 and abs(height - s["height"]) < 2, (
            f"{s['path']} is {width} x {height}, its figure {s['width']} x {s['height']}")
        assert s["image"]["colours"] >= MIN_COLOURS and s["image"]["dominant"] <= MAX_DOMINANT, (
            f"{s['path']} is blank: {s['image']}")


def test_a_broken_cell_fails_and_is_named(tmp_path):
    run = run_in_lab(Path(__file__).parent / "fixtures" / "broken.ipynb", tmp_path, epochs=1, timeout=300, shots=False)
    print("problems reported:", run.problems)
    assert any(p.startswith("code cell 2 ") for p in run.problems), run.problems
    assert not any(p.startswith("code cell 1 ") for p in run.problems), run.problems
