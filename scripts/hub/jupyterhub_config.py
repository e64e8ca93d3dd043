"""JupyterHub for a class, as scripts/classroom starts it (as root): one Unix account per student,
each with a home of their own, a JupyterLab started as that user (SystemdSpawner where systemd
runs, each student in a unit of their own with a memory cap and a CPU quota; LocalProcessSpawner
elsewhere), and the lesson, the Go toolchain, the module cache, the GoNB kernel and the XLA plugin
installed once in a shared, read-only prefix. Every setting comes from the CLASSROOM_* variables
scripts/classroom exports; see README.md, "A whole class on one server"."""
import json
import os
import pwd
import sys

from firstuseauthenticator import FirstUseAuthenticator
from jupyterhub.auth import LocalAuthenticator
from jupyterhub.traitlets import ByteSpecification
from traitlets import TraitError

c = get_config()  # noqa: F821 (JupyterHub defines it)

PREFIX = os.environ["CLASSROOM_PREFIX"]          # The shared install (read-only for students).
LESSON = os.path.join(PREFIX, "lesson")          # The project, set up with the system's Python.
VENV = os.path.join(LESSON, ".venv")
HUB_DIR = os.path.dirname(os.path.abspath(__file__))  # This folder, in the shared install (students read it).
STATE = os.environ["CLASSROOM_STATE"]            # The hub's database, secrets and passwords (root only).
IP = os.environ.get("CLASSROOM_IP", "127.0.0.1")
PORT = int(os.environ.get("CLASSROOM_PORT", "8000"))
TEACHER = os.environ["CLASSROOM_TEACHER"]
ROSTER = [n for n in os.environ["CLASSROOM_STUDENTS"].split(",") if n]
MEM_LIMIT = os.environ.get("CLASSROOM_MEM_LIMIT", "2G")  # Per student (or per process): see "Limits" below.
CPU_LIMIT = os.environ.get("CLASSROOM_CPU_LIMIT", "1")    # Cores per student (SystemdSpawner only).
SPAWNER = os.environ.get("CLASSROOM_SPAWNER", "local")    # scripts/classroom's choice: systemd or local.
GO_THREADS = os.environ.get("CLASSROOM_GOMAXPROCS", "2")
IDLE_TIMEOUT = int(os.environ.get("CLASSROOM_IDLE_TIMEOUT", "3600"))
LANG = os.environ.get("CLASSROOM_LANG", "ko")  # JupyterLab's menus: Korean unless asked otherwise.

# --- Network: the hub on IP:PORT (127.0.0.1 unless the teacher asks otherwise); its own API and
# the proxy's on the loopback only.
c.JupyterHub.ip = IP
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PORT + 2}"
c.ConfigurableHTTPProxy.command = [os.path.join(VENV, "lib", "hub-proxy", "node_modules", ".bin",
                                                "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "proxy.pid")
if os.environ.get("CLASSROOM_SSL_CERT"):
    c.JupyterHub.ssl_cert = os.environ["CLASSROOM_SSL_CERT"]
    c.JupyterHub.ssl_key = os.environ["CLASSROOM_SSL_KEY"]

# --- What survives a restart: users, their passwords and the cookie secret (so logins stay).
c.JupyterHub.db_url = f"sqlite:///{os.path.join(STATE, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = os.path.join(STATE, "jupyterhub.pid")


# --- Accounts: the roster and the teacher. Each student sets a password at first login
# (FirstUseAuthenticator); the accounts are Unix users, made by scripts/classroom with a private
# home (mode 700), so that no student can read another's files.
class ClassAuthenticator(LocalAuthenticator, FirstUseAuthenticator):
    """FirstUse passwords for the Unix accounts of the roster."""


c.JupyterHub.authenticator_class = ClassAuthenticator
c.FirstUseAuthenticator.dbm_path = os.path.join(STATE, "passwords.dbm")
c.FirstUseAuthenticator.create_users = False     # Only the roster: no password saved for anyone else.
c.FirstUseAuthenticator.min_password_length = 8
c.LocalAuthenticator.create_system_users = False  # scripts/classroom makes them, with private homes.
c.Authenticator.allowed_users = set(ROSTER)
c.Authenticator.admin_users = {TEACHER}
c.Authenticator.allow_existing_users = False      # The roster decides, also after a restart.

# --- Each user's JupyterLab, started as that user, from the shared install. Limits (scripts/classroom
# picks the spawner, and prints what is enforced):
# - SystemdSpawner (where systemd is PID 1 and applies MemoryMax and CPUQuota, as scripts/classroom
#   checks): each student's server, kernels, cells and tools run in one systemd unit,
#   jupyter-NAME-singleuser, whose cgroup caps their memory together (MemoryMax=MEM_LIMIT) and their
#   CPU time together (CPUQuota=CPU_LIMIT cores). When they reach the memory cap, Linux ends the
#   largest of that student's processes, never another student's or the hub's (OOMPolicy=continue:
#   the server stays up), and the cell it ran in says so (server/classroom_limits.py). Stopping the
#   server (the student, the teacher, the idle culler) stops the unit: systemd ends every process in
#   its cgroup, GoNB's gopls included.
# - LocalProcessSpawner (the fallback): every process of the server gets RLIMIT_DATA of MEM_LIMIT
#   (prlimit): per process, not per student. RLIMIT_AS would break Go, which reserves address space
#   it never uses. CPU is only advised: GOMAXPROCS for Go cells, and the XLA CPU backend uses one
#   device (pkg/backend); a student's cell can still use every core. The server runs under
#   subreaper.py, which ends whatever it leaves behind (gopls) when it stops.
# - idle servers are stopped after IDLE_TIMEOUT seconds (jupyterhub-idle-culler, below).
def memory_bytes(size):
    """The bytes in a size such as 2G, 1.5g, 512M or 1073741824, read by JupyterHub's own
    ByteSpecification (the trait of Spawner.mem_limit: K, M, G, T are powers of 1024), which
    takes an upper-case suffix or a number only: a lower-case suffix is accepted too, as it always
    was here. (Spawner.mem_limit = "2g" itself would fail, at each student's start.)"""
    spec = size.strip()
    value = int(spec) if spec.isdigit() else spec[:-1] + spec[-1:].upper()
    try:
        size_bytes = ByteSpecification().validate(None, value)
    except TraitError as e:
        raise SystemExit(f"classroom: --mem-limit {size!r} (CLASSROOM_MEM_LIMIT) is not a size: give bytes, or a "
                         f"number with K, M, G or T, e.g. 2G or 512M. JupyterHub says: {e}") from None
    if size_bytes <= 0:
        raise SystemExit(f"classroom: --mem-limit {size!r} (CLASSROOM_MEM_LIMIT) leaves no memory: give a size "
                         f"above 0, e.g. 2G or 512M.")
    return size_bytes


def cpu_cores(value):
    """The cores in --cpu-limit (a positive number, e.g. 1 or 0.5)."""
    try:
        cores = float(value)
    except ValueError:
        cores = 0
    if not 0.01 <= cores <= 1024:
        raise SystemExit(f"classroom: --cpu-limit {value!r} (CLASSROOM_CPU_LIMIT) is not a number of cores: give one "
                         f"such as 1 or 0.5.")
    return cores


MEM_BYTES = memory_bytes(MEM_LIMIT)
SINGLEUSER = os.path.join(VENV, "bin", "jupyterhub-singleuser")
if SPAWNER == "systemd":
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"
    c.Spawner.cmd = [SINGLEUSER]
    c.Spawner.mem_limit = MEM_BYTES               # MemoryMax of the student's unit.
    c.Spawner.cpu_limit = cpu_cores(CPU_LIMIT)    # CPUQuota of the student's unit.
    c.SystemdSpawner.unit_name_template = "jupyter-{USERNAME}-singleuser"
    c.SystemdSpawner.isolate_tmp = True           # A /tmp of their own (GoNB's builds), removed with the unit.
    c.SystemdSpawner.disable_user_sudo = True     # NoNewPrivileges.
    # No swap past the cap either (cgroup v2; where swap is on, a student at the cap would otherwise be
    # swapped out, slowing everyone, instead of having their largest process ended).
    c.SystemdSpawner.unit_extra_properties = {"MemorySwapMax": "0"}
elif SPAWNER == "local":
    c.JupyterHub.spawner_class = "localprocess"
    c.Spawner.cmd = [os.path.join(VENV, "bin", "python"), "-I", os.path.join(HUB_DIR, "subreaper.py"), "--",
                     "/usr/bin/prlimit", f"--data={MEM_BYTES}", "--", SINGLEUSER]
    c.Spawner.mem_limit = MEM_BYTES               # Shown to the server as MEM_LIMIT (prlimit enforces it per process).
else:
    raise SystemExit(f"classroom: CLASSROOM_SPAWNER={SPAWNER!r}: give systemd or local (scripts/classroom --spawner).")
c.Spawner.default_url = "/lab/tree/mnist_mlp.ipynb"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
with open(os.path.join(PREFIX, "environment.json")) as f:
    shared_env = json.load(f)  # PATH, GOMODCACHE, MNIST_CACHE, JUPYTER_PATH...: see scripts/classroom.
c.Spawner.environment = dict(
    shared_env, GOMAXPROCS=GO_THREADS, LANG="C.UTF-8",
    GOCACHE=lambda spawner: os.path.join(PREFIX, "user-caches", spawner.user.name),
    GOPLSCACHE=lambda spawner: os.path.join(PREFIX, "user-gopls-caches", spawner.user.name),
    # Go's own folder (~/go by default) out of sight in the file browser.
    GOPATH=lambda spawner: os.path.join(pwd.getpwnam(spawner.user.name).pw_dir, ".go"))
# plotly.js for the interactive charts, served by each JupyterLab from the shared install.
c.Spawner.args = [f"--ServerApp.extra_static_paths=['{shared_env['LESSON_STATIC_DIR']}']"]
if SPAWNER == "systemd":  # A cell that the memory cap ended says so (server/classroom_limits.py).
    c.Spawner.environment["PYTHONPATH"] = os.path.join(HUB_DIR, "server")
    c.Spawner.args.append("--ServerApp.kernel_websocket_connection_class=classroom_limits.MemoryNoteConnection")
# JupyterLab in Korean: the language's settings folder (scripts/lab_settings.py) gives the default
# a student's own choice (Settings → Language) still overrides.
if LANG == "ko":
    c.Spawner.args.append(f"--LabApp.app_settings_dir={os.path.join(VENV, 'share', 'jupyter', 'lab', 'settings-ko')}")


sys.path.insert(0, HUB_DIR)
from prepare_home import prepare  # noqa: E402 (found once this folder is on sys.path)


def prepare_home(spawner):
    """Before each start: the student's copy of the lesson and warm Go build and gopls caches
    (prepare_home.py says how no edit is ever lost)."""
    prepare(spawner.user.name, PREFIX, STATE)


c.Spawner.pre_spawn_hook = prepare_home

# --- Idle servers are stopped, freeing their memory (their files stay).
c.JupyterHub.load_roles = [{
    "name": "idle-culler", "services": ["idle-culler"],
    "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
}]
c.JupyterHub.services = [{
    "name": "idle-culler",
    "command": [sys.executable, "-m", "jupyterhub_idle_culler", f"--timeout={IDLE_TIMEOUT}", "--cull-every=300"],
}]
if os.environ.get("CLASSROOM_API_TOKEN"):  # For tests and scripts that list users (admin scopes).
    c.JupyterHub.load_roles.append({"name": "classroom-admin", "services": ["classroom-admin"],
                                    "scopes": ["admin:users", "admin:servers", "list:users", "read:users"]})
    c.JupyterHub.services.append({"name": "classroom-admin", "api_token": os.environ["CLASSROOM_API_TOKEN"]})

# --- The class board (pkg/classboard): a managed service at /services/class-board/. Students'
# kernels post their progress to it with their server's own API token (the board asks the hub
# whose it is); only the hub's admin, the teacher, opens its page (the admin role holds
# access:services; students do not, and get 403). Its reports are kept in the state folder.
BOARD_PORT = int(os.environ.get("CLASSROOM_BOARD_PORT") or PORT + 3)
BOARD_URL = f"http://127.0.0.1:{BOARD_PORT}"
c.JupyterHub.load_roles.append({
    "name": "class-board", "services": ["class-board"],
    # The roster: every user, with names and last activity. Asking who owns a token needs no scope.
    "scopes": ["list:users", "read:users:name", "read:users:activity"],
})
c.JupyterHub.services.append({
    "name": "class-board",
    "url": BOARD_URL,  # Its OAuth client (service-class-board) and callback come with the url.
    "command": [os.path.join(VENV, "bin", "class-board"), f"--db={os.path.join(STATE, 'class-board.sqlite')}"],
    "oauth_no_confirm": True,  # The class's own service: the teacher is not asked to authorize it.
})
# Each student's server, and so each kernel and cell, gets the board's address; reports are on
# only where this and JUPYTERHUB_API_TOKEN are both set (package classboard).
c.Spawner.environment["CLASS_BOARD_URL"] = f"{BOARD_URL}/services/class-board/"
