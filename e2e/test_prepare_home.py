"""How the class hub brings a student's copy of the lesson up to date (scripts/hub/prepare_home.py):
a new release replaces a copy the student never changed, never an edited one."""
import json
import sys
from pathlib import Path

from labdriver import ROOT

sys.path.insert(0, str(ROOT / "scripts" / "hub"))
import prepare_home  # noqa: E402 (scripts/hub is not a package: its path comes first)


def sync(capsys, release, home, given):
    prepare_home.sync_notebook(str(release), str(home), given)
    return json.loads(capsys.readouterr().out)


def test_releases_never_overwrite_edits(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    v1, v2 = tmp_path / "v1.ipynb", tmp_path / "v2.ipynb"
    v1.write_text('{"cells": ["lesson 1"]}')
    v2.write_text('{"cells": ["lesson 1, corrected"]}')
    mine = home / prepare_home.NOTEBOOK
    new = home / prepare_home.NEW_RELEASE

    first = sync(capsys, v1, home, "")
    assert first["action"] == "copied" and mine.read_text() == v1.read_text()
    # Not edited: the next release replaces it.
    second = sync(capsys, v2, home, first["given"])
    assert second["action"].startswith("updated") and mine.read_text() == v2.read_text()
    # Edited: kept; the next release goes beside it, under another name.
    mine.write_text('{"cells": ["my answers"]}')
    v3 = tmp_path / "v3.ipynb"
    v3.write_text('{"cells": ["lesson 1, third"]}')
    third = sync(capsys, v3, home, second["given"])
    assert "kept the student's edits" in third["action"]
    assert mine.read_text() == '{"cells": ["my answers"]}' and new.read_text() == v3.read_text()
    # The same release again: nothing changes.
    assert "kept" in sync(capsys, v3, home, third["given"])["action"]
    assert mine.read_text() == '{"cells": ["my answers"]}'
    # Deleted by the student: it comes back.
    mine.unlink()
    assert sync(capsys, v3, home, third["given"])["action"] == "copied" and mine.read_text() == v3.read_text()


def test_a_link_in_the_home_is_never_written_through(tmp_path, capsys):
    home = tmp_path / "home"
    home.mkdir()
    target = tmp_path / "elsewhere.txt"
    target.write_text("not the student's to change")
    (home / prepare_home.NOTEBOOK).symlink_to(target)
    release = tmp_path / "v1.ipynb"
    release.write_text('{"cells": []}')
    result = sync(capsys, release, home, "")
    assert "not a regular file" in result["action"]
    assert target.read_text() == "not the student's to change"
    assert Path(home / prepare_home.NEW_RELEASE).read_text() == release.read_text()
