"""Interrupting the kernel during training in JupyterLab (Kernel > Interrupt Kernel), then running
the cells below: they work on the last completed epoch and say that training stopped early."""
import re
from pathlib import Path

import pytest
from labdriver import CHROMIUM, ROOT, LabRun, _code_cells, lab_session, read_page, run_menu, wait_until_done

if not Path(CHROMIUM).exists():
    pytest.skip(f"SKIP: no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set LESSON_CHROMIUM)",
                allow_module_level=True)


def test_interrupted_training_keeps_the_last_epoch(tmp_path):
    run = LabRun()
    with lab_session(ROOT / "notebooks" / "mnist_mlp.ipynb", tmp_path, run, LESSON_EPOCHS="100") as page:
        run_menu(page, "Run", "Run All Cells")
        wait_until_done(page, run, 600, until_text="Epoch 2/100")
        run_menu(page, "Kernel", "Interrupt Kernel")
        wait_until_done(page, run, 120)
        read_page(page, run)
        fit_cell = next(i for i, t in enumerate(run.cell_texts) if "Epoch 2/100" in t)
        assert "training stopped, interrupted during epoch" in run.cell_texts[fit_cell], run.cell_texts[fit_cell]
        # Run the curves cell and everything below it.
        _code_cells(page).nth(fit_cell + 1).locator(".jp-InputArea-prompt").click()
        run_menu(page, "Run", "Run Selected Cell and All Below")
        wait_until_done(page, run, 300)
        run.problems, run.cell_texts, run.images = [], [], []
        read_page(page, run)
    below = "\n".join(run.cell_texts[fit_cell + 1:])
    assert "Note: training stopped at epoch" in below and "of 100 (interrupted during epoch" in below, below
    assert "Test accuracy:" in below
    # The note is a warning about the results, written to stderr as a library's warnings are (keras'
    # Model.Log): below the interrupted cell, the only stderr output allowed.
    note = re.compile(r"code cell \d+ shows an error: Note: training stopped at epoch \d+ of 100 \(interrupted")
    others = [p for p in run.problems if not p.startswith(f"code cell {fit_cell + 1} ") and not note.match(p)]
    assert others == [], others
