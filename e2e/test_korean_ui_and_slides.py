"""JupyterLab in Korean, and the lesson as slides for the teacher (RISE), in Debian's Chromium:
scripts/lab --lang ko shows JupyterLab's own menus in Korean, drawn without missing-glyph boxes,
with English still one choice away (Settings → Language); the notebook opens as a slideshow, one
slide per step of the original, and a cell runs from its slide. Screenshots: out/e2e/lab-korean.png
and out/e2e/slide.png."""
import json
import re
from pathlib import Path

import pytest
import requests
from labdriver import CHROMIUM, ROOT, LabRun, assert_korean_is_legible, korean_renderings, lab_session

if not Path(CHROMIUM).exists():
    pytest.skip(f"SKIP: no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set LESSON_CHROMIUM)",
                allow_module_level=True)

OUT = ROOT / "out" / "e2e"
NOTEBOOK = ROOT / "notebooks" / "mnist_mlp.ipynb"


@pytest.fixture(scope="module")
def korean_lab():
    run = LabRun()
    with lab_session(NOTEBOOK, OUT / "korean-lab", run, lang="ko", LESSON_EPOCHS="1") as page:
        yield page, run
    assert run.external_requests == [], run.external_requests


def test_jupyterlab_menus_are_in_korean(korean_lab):
    page, _ = korean_lab
    menus = page.locator(".lm-MenuBar-itemLabel").all_inner_texts()
    print("JupyterLab's menus:", menus)
    assert {"파일", "편집", "보기", "실행", "커널", "설정", "도움말"} <= set(menus), menus
    for found in korean_renderings(page, ".lm-MenuBar-itemLabel"):
        assert_korean_is_legible(found)
    page.screenshot(path=str(OUT / "lab-korean.png"))
    # English stays one choice away: Settings → Language lists both.
    lab = page.lab
    languages = requests.get(f"http://127.0.0.1:{lab['port']}/lab/api/translations/",
                             headers={"Authorization": f"token {lab['token']}"}, timeout=30).json()["data"]
    assert {"en", "ko_KR"} <= set(languages), languages


def step_headings():
    """The first line of each slide's first cell, as the notebook's metadata makes the slides."""
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    return [c["source"].splitlines()[0] for c in cells if c["metadata"].get("slideshow", {}).get("slide_type") == "slide"]


def test_the_slideshow_steps_through_the_lesson_and_runs_a_cell(korean_lab):
    page, run = korean_lab
    headings = step_headings()
    assert [h.split(".")[0] for h in headings[1:]] == [f"## {n}" for n in range(8)], headings  # Steps 0 to 7.
    slides = page.context.new_page()
    slides.goto(f"http://127.0.0.1:{page.lab['port']}/rise/{NOTEBOOK.name}?token={page.lab['token']}")
    slides.wait_for_selector(".reveal .slides > section", timeout=120_000)
    assert slides.locator(".reveal .slides > section").count() == len(headings)
    present = ".reveal .slides > section.present"
    for n, heading in enumerate(headings):
        if n:
            slides.keyboard.press("ArrowRight")
        title = re.sub(r"^#+ ", "", heading).strip()
        slides.wait_for_function(
            "([sel, title]) => { const s = document.querySelector(sel); return s && s.innerText.toLowerCase()"
            ".includes(title.toLowerCase()); }", arg=[present, title], timeout=10_000)
        if n == 1:  # Step 0, the libraries: its cell runs from the slide.
            cell = slides.locator(f"{present} .jp-CodeCell").first.element_handle()
            cell.query_selector(".jp-InputArea-editor").click()
            slides.keyboard.press("Control+Enter")
            slides.wait_for_function("c => /Backend: XLA CPU/.test(c.querySelector('.jp-OutputArea')?.innerText || '')",
                                     arg=cell, timeout=180_000)
            print("run from the slide:", cell.query_selector(".jp-OutputArea").inner_text().strip())
            slides.screenshot(path=str(OUT / "slide.png"))
    print(f"stepped through {len(headings)} slides: {[h[:30] for h in headings]}")
