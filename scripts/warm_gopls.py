"""Fills a gopls cache (GOPLSCACHE) with what the lesson's imports need, so that a student's
first kernel does not have gopls type-check the lesson's packages and GoMLX from source.

Usage: warm_gopls.py OUT_DIR

With gopls' cache empty, a kernel's gopls peaks at about 1 GB of memory for a moment; from this
cache, with the same Go build cache, at about 200 MB (where each student has a build cache of
their own, gopls checks the packages built with cgo again: docs/classroom.md has those figures).
This runs `gopls check` once, in the GoNB kernel's environment (kernel.json's env, so the cache
keys match), on a file that imports every package the notebook imports, in a module laid out as
GoNB lays out a cell's (a go.work using the lesson's root). The cache's files are then made
readable by everyone: scripts/hub/prepare_home.py gives each student a copy made of hard links.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "mnist_mlp.ipynb"
IMPORT_BLOCK = re.compile(r"^import\s*\((.*?)^\)", re.M | re.S)
IMPORT_LINE = re.compile(r'^import\s+(?:\w+\s+)?"([^"]+)"', re.M)


def notebook_imports(notebook: Path):
    """Every package path the notebook's code cells import."""
    paths = set()
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        for block in IMPORT_BLOCK.findall(cell.source):
            paths.update(re.findall(r'"([^"]+)"', block))
        paths.update(IMPORT_LINE.findall(cell.source))
    return sorted(paths)


def kernel_env():
    """The GoNB kernel's environment, as set-up registered it for this copy of the lesson (not
    JUPYTER_DATA_DIR's: scripts/classroom runs this for the shared install, from another checkout)."""
    spec = ROOT / ".venv" / "share" / "jupyter" / "kernels" / "gonb" / "kernel.json"
    try:
        return json.loads(spec.read_text())["env"]
    except (OSError, ValueError, KeyError) as e:
        sys.exit(f"warm_gopls: cannot read the GoNB kernel's environment from {spec} ({e}): run scripts/setup first.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, metavar="OUT_DIR", help="the gopls cache to fill (GOPLSCACHE)")
    args = parser.parse_args()
    imports = notebook_imports(NOTEBOOK)
    env = dict(os.environ, **kernel_env(), GOPLSCACHE=str(args.out.resolve()))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="warm-gopls-") as work:
        go_version = re.search(r"^go (\S+)", (ROOT / "go.mod").read_text(), re.M).group(1)
        Path(work, "go.mod").write_text(f"module gonb_warm\n\ngo {go_version}\n")
        Path(work, "go.work").write_text(f"go {go_version}\n\nuse (\n\t.\n\t{ROOT}\n)\n")
        Path(work, "main.go").write_text("package main\n\nimport (\n" + "".join(f'\t_ "{p}"\n' for p in imports)
                                         + ")\n\nfunc main() {}\n")
        print(f"==> gopls cache for the lesson's {len(imports)} imports into {args.out}", flush=True)
        # This copy's gopls by its path: gopls keeps its cache in a folder named by its executable's hash.
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "gopls"), "check", "main.go"], cwd=work, env=env,
                              capture_output=True, text=True)
    if done.returncode != 0 or done.stdout.strip():
        sys.exit(f"warm_gopls: gopls check failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    # gopls writes 0600: each student links to these files, so they are made readable. It also
    # deletes an entry unused for 5 days and re-dates one older than an hour when it reads it,
    # judging by the file's date: dated 2100, the shared entries are never deleted from a student's
    # copy nor re-dated (which, in an image, would copy each one into a pod's writable layer).
    never = datetime(2100, 1, 1, tzinfo=timezone.utc).timestamp()
    for dirpath, _subdirs, filenames in os.walk(args.out):
        os.chmod(dirpath, 0o755)
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
            os.utime(os.path.join(dirpath, name), (never, never))
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    print(f"    done: {size / 2**20:.0f} MB", flush=True)


if __name__ == "__main__":
    main()
