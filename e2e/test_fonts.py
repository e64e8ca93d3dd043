"""The lesson's Korean, as Chromium renders the lesson's own page (the notebook exported to HTML
as scripts/run exports it, with JupyterLab's styles and fonts): with the machine's fonts every
Hangul syllable of every heading, paragraph and list item is drawn; with a font set that has no
CJK font (DejaVu alone) the same page shows missing-glyph boxes, so the check can fail."""
import re
from pathlib import Path

import nbformat
import pytest
from labdriver import CHROMIUM, CHROMIUM_FLAGS, ROOT, korean_renderings
from nbconvert import HTMLExporter
from playwright.sync_api import sync_playwright

if not Path(CHROMIUM).exists():
    pytest.skip(f"SKIP: no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set LESSON_CHROMIUM)",
                allow_module_level=True)

NOTEBOOK = ROOT / "notebooks" / "mnist_mlp.ipynb"
PROSE = ".jp-RenderedMarkdown :is(h1, h2, h3, h4, h5, h6, p, li, td, th)"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
HANGUL = re.compile("[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def lesson_page(tmp_path_factory):
    """The lesson exported to HTML as scripts/execute_notebook.py exports it (no CDN)."""
    html, _ = HTMLExporter(mathjax_url="", require_js_url="").from_notebook_node(nbformat.read(NOTEBOOK, as_version=4))
    page = tmp_path_factory.mktemp("lesson") / "mnist_mlp.html"
    page.write_text(html, encoding="utf-8")
    return page


def korean_in_markdown():
    """The distinct Hangul syllables of the notebook's Markdown cells."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    text = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return set(HANGUL.findall(text))


def render(page_path: Path, fonts_conf=None):
    """korean_renderings() of the page's prose, in Chromium with the machine's fonts or fonts_conf's."""
    env = {"FONTCONFIG_FILE": str(fonts_conf)} if fonts_conf else None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, env=env)
        try:
            page = browser.new_page()
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            return korean_renderings(page, PROSE)
        finally:
            browser.close()


def summary(renderings):
    return [(r["text"][:40], len(r["boxes"]), r["syllables"], r["fonts"]) for r in renderings]


def test_without_a_cjk_font_the_lessons_korean_is_boxes(lesson_page, tmp_path):
    if not DEJAVU.is_dir():
        pytest.skip(f"SKIP: no DejaVu fonts in {DEJAVU} to build a font set without CJK (Debian: fonts-dejavu-core)")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{DEJAVU}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>""")
    found = render(lesson_page, conf)
    print("without CJK fonts (text, boxes, syllables, fonts):", *summary(found[:3]), "...", sep="\n  ")
    assert found, "no element with Hangul on the lesson's page"
    assert all(r["latinDiffers"] for r in found), "the missing-glyph reference drew like a Latin letter"
    drawn = [(r["text"][:40], r["syllables"] - len(r["boxes"])) for r in found if len(r["boxes"]) != r["syllables"]]
    assert drawn == [], f"Hangul drawn with no CJK font: the check cannot tell boxes from glyphs: {drawn}"


def test_with_the_machines_fonts_the_lessons_korean_is_drawn(lesson_page):
    found = render(lesson_page)
    syllables = set().union(*(set(HANGUL.findall(r["text"])) for r in found)) if found else set()
    print(f"with the machine's fonts: {len(found)} elements with Hangul, {len(syllables)} distinct syllables; "
          "(text, boxes, syllables, fonts):", *summary(found[:3]), "...", sep="\n  ")
    assert found, "no element with Hangul on the lesson's page"
    # Every element with Hangul that the notebook's Markdown has is on the page, and checked.
    assert syllables == korean_in_markdown(), f"syllables not on the page: {korean_in_markdown() - syllables}"
    assert all(r["latinDiffers"] for r in found), "the missing-glyph reference drew like a Latin letter"
    boxes = [(r["text"][:40], r["boxes"], r["fonts"]) for r in found if r["boxes"]]
    assert boxes == [], (f"Hangul drawn as missing-glyph boxes in {len(boxes)} of {len(found)} elements "
                         f"(first: {boxes[:3]}): install a CJK font (Debian: apt-get install fonts-noto-cjk)")
