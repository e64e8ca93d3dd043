"""Runs a notebook in the project's real JupyterLab, driven by Debian's Chromium through
Playwright, the way a student would: open it, check the GoNB kernel, Run All, wait, then read the
page. Any request to a host other than this machine is blocked and reported."""
import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("LESSON_CHROMIUM", "/usr/bin/chromium")
# Chromium's own network features off, so any request left is the page's own.
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-default-apps", "--disable-extensions", "--disable-domain-reliability",
    "--no-default-browser-check", "--metrics-recording-only", "--disable-breakpad",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
# The source of SVG pictures shown as <img src="data:image/svg+xml...">, which is how JupyterLab
# and nbconvert show an image/svg+xml output.
SVG_IMAGE_TEXTS = """els => els.filter(e => e.src.startsWith('data:image/svg+xml')).map(e => {
    const data = e.src.slice(e.src.indexOf(',') + 1);
    return e.src.includes(';base64,') ? atob(data) : decodeURIComponent(data);
})"""


@dataclass
class LabRun:
    """What the browser saw."""
    problems: list = field(default_factory=list)   # Errors, each naming its cell.
    external_requests: list = field(default_factory=list)
    kernel_name: str = ""
    cell_texts: list = field(default_factory=list)  # Output text of each code cell.
    images: list = field(default_factory=list)      # (code cell number, natural width, natural height).
    svg_texts: list = field(default_factory=list)
    plotly_charts: int = 0
    live_curve_updates: int = 0                     # Distinct live chart images seen during training.
    progress_updates: int = 0                       # Distinct states of the progress bar seen.
    live_curves_at_end: int = 0                     # Live training charts shown when all is done.
    screenshots: list = field(default_factory=list)
    korean: dict = field(default_factory=dict)      # How the first Korean heading rendered: korean_rendering().
    seconds: float = 0.0


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"JupyterLab did not answer {url} within {timeout}s")


def _code_cells(page):
    return page.locator(".jp-Notebook .jp-CodeCell")


def _prompts(page):
    return page.eval_on_selector_all(
        ".jp-Notebook .jp-CodeCell .jp-InputArea-prompt", "els => els.map(e => e.textContent.trim())")


@contextlib.contextmanager
def lab_server(root: Path, log_path: Path, **env):
    """Starts scripts/lab on root (a free port, a fresh token) and yields (port, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    with open(log_path, "w") as log:
        lab = subprocess.Popen(
            [str(ROOT / "scripts" / "lab"), "--no-browser", f"--port={port}", f"--IdentityProvider.token={token}"],
            env=dict(os.environ, LESSON_LAB_DIR=str(root), **env), stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)
        try:
            _wait_http(f"http://127.0.0.1:{port}/api/status?token={token}", 120)
            yield port, token
        finally:
            os.killpg(lab.pid, 15)
            lab.wait(timeout=30)


def run_in_lab(notebook: Path, out_dir: Path, epochs: int = 2, timeout: float = 900, shots: bool = True) -> LabRun:
    """Executes notebook (a copy of it) in JupyterLab with Chromium; screenshots go to out_dir."""
    started = time.time()
    run = LabRun()
    with lab_session(notebook, out_dir, run, LESSON_EPOCHS=str(epochs)) as page:
        run_menu(page, "Run", "Run All Cells")
        wait_until_done(page, run, timeout)
        read_page(page, run)
        run.korean = korean_rendering(page, ".jp-RenderedMarkdown h1", out_dir / "korean-heading.png" if shots else None)
        if shots:
            _screenshots(page, out_dir, run)
    run.seconds = time.time() - started
    return run


@contextlib.contextmanager
def lab_session(notebook: Path, out_dir: Path, run: LabRun, **env):
    """JupyterLab on a copy of notebook, opened in Chromium with every request to another host
    blocked and listed in run.external_requests; yields the page once the GoNB kernel is there."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / "lab-root"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    shutil.copy(notebook, work / notebook.name)
    with lab_server(work, out_dir / "lab.log", **env) as (port, token), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: _guard(route, run, allow_files=False))
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}")
        page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=120_000)
        try:
            page.wait_for_function(
                "() => /gonb/i.test(document.querySelector("
                "'.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName')?.textContent || '')", timeout=120_000)
        except PlaywrightTimeout:
            pass  # The test reports the kernel name it found.
        run.kernel_name = page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName").first.inner_text().strip()
        # GoNB reports no status until it first runs something, so the indicator stays
        # "Unknown": give the kernel's connection a moment instead of waiting for "idle".
        page.wait_for_timeout(3000)
        page.evaluate(WATCH_LIVE_OUTPUTS)
        try:
            yield page
        finally:
            browser.close()


def _guard(route, run: LabRun, allow_files: bool):
    url = route.request.url
    if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS or \
            (allow_files and url.startswith("file:")):
        route.continue_()
    else:
        run.external_requests.append(url)
        route.abort()


def run_menu(page, menu: str, item: str):
    """Clicks menu > item in JupyterLab's menu bar, as a student would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


# Records every state of the live training chart and progress bar as the page changes, so that
# quick epochs are not missed between two polls.
WATCH_LIVE_OUTPUTS = """() => {
    window.__live = {curves: new Set(), progress: new Set()};
    const record = () => {
        document.querySelectorAll("img[alt='training curves']").forEach(
            e => window.__live.curves.add(e.src.length + ':' + e.src.slice(-64)));
        document.querySelectorAll('.jp-OutputArea-output progress').forEach(
            e => window.__live.progress.add(e.parentElement.textContent));
    };
    new MutationObserver(record).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def wait_until_done(page, run: LabRun, timeout: float, until_text: str = ""):
    """Waits until no cell is running or queued (or, with until_text, until an output shows it),
    then reads how many states of the live progress bar and training chart the page has shown."""
    deadline = time.time() + timeout
    page.wait_for_timeout(2000)
    while True:
        if until_text:
            texts = page.locator(".jp-OutputArea-output").evaluate_all("els => els.map(e => e.textContent)")
            if any(until_text in t for t in texts):
                break
        else:
            prompts = _prompts(page)
            if prompts and not any("*" in pr for pr in prompts):
                break
        if time.time() > deadline:
            run.problems.append(f"timed out after {timeout:.0f}s waiting for {until_text or 'the cells to finish'}")
            break
        page.wait_for_timeout(1000)
    page.wait_for_timeout(1500)  # Let the last outputs (plotly charts) render.
    run.live_curve_updates, run.progress_updates = page.evaluate(
        "() => [window.__live.curves.size, window.__live.progress.size]")


@contextlib.contextmanager
def open_offline(html: Path, run: LabRun):
    """Opens a saved HTML page from disk in Chromium, every other request blocked; yields the page."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: _guard(route, run, allow_files=True))
        page = context.new_page()
        page.goto(html.resolve().as_uri())
        page.wait_for_load_state("load")
        try:
            yield page
        finally:
            browser.close()


def read_page(page, run: LabRun):
    cells = _code_cells(page)
    prompts = _prompts(page)
    for i in range(cells.count()):
        n = i + 1
        cell = cells.nth(i)
        outputs = cell.locator(".jp-OutputArea-output")
        # textContent, not innerText: cells scrolled out of view are not rendered.
        text = outputs.evaluate_all("els => els.map(e => e.textContent)")
        run.cell_texts.append("\n".join(text))
        if i < len(prompts) and not re.match(r"\[\d+\]", prompts[i]):
            run.problems.append(f"code cell {n} did not run (prompt {prompts[i]!r})")
        err = cell.locator("[data-mime-type='application/vnd.jupyter.stderr'], .gonb-err-location")
        for k in range(err.count()):
            msg = err.nth(k).text_content().strip()
            if msg:
                run.problems.append(f"code cell {n} shows an error: {msg[:300]}")
        for w, h in cell.locator(".jp-OutputArea-output img").evaluate_all(
                "els => els.map(e => [e.naturalWidth, e.naturalHeight])"):
            run.images.append((n, w, h))
        run.svg_texts += cell.locator(".jp-OutputArea-output svg").evaluate_all("els => els.map(e => e.textContent)")
        run.svg_texts += cell.locator(".jp-OutputArea-output img").evaluate_all(SVG_IMAGE_TEXTS)
        run.plotly_charts += cell.locator(".js-plotly-plot").count()
        run.live_curves_at_end += cell.locator("img[alt='training curves']").count()


# Draws each Hangul syllable of an element in the element's own font, and a code point that no
# font has (U+0378, unassigned): a syllable drawn exactly like it is a missing-glyph box.
HANGUL_TOFU = """el => {
    const s = getComputedStyle(el);
    const font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 96;
    const ctx = canvas.getContext('2d');
    const draw = ch => {
        ctx.clearRect(0, 0, 96, 96);
        ctx.font = font;
        ctx.fillText(ch, 8, 64);
        return ctx.getImageData(0, 0, 96, 96).data.join(',');
    };
    const missing = draw('\\u0378');
    const hangul = [...new Set(el.textContent.match(/[\\uac00-\\ud7a3]/g) || [])];
    return {text: el.textContent.trim(), font, syllables: hangul.length,
            boxes: hangul.filter(ch => draw(ch) === missing), latinDiffers: draw('A') !== missing};
}"""


def korean_rendering(page, selector: str, shot=None) -> dict:
    """How the first element matching selector that contains Hangul renders: its text, the
    Hangul syllables drawn as missing-glyph boxes ("boxes"), and the fonts Chromium used for it
    ("fonts": family -> glyphs drawn, from DevTools' CSS.getPlatformFontsForNode)."""
    headings = page.locator(selector).filter(has_text=re.compile("[\uac00-\ud7a3]"))
    if headings.count() == 0:
        return {"text": "", "syllables": 0, "boxes": [], "fonts": {}, "latinDiffers": False}
    heading = headings.first
    heading.scroll_into_view_if_needed()
    found = heading.evaluate(HANGUL_TOFU)
    heading.evaluate("el => el.setAttribute('data-korean-check', '')")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-korean-check]"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    found["fonts"] = {f["familyName"]: f["glyphCount"] for f in fonts}
    cdp.detach()
    if shot:
        heading.screenshot(path=str(shot))
    return found


def assert_korean_is_legible(korean):
    print(f"Korean heading {korean['text']!r}: {korean['syllables']} syllables, fonts {korean['fonts']}")
    assert korean["syllables"] > 0, "no heading with Hangul found on the page"
    assert korean["latinDiffers"], "the missing-glyph reference drew like a Latin letter: the check cannot tell"
    assert korean["boxes"] == [], (
        f"{len(korean['boxes'])} of {korean['syllables']} Hangul syllables render as missing-glyph boxes "
        f"(fonts used: {korean['fonts']}): install a CJK font (Debian: apt-get install fonts-noto-cjk)")


def _screenshots(page, out_dir: Path, run: LabRun):
    """The whole notebook (the page made as tall as the notebook), then each figure."""
    height = page.evaluate("() => document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer').scrollHeight")
    page.set_viewport_size({"width": 1280, "height": min(max(900, int(height) + 200), 30000)})
    page.evaluate("() => { document.querySelector('.jp-NotebookPanel .jp-WindowedPanel-outer').scrollTop = 0; }")
    page.wait_for_timeout(2000)
    whole = out_dir / "notebook.png"
    page.screenshot(path=str(whole), full_page=True)
    run.screenshots.append(whole)
    figures = page.locator(".jp-OutputArea-output img, .jp-OutputArea-output svg:not(.js-plotly-plot svg), "
                           ".jp-OutputArea-output .js-plotly-plot")
    for k in range(figures.count()):
        fig = figures.nth(k)
        if not fig.is_visible():
            continue
        path = out_dir / f"figure-{k + 1:02d}.png"
        fig.scroll_into_view_if_needed()
        fig.screenshot(path=str(path))
        run.screenshots.append(path)
