"""scripts/plotly_js.py: plotly.js from npm's registry (or a school's mirror, npm_config_registry),
checked by the registry's SHA-512, written atomically, and left alone when already right."""
import base64
import hashlib
import importlib.util
import io
import os
import subprocess
import sys
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "plotly_js.py"
spec = importlib.util.spec_from_file_location("plotly_js", SCRIPT)
pins = importlib.util.module_from_spec(spec)
spec.loader.exec_module(pins)
TARBALL_PATH = f"/{pins.PACKAGE}/-/{pins.PACKAGE}-{pins.VERSION}.tgz"


def run(dest, registry=None):
    env = {k: v for k, v in os.environ.items() if k.lower() != "npm_config_registry"}
    if registry:
        env["npm_config_registry"] = registry
    done = subprocess.run([sys.executable, str(SCRIPT), str(dest)], env=env, capture_output=True, text=True, timeout=300)
    print(done.stdout, done.stderr)
    return done


class Registry:
    """A stand-in npm mirror on the loopback, under a path prefix, serving one tarball."""

    def __init__(self, tarball):
        self.requests = []
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                registry.requests.append(self.path)
                ok = self.path == "/mirror" + TARBALL_PATH
                body = tarball if ok else b"not found"
                self.send_response(200 if ok else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/mirror/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def tgz(member, data):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        info = tarfile.TarInfo(member)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def test_fetches_the_pinned_file_from_npm_and_replaces_a_wrong_copy(tmp_path):
    (tmp_path / "plotly.min.js").write_text("an old or broken copy")
    done = run(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "downloading https://registry.npmjs.org/plotly.js-dist-min/-/plotly.js-dist-min-2.35.2.tgz" in done.stdout
    got = (tmp_path / "plotly.min.js").read_bytes()
    assert hashlib.sha256(got).hexdigest() == pins.FILE_SHA256
    assert got.startswith(b"/**\n* plotly.js v2.35.2\n"), got[:40]
    assert [p.name for p in tmp_path.iterdir()] == ["plotly.min.js"], "a temporary file was left behind"
    assert oct((tmp_path / "plotly.min.js").stat().st_mode & 0o777) == "0o644"


def test_a_right_copy_is_neither_fetched_nor_written(tmp_path):
    """The registry is unreachable here (a closed port): the copy's own hash is enough."""
    good = ROOT / ".venv" / "share" / "lesson-static" / "plotly.min.js"
    assert hashlib.sha256(good.read_bytes()).hexdigest() == pins.FILE_SHA256, f"set-up left a wrong {good}"
    copy = tmp_path / "plotly.min.js"
    copy.write_bytes(good.read_bytes())
    os.utime(copy, (1_000_000_000, 1_000_000_000))
    before = copy.stat()
    done = run(tmp_path, registry="http://127.0.0.1:9/")
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stdout and "downloading" not in done.stdout
    after = copy.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (before.st_ino, before.st_mtime_ns, before.st_ctime_ns)


def test_a_mirror_serving_another_file_is_refused_naming_the_file_and_both_hashes(tmp_path):
    body = tgz(pins.MEMBER, b"/* not plotly.js */")
    actual = "sha512-" + base64.b64encode(hashlib.sha512(body).digest()).decode()
    mirror = Registry(body)
    try:
        done = run(tmp_path, registry=mirror.url)
    finally:
        mirror.close()
    assert mirror.requests == ["/mirror" + TARBALL_PATH], "npm_config_registry (with its path) was not used"
    assert done.returncode == 1
    message = done.stderr.strip()
    assert message.startswith("setup: plotly.js: ") and len(message.splitlines()) == 1, message
    for part in ("plotly.js-dist-min-2.35.2.tgz", "does not match its pinned hash", f"expected {pins.INTEGRITY}",
                 f"got {actual}", "npm_config_registry"):
        assert part in message, f"{part!r} not in {message!r}"
    assert list(tmp_path.iterdir()) == [], "something was written from a file that failed its hash"


def test_an_unreachable_registry_says_so_and_how_to_use_a_mirror(tmp_path):
    done = run(tmp_path, registry="http://127.0.0.1:9/")
    assert done.returncode == 1
    message = done.stderr.strip()
    assert "could not download http://127.0.0.1:9/plotly.js-dist-min/-/plotly.js-dist-min-2.35.2.tgz" in message, message
    assert "npm_config_registry" in message
    assert list(tmp_path.iterdir()) == []
