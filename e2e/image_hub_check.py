"""Run inside the single-user image by e2e/test_image.py (mounted read-only), as the image's user,
with no network: the image started the way Zero to JupyterHub starts it, then asked what a browser
asks through the hub's proxy.

- A stand-in for the hub's API on 127.0.0.1:8081 (the chart's hub is JupyterHub 5.5.0; it says so
  in its X-JupyterHub-Version header) that knows one token, the student's.
- The chart's postStart hook (argv[1], from values.yaml): the student's copy of the notebook.
- jupyterhub-singleuser with no argument (the chart's default command) and the environment
  KubeSpawner gives it, under the prefix /user/student1/; its settings come only from the config
  file that values.yaml mounts (the test mounts it at the same path).
- GET, with the student's token: the notebook's contents API, the kernel specs, JupyterLab's page;
  and plotly.js, a static file.

With "board CONTAINER_JSON" instead: the class board's container of values.yaml (hub.extraContainers),
its command, arguments and environment as written (its database in /tmp), under the same stand-in
hub: GET its page, whose answer sends the teacher to the hub's OAuth.

Prints the server's log, then one line "RESULT {json}" for the test to check. Every wait is
bounded; each server is ended by its own process id."""
import hashlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

USER = "student1"
PREFIX = f"/user/{USER}/"
TOKEN = "the-students-token"
HUB_VERSION = "5.5.0"
PORT = 8888


class Hub(BaseHTTPRequestHandler):
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("X-JupyterHub-Version", HUB_VERSION)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path.split("?")[0] == "/hub/api/user":   # Whose token is this?
            if self.headers.get("Authorization") == f"token {TOKEN}":
                self.reply(200, {"kind": "user", "name": USER, "admin": False, "groups": [],
                                 "scopes": [f"access:servers!user={USER}"], "session_id": None})
            else:
                self.reply(403, {"status": 403, "message": "not a token of this hub"})
        else:
            self.reply(200, {})

    do_POST = do_GET   # Activity reports.

    def log_message(self, *args):
        pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def get(path, deadline, token=True, port=PORT):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}")
    if token:
        request.add_header("Authorization", f"token {TOKEN}")
    opener = urllib.request.build_opener(NoRedirect)
    while True:
        try:
            with opener.open(request, timeout=10) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def stop(server):
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def board(container):
    """The board's container as values.yaml runs it beside the hub (whose API is 127.0.0.1:8081)."""
    env = dict(os.environ, **{var["name"]: var.get("value", "a-token-from-the-hub-secret") for var in container["env"]})
    args = [f"--db=/tmp/{os.path.basename(a)}" if a.startswith("--db=") else a for a in container["args"]]
    port = int(next(a for a in args if a.startswith("--listen=")).rsplit(":", 1)[1])
    result = {}
    with open("/tmp/board.log", "w") as log:
        server = subprocess.Popen([*container["command"], *args], env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            status, headers, _ = get(env["JUPYTERHUB_SERVICE_PREFIX"], time.monotonic() + 60, token=False, port=port)
            result = {"status": status, "location": headers.get("Location", "")}
        finally:
            stop(server)
    with open("/tmp/board.log") as log:
        print(log.read())
    return result


def main():
    hub = ThreadingHTTPServer(("127.0.0.1", 8081), Hub)
    threading.Thread(target=hub.serve_forever, daemon=True).start()
    if sys.argv[1] == "board":
        try:
            result = board(json.loads(sys.argv[2]))
        finally:
            hub.shutdown()
            hub.server_close()
        print("RESULT " + json.dumps(result), flush=True)
        return
    post_start = sys.argv[1]
    home = os.path.expanduser("~")
    subprocess.run(["sh", "-c", post_start], check=True, timeout=30)
    env = dict(os.environ,
               JUPYTERHUB_API_URL="http://127.0.0.1:8081/hub/api", JUPYTERHUB_API_TOKEN="the-servers-token",
               JUPYTERHUB_USER=USER, JUPYTERHUB_SERVER_NAME="", JUPYTERHUB_BASE_URL="/",
               JUPYTERHUB_SERVICE_PREFIX=PREFIX, JUPYTERHUB_SERVICE_URL=f"http://0.0.0.0:{PORT}{PREFIX}",
               JUPYTERHUB_CLIENT_ID=f"jupyterhub-user-{USER}", JUPYTERHUB_OAUTH_CALLBACK_URL=f"{PREFIX}oauth_callback",
               JUPYTERHUB_OAUTH_ACCESS_SCOPES=json.dumps([f"access:servers!server={USER}/", f"access:servers!user={USER}"]),
               JUPYTERHUB_OAUTH_SCOPES=json.dumps([f"access:servers!server={USER}/", f"access:servers!user={USER}"]),
               JUPYTERHUB_DEFAULT_URL="/lab/tree/mnist_mlp.ipynb")
    log_path = os.path.join(home, "singleuser.log")
    result = {"home": sorted(os.listdir(home)),
              "singleuser_version": subprocess.run(["jupyterhub-singleuser", "--version"], capture_output=True,
                                                   text=True, timeout=60).stdout.strip()}
    with open(log_path, "w") as log:
        started = time.monotonic()
        server = subprocess.Popen(["jupyterhub-singleuser"], env=env, cwd=home, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = started + 120
            status, headers, body = get(f"{PREFIX}api/contents/mnist_mlp.ipynb", deadline)
            result["seconds_to_answer"] = round(time.monotonic() - started, 1)
            result["contents"] = {"status": status}
            if status == 200:
                model = json.loads(body)
                cells = model["content"]["cells"]
                result["contents"].update(name=model["name"], type=model["type"], cells=len(cells),
                                          kernel=model["content"]["metadata"].get("kernelspec", {}).get("name"),
                                          first_code=next(c["source"] for c in cells if c["cell_type"] == "code")[:200])
            status, _, body = get(f"{PREFIX}api/contents/mnist_mlp.ipynb", deadline, token=False)
            result["contents_without_token"] = status
            status, _, body = get(f"{PREFIX}api/kernelspecs", deadline)
            result["kernelspecs"] = sorted(json.loads(body)["kernelspecs"]) if status == 200 else status
            status, _, body = get(f"{PREFIX}lab/tree/mnist_mlp.ipynb", deadline)
            result["lab"] = {"status": status, "mentions_prefix": PREFIX.encode() in body}
            status, headers, body = get(f"{PREFIX}static/plotly.min.js", deadline, token=False)
            result["plotly"] = {"status": status, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                                "head": body[:40].decode(errors="replace")}
        finally:
            stop(server)
            hub.shutdown()
            hub.server_close()
    with open(log_path) as log:
        print(log.read())
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
