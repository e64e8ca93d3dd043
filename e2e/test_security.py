"""JupyterLab as scripts/lab starts it: on this machine only, behind a token, with nothing in the
project turning authentication or XSRF checks off."""
import re
import subprocess
import urllib.error
import urllib.request

from labdriver import ROOT, lab_server

# Settings that would open the server up; none may appear in the project's scripts or configuration.
FORBIDDEN = re.compile(r"disable_check_xsrf|token\s*=\s*(''|\"\")|password\s*=\s*(''|\"\")|"
                       r"--ip=0\.0\.0\.0|ServerApp\.ip=0\.0\.0\.0|allow_origin\s*=\s*['\"]\*")


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def test_lab_listens_on_localhost_with_a_token(tmp_path):
    with lab_server(tmp_path, tmp_path / "lab.log") as (port, token):
        base = f"http://127.0.0.1:{port}"
        assert status(f"{base}/api/kernelspecs?token={token}") == 200
        assert status(f"{base}/api/kernelspecs") == 403, "the API answered without the token"
        assert status(f"{base}/api/kernelspecs?token=wrong") == 403
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        addresses = {line.split()[3] for line in listening.splitlines() if line.strip()}
        assert addresses == {f"127.0.0.1:{port}"}, f"listening on {addresses}"


def test_nothing_turns_security_off():
    files = subprocess.run(["git", "ls-files", "scripts", ".ci", "e2e", "notebooks"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    offenders = []
    for name in files:
        if name.endswith("test_security.py"):
            continue
        text = (ROOT / name).read_text(errors="ignore")
        offenders += [f"{name}: {m.group(0)}" for m in FORBIDDEN.finditer(text)]
    assert offenders == []
