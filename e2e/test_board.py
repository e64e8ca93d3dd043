"""The class board (pkg/classboard) on a real class hub: scripts/classroom starts JupyterHub (the
pinned one, from the shared install) on 127.0.0.1, and the hub starts the board as a managed
service at /services/class-board/. A student's own kernel reports through the board's client
with its server's token; the board files it under that student. Forged tokens, reports naming
another student, malformed and oversized bodies are refused and nothing of them is stored. A
student gets 403 on the board; the teacher opens it through the hub's OAuth in Chromium
(screenshot at 1280×720 in out/e2e/board.png). After a restart of the board, then of the hub, the
board shows the same data.

The hub is the test session's class hub (e2e/conftest.py, e2e/classhub.py), shared with
e2e/test_classroom.py: three students run the whole lesson at once in Chromium, one of them then
hits an error, and the teacher's board shows each one's step, curve, test accuracy and the error
within seconds (screenshot at 1280×720 in out/e2e/board-class.png). The hand-made reports of the
other tests come from a fourth account, REPORTER. Needs root, npm, prlimit and Chromium; skips
with its reason without them."""
import csv
import io
import json
import math
import os
import re
import secrets
import subprocess
import time
from contextlib import contextmanager

import pytest
import requests
from classhub import BOARD, OUT, PASSWORDS, REPORTER, STUDENTS, TEACHER, skip_reason
from hubdriver import ServerClient, browser_login
from labdriver import CHROMIUM, CHROMIUM_FLAGS, LabRun, _guard
from playwright.sync_api import sync_playwright

if skip_reason():
    pytest.skip(skip_reason(), allow_module_level=True)

STUDENT, OTHER = REPORTER, STUDENTS[0]


@pytest.fixture(scope="module")
def board_hub(hub):
    """The session's class hub (e2e/conftest.py), with the board on a port of its own."""
    return hub


def teacher_session(hub):
    """A requests session logged in as the teacher, then into the board through the hub's OAuth
    (the redirects a browser follows)."""
    teacher = ServerClient(hub.base, TEACHER, PASSWORDS[TEACHER])
    assert teacher.login_status == 302, f"the teacher's login: {teacher.login_status}"
    page = teacher.http.get(hub.base + BOARD, timeout=60)
    assert page.status_code == 200 and "수업 보드" in page.text, f"the teacher's board: {page.status_code} {page.url}"
    return teacher.http


@pytest.fixture(scope="module")
def teacher(board_hub):
    return teacher_session(board_hub)


def board_state(http, hub):
    r = http.get(hub.base + BOARD + "api/state", timeout=30)
    assert r.status_code == 200, r.text[:300]
    return r.json()


def board_csv(http, hub):
    r = http.get(hub.base + BOARD + "api/reports.csv", timeout=30)
    assert r.status_code == 200, r.text[:300]
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))


def tile(state, name):
    return next(t for t in state["tiles"] if t["name"] == name)


def post(hub, token, body, content_type="application/json"):
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"token {token}"
    return requests.post(hub.board_direct + "api/reports", data=body, headers=headers, timeout=30)


# A cell that reports a short lesson through the client the lesson's packages use, with the
# server's own token, then prints what the client did and the token (for the refusal tests).
REPORTING_CELL = """import (
\t"fmt"
\t"math"
\t"os"
\t"time"

\t"mnistlesson/pkg/classboard"
)

%%
start := time.Now()
classboard.Reached(classboard.StepLibraries)
classboard.Reached(classboard.StepData)
classboard.Compiled("784 → 128 (relu) → 10 (softmax)", 101770)
run := classboard.Train(3)
run.Epoch(1, 0.31, 0.91)
run.Epoch(2, 0.22, 0.94)
run.Epoch(3, math.NaN(), 0.10)
run.End(3, "loss is NaN")
classboard.Evaluated(0.081, 0.978)
classboard.Check("compile", true, "ok")
classboard.ErrorLine("Error: x_train has 28×28 values per image; the model wants 784")
sent, dropped, blocked := classboard.FromEnv().Stats()
fmt.Printf("board=%s sent=%d dropped=%d blocked=%dus total=%dus\\n", os.Getenv("CLASS_BOARD_URL"), sent, dropped,
\tblocked.Microseconds(), time.Since(start).Microseconds())
fmt.Printf("token=%s\\n", os.Getenv("JUPYTERHUB_API_TOKEN"))
"""


@pytest.fixture(scope="module")
def student_report(board_hub):
    """STUDENT's server runs REPORTING_CELL in a GoNB kernel; returns its figures and token."""
    student = ServerClient(board_hub.base, STUDENT, PASSWORDS[STUDENT])
    assert student.login_status == 302
    started = time.time()
    out, errors = student.open().run_cell(REPORTING_CELL, timeout=300)
    assert not errors, errors
    m = re.search(r"board=(\S*) sent=(\d+) dropped=(\d+) blocked=(\d+)us total=(\d+)us", out)
    token = re.search(r"token=(\S+)", out)
    assert m and token, out
    figures = {"board": m[1], "sent": int(m[2]), "dropped": int(m[3]), "blocked_ms": int(m[4]) / 1000,
               "total_ms": int(m[5]) / 1000, "token": token[1]}
    print(f"{STUDENT}'s cell ({time.time() - started:.0f}s with the kernel's start): sent {figures['sent']} reports, "
          f"dropped {figures['dropped']}, waited {figures['blocked_ms']:.1f} ms in all "
          f"({figures['total_ms']:.1f} ms for the calls)")
    return figures


# A typical mistake, in a kernel of the student's own server: it stops with one Error line.
MISTAKE_CELL = """import (
\t"mnistlesson/pkg/ndarray"
\t"mnistlesson/pkg/prep"
)

%%
prep.Reshape(ndarray.FromUint8(make([]uint8, 6*28*28), 6, 28, 28), 5, 784)
"""


@contextmanager
def board_page(hub, run):
    """Chromium at 1280×720, logged in as the teacher, on the board (through the hub's OAuth);
    yields (page, the page's JavaScript errors)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.route("**/*", lambda route: _guard(route, run, allow_files=False))
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            browser_login(page, hub.base, TEACHER, PASSWORDS[TEACHER])
            page.wait_for_url(re.compile(r".*/(user|hub)/.*"), timeout=240_000)
            started = time.time()
            page.goto(hub.base + BOARD)
            page.wait_for_selector("#live.on", timeout=60_000)
            print(f"the board opened through the hub's OAuth in {time.time() - started:.1f}s")
            yield page, errors
        finally:
            browser.close()


def test_the_teacher_sees_the_class_live(board_hub, teacher, class_run):
    """The three students' own kernels, as they ran the lesson (100 epochs each, at once), reported
    it: each tile has the last step, the curve and the test accuracy the student's notebook shows. Then one student hits an
    error, and the open board shows it within 2 s."""
    state = board_state(teacher, board_hub)
    for name, run in class_run.items():
        t = tile(state, name)
        text = "\n".join(run["cell_texts"])
        shown = float(re.search(r"Test accuracy: ([0-9.]+)", text)[1])
        epochs = int(re.search(r"hist: (\d+) epochs", text)[1])
        print(f"{name}: step {t['step']}, {t['reports']} reports, epochs {t['curve'] and t['curve']['done']}, "
              f"test accuracy {t['test_accuracy']} (notebook: {shown}), errors {t['errors']}")
        assert t["step"] == 7 and t["test_accuracy"] == pytest.approx(shown, abs=1e-6), t
        curve = t["curve"]
        assert curve["done"] == epochs and curve["reason"] == "done" and len(curve["loss"]) == epochs, curve
        assert t["errors"] == 0 and not t["diverged"] and not t["other_model"], t
    run, wrong = LabRun(), STUDENTS[1]
    with board_page(board_hub, run) as (page, errors):
        for name in STUDENTS:
            page.wait_for_selector(f'article[data-name="{name}"] .step:text("7/7")', timeout=10_000)
        out, cell_errors = ServerClient(board_hub.base, wrong, PASSWORDS[wrong]).open().run_cell(MISTAKE_CELL)
        stopped = time.time()
        assert "Error: prep: ndarray: cannot reshape" in out + "".join(cell_errors), (out, cell_errors)
        page.wait_for_selector(f'article[data-name="{wrong}"]:has-text("Error: prep: ndarray: cannot reshape")',
                               timeout=2_000)
        print(f"{wrong}'s error reached the open board {time.time() - stopped:.2f}s after the cell stopped")
        page.screenshot(path=str(OUT / "board-class.png"))
    assert errors == [], errors
    assert run.external_requests == [], run.external_requests
    t = tile(board_state(teacher, board_hub), wrong)
    assert t["errors"] == 1 and t["last_error"].startswith("Error: prep: ndarray: cannot reshape"), t


def test_the_board_is_a_hub_service(board_hub):
    through_proxy = requests.get(board_hub.base + BOARD + "health", timeout=30)
    assert through_proxy.status_code == 200 and through_proxy.text.strip() == "ok"
    assert requests.get(board_hub.board_direct + "health", timeout=30).status_code == 200


def test_a_students_kernel_reports_under_their_own_name(board_hub, teacher, student_report):
    assert student_report["board"] == board_hub.board_direct, "the student's server lacks CLASS_BOARD_URL"
    assert student_report["sent"] == 11 and student_report["dropped"] == 0, student_report
    assert student_report["blocked_ms"] < 100, f"the reports held the cell {student_report['blocked_ms']} ms"
    t = tile(board_state(teacher, board_hub), STUDENT)
    print(f"{STUDENT}'s tile: step {t['step']}, {t['reports']} reports, test accuracy {t['test_accuracy']}, "
          f"diverged {t['diverged']!r}, other model {t['other_model']!r}, last error {t['last_error']!r}")
    assert t["step"] == 6 and t["reports"] == 11 and t["test_accuracy"] == pytest.approx(0.978)
    assert t["errors"] == 1 and t["last_error"].startswith("Error: x_train")
    assert "NaN" in t["diverged"], t["diverged"]
    assert t["other_model"].startswith("Dense(128) reached 0.978"), t["other_model"]
    assert t["checks_passed"] == 1 and t["curve"]["done"] == 3 and t["curve"]["reason"] == "loss is NaN"
    rows = board_csv(teacher, board_hub)
    mine = [r for r in rows[1:] if r[2] == STUDENT]
    assert len(mine) == 11, f"{len(mine)} reports filed under {STUDENT}"
    assert all(r[2] == STUDENT for r in rows[1:] if "784 → 128" in ",".join(r)), "a report was filed under another name"


def test_bad_reports_are_refused_and_nothing_is_stored(board_hub, teacher, student_report):
    token = student_report["token"]
    before = board_csv(teacher, board_hub)
    good = json.dumps({"v": 1, "reports": [{"kind": "step", "step": 2}]})
    cases = [
        ("no token", None, good, "application/json", 401),
        ("a forged token", secrets.token_hex(16), good, "application/json", 403),
        ("a report naming another student", token,
         json.dumps({"v": 1, "reports": [{"kind": "step", "step": 3, "user": OTHER}]}), "application/json", 403),
        ("not JSON", token, good, "text/plain", 415),
        ("malformed JSON", token, '{"v": 1, "reports": [{"kind": ', "application/json", 400),
        ("an oversized body", token, json.dumps({"v": 1, "reports": [{"kind": "error", "message": "x" * 200}] * 400}),
         "application/json", 413),
        ("an unknown kind", token, json.dumps({"v": 1, "reports": [{"kind": "grade", "score": 10}]}), "application/json", 422),
        ("an absurd accuracy", token, json.dumps({"v": 1, "reports": [{"kind": "evaluate", "loss": 0.1, "accuracy": 97.4}]}),
         "application/json", 422),
    ]
    for name, tok, body, ctype, want in cases:
        r = post(board_hub, tok, body, ctype)
        print(f"{name}: HTTP {r.status_code} {r.json().get('error', '')[:90]}")
        assert r.status_code == want, f"{name}: {r.status_code} {r.text[:200]}"
    assert board_csv(teacher, board_hub) == before, "a refused report was stored"
    # The board still serves, and takes a good report.
    assert post(board_hub, token, good).status_code == 200
    assert len(board_csv(teacher, board_hub)) == len(before) + 1


def test_a_student_gets_403_on_the_board(board_hub, student_report):
    student = ServerClient(board_hub.base, OTHER, PASSWORDS[OTHER])
    page = student.http.get(board_hub.base + BOARD, timeout=60)  # Through the hub's OAuth, as a browser.
    print(f"{OTHER} opening the board: HTTP {page.status_code} at {page.url.split('?')[0]}")
    assert page.status_code == 403
    # With a student's token in hand (their own server's), the board's data stays closed too.
    for path in ("api/state", "api/reports.csv", "api/events"):
        r = requests.get(board_hub.base + BOARD + path, headers={"Authorization": f"token {student_report['token']}"},
                         timeout=30)
        assert r.status_code == 403, f"{path}: {r.status_code}"


def test_the_teacher_sees_the_board_in_chromium(board_hub, student_report):
    run = LabRun()
    with board_page(board_hub, run) as (page, errors):
        page.wait_for_selector(f'article[data-name="{STUDENT}"] .acc', timeout=60_000)
        tile_text = page.locator(f'article[data-name="{STUDENT}"]').inner_text()
        assert "0.978" in tile_text and "Error: x_train" in tile_text and "발산 / diverged" in tile_text, tile_text
        for name in STUDENTS:  # The rest of the roster: a tile each.
            assert page.locator(f'article[data-name="{name}"]').count() == 1
        # Live: a report appears within 2 s, without reloading.
        sent = time.time()
        assert post(board_hub, student_report["token"],
                    json.dumps({"v": 1, "reports": [{"kind": "step", "step": 7}]})).status_code == 200
        page.wait_for_selector(f'article[data-name="{STUDENT}"] .step:text("7/7")', timeout=2_000)
        print(f"a report reached the open page in {time.time() - sent:.2f}s")
        # Pointing at a curve names its student.
        point = page.eval_on_selector(f'#overlay g[data-name="{STUDENT}"] .hit', """e => {
            const p = e.getPointAtLength(e.getTotalLength() / 2), m = e.getScreenCTM();
            return {x: p.x * m.a + m.e, y: p.y * m.d + m.f};
        }""")
        page.mouse.move(point["x"], point["y"])
        page.wait_for_selector("#tip:not([hidden])", timeout=2_000)
        assert STUDENT in page.locator("#tip").inner_text()
        page.screenshot(path=str(OUT / "board.png"))
    assert errors == [], errors
    assert run.external_requests == [], run.external_requests


def _board_pid(hub):
    port = hub.board_direct.split(":")[2].split("/")[0]
    out = subprocess.run(["ss", "-H", "-ltnp", f"sport = :{port}"], capture_output=True, text=True).stdout
    m = re.search(r"pid=(\d+)", out)
    assert m, f"nothing listens on the board's port {port}: {out!r}"
    return int(m[1])


def _comparable(state):
    """The state without what moves with the clock or the hub's own activity."""
    tiles = []
    for t in state["tiles"]:
        t = dict(t)
        t.pop("last_ms")
        t.pop("never_started")
        tiles.append(t)
    return tiles, state["counters"]["stored"]


def test_a_restart_of_the_board_then_of_the_hub_keeps_the_data(board_hub, teacher, student_report):
    before_csv, before_state = board_csv(teacher, board_hub), _comparable(board_state(teacher, board_hub))
    pid = _board_pid(board_hub)
    os.kill(pid, 15)  # The board alone: the hub starts it again (JupyterHub restarts a managed service).
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if _board_pid(board_hub) != pid and requests.get(board_hub.board_direct + "health", timeout=5).ok:
                break
        except (AssertionError, requests.RequestException):
            pass
        time.sleep(1)
    else:
        pytest.fail("the hub did not start the board again within 90 s")
    print(f"the board restarted as pid {_board_pid(board_hub)} (was {pid})")
    assert board_csv(teacher, board_hub) == before_csv
    assert _comparable(board_state(teacher, board_hub)) == before_state

    board_hub.stop()
    seconds = board_hub.start()
    print(f"the hub and the board restarted in {seconds:.0f}s")
    again = teacher_session(board_hub)  # The teacher's login survives too, but a fresh one proves the OAuth again.
    assert board_csv(again, board_hub) == before_csv
    after = _comparable(board_state(again, board_hub))
    assert after == before_state
    t = tile(board_state(again, board_hub), STUDENT)
    assert t["step"] == 7 and t["test_accuracy"] == pytest.approx(0.978) and math.isnan(float(t["curve"]["loss"][-1]))
