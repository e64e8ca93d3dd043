"""Drives the class hub (scripts/classroom) the way its users do: a student logs in with Chromium,
lands in their own copy of the lesson, runs every cell and saves; the teacher opens the admin
page. Also talks to a student's server directly (requests + the kernel's websocket), for checks
a browser cannot make. Every wait is on an event (a page, a response, the kernel's websocket),
never on a fixed time.

Run as a program, it is one student's whole session, so that a test can run several students at
once, each in a process of its own:

    python hubdriver.py student BASE_URL NAME PASSWORD OUT_DIR TIMEOUT   # prints the LabRun as JSON
"""
import json
import re
import sys
import time
import uuid
from dataclasses import asdict
from pathlib import Path

import requests
import websocket
from labdriver import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    OUTPUTS_DRAWN,
    ROOT,
    WATCH_LIVE_OUTPUTS,
    KernelSocket,
    LabRun,
    _guard,
    read_page,
    run_menu,
    wait_until_done,
)
from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(ROOT / "scripts"))
from kernel_reply import read_reply  # noqa: E402 (scripts/ is not a package: its path comes first)


def browser_login(page, base, name, password, shot=None):
    """Logs in on the hub's login page (the first login sets the password)."""
    page.goto(f"{base}/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    if shot:
        page.screenshot(path=str(shot))
    page.click("#login_submit")


def student_session(base, name, password, out_dir: Path, timeout=900) -> LabRun:
    """Logs in, waits for the lesson to open in JupyterLab, runs all cells, saves the notebook."""
    run = LabRun()
    started = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda route: _guard(route, run, allow_files=False))
        page = context.new_page()
        kernel = KernelSocket(page)
        try:
            browser_login(page, base, name, password)
            # The hub starts the server, then JupyterLab opens the student's copy of the lesson.
            page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=240_000)
            page.wait_for_function(
                "() => /gonb/i.test(document.querySelector("
                "'.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName')?.textContent || '')", timeout=120_000)
            run.kernel_name = page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName").first.inner_text()
            kernel.wait(page, 120_000)  # The kernel is connected: it answered JupyterLab's kernel_info_request.
            page.evaluate(WATCH_LIVE_OUTPUTS)
            page.wait_for_function(OUTPUTS_DRAWN, timeout=60_000)
            run_menu(page, "Run", "Run All Cells")
            wait_until_done(page, run, timeout)
            read_page(page, run)
            # Saved: the server answered JupyterLab's save (a PUT of the notebook) and the tab is clean.
            with page.expect_response(lambda r: r.request.method == "PUT" and "/api/contents/" in r.url,
                                      timeout=60_000) as saved:
                page.keyboard.press("Control+s")
            if not saved.value.ok:
                run.problems.append(f"saving the notebook failed: HTTP {saved.value.status} {saved.value.url}")
            expect(page.locator(".lm-TabBar-tab.jp-mod-dirty")).to_have_count(0, timeout=30_000)
            page.screenshot(path=str(out_dir / f"classroom-{name}.png"))
        except Exception as e:  # Reported, with a picture of where it stopped.
            run.problems.append(f"{type(e).__name__}: {str(e).splitlines()[0]}")
            page.screenshot(path=str(out_dir / f"classroom-{name}-failed.png"))
        finally:
            browser.close()
    run.seconds = time.time() - started
    return run


def admin_users(base, name, password, shot: Path):
    """The user names the teacher's admin page lists."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            browser_login(page, base, name, password, shot.with_name("classroom-login.png"))
            page.wait_for_url(lambda url: "/hub/login" not in url, timeout=240_000)  # Logged in.
            # The admin page asks the hub's API for its users, then shows a row for each.
            with page.expect_response(lambda r: "/hub/api/users?" in r.url and r.request.method == "GET",
                                      timeout=60_000) as answer:
                page.goto(f"{base}/hub/admin")
            assert answer.value.ok, f"the admin page's list of users: HTTP {answer.value.status}"
            body = answer.value.json()
            users = [u["name"] for u in (body["items"] if isinstance(body, dict) else body)]
            for user in users:
                expect(page.locator(f'tr[data-testid="user-row-{user}"]')).to_be_visible(timeout=60_000)
            page.screenshot(path=str(shot))
            rows = page.eval_on_selector_all('tr[data-testid^="user-row-"]', "els => els.map(e => e.dataset.testid)")
            return sorted(r.removeprefix("user-row-") for r in rows if not r.startswith("user-row-name"))
        finally:
            browser.close()


class ServerClient:
    """A student's server, through the hub, as their browser reaches it (cookies, XSRF)."""

    def __init__(self, base, name, password):
        self.base, self.name = base, name
        self.http = requests.Session()
        form = self.http.get(f"{base}/hub/login", timeout=30)
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', form.text).group(1)
        self.login_status = self.http.post(f"{base}/hub/login", data={"username": name, "password": password,
                                                                     "_xsrf": xsrf}, allow_redirects=False,
                                           timeout=60).status_code

    def open(self, timeout=240):
        """Starts the server if needed and completes the OAuth handshake; returns self."""
        deadline = time.time() + timeout
        self.http.get(f"{self.base}/hub/spawn", timeout=120)
        while time.time() < deadline:
            r = self.http.get(f"{self.base}/user/{self.name}/api/status", timeout=30)
            if r.status_code == 200:
                return self
            if "spawn-pending" in r.url or r.status_code in (403, 424, 503):
                self.http.get(f"{self.base}/user/{self.name}/lab", timeout=60)  # OAuth, then the server's cookie.
            time.sleep(0.5)  # Poll interval: a server still starting sends no event to wait on.
        raise TimeoutError(f"{self.name}'s server did not answer within {timeout}s")

    def api(self, method, path, **kw):
        """A request to the server's REST API (api/...)."""
        return self.request(method, f"api/{path}", **kw)

    def request(self, method, path, **kw):
        """A request to the student's server, with its XSRF token, as JupyterLab sends it."""
        xsrf = self.http.cookies.get("_xsrf", path=f"/user/{self.name}/") or ""
        return self.http.request(method, f"{self.base}/user/{self.name}/{path}",
                                 headers={"X-XSRFToken": xsrf}, timeout=120, **kw)

    def run_cell(self, code, timeout=300):
        """Runs code in a new GoNB kernel of this server; returns (stdout text, error texts)."""
        kernel = self.api("POST", "kernels", json={"name": "gonb"})
        kernel.raise_for_status()
        kid = kernel.json()["id"]
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        ws = websocket.create_connection(
            f"{self.base.replace('http', 'ws', 1)}/user/{self.name}/api/kernels/{kid}/channels",
            header=[f"Cookie: {cookies}"], timeout=timeout)
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({"header": {"msg_id": msg_id, "username": self.name, "session": uuid.uuid4().hex,
                                       "msg_type": "execute_request", "version": "5.3", "date": ""},
                            "parent_header": {}, "metadata": {}, "channel": "shell",
                            "content": {"code": code, "silent": False, "store_history": False,
                                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
        deadline = time.time() + timeout

        def messages():  # The websocket's timeout bounds each wait, the deadline the whole reply.
            while time.time() < deadline:
                yield json.loads(ws.recv())

        try:
            return read_reply(messages(), msg_id)
        finally:
            ws.close()
            self.api("DELETE", f"kernels/{kid}")


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "student":
        _, _, base, name, password, out, timeout = sys.argv
        print(json.dumps(asdict(student_session(base, name, password, Path(out), float(timeout))), default=str))
    else:
        sys.exit(__doc__)
