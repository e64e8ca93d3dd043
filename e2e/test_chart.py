"""The Zero to JupyterHub values (docs/classroom/values.yaml), without a cluster.

With LESSON_CHART_DIR set to the chart as an administrator gets it (`helm pull
jupyterhub/jupyterhub --version 4.4.0 --untar` makes ./jupyterhub): scripts/check_chart passes
(helm lint, helm template, kubeconform -strict on every rendered resource), the rendered
resources hold the class board and the plotly.js config file, and broken copies of the values
(a misspelt key, a value of the wrong type, at the chart's level and inside a container) fail.
Without it, those tests skip and say so.

Always: what the chart's schema lets through unchecked (hub.config, hub.services, hub.loadRoles
are free-form there) is checked against the JupyterHub and FirstUseAuthenticator of the lock; the
class board starts with the container's own command and environment and sends the teacher to the
hub's OAuth with the redirect that hub.services declares; jupyterhub-singleuser, the chart's
default command, serves plotly.js under /user/NAME/ from the config file that singleuser.extraFiles
mounts, with no argument of its own; the pinned schemas download with their hash and resolve offline."""
import json
import os
import re
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from image_hub_check import get  # The same GET as inside the image: no redirects, retried to a deadline.

ROOT = Path(__file__).resolve().parent.parent
VALUES = ROOT / "docs" / "classroom" / "values.yaml"
CHECK = ROOT / "scripts" / "check_chart"
VENV = ROOT / ".venv"
PYTHON = str(VENV / "bin" / "python")
IMAGE_LESSON = "/opt/mnist-lesson/lesson"   # Where docs/classroom/Dockerfile puts the project.
CHART_DIR = os.environ.get("LESSON_CHART_DIR", "")
needs_chart = pytest.mark.skipif(
    not CHART_DIR,
    reason="SKIP: no chart to check the Zero to JupyterHub values against: set LESSON_CHART_DIR to the folder "
           "that 'helm pull jupyterhub/jupyterhub --version 4.4.0 --untar' makes (scripts/check_chart, docs/classroom.md)")


def values():
    return yaml.safe_load(VALUES.read_text())


def in_image(path):
    """The checkout's copy of a path of the image's lesson (the image is this project, set up)."""
    assert path.startswith(IMAGE_LESSON + "/"), f"{path} is not under the image's {IMAGE_LESSON}"
    return ROOT / path[len(IMAGE_LESSON) + 1:]


def board_binary(path, tmp_path):
    """The checkout's class-board where set-up installed it (scripts/setup --class-board), else built
    here from pkg/classboard/service: a fresh clone's set-up leaves it out unless a hub is wanted."""
    installed = in_image(path)
    if installed.is_file():
        return installed
    built = tmp_path / "class-board"
    done = subprocess.run(["go", "build", "-o", str(built), "./cmd/class-board"], cwd=ROOT / "pkg" / "classboard" / "service",
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return built


def venv_python(code):
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeHub:
    """Just enough of a hub's API for a server or service to start: any request answers {} with
    the version header of the chart's hub (JupyterHub 5.5.0)."""

    def __init__(self):
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = b"{}"
                self.send_response(200)
                self.send_header("X-JupyterHub-Version", "5.5.0")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_POST = do_GET

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.api_url = f"http://127.0.0.1:{self.server.server_address[1]}/hub/api"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_what_the_schema_lets_through_is_known_to_the_hub():
    """hub.config, hub.services and hub.loadRoles are free-form in the chart's schema, so a misspelt
    trait or scope passes lint and template and would stop the hub at start. Checked here against the
    lock's JupyterHub (6.1.1; the chart's hub runs 5.5.0, whose service fields and scopes these are
    too) and FirstUseAuthenticator (1.1.1, the chart's hub image's own version)."""
    hub = values()["hub"]
    known = venv_python("""if True:
        import json
        from importlib.metadata import entry_points, version
        from firstuseauthenticator import FirstUseAuthenticator
        from jupyterhub.app import JupyterHub
        from jupyterhub.auth import Authenticator
        from jupyterhub.scopes import scope_definitions
        from jupyterhub.services.service import Service
        def traits(cls):
            return sorted(cls.class_trait_names(config=True))
        print(json.dumps({
            "versions": {p: version(p) for p in ("jupyterhub", "jupyterhub-firstuseauthenticator")},
            "classes": {c.__name__: traits(c) for c in (JupyterHub, Authenticator, FirstUseAuthenticator)},
            "service": sorted(Service.class_trait_names()),
            "scopes": sorted(scope_definitions),
            "authenticators": sorted(e.name for e in entry_points(group="jupyterhub.authenticators")),
        }))""")
    print("checked against", known["versions"])
    for cls, settings in hub["config"].items():
        assert cls in known["classes"], f"hub.config.{cls}: a class this check does not know"
        for trait in settings:
            assert trait in known["classes"][cls], f"hub.config.{cls}.{trait} is not a setting of {cls}"
    assert hub["config"]["JupyterHub"]["authenticator_class"] in known["authenticators"]
    for name, service in hub["services"].items():
        for field in service:
            assert field == "apiToken" or field in known["service"], f"hub.services.{name}.{field} is not a service field"
    for name, role in hub["loadRoles"].items():
        for scope in role["scopes"]:
            assert scope.split("!")[0] in known["scopes"], f"hub.loadRoles.{name}: no scope {scope}"
        for service in role.get("services", []):
            assert service in hub["services"], f"hub.loadRoles.{name} names a service hub.services lacks: {service}"


def test_the_board_starts_with_its_container_and_sends_the_teacher_to_the_hub(tmp_path):
    """The class board's container (hub.extraContainers) is run as written, but on a free port of the
    loopback: the environment that the hub would give a managed service is complete, and the page sends
    the teacher to the hub's OAuth with the client and redirect that hub.services declares."""
    hub = values()["hub"]
    service = hub["services"]["class-board"]
    (container,) = [c for c in hub["extraContainers"] if c["name"] == "class-board"]
    port = free_port()
    args = [f"--listen=127.0.0.1:{port}" if a.startswith("--listen=") else a for a in container["args"]]
    args = [f"--db={tmp_path / 'board.sqlite'}" if a.startswith("--db=") else a for a in args]
    assert f"--listen=:{urlsplit(service['url']).port}" in container["args"], "the board listens where hub.services points"
    fake = FakeHub()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    for var in container["env"]:
        env[var["name"]] = var.get("value", "a-token-from-the-hub-secret")
    env["JUPYTERHUB_API_URL"] = fake.api_url
    board = subprocess.Popen([str(board_binary(container["command"][0], tmp_path)), *args], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status, headers, _ = get(env["JUPYTERHUB_SERVICE_PREFIX"], time.monotonic() + 30, token=False, port=port)
    finally:
        board.terminate()
        print(board.communicate(timeout=10)[0])
        fake.close()
    assert status == 302, status
    where = urlsplit(headers["Location"])
    query = parse_qs(where.query)
    print("the board sends the teacher to", where.path, {k: query[k] for k in ("client_id", "redirect_uri")})
    assert where.path == "/hub/api/oauth2/authorize"
    assert query["client_id"] == ["service-class-board"]   # JupyterHub's client id for service "class-board".
    assert query["redirect_uri"] == [service["oauth_redirect_uri"]]


def test_the_default_command_serves_plotly_from_the_mounted_config(tmp_path):
    """The chart starts jupyterhub-singleuser, not the image's CMD. The config file that
    singleuser.extraFiles mounts is read by it with no argument: under a hub's prefix (/user/NAME/)
    it serves the project's plotly.js. Its folder is one that Jupyter reads config files from, and
    its name is jupyter_server_config.json: a file in jupyter_server_config.d/ does not set it."""
    (entry,) = values()["singleuser"]["extraFiles"].values()
    mount = Path(entry["mountPath"])
    assert mount.name == "jupyter_server_config.json", mount
    paths = venv_python("import json; from jupyter_core.paths import SYSTEM_CONFIG_PATH; print(json.dumps(SYSTEM_CONFIG_PATH))")
    assert str(mount.parent) in paths, f"{mount.parent} is not one of Jupyter's system config folders {paths}"
    # Else this test would prove nothing: no config file the server reads here sets it already.
    others = venv_python("import json; from jupyter_core import paths; print(json.dumps(paths.jupyter_config_path()))")
    for folder in map(Path, others):
        for found in [*folder.glob("jupyter_*config.*"), *folder.glob("jupyter_*config.d/*")]:
            assert found.is_dir() or "extra_static_paths" not in found.read_text(errors="replace"), f"{found} sets it"
    config = json.loads(json.dumps(entry["data"]))   # As the chart renders a .json file's data.
    static = config["ServerApp"]["extra_static_paths"]
    config["ServerApp"]["extra_static_paths"] = [str(in_image(p)) for p in static]
    assert (in_image(static[0]) / "plotly.min.js").is_file(), f"set-up puts no plotly.min.js in {static[0]}"
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / mount.name).write_text(json.dumps(config))
    fake, port = FakeHub(), free_port()
    prefix = "/user/student1/"
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(tmp_path / "config"), HOME=str(tmp_path),
               JUPYTERHUB_API_URL=fake.api_url, JUPYTERHUB_API_TOKEN="token", JUPYTERHUB_USER="student1",
               JUPYTERHUB_SERVICE_URL=f"http://127.0.0.1:{port}{prefix}", JUPYTERHUB_SERVICE_PREFIX=prefix,
               JUPYTERHUB_BASE_URL="/", JUPYTERHUB_CLIENT_ID="jupyterhub-user-student1",
               JUPYTERHUB_OAUTH_CALLBACK_URL=f"{prefix}oauth_callback")
    server = subprocess.Popen([str(VENV / "bin" / "jupyterhub-singleuser"), "--ServerApp.allow_root=True"],
                              env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status, _, body = get(f"{prefix}static/plotly.min.js", time.monotonic() + 60, token=False, port=port)
    finally:
        server.terminate()
        log = server.communicate(timeout=20)[0]
        print("\n".join(line for line in log.splitlines() if re.search(r"version|static|Error|WARN|\[[WE] ", line)))
        fake.close()
    assert status == 200 and b"plotly" in body[:2000], (status, log[-3000:])
    print(f"GET {prefix}static/plotly.min.js: {status}, {len(body)} bytes")


def test_the_pinned_schemas_download_and_resolve_offline(tmp_path):
    """The wheel of scripts/requirements-k8s.txt still downloads with its hash, and
    scripts/k8s_schemas.py leaves schemas whose every $ref is inside the folder and no $id, so
    that kubeconform never reaches the network. Runs without a chart (pip caches the wheel)."""
    pip = subprocess.run([PYTHON, "-m", "pip", "download", "--disable-pip-version-check", "--quiet", "--no-deps",
                          "--require-hashes", "--only-binary=:all:", "-r", str(ROOT / "scripts" / "requirements-k8s.txt"),
                          "-d", str(tmp_path / "wheel")], capture_output=True, text=True, timeout=600)
    assert pip.returncode == 0, pip.stderr
    (wheel,) = (tmp_path / "wheel").glob("kubernetes_validate-*.whl")
    done = subprocess.run([PYTHON, str(ROOT / "scripts" / "k8s_schemas.py"), str(wheel), "1.35.0", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    print(done.stdout.strip())
    folder = tmp_path / "s" / "v1.35.0-local-strict"
    files = {f.name: f.read_text() for f in folder.glob("*.json")}
    assert len(files) > 500 and "deployment-apps-v1.json" in files and "_definitions.json" in files
    refs = {ref for text in files.values() for ref in re.findall(r'"\$ref": "([^"#]*)#', text)}
    assert refs == {"", "_definitions.json"}, refs
    assert not any('"$id"' in text for text in files.values())
    deployment = json.loads(files["deployment-apps-v1.json"])
    assert deployment["additionalProperties"] is False   # The strict variant: unknown fields fail.


def check_chart(values_file, out):
    done = subprocess.run([str(CHECK), "--out", str(out), CHART_DIR, str(values_file)],
                          capture_output=True, text=True, timeout=1200)
    return done.returncode, done.stdout + done.stderr


@needs_chart
def test_the_values_pass_lint_template_and_kubeconform():
    out = ROOT / "out" / "chart"
    code, said = check_chart(VALUES, out)
    print(said)
    assert code == 0, said
    assert "1 chart(s) linted, 0 chart(s) failed" in said
    summary = re.search(r"Summary: (\d+) resources? found in 1 file - Valid: (\d+), Invalid: (\d+), "
                        r"Errors: (\d+), Skipped: (\d+)", said)
    assert summary, said
    found, valid, invalid, errors, skipped = map(int, summary.groups())
    assert found > 20 and valid == found and invalid == errors == skipped == 0, summary.group(0)

    rendered = [d for d in yaml.safe_load_all((out / "rendered.yaml").read_text()) if d]
    assert len(rendered) == found
    by = {(d["kind"], d["metadata"]["name"]): d for d in rendered}
    pod = by[("Deployment", "hub")]["spec"]["template"]["spec"]
    (board,) = [c for c in pod["containers"] if c["name"] == "class-board"]
    token = {e["name"]: e for e in board["env"]}["JUPYTERHUB_API_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert token["key"] in by[("Secret", token["name"])]["data"], "the board's token is the one the chart keeps"
    assert any(v["name"] == board["volumeMounts"][0]["name"] for v in pod["volumes"])
    assert {"name": "class-board", "port": 8003, "targetPort": "class-board"} in by[("Service", "hub")]["spec"]["ports"]
    for policy, direction in (("hub", "ingress"), ("singleuser", "egress"), ("proxy", "egress")):
        rules = by[("NetworkPolicy", policy)]["spec"][direction]
        assert any({"port": 8003} in rule.get("ports", []) for rule in rules), f"{policy} {direction}: no rule for 8003"
    static = json.loads(by[("Secret", "singleuser")]["stringData"]["lesson-static"])
    assert static["ServerApp"]["extra_static_paths"] == [IMAGE_LESSON + "/.venv/share/lesson-static"]


def broken(edit):
    """A copy of values.yaml with one edit: (path to a mapping, old key, new key or None, new value)."""
    path, key, new_key, new_value = edit
    copy = values()
    node = copy
    for step in path:
        node = node[step]
    value = node.pop(key)   # KeyError: the values changed shape; update the edit.
    node[new_key or key] = value if new_value is None else new_value
    return copy


BROKEN = {
    "a misspelt key (cull.timout)": ((["cull"], "timeout", "timout", None),
                                     "at '/cull': additional properties 'timout' not allowed"),
    "a wrong type (cull.timeout: an hour)": ((["cull"], "timeout", None, "an hour"),
                                             "at '/cull/timeout': got string, want null or integer"),
    "a misspelt field in the board's container": ((["hub", "extraContainers", 0], "volumeMounts", "volumeMount", None),
                                                  "additional properties 'volumeMount' not allowed"),
    "a wrong type in the board's container": ((["hub", "extraContainers", 0, "ports", 0], "containerPort", None, "8003"),
                                              "containerPort': got string, want integer"),
}


@needs_chart
@pytest.mark.parametrize("what", BROKEN)
def test_broken_values_fail(tmp_path, what):
    edit, expected = BROKEN[what]
    copy = tmp_path / "values.yaml"
    copy.write_text(yaml.safe_dump(broken(edit)))
    code, said = check_chart(copy, tmp_path / "out")
    print(said[-2500:])
    assert code != 0, f"{what} passed the check"
    assert expected in said
    assert "chart values: lint, template and kubeconform passed" not in said
