"""The Korean check of the browser tests can fail: on a machine without a CJK font (Chromium
given a font configuration with DejaVu alone), it finds the missing-glyph boxes."""
from pathlib import Path

import pytest
from labdriver import CHROMIUM, CHROMIUM_FLAGS, korean_rendering
from playwright.sync_api import sync_playwright

if not Path(CHROMIUM).exists():
    pytest.skip(f"SKIP: no Chromium at {CHROMIUM} (Debian: apt-get install chromium; or set LESSON_CHROMIUM)",
                allow_module_level=True)

PAGE = "<html lang='ko'><body><h1>MNIST 손글씨 숫자 분류 / Handwritten digits</h1></body></html>"
DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


def render(tmp_path, fonts_conf=None):
    env = {"FONTCONFIG_FILE": str(fonts_conf)} if fonts_conf else None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS, env=env)
        try:
            page = browser.new_page()
            page.set_content(PAGE)
            return korean_rendering(page, "h1")
        finally:
            browser.close()


def test_without_a_cjk_font_hangul_is_boxes(tmp_path):
    if not DEJAVU.is_dir():
        pytest.skip(f"SKIP: no DejaVu fonts in {DEJAVU} to build a font set without CJK (Debian: fonts-dejavu-core)")
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"""<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>{DEJAVU}</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>""")
    korean = render(tmp_path, conf)
    print("without CJK fonts:", korean)
    assert korean["syllables"] == 7
    assert len(korean["boxes"]) == 7, korean


def test_with_the_machines_fonts_hangul_is_drawn(tmp_path):
    korean = render(tmp_path)
    print("with the machine's fonts:", korean)
    assert korean["syllables"] == 7 and korean["boxes"] == [], (
        f"Hangul drawn as boxes with fonts {korean['fonts']}: install a CJK font (Debian: apt-get install fonts-noto-cjk)")
