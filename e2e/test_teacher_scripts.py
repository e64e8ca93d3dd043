"""The teacher's commands say what is wrong in one sentence, and lose nothing: scripts/classroom's
options given without a value, a bad memory size for the class hub (read by JupyterHub's own
ByteSpecification), nbgrader's errors in scripts/grade, and the command lines of the Python helpers
(argparse). Quick: nothing here starts a hub or makes an account."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / "scripts" / "classroom"
GRADE = ROOT / "scripts" / "grade"
HUB_CONFIG = ROOT / "scripts" / "hub" / "jupyterhub_config.py"
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def classroom(tmp_path, *args):
    # Should an option be taken after all, the shared install stops at once: no Python for it.
    env = dict(os.environ, CLASSROOM_PREFIX=str(tmp_path / "prefix"), CLASSROOM_STATE=str(tmp_path / "state"),
               LESSON_PYTHON="/nonexistent/python3")
    return subprocess.run([str(CLASSROOM), *args], env=env, capture_output=True, text=True, timeout=60)


def options():
    """Every option scripts/classroom's parser knows (its case patterns)."""
    found = re.findall(r"^\s+(--[a-z-]+)\)", CLASSROOM.read_text(), re.M)
    assert len(found) >= 10, f"scripts/classroom's options are not where expected: {found}"
    return found


@pytest.mark.parametrize("option", options())
def test_a_classroom_option_without_its_value_is_one_sentence(tmp_path, option):
    for args in ([option], ["start", "--roster", "class.txt", option], [option, "--teacher", "ms-kim"]):
        done = classroom(tmp_path, *args)
        said = done.stderr.strip()
        print(f"scripts/classroom {' '.join(args)}: {said}")
        assert done.returncode == 2, (args, done.returncode, said)
        assert "unbound variable" not in said and len(said.splitlines()) == 1, said
        assert said.startswith(f"classroom: {option} needs "), said
    assert said.endswith("after it, not --teacher (see the top of scripts/classroom)."), said


@pytest.mark.parametrize("option, value", [("--port", "80oo"), ("--port", "70000"), ("--idle-timeout", "1h")])
def test_a_classroom_number_that_is_not_one_is_one_sentence(tmp_path, option, value):
    done = classroom(tmp_path, option, value)
    print(done.stderr.strip())
    assert done.returncode == 2 and done.stderr.startswith(f"classroom: {option} {value} is not a "), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def hub_environment(tmp_path, mem_limit="2G", **more):
    prefix = tmp_path / "prefix"
    prefix.mkdir(exist_ok=True)
    (prefix / "environment.json").write_text(json.dumps({"PATH": "/usr/bin:/bin", "LESSON_STATIC_DIR": str(tmp_path)}))
    return dict(os.environ, CLASSROOM_PREFIX=str(prefix), CLASSROOM_STATE=str(tmp_path), CLASSROOM_TEACHER="teacher",
                CLASSROOM_STUDENTS="a,b", CLASSROOM_MEM_LIMIT=mem_limit, **more)


# Loads the hub's config; prints the spawner's command and its mem_limit as the spawner's own trait
# (a ByteSpecification) reads it when a student's server starts.
LOAD = """import json, runpy, sys
from jupyterhub.traitlets import ByteSpecification
from traitlets.config import Config
cfg = Config()
runpy.run_path(sys.argv[1], init_globals={"get_config": lambda: cfg})
try:
    mem_limit = ByteSpecification().validate(None, cfg.Spawner.mem_limit)
except Exception as e:
    mem_limit = f"Spawner.mem_limit = {cfg.Spawner.mem_limit!r} fails at each start: {e}"
print(json.dumps({"cmd": list(cfg.Spawner.cmd), "mem_limit": mem_limit, "args": list(cfg.Spawner.args)}))
"""


@pytest.mark.parametrize("size, size_bytes", [("2G", 2 << 30), ("2g", 2 << 30), ("1.5G", 3 << 29), ("512M", 512 << 20),
                                              ("512m", 512 << 20), ("64K", 64 << 10), ("1T", 1 << 40),
                                              ("1073741824", 1 << 30)])
def test_the_hub_reads_memory_sizes_as_before(tmp_path, size, size_bytes):
    """The sizes scripts/classroom always took, now read by JupyterHub's ByteSpecification, for
    prlimit and for the spawner's own mem_limit (which, given "2g" or "1073741824" as such, failed at
    each student's start)."""
    done = subprocess.run([PYTHON, "-c", LOAD, str(HUB_CONFIG)], env=hub_environment(tmp_path, size),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    config = json.loads(done.stdout.strip().splitlines()[-1])
    assert f"--data={size_bytes}" in config["cmd"] and config["mem_limit"] == size_bytes, config


@pytest.mark.parametrize("lang, korean", [(None, True), ("ko", True), ("en", False)])
def test_the_hub_starts_jupyterlab_in_korean_unless_asked(tmp_path, lang, korean):
    """Each student's JupyterLab gets the Korean settings folder (scripts/lab_settings.py) by
    default, the English one with --lang en."""
    env = hub_environment(tmp_path)
    env.pop("CLASSROOM_LANG", None)
    if lang:
        env["CLASSROOM_LANG"] = lang
    done = subprocess.run([PYTHON, "-c", LOAD, str(HUB_CONFIG)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    args = json.loads(done.stdout.strip().splitlines()[-1])["args"]
    settings = [a for a in args if a.startswith("--LabApp.app_settings_dir=")]
    assert bool(settings) == korean and all(a.endswith("/share/jupyter/lab/settings-ko") for a in settings), args


def test_a_classroom_language_it_does_not_know_is_one_sentence(tmp_path):
    done = classroom(tmp_path, "--lang", "fr")
    assert done.returncode == 2 and done.stderr.strip() == \
        "classroom: --lang fr: the languages are ko (Korean) and en (English).", done.stderr


@pytest.mark.parametrize("size", ["2X", "2 GB", "", "-1G", "0"])
def test_a_bad_memory_size_stops_the_hub_with_one_sentence(tmp_path, size):
    # As the hub reads it: JupyterHub itself loads the config (--show-config starts nothing).
    done = subprocess.run([PYTHON, "-m", "jupyterhub", "-f", str(HUB_CONFIG), "--show-config"], cwd=tmp_path,
                          env=hub_environment(tmp_path, size), capture_output=True, text=True, timeout=60)
    said = (done.stdout + done.stderr).strip()
    print(f"--mem-limit {size!r}: {said}")
    assert done.returncode != 0, said[-1000:]
    assert "Traceback" not in said and said.startswith(f"classroom: --mem-limit {size!r} "), said[-2000:]
    assert "e.g. 2G or 512M" in said


def grade(course, *args, **env):
    return subprocess.run([str(GRADE), *args], env=dict(os.environ, LESSON_COURSE_DIR=str(course), **env),
                          capture_output=True, text=True, timeout=600)


@pytest.fixture
def course(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "nbgrader_config.py").write_text((ROOT / "notebooks" / "nbgrader_config.py").read_text())
    return course


def test_scores_are_quiet_when_nbgrader_works(course):
    done = grade(course, "scores")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "", "no student was graded: nothing to print"
    assert "ExportApp" not in done.stderr, done.stderr[-2000:]


def test_scores_show_nbgrader_s_error_and_no_stale_scores(course):
    # Scores exported earlier, then a gradebook nbgrader cannot read: the teacher must see why,
    # not the old scores.
    (course / "grades.csv").write_text("assignment,student_id,raw_score,max_score\nmnist_mlp,old,7,10\n")
    (course / "gradebook.db").write_text("not a database")
    done = grade(course, "scores")
    print(done.stderr[-600:])
    assert done.returncode != 0, done.stdout
    assert "old: 7 of 10 points" not in done.stdout, "the scores of an earlier export were shown as current"
    assert "file is not a database" in done.stderr, done.stderr[-3000:]
    assert "grade: nbgrader export failed" in done.stderr.strip().splitlines()[-1], done.stderr[-1000:]


def test_a_failed_set_up_is_shown(course):
    done = grade(course, "scores", LESSON_PYTHON="/nonexistent/python3")
    print(done.stderr)
    assert done.returncode != 0
    assert "setup: there is no Python at '/nonexistent/python3'" in done.stderr, done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("grade: set-up failed"), done.stderr


def test_bench_report_takes_its_arguments_with_argparse():
    report = str(ROOT / "bench" / "report.py")
    helped = subprocess.run([PYTHON, report, "--help"], capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0 and "RESULTS.jsonl REPORT.md CHART.png" in helped.stdout, helped.stdout + helped.stderr
    missing = subprocess.run([PYTHON, report, "results.jsonl"], capture_output=True, text=True, timeout=60)
    assert missing.returncode == 2, missing.stderr
    assert "the following arguments are required: REPORT.md, CHART.png" in missing.stderr, missing.stderr


def test_prepare_home_runs_as_the_hub_calls_it(tmp_path):
    """As prepare() runs it for a student: `python -I prepare_home.py sync RELEASE HOME ""` (no
    release handed out yet); and a wrong call says what it takes."""
    script = str(ROOT / "scripts" / "hub" / "prepare_home.py")
    release, home = tmp_path / "mnist_mlp.ipynb", tmp_path / "home"
    release.write_text('{"cells": []}')
    home.mkdir()
    done = subprocess.run([sys.executable, "-I", script, "sync", str(release), str(home), ""],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["action"] == "copied" and (home / "mnist_mlp.ipynb").is_file()
    wrong = subprocess.run([sys.executable, "-I", script, "sync", str(release)], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "usage:" in wrong.stderr and "HOME" in wrong.stderr, wrong.stderr
