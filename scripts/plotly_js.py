"""plotly.js for the lesson's interactive charts, from npm's registry, checked by its hash.

    python scripts/plotly_js.py DEST_DIR

Leaves DEST_DIR/plotly.min.js (scripts/setup passes $LESSON_STATIC_DIR, which JupyterLab serves as
/static/plotly.min.js: the charts never load it from a CDN). Nothing is fetched, and nothing is
written, when DEST_DIR already holds the right file (its SHA-256): a read-only install is left as
it is. Otherwise it downloads npm's plotly.js-dist-min tarball, checks it against the registry's
own integrity hash (SHA-512) pinned below, and writes the file atomically. The registry is
$npm_config_registry when set (a school's npm mirror, as npm itself reads it), else npm's.
Standard library only: a student's set-up needs no npm.

plotly.js 2.35.2 is the version GoNB's go-plotly figures target; the plotly Python package 5.24.1
(what set-up installed before, 188 MB, for this one file) ships byte for byte the same file."""
import base64
import hashlib
import io
import os
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

PACKAGE = "plotly.js-dist-min"
VERSION = "2.35.2"
# `npm view plotly.js-dist-min@2.35.2 dist.integrity`: the tarball's SHA-512, as the registry lists it.
INTEGRITY = "sha512-oWDTf2kYOmTtEw3epeeSBdfH/H3OSktF0suST9oI6fIgKfbyd4MT7TPh8+CVzdHYllYon24Q0HI1hZjOnLqk6g=="
MEMBER = "package/plotly.min.js"
# The SHA-256 of that member: checks an installed copy without the network.
FILE_SHA256 = "6d21266ce1bd7d9e5ab4e115989c70c20de0382fd973a8f26ab58619eba4d603"
NAME = "plotly.min.js"
DEFAULT_REGISTRY = "https://registry.npmjs.org/"


class Failed(Exception):
    """A problem and its fix, in one sentence."""


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def registry():
    for var in ("npm_config_registry", "NPM_CONFIG_REGISTRY"):
        if os.environ.get(var):
            return os.environ[var], var
    return DEFAULT_REGISTRY, None


def download(url, timeout=60):
    """The body of url, with progress on stdout every quarter (or every MB when the size is unknown)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            size = int(r.headers.get("Content-Length") or 0)
            print(f"    downloading {url}" + (f" ({size / 1e6:.1f} MB)" if size else ""), flush=True)
            chunks, got, shown, started = [], 0, 0, time.monotonic()
            while block := r.read(1 << 16):
                chunks.append(block)
                got += len(block)
                step = got * 4 // size if size else got >> 20
                if step > shown:
                    shown = step
                    done = f"{step * 25}%" if size else f"{got / 1e6:.0f} MB"
                    print(f"    … {done} ({time.monotonic() - started:.1f} s)", flush=True)
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        raise Failed(f"could not download {url}: {reason}. Check the network; a school with its own npm mirror "
                     "sets npm_config_registry to it (e.g. npm_config_registry=https://npm.school.example/).") from e
    return b"".join(chunks)


def fetch(dest_dir):
    dest = os.path.join(dest_dir, NAME)
    label = f"plotly.js {VERSION} (npm: {PACKAGE}@{VERSION})"
    if os.path.isfile(dest) and sha256_of(dest) == FILE_SHA256:
        print(f"    {label}: up to date")
        return
    base, var = registry()
    tarball = f"{PACKAGE}-{VERSION}.tgz"
    url = f"{base.rstrip('/')}/{PACKAGE}/-/{tarball}"
    print(f"    {label}, from {'$' + var if var else 'npm'}")
    body = download(url)
    algorithm, _, expected = INTEGRITY.partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, body).digest()).decode()
    if actual != expected:
        raise Failed(f"{tarball} from {url} does not match its pinned hash: expected {INTEGRITY}, got "
                     f"{algorithm}-{actual} ({len(body)} bytes). The registry or mirror served another file; "
                     "nothing was installed. Check npm_config_registry, or the pin in scripts/plotly_js.py.")
    try:
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as tar:
            data = tar.extractfile(MEMBER).read()
    except (tarfile.TarError, KeyError, AttributeError) as e:
        raise Failed(f"{tarball} matches its hash but holds no {MEMBER} ({e}): fix MEMBER in scripts/plotly_js.py.") from e
    if hashlib.sha256(data).hexdigest() != FILE_SHA256:
        raise Failed(f"{MEMBER} in {tarball} does not match its pinned hash: expected sha256 {FILE_SHA256}, "
                     f"got {hashlib.sha256(data).hexdigest()}: fix FILE_SHA256 in scripts/plotly_js.py.")
    os.makedirs(dest_dir, exist_ok=True)
    # Atomic: a reader (JupyterLab serving it) sees the old file or the new one, never half of one.
    fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=f".{NAME}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        os.unlink(tmp)
        raise
    print(f"    {dest}: {len(data)} bytes, SHA-256 checked")


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: {sys.argv[0]} DEST_DIR")
    try:
        fetch(sys.argv[1])
    except Failed as e:
        sys.exit(f"setup: plotly.js: {e}")
    except OSError as e:
        sys.exit(f"setup: plotly.js: could not write {os.path.join(sys.argv[1], NAME)}: {e}. "
                 "Make that folder writable, or run set-up as its owner.")


if __name__ == "__main__":
    main()
