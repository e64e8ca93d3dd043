"""Runs a notebook in the project's real JupyterLab, driven by Debian's Chromium through
Playwright, the way a student would: open it, check the GoNB kernel, Run All, wait, then read the
page. Any request to a host other than this machine is blocked and reported.

Every wait is on an event: a server's answer, the kernel's websocket, or what the page shows
(prompts, outputs, images decoded, charts drawn); none is a fixed time."""
import base64
import contextlib
import json
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
from playwright.sync_api import expect, sync_playwright

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
    # What each screenshot shows: {"path", "what" ("notebook" or "figure"), "width", "height" (the
    # element's box on the page), "image" (the PNG's size and colours: png_stats())}; for the
    # notebook also "cells" (cells on the page / in the notebook) and "fits" (no part scrolled away).
    shot_checks: list = field(default_factory=list)
    korean: dict = field(default_factory=dict)      # How the first Korean heading rendered: korean_rendering().
    seconds: float = 0.0


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url, timeout):
    """Waits for the server to answer url with 200, asking every 0.2 s until timeout."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)  # Poll interval: a server that is not listening yet sends no event to wait on.
    raise TimeoutError(f"JupyterLab did not answer {url} within {timeout}s")


def _code_cells(page):
    return page.locator(".jp-Notebook .jp-CodeCell")


PROMPTS = ".jp-Notebook .jp-CodeCell .jp-InputArea-prompt"


def _prompts(page):
    return page.eval_on_selector_all(PROMPTS, "els => els.map(e => e.textContent.trim())")


class KernelSocket:
    """Watches the page's websocket to its kernel (api/kernels/ID/channels): JupyterLab asks the
    kernel for its kernel_info when it connects, and the reply is the sign that the kernel is
    connected and answering. Made before the page opens, so that no frame is missed."""

    def __init__(self, page):
        self.socket, self.answered = None, False
        page.on("websocket", self._opened)

    @staticmethod
    def _is_kernel(ws):
        return "/api/kernels/" in ws.url and "/channels" in ws.url

    @staticmethod
    def _is_info_reply(payload):
        return b'"kernel_info_reply"' in (payload if isinstance(payload, bytes) else payload.encode())

    def _opened(self, ws):
        if self._is_kernel(ws):
            self.socket = ws
            ws.on("framereceived", lambda payload: self._frame(payload))

    def _frame(self, payload):
        self.answered = self.answered or self._is_info_reply(payload)

    def wait(self, page, timeout_ms):
        """Returns once the kernel has answered JupyterLab's kernel_info_request. (Events reach
        the handlers above only inside Playwright's calls, so nothing slips in between a check
        and the wait that follows it.)"""
        if self.socket is None:
            page.wait_for_event("websocket", self._is_kernel, timeout=timeout_ms)
        if not self.answered:
            self.socket.wait_for_event("framereceived", self._is_info_reply, timeout=timeout_ms)
            self.answered = True


@contextlib.contextmanager
def lab_server(root: Path, log_path: Path, lang: str = "en", **env):
    """Starts scripts/lab on root (a free port, a fresh token), its menus in lang (ko or en), and
    yields (port, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    with open(log_path, "w") as log:
        lab = subprocess.Popen(
            [str(ROOT / "scripts" / "lab"), "--lang", lang, "--no-browser", f"--port={port}",
             f"--IdentityProvider.token={token}"],
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
def lab_session(notebook: Path, out_dir: Path, run: LabRun, lang: str = "en", **env):
    """JupyterLab on a copy of notebook, its menus in lang, opened in Chromium with every request
    to another host blocked and listed in run.external_requests; yields the page once the GoNB
    kernel is there (page.lab: the server's port and token)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir / "lab-root"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    shutil.copy(notebook, work / notebook.name)
    with lab_server(work, out_dir / "lab.log", lang, **env) as (port, token), sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: _guard(route, run, allow_files=False))
        page = context.new_page()
        page.lab = {"port": port, "token": token}
        kernel = KernelSocket(page)
        page.goto(f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}")
        # Every cell of the notebook on the page.
        cells = len(json.loads(notebook.read_text())["cells"])
        expect(page.locator(".jp-Notebook .jp-Cell")).to_have_count(cells, timeout=120_000)
        try:
            page.wait_for_function(
                "() => /gonb/i.test(document.querySelector("
                "'.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName')?.textContent || '')", timeout=120_000)
        except PlaywrightTimeout:
            pass  # The test reports the kernel name it found.
        run.kernel_name = page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName").first.inner_text().strip()
        # GoNB reports no status until it first runs something (the indicator stays "Unknown"),
        # so the sign that the kernel is connected is its reply on the websocket.
        kernel.wait(page, 120_000)
        page.evaluate(WATCH_LIVE_OUTPUTS)
        # Saved outputs: every picture decoded, every chart drawn.
        page.wait_for_function(OUTPUTS_DRAWN, timeout=60_000)
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


# The menu items the tests click, by JupyterLab's command: the same in every language of its
# interface (the class hub's JupyterLab is in Korean).
MENU_COMMANDS = {
    ("Run", "Run All Cells"): "runmenu:run-all",
    ("Run", "Run Selected Cell and All Below"): "notebook:run-all-below",
    ("Kernel", "Interrupt Kernel"): "kernelmenu:interrupt",
}


def run_menu(page, menu: str, item: str, timeout_s: float = 60):
    """Clicks menu > item in JupyterLab's menu bar, as a student would, in whatever language the
    menus are: the menu is the one of the bar's whose list holds the item's command. Each menu is
    read once it has opened; the bar is read again until timeout_s, since JupyterLab's plugins
    may still be adding their items to the menus just after the page has loaded (a fresh clone's
    first start)."""
    command = MENU_COMMANDS[(menu, item)]
    bar = page.locator(".lm-MenuBar-item")
    expect(bar.first).to_be_visible(timeout=60_000)
    opened = page.locator(".lm-Menu.lm-MenuBar-menu")
    target = page.locator(f'.lm-Menu .lm-Menu-item[data-command="{command}"]')
    deadline = time.monotonic() + timeout_s
    while True:
        for i in range(bar.count()):
            bar.nth(i).click()
            try:
                opened.first.wait_for(state="visible", timeout=2_000)
            except PlaywrightTimeout:
                continue   # The click closed the menu left open (Escape does not close it): the next pass reopens it.
            if target.count() and target.first.is_visible():
                target.first.click()
                return
            page.keyboard.press("Escape")
        if time.monotonic() > deadline:
            raise AssertionError(f"no menu of JupyterLab's menu bar holds {menu} > {item} ({command}) "
                                 f"after {timeout_s:.0f} s")
        page.wait_for_timeout(500)   # Before reading the bar again: let the plugins add their items.


# Records, as the page changes: every state of the live training chart and progress bar, so that
# quick epochs are not missed between two polls; whether a cell has been running or queued (its
# prompt "[*]") since the last wait_until_done, so that a run that starts late, or ends before
# the wait begins, is neither missed nor taken for done; and which scripts that outputs added
# (plotly.js) have loaded or failed.
WATCH_LIVE_OUTPUTS = """() => {
    const running = () => [...document.querySelectorAll('""" + PROMPTS + """')].some(
        e => e.textContent.includes('*'));
    const before = new Set(document.querySelectorAll('script[src]'));
    const settled = new WeakSet();
    const settle = e => { if (e.target instanceof HTMLScriptElement) settled.add(e.target); };
    document.addEventListener('load', settle, true);
    document.addEventListener('error', settle, true);
    window.__live = {curves: new Set(), progress: new Set(), running, ran: running(),
                     scriptsLoading: () => [...document.querySelectorAll('script[src]')].filter(
                         s => !before.has(s) && !settled.has(s)).length};
    const record = () => {
        document.querySelectorAll("img[alt='training curves']").forEach(
            e => window.__live.curves.add(e.src.length + ':' + e.src.slice(-64)));
        document.querySelectorAll('.jp-OutputArea-output progress').forEach(
            e => window.__live.progress.add(e.parentElement.textContent));
        if (running()) window.__live.ran = true;
    };
    new MutationObserver(record).observe(document.body,
        {subtree: true, childList: true, attributes: true, characterData: true});
}"""

# The outputs are drawn: every picture decoded, every script an output added (plotly.js) loaded
# or failed, and every plotly chart drawn (its SVG there).
OUTPUTS_DRAWN = """() =>
    [...document.querySelectorAll('.jp-OutputArea-output img')].every(e => e.complete) &&
    (!window.__live || window.__live.scriptsLoading() === 0) &&
    [...document.querySelectorAll('.js-plotly-plot')].every(e => e.querySelector('.main-svg'))"""


def wait_until_done(page, run: LabRun, timeout: float, until_text: str = ""):
    """Waits until no cell is running or queued (or, with until_text, until an output shows it),
    then until the outputs are drawn, then reads how many states of the live progress bar and
    training chart the page has shown."""
    deadline = time.time() + timeout

    def left_ms():
        return max(1.0, (deadline - time.time()) * 1000)

    try:
        if until_text:
            expect(page.locator(".jp-OutputArea-output", has_text=until_text).first).to_be_attached(timeout=left_ms())
        else:
            # A cell has run or been queued since the last wait (Run All marks every cell "[*]"
            # at once), and none is left running.
            page.wait_for_function("() => window.__live.ran", timeout=left_ms())
            expect(page.locator(PROMPTS, has_text="*")).to_have_count(0, timeout=left_ms())
    except (AssertionError, PlaywrightTimeout):
        run.problems.append(f"timed out after {timeout:.0f}s waiting for {until_text or 'the cells to finish'}")
    else:
        try:
            page.wait_for_function(OUTPUTS_DRAWN, timeout=min(left_ms(), 60_000))
        except PlaywrightTimeout:
            run.problems.append("the outputs were still being drawn (pictures decoding, plotly.js loading, "
                                "charts drawing) 60 s after the cells finished")
    page.evaluate("() => { window.__live.ran = window.__live.running(); }")
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
        return new Uint32Array(ctx.getImageData(0, 0, 96, 96).data.buffer);
    };
    const missing = draw('\\u0378');
    const same = (a, b) => a.every((v, i) => v === b[i]);
    const hangul = [...new Set(el.textContent.match(/[\\uac00-\\ud7a3]/g) || [])];
    return {text: el.textContent.trim(), font, syllables: hangul.length,
            boxes: hangul.filter(ch => same(draw(ch), missing)), latinDiffers: !same(draw('A'), missing)};
}"""


HANGUL = re.compile("[\uac00-\ud7a3]")


def korean_rendering(page, selector: str, shot=None) -> dict:
    """How the first element matching selector that contains Hangul renders: its text, the
    Hangul syllables drawn as missing-glyph boxes ("boxes"), and the fonts Chromium used for it
    ("fonts": family -> glyphs drawn, from DevTools' CSS.getPlatformFontsForNode)."""
    headings = page.locator(selector).filter(has_text=HANGUL)
    if headings.count() == 0:
        return {"text": "", "syllables": 0, "boxes": [], "fonts": {}, "latinDiffers": False}
    heading = headings.first
    heading.scroll_into_view_if_needed()
    found = _korean_renderings(page, headings, 1)[0]
    if shot:
        heading.screenshot(path=str(shot))
    return found


def korean_renderings(page, selector: str) -> list:
    """korean_rendering() of every element matching selector that contains Hangul."""
    found = page.locator(selector).filter(has_text=HANGUL)
    return _korean_renderings(page, found, found.count())


def _korean_renderings(page, elements, count) -> list:
    """The first count elements' HANGUL_TOFU, with the fonts DevTools says drew each one."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        results = []
        for k in range(count):
            element = elements.nth(k)
            found = element.evaluate(HANGUL_TOFU)
            element.evaluate("el => el.setAttribute('data-korean-check', '')")
            try:
                root = cdp.send("DOM.getDocument", {"depth": 0})["root"]["nodeId"]
                node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "[data-korean-check]"})["nodeId"]
                fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
            finally:
                element.evaluate("el => el.removeAttribute('data-korean-check')")
            found["fonts"] = {f["familyName"]: f["glyphCount"] for f in fonts}
            results.append(found)
        return results
    finally:
        cdp.detach()


def assert_korean_is_legible(korean):
    print(f"Korean heading {korean['text']!r}: {korean['syllables']} syllables, fonts {korean['fonts']}")
    assert korean["syllables"] > 0, "no heading with Hangul found on the page"
    assert korean["latinDiffers"], "the missing-glyph reference drew like a Latin letter: the check cannot tell"
    assert korean["boxes"] == [], (
        f"{len(korean['boxes'])} of {korean['syllables']} Hangul syllables render as missing-glyph boxes "
        f"(fonts used: {korean['fonts']}): install a CJK font (Debian: apt-get install fonts-noto-cjk)")


# The size and colours of a PNG, decoded by the browser: {"width", "height", "colours" (distinct
# colours in a sample of at most 250,000 pixels), "dominant" (the share of the commonest colour)}.
PNG_STATS = """async data => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + data;
    await img.decode();
    const w = img.naturalWidth, h = img.naturalHeight, scale = Math.min(1, Math.sqrt(250000 / (w * h)));
    const cw = Math.max(1, Math.round(w * scale)), ch = Math.max(1, Math.round(h * scale));
    const ctx = new OffscreenCanvas(cw, ch).getContext('2d');
    ctx.drawImage(img, 0, 0, cw, ch);
    const px = ctx.getImageData(0, 0, cw, ch).data, counts = new Map();
    for (let i = 0; i < px.length; i += 4) {
        const c = (px[i] << 16) | (px[i + 1] << 8) | px[i + 2];
        counts.set(c, (counts.get(c) || 0) + 1);
    }
    return {width: w, height: h, colours: counts.size, dominant: Math.max(...counts.values()) / (cw * ch)};
}"""

NOTEBOOK_SCROLLER = ".jp-NotebookPanel .jp-WindowedPanel-outer"
MAX_SHOT_HEIGHT = 30000

# Where the notebook's cells lie once the layout has settled (the same for two frames in a row;
# JupyterLab lays out on the frame after a resize, and draws the cells that come into view then):
# "end", the bottom of the last cell in the unscrolled page; "inside", how many cells lie wholly
# inside the notebook's visible area; "cells", how many there are; "scrollTop".
NOTEBOOK_LAYOUT = """async () => {
    const o = document.querySelector('""" + NOTEBOOK_SCROLLER + """');
    const measure = () => {
        const cells = [...o.querySelectorAll('.jp-Cell')], view = o.getBoundingClientRect();
        return {end: cells[cells.length - 1].getBoundingClientRect().bottom + o.scrollTop, cells: cells.length,
                inside: cells.filter(c => { const r = c.getBoundingClientRect();
                                            return r.height > 0 && r.top >= view.top && r.bottom <= view.bottom; }).length,
                scrollTop: o.scrollTop};
    };
    const frame = () => new Promise(r => requestAnimationFrame(r));
    let last = '';
    for (let i = 0; i < 600; i++) {  // At most 600 frames (10 s at 60 frames a second).
        await frame();
        const now = measure();
        if (JSON.stringify(now) === last) return now;
        last = JSON.stringify(now);
    }
    return measure();
}"""


def png_stats(page, png: bytes) -> dict:
    return page.evaluate(PNG_STATS, base64.b64encode(png).decode())


def _screenshots(page, out_dir: Path, run: LabRun):
    """The whole notebook (the page made as tall as the notebook), then each figure; what each
    one shows is recorded in run.shot_checks."""
    # Cells out of view have estimated heights until they are drawn (content-visibility), so the
    # notebook can grow once the page shows it all: make the page taller until every cell is inside.
    # (The notebook's scroll height is no measure: JupyterLab pads it to scroll past the last cell.)
    layout = page.evaluate(NOTEBOOK_LAYOUT)
    for _ in range(5):
        viewport = min(max(900, int(layout["end"]) + 100), MAX_SHOT_HEIGHT)
        page.set_viewport_size({"width": 1280, "height": viewport})
        page.evaluate(f"() => {{ document.querySelector('{NOTEBOOK_SCROLLER}').scrollTop = 0; }}")
        page.wait_for_function(f"() => innerHeight === {viewport}", timeout=30_000)
        layout = page.evaluate(NOTEBOOK_LAYOUT)
        if layout["inside"] == layout["cells"] or viewport == MAX_SHOT_HEIGHT:
            break
    page.wait_for_function(OUTPUTS_DRAWN, timeout=60_000)
    whole = out_dir / "notebook.png"
    png = page.screenshot(path=str(whole), full_page=True)
    run.screenshots.append(whole)
    layout = page.evaluate(NOTEBOOK_LAYOUT)  # Unchanged by the shot: what it shows.
    run.shot_checks.append({"path": str(whole), "what": "notebook", "width": 1280, "height": viewport,
                            "fits": layout["scrollTop"] == 0 and layout["inside"] == layout["cells"],
                            "cells": (layout["inside"], layout["cells"]), "image": png_stats(page, png)})
    figures = page.locator(".jp-OutputArea-output img, .jp-OutputArea-output svg:not(.js-plotly-plot svg), "
                           ".jp-OutputArea-output .js-plotly-plot")
    for k in range(figures.count()):
        fig = figures.nth(k)
        if not fig.is_visible():
            continue
        path = out_dir / f"figure-{k + 1:02d}.png"
        fig.scroll_into_view_if_needed()
        png = fig.screenshot(path=str(path))
        run.screenshots.append(path)
        b = fig.bounding_box()
        run.shot_checks.append({"path": str(path), "what": "figure", "width": b["width"], "height": b["height"],
                                "image": png_stats(page, png)})
