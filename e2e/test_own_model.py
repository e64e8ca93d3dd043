"""Each notebook keeps its own trained model: a student duplicates the lesson, widens the first
layer of the copy to Dense(128) and trains it; the original's cells still evaluate the
original's model. A model whose layers differ from the saved one is refused with one sentence.
The notebooks run headless through the GoNB kernel (scripts/execute_notebook.py, which names the
notebook to the kernel in JPY_SESSION_NAME, as JupyterLab does), 1 epoch each."""
import os
import re
import shutil
import subprocess

import nbformat
import pytest
from labdriver import ROOT

EXECUTE = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "execute_notebook.py")]
LESSON = ROOT / "notebooks" / "mnist_mlp.ipynb"


def variant(src, dest, first_units=None, train=True):
    """Writes a copy of the lesson to dest, with another first layer and/or no training cell."""
    nb = nbformat.read(src, as_version=4)
    if first_units:
        cell = next(c for c in nb.cells if "keras.Sequential(" in c.source)
        assert cell.source.count("keras.Dense(64)") == 1
        cell.source = cell.source.replace("keras.Dense(64)", f"keras.Dense({first_units})")
    if not train:
        nb.cells = [c for c in nb.cells if ".Fit(" not in c.source]
    nbformat.write(nb, dest)
    return dest


def execute(notebook, out):
    done = subprocess.run(EXECUTE + [str(notebook), str(out)], env=dict(os.environ, LESSON_EPOCHS="1"),
                          capture_output=True, text=True, timeout=900)
    return done.returncode, done.stdout + done.stderr


def accuracy(output):
    m = re.search(r"^Test accuracy: ([0-9.]+)$", output, re.M)
    assert m, output[-2000:]
    return float(m.group(1))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A student's folder after: train the lesson, duplicate it, widen and train the copy."""
    work = tmp_path_factory.mktemp("student folder")
    original = shutil.copy(LESSON, work / "mnist_mlp.ipynb")
    status, first = execute(original, work / "out-1")
    assert status == 0, first[-3000:]
    copy = variant(original, work / "mnist_mlp-Copy1.ipynb", first_units=128)
    status, wide = execute(copy, work / "out-2")
    assert status == 0, wide[-3000:]
    return work, first, wide


def test_the_copy_trains_its_own_model(folder):
    work, first, wide = folder
    assert "Total params: 104,938" in wide and "Total params: 52,650" in first
    assert (work / "mnist_mlp_model").is_dir() and (work / "mnist_mlp-Copy1_model").is_dir()
    assert not (work / "mnist_mlp_model.previous").exists(), "the copy's training moved the original's model aside"


def test_the_original_still_evaluates_its_own_model(folder):
    work, first, _ = folder
    again = variant(work / "mnist_mlp.ipynb", work / "mnist_mlp.ipynb", train=False)  # Its cells after training.
    status, output = execute(again, work / "out-3")
    assert status == 0, output[-3000:]
    assert accuracy(output) == accuracy(first), "the original's results changed"


def test_a_model_with_other_layers_is_refused_in_one_sentence(folder):
    work, _, _ = folder
    # The copy's model cell changed again (Dense(256)), but not trained: its evaluate cell stops.
    changed = variant(work / "mnist_mlp-Copy1.ipynb", work / "mnist_mlp-Copy1.ipynb", first_units=None, train=False)
    nb = nbformat.read(changed, as_version=4)
    cell = next(c for c in nb.cells if "keras.Sequential(" in c.source)
    cell.source = cell.source.replace("keras.Dense(128)", "keras.Dense(256)")
    nbformat.write(nb, changed)
    status, output = execute(changed, work / "out-4")
    assert status == 1
    sentence = ("has layers 784 → 128 (relu) → 32 (relu) → 10 (softmax), but this model has "
                "784 → 256 (relu) → 32 (relu) → 10 (softmax): run the training cell (model.Fit) to train this one")
    assert sentence in output, output[-3000:]
    assert "panic" not in output and "goroutine" not in output, "a Go panic reached the student"
