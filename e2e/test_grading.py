"""The exercises grade themselves: scripts/grade (nbgrader, configured for GoNB) makes the student
version of notebooks/source/mnist_mlp/, and autogrades four submissions, as a teacher would:
the untouched student version, the teacher's solutions, one with Dense(128) instead of Dense(64),
and one with a cell that panics and a cell that loops forever. The feedback pages open offline.
Everything runs in a copy of the course folder, through the real GoNB kernel (2 epochs)."""
import copy
import json
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from labdriver import CHROMIUM, ROOT, LabRun, open_offline

OUT = ROOT / "out" / "e2e"
EXECUTE = [str(ROOT / ".venv" / "bin" / "python"), str(ROOT / "scripts" / "execute_notebook.py")]
AUTO_POINTS = 8  # Exercises 1-4; exercise 5 (2 points) waits for the teacher.


def grade(course, *args, timeout=900):
    env = dict(os.environ, LESSON_COURSE_DIR=str(course), LESSON_EPOCHS="2", LESSON_GRADE_TIMEOUT="30")
    done = subprocess.run([str(ROOT / "scripts" / "grade"), *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"scripts/grade {' '.join(args)}:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done.stdout + done.stderr


def text(cell):
    return cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])


def by_id(nb, grade_id):
    return next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copytree(ROOT / "notebooks" / "source", course / "source")
    shutil.copy(ROOT / "notebooks" / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "notebooks" / "templates", course / "templates")
    grade(course, "generate")
    return course


@pytest.fixture(scope="module")
def student_version(course):
    return json.loads((course / "release" / "mnist_mlp" / "mnist_mlp.ipynb").read_text())


def test_the_student_version_holds_no_solution(course, student_version):
    source = json.loads((course / "source" / "mnist_mlp" / "mnist_mlp.ipynb").read_text())
    released = json.dumps(student_version)
    for cell in source["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution") and cell["cell_type"] == "code":
            stub = text(by_id(student_version, meta["grade_id"]))
            solution = text(cell).split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0].splitlines()[1:-1]
            for line in (ln.strip() for ln in solution if len(ln.strip()) >= 15):  # Not a lone ")".
                assert line not in stub, f"{meta['grade_id']}: solution line left in: {line!r}"
    for marker in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "pixel values are not byte / 255", "check the activations"):
        assert marker not in released, f"the student version shows {marker!r}"
    code = "".join(text(c) for c in student_version["cells"] if c["cell_type"] == "code")
    assert code.count("panic(lesson.NotDone())") == 4


def test_the_student_version_runs_and_says_not_done_yet(course, tmp_path):
    notebook = tmp_path / "mnist_mlp.ipynb"
    shutil.copy(course / "release" / "mnist_mlp" / "mnist_mlp.ipynb", notebook)
    done = subprocess.run(EXECUTE + ["--allow-errors", str(notebook), str(tmp_path / "out")],
                          env=dict(os.environ, LESSON_EPOCHS="1"), capture_output=True, text=True, timeout=600)
    nb = json.loads((tmp_path / "out" / "mnist_mlp.ipynb").read_text())
    for grade_id in ("preprocess-tests", "model-tests", "compile-tests", "evaluate", "evaluate-tests"):
        outputs = json.dumps(by_id(nb, grade_id)["outputs"])
        assert "Error: not done yet" in outputs, f"{grade_id}: {outputs[:500]}"
        assert "goroutine" not in outputs and "undefined:" not in outputs, f"{grade_id} shows a panic or compile error"
    assert "x_train: uint8 (60000, 28, 28)" in json.dumps(by_id(nb, "setup")["outputs"]), done.stderr[-2000:]


def submission(course, student, release, source, edit=None):
    """Writes submitted/STUDENT/mnist_mlp/mnist_mlp.ipynb: the student version, with the teacher's
    solutions filled in unless student is "untouched", then edited."""
    nb = copy.deepcopy(release)
    if student != "untouched":
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            if meta.get("solution") and cell["cell_type"] == "code":
                lines = text(by_id(source, meta["grade_id"])).split("\n")
                cell["source"] = "\n".join(ln for ln in lines if "### BEGIN SOLUTION" not in ln and "### END SOLUTION" not in ln)
        if edit:
            edit(nb)
    folder = course / "submitted" / student / "mnist_mlp"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "mnist_mlp.ipynb").write_text(json.dumps(nb, ensure_ascii=False))


@pytest.fixture(scope="module")
def graded(course, student_version):
    source = json.loads((course / "source" / "mnist_mlp" / "mnist_mlp.ipynb").read_text())

    def wide(nb):
        cell = by_id(nb, "model")
        cell["source"] = text(cell).replace("keras.Dense(64)", "keras.Dense(128)")

    def broken(nb):
        cell = by_id(nb, "preprocess")  # A cell that panics, after a correct function.
        cell["source"] = text(cell) + '\n\n%%\nvar scores []int\nfmt.Println(scores[3])'
        cell = by_id(nb, "evaluate")  # A cell that never ends.
        cell["source"] = text(cell).replace('fmt.Println("Test accuracy:", testAccuracy(model))', "for {\n}")

    for student, edit in [("untouched", None), ("solutions", None), ("wide", wide), ("broken", broken)]:
        submission(course, student, student_version, source, edit)
    log = grade(course, "autograde")
    scores = dict(re.findall(r"^(\w+): ([\d.]+) of 10 points$", grade(course, "scores"), re.M))
    print("scores:", scores)
    return log, {k: float(v) for k, v in scores.items()}


def autograded(course, student):
    return json.loads((course / "autograded" / student / "mnist_mlp" / "mnist_mlp.ipynb").read_text())


def test_the_untouched_version_scores_zero(graded):
    assert graded[1]["untouched"] == 0


def test_the_teachers_solutions_score_every_automatic_point(graded):
    assert graded[1]["solutions"] == AUTO_POINTS


def test_dense_128_loses_exactly_the_models_points(course, graded):
    assert graded[1]["wide"] == AUTO_POINTS - 2
    outputs = json.dumps(by_id(autograded(course, "wide"), "model-tests")["outputs"])
    assert "your model has 104,938 parameters; the lesson's has 52,650" in outputs, outputs[:800]


def test_a_panic_and_an_endless_loop_are_reported_and_grading_goes_on(course, graded):
    assert graded[1]["broken"] == AUTO_POINTS, "the broken cells are not graded; every test still runs"
    nb = autograded(course, "broken")
    panicked = json.dumps(by_id(nb, "preprocess")["outputs"])
    assert "index out of range" in panicked, panicked[:800]
    looped = json.dumps(by_id(nb, "evaluate")["outputs"])
    assert "CellTimeoutError" in looped or "Timeout" in looped or "interrupt" in looped.lower(), looped[:800]
    assert "Exercise 4: the tests pass." in json.dumps(by_id(nb, "evaluate-tests")["outputs"])


@pytest.fixture(scope="module")
def feedback(course, graded):
    """scripts/grade feedback: one HTML page per student, feedback/STUDENT/mnist_mlp/mnist_mlp.html."""
    grade(course, "feedback")
    return lambda student: course / "feedback" / student / "mnist_mlp" / "mnist_mlp.html"


class _Text(HTMLParser):
    """The text of an HTML page, as a reader sees it (code is split into highlighted spans)."""

    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.skip:
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def page_text(path):
    parser = _Text()
    parser.feed(path.read_text())
    return parser.parts


def code_lines(cell_source, hidden):
    """The lines of a tests cell inside (hidden=True) or outside its hidden-tests region, long enough to
    be telling, whitespace collapsed."""
    inside, lines = False, []
    for line in cell_source.splitlines():
        if "### BEGIN HIDDEN TESTS" in line or "### END HIDDEN TESTS" in line:
            inside = "BEGIN" in line
            continue
        if inside == hidden and len(line.strip()) >= 15 and not line.strip().startswith("//"):
            lines.append(" ".join(line.split()))
    return lines


def test_feedback_hides_the_hidden_tests_and_shows_the_score(feedback):
    """The exercises can be given again next year: the feedback page shows the visible tests, their
    results and the score, but not one line of the hidden tests (nbgrader's default shows them)."""
    source = json.loads((ROOT / "notebooks" / "source" / "mnist_mlp" / "mnist_mlp.ipynb").read_text())
    tests = [text(c) for c in source["cells"] if "### BEGIN HIDDEN TESTS" in text(c)]
    hidden = [ln for t in tests for ln in code_lines(t, hidden=True)]
    visible = [ln for t in tests for ln in code_lines(t, hidden=False)]
    assert len(tests) >= 2 and len(hidden) >= 4 and visible, "the source notebook's hidden tests are not where expected"
    for student in ("solutions", "wide"):
        page = feedback(student)
        parts = page_text(page)
        body = " ".join(" ".join(parts).split())
        code = " ".join("".join(parts).split())  # Highlighted code: its spans joined back.
        shown = [ln for ln in hidden if ln in code]
        assert shown == [], f"{student}'s feedback shows hidden test code: {shown}"
        assert "HIDDEN TESTS" not in page.read_text(), f"{student}'s feedback shows a hidden-tests marker"
        assert all(ln in code for ln in visible), f"{student}'s feedback lacks the visible tests: " + \
            str([ln for ln in visible if ln not in code])
        assert "Exercise 3: the tests pass." in body, body[:1500]
    body = " ".join(" ".join(page_text(feedback("wide"))).split())
    assert "104,938 parameters" in body and re.search(r"Score:\s*6(\.0)?\s*/\s*10", body), body[:1500]
    body = " ".join(" ".join(page_text(feedback("solutions"))).split())
    assert re.search(r"Score:\s*8(\.0)?\s*/\s*10", body), body[:1500]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"SKIP: no Chromium at {CHROMIUM}")
def test_feedback_pages_open_offline(feedback):
    page_path = feedback("wide")
    assert page_path.is_file()
    run = LabRun()
    OUT.mkdir(parents=True, exist_ok=True)
    with open_offline(page_path, run) as page:
        page.wait_for_timeout(1000)
        body = page.inner_text("body")
        page.screenshot(path=str(OUT / "feedback-wide.png"), full_page=True)
    print(f"feedback page: {len(body)} characters; external requests blocked: {run.external_requests}")
    assert run.external_requests == [], run.external_requests
    assert "104,938 parameters" in body and re.search(r"Score:\s*6(\.0)?\s*/\s*10", body), body[:1500]
