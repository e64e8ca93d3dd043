"""The single-user image of Zero to JupyterHub (docs/classroom/Dockerfile), built by `scripts/image
build` (its layers cached between runs, so that an unchanged tree rebuilds nothing) and run with
podman the way a pod runs it: as its user (uid 1000), with no network (--network none).

- the lesson headless in the student's home, as a pod's kernel runs it (1 epoch, XLA CPU): the
  test accuracy, and the warm Go build cache doing its work (GoMLX is linked, not compiled again);
- scripts/run in the image's own copy of the lesson: set-up finds everything up to date and writes
  nothing in the read-only .venv, then the lesson;
- jupyterhub-singleuser as the chart starts it (no argument, the config file values.yaml mounts,
  KubeSpawner's environment, a stand-in for the chart's 5.5.0 hub): under /user/student1/ it serves
  the notebook's contents, the GoNB kernel and plotly.js (e2e/image_hub_check.py, run inside);
- the class board's container of values.yaml, run from the image: it sends the teacher to the hub;
- the image's size and layers (out/e2e/image-layers.txt); no layer deletes or rewrites a file that
  an earlier one holds.

Skips, saying why, only where podman is missing and cannot be installed (not root, or no apt-get;
as root on Debian, scripts/image installs it) or where `podman info` fails. Every container is
removed by its name, whatever happens; each wait is bounded."""
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "out" / "e2e"
IMAGE = os.environ.get("LESSON_IMAGE", "localhost/mnist-lesson:latest")
LESSON = "/opt/mnist-lesson/lesson"
ENV = dict(os.environ, CONTAINERS_CONF=os.environ.get("CONTAINERS_CONF", str(ROOT / "scripts" / "containers.conf")))
# A cold build (empty podman storage) took about NN min here (docs/classroom.md); a warm one seconds.
BUILD_TIMEOUT = 60 * 60
# What the image may weigh: about 2.7 GB measured (docs/classroom.md); more means a layer grew.
MAX_IMAGE_BYTES = 3.0e9
spec = importlib.util.spec_from_file_location("plotly_js", ROOT / "scripts" / "plotly_js.py")
plotly_pins = importlib.util.module_from_spec(spec)
spec.loader.exec_module(plotly_pins)

if shutil.which("podman") is None and (os.geteuid() != 0 or shutil.which("apt-get") is None):
    pytest.skip("SKIP: podman is not installed, and scripts/image installs it only as root on Debian: "
                "install podman and runc (Debian/Ubuntu: sudo apt-get install podman runc) to build and test the image",
                allow_module_level=True)


def podman(*args, timeout=120):
    return subprocess.run(["podman", *args], env=ENV, capture_output=True, text=True, timeout=timeout)


def run_in_image(*command, timeout, workdir="/home/jovyan", mounts=(), env=()):
    """podman run --rm, as uid 1000 with no network; the container is removed by its name if the
    wait runs out. Returns (exit status, output)."""
    name = f"mnist-lesson-test-{uuid.uuid4().hex[:12]}"
    args = ["podman", "run", "--rm", "--name", name, "--network", "none", "--user", "1000:1000", "-w", workdir]
    for host, inside in mounts:
        args += ["-v", f"{host}:{inside}:ro"]
    for var in env:
        args += ["-e", var]
    started = time.monotonic()
    proc = subprocess.Popen([*args, IMAGE, *command], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        podman("rm", "--force", "--time", "0", name)
        proc.kill()
        out, _ = proc.communicate(timeout=30)
        pytest.fail(f"{' '.join(command)} ran past {timeout} s in the image; its output:\n{out[-5000:]}")
    finally:
        if proc.poll() is None:
            proc.kill()
    print(f"--- {' '.join(command)[:120]}: exit {proc.returncode} in {time.monotonic() - started:.0f} s\n{out[-6000:]}")
    return proc.returncode, out


@pytest.fixture(scope="module")
def image():
    if shutil.which("podman"):   # Else scripts/image installs it (as root, on Debian).
        info = podman("info", timeout=120)
        if info.returncode != 0:
            pytest.skip(f"SKIP: podman cannot run here ({info.stderr.strip()[-300:]}): see scripts/containers.conf")
    OUT.mkdir(parents=True, exist_ok=True)
    log = OUT / "image-build.log"
    started = time.monotonic()
    with open(log, "w") as f:
        done = subprocess.run([str(ROOT / "scripts" / "image"), "build"], env=ENV, stdout=f, stderr=subprocess.STDOUT,
                              timeout=BUILD_TIMEOUT)
    said = log.read_text()
    print(f"scripts/image build: exit {done.returncode} in {time.monotonic() - started:.0f} s (log: {log})")
    print(said[said.rfind("==> Built"):] if done.returncode == 0 else said[-8000:])
    assert done.returncode == 0, f"scripts/image build failed; see {log}"
    return IMAGE


def test_size_and_layers(image):
    """The size, each layer's, and no file held for nothing: no layer deletes or replaces a file that
    an earlier layer holds (the old Dockerfile held a deleted 76 MB zip), and the Go layer is Go
    unpacked (about 180 MB; with its zip, 255 MB)."""
    size = int(podman("image", "inspect", "--format", "{{.Size}}", image).stdout)
    history = json.loads(podman("history", "--format", "json", "--no-trunc", image).stdout)
    layers = [(layer["id"], layer["size"], " ".join(layer["CreatedBy"].replace("/bin/sh -c ", "").split()))
              for layer in reversed(history)]
    table = "\n".join(f"{s / 1e6:9.1f} MB  {step[:150]}" for _, s, step in layers if s > 0)
    table += f"\n{size / 1e6:9.1f} MB  in all, {sum(1 for _, s, _ in layers if s > 0)} layers that hold files"
    (OUT / "image-layers.txt").write_text(table + "\n")
    print(table)
    assert size < MAX_IMAGE_BYTES, f"the image is {size / 1e9:.2f} GB, more than {MAX_IMAGE_BYTES / 1e9} GB: which layer grew?"
    go_layer = next(s for _, s, step in layers if "go_toolchain.py 1.27.3" in step)
    assert 150e6 < go_layer < 200e6, f"the Go toolchain's layer is {go_layer / 1e6:.0f} MB"
    # Each layer against the one below it (podman image diff; its letters for added and deleted
    # differ between podman versions, so they are read off the Go layer, which only adds /usr/local/go).
    built = [(i, s, step) for i, s, step in layers if i != "<missing>"]
    changes = {}
    for (below, _, _), (layer, s, step) in zip(built, built[1:], strict=False):
        if s > 0:
            diff = podman("image", "diff", below, layer).stdout.split("\n")
            changes[step] = {tuple(line.split(" ", 1)) for line in diff if line}
    (go_step,) = [step for step in changes if "go_toolchain.py 1.27.3" in step]
    (added,) = {kind for kind, path in changes[go_step] if path == "/usr/local/go"}
    (deleted,) = {"A", "D"} - {added}
    for step, paths in changes.items():
        gone = sorted(path for kind, path in paths if kind == deleted)
        assert not gone, f"this layer deletes what an earlier layer holds, {gone[:5]}: {step[:200]}"
    # Changed: only folders (their owner, their entries), never a file copied whole into a new layer.
    changed = sorted({path for paths in changes.values() for kind, path in paths if kind == "C"})
    code, out = run_in_image("sh", "-c", 'for p; do [ -d "$p" ] || echo "not a folder: $p"; done', "sh", *changed, timeout=120)
    assert code == 0 and "not a folder" not in out, f"layers rewrite files that earlier layers hold: {out[-2000:]}"


def test_the_lesson_runs_headless_as_the_user_offline(image):
    """As a pod's kernel runs it: the student's copy in their home (the chart's postStart hook copies
    it there), Jupyter's own paths, no set-up. The Go build cache grows by the cells' own builds
    only: a few MB, where compiling GoMLX again would add hundreds."""
    script = (f"set -e; id -u; cp {LESSON}/notebooks/mnist_mlp.ipynb ~/; "
              "python3 -c 'import socket; socket.create_connection((\"proxy.golang.org\", 443), timeout=5)' "
              "2>/dev/null && echo NETWORK-REACHABLE || echo no network; "
              "before=$(du -sk \"$GOCACHE\" | cut -f1); "
              "LESSON_EPOCHS=1 LESSON_BACKEND=xla:cpu python "
              f"{LESSON}/scripts/execute_notebook.py ~/mnist_mlp.ipynb ~/out; "
              "echo \"build cache grew by $(( ($(du -sk \"$GOCACHE\" | cut -f1) - before) / 1024 )) MB\"")
    code, out = run_in_image("bash", "-c", script, timeout=900)
    assert code == 0, out[-5000:]
    assert out.splitlines()[0] == "1000" and "no network" in out
    accuracy = re.search(r"^Test accuracy: ([0-9.]+)$", out, re.M)
    assert accuracy and float(accuracy.group(1)) >= 0.9, "no test accuracy of 0.9 or more"
    assert re.search(r"XLA.*CPU|xla:cpu", out, re.I), "the lesson did not say it trains on XLA CPU"
    grew = int(re.search(r"build cache grew by (-?\d+) MB", out).group(1))
    assert grew < 100, f"the Go build cache grew by {grew} MB: the image's warm cache was not used"


def test_a_students_first_kernel_finds_the_images_gopls_cache(image):
    """The image holds gopls' cache for the lesson's imports (GOPLSCACHE, jovyan's, so that a pod's
    gopls can add to it): gopls, in the kernel's environment and a module laid out as GoNB lays out
    a cell's, uses it, where from an empty cache it type-checks the lesson's packages and GoMLX from
    source (a student's first kernel peaked at 1 GB so)."""
    probe = ROOT / "e2e" / "fixtures" / "gopls_cache_probe.py"
    code, out = run_in_image("python3", "/e2e/gopls_cache_probe.py", LESSON, timeout=300,
                             mounts=[(probe, "/e2e/gopls_cache_probe.py")])
    assert code == 0 and "warm cache: gopls check 0" in out and "empty cache: gopls check 0" in out, out[-3000:]
    warm = int(re.search(r"warm cache: .*?peak (\d+) MB", out, re.S).group(1))
    empty = int(re.search(r"empty cache: .*?peak (\d+) MB", out, re.S).group(1))
    assert "owner 1000" in out, "the pod's user cannot add to gopls' cache"
    assert warm < empty / 2, f"gopls peaked at {warm} MB with the image's cache, {empty} MB with none: the cache went unused"


def test_scripts_run_as_the_user_offline(image):
    """scripts/run in the image's own copy: set-up needs no network and no write access to .venv
    (root's), then the lesson headless."""
    script = ("set -e; ls -ld .venv | awk '{print \"venv owner:\", $3}'; touch .venv/x 2>/dev/null && echo VENV-WRITABLE; "
              "LESSON_EPOCHS=1 scripts/run")
    code, out = run_in_image("bash", "-c", script, workdir=LESSON, timeout=900)
    assert code == 0, out[-5000:]
    assert "venv owner: root" in out and "VENV-WRITABLE" not in out
    assert "Permission denied" not in out
    assert out.count("up to date") >= 5, "set-up redid a step"   # Python, plotly.js, XLA, Go tools, kernel.
    assert re.search(r"^Test accuracy: 0\.9\d+$", out, re.M), "no test accuracy of 0.9 or more"


def test_jupyterhub_singleuser_serves_the_notebook_and_plotly_under_a_hub_prefix(image, tmp_path):
    values = yaml.safe_load((ROOT / "docs" / "classroom" / "values.yaml").read_text())
    singleuser = values["singleuser"]
    assert singleuser["image"]["name"].endswith("/mnist-lesson")
    (entry,) = singleuser["extraFiles"].values()
    config = tmp_path / "jupyter_server_config.json"
    config.write_text(json.dumps(entry["data"]))   # As the chart renders a .json file's data.
    post_start = singleuser["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert post_start[:2] == ["sh", "-c"]
    check = ROOT / "e2e" / "image_hub_check.py"
    code, out = run_in_image("python3", "/e2e/image_hub_check.py", post_start[2], timeout=300,
                             mounts=[(config, entry["mountPath"]), (check, "/e2e/image_hub_check.py")])
    assert code == 0, out[-5000:]
    result = json.loads(out[out.rindex("RESULT ") + len("RESULT "):])
    print(json.dumps(result, indent=1))
    assert "mnist_mlp.ipynb" in result["home"], "the postStart hook did not copy the notebook into the home"
    contents = result["contents"]
    assert contents["status"] == 200 and contents["type"] == "notebook" and contents["cells"] > 20, contents
    assert contents["kernel"] == "gonb" and "mnistlesson/pkg/" in contents["first_code"], contents
    assert result["singleuser_version"] == "5.5.0", "jupyterhub-singleuser is not the chart's hub's version"
    assert result["contents_without_token"] in (302, 401, 403), "the notebook was served without the student's token"
    assert "gonb" in result["kernelspecs"], result["kernelspecs"]
    assert result["lab"] == {"status": 200, "mentions_prefix": True}, result["lab"]
    plotly = result["plotly"]
    assert plotly["status"] == 200 and plotly["sha256"] == plotly_pins.FILE_SHA256, plotly
    assert "version mismatch" not in out.lower() and "!= jupyterhub-singleuser" not in out
    digest = hashlib.sha256(config.read_bytes()).hexdigest()[:12]
    print(f"served under /user/student1/ with only the mounted config ({entry['mountPath']}, {digest}): "
          f"{plotly['bytes']} bytes of plotly.js, first answer after {result['seconds_to_answer']} s")


def test_the_class_boards_container_runs_from_the_image(image):
    """values.yaml's hub.extraContainers runs the image's .venv/bin/class-board beside the hub: its
    command, arguments and environment as written answer the teacher with the hub's OAuth."""
    (container,) = [c for c in yaml.safe_load((ROOT / "docs" / "classroom" / "values.yaml").read_text())["hub"]["extraContainers"]
                    if c["name"] == "class-board"]
    assert container["command"] == [f"{LESSON}/.venv/bin/class-board"]
    assert container["securityContext"]["runAsUser"] == 1000
    spec = json.dumps({k: container[k] for k in ("command", "args", "env")})
    code, out = run_in_image("python3", "/e2e/image_hub_check.py", "board", spec, timeout=120,
                             mounts=[(ROOT / "e2e" / "image_hub_check.py", "/e2e/image_hub_check.py")])
    assert code == 0, out[-3000:]
    result = json.loads(out[out.rindex("RESULT ") + len("RESULT "):])
    print(result)
    where = urlsplit(result["location"])
    assert result["status"] == 302 and where.path == "/hub/api/oauth2/authorize", result
    assert parse_qs(where.query)["client_id"] == ["service-class-board"], result
