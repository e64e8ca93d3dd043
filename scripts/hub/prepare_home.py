"""What the class hub does before each student's server starts (jupyterhub_config.py calls
prepare(), as root):

- The student's own copy of the lesson, in their home. Copied at the first start. A later release
  of the lesson replaces the copy only if the student never changed it (its SHA-256 is the one
  handed out, recorded in the hub's state folder); an edited copy is kept, and the new release
  goes beside it as "mnist_mlp (new).ipynb". Like nbgitpuller, a file the student deleted comes
  back, and no edit is ever overwritten. The files in the home are written by a process running
  as the student, so a link planted there cannot make root write elsewhere.
- A Go build cache of their own, made of hard links to the one set-up built (no disk, no time):
  the first cell links against GoMLX without compiling it. The linked files stay root's and
  read-only; Go adds the student's own beside them. It lives outside the home, under the shared
  install's user-caches/ (mode 711, root's), where only root creates or replaces it.
- A gopls cache of their own, made the same way from the one scripts/warm_gopls.py filled, under
  user-gopls-caches/: gopls then type-checks from source only the packages built with cgo (their
  compiled files lie in the student's own Go build cache, part of gopls' key), and a student's
  first kernel peaked at 677-921 MB instead of 960-1212 MB (docs/classroom.md).
"""
import argparse
import hashlib
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

NOTEBOOK = "mnist_mlp.ipynb"
NEW_RELEASE = "mnist_mlp (new).ipynb"


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_copy(src, dest):
    """Copies src to dest atomically (a temporary file renamed over dest, never through a link)."""
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(dest), prefix=".lesson-")
    with os.fdopen(fd, "wb") as out, open(src, "rb") as f:
        shutil.copyfileobj(f, out)
    os.chmod(tmp, 0o644)
    os.replace(tmp, dest)


def sync_notebook(release, home, given):
    """As the student: brings their copy of the lesson up to date without losing an edit.
    given is the hash of the release they last received ("" if none). Prints what it did and
    the hash they now have received, as JSON."""
    new = sha256(release)
    dest = os.path.join(home, NOTEBOOK)
    if not os.path.lexists(dest):
        write_copy(release, dest)
        action = "copied"
    elif os.path.islink(dest) or not os.path.isfile(dest):
        action = "kept (not a regular file)"
        if new != given:
            write_copy(release, os.path.join(home, NEW_RELEASE))
    else:
        current = sha256(dest)
        if current == new:
            action = "up to date"
        elif current == given:
            write_copy(release, dest)
            action = "updated (the student had not changed it)"
        elif new != given:
            write_copy(release, os.path.join(home, NEW_RELEASE))
            action = f"kept the student's edits; the new release is {NEW_RELEASE!r}"
        else:
            action = "kept the student's edits"
    print(json.dumps({"action": action, "given": new}))


def warm_cache(template, caches, user):
    """As root: the student's copy of a cache (Go's build cache, gopls'), hard links to template,
    if they have none; returns its path."""
    dest = os.path.join(caches, user.pw_name)
    if os.path.isdir(dest) and not os.path.islink(dest):
        return dest
    tmp = tempfile.mkdtemp(dir=caches, prefix=".new-")
    os.rmdir(tmp)
    subprocess.run(["cp", "-al", template, tmp], check=True)
    for dirpath, _dirnames, _ in os.walk(tmp):
        os.lchown(dirpath, user.pw_uid, user.pw_gid)  # Folders only: the files stay root's.
        os.chmod(dirpath, 0o700)
    if os.path.lexists(dest):
        os.remove(dest)
    os.rename(tmp, dest)
    return dest


def prepare(name, prefix, state):
    """Everything above, for the Unix user name; returns the path of their Go build cache (their
    gopls cache is user-gopls-caches/NAME beside it)."""
    user = pwd.getpwnam(name)
    record_path = os.path.join(state, "homes", name + ".json")
    os.makedirs(os.path.dirname(record_path), mode=0o700, exist_ok=True)
    try:
        with open(record_path) as f:
            record = json.load(f)
    except (OSError, ValueError):
        record = {}
    release = os.path.join(prefix, "lesson", "notebooks", NOTEBOOK)
    done = subprocess.run([sys.executable, "-I", os.path.abspath(__file__), "sync", release, user.pw_dir,
                           record.get("given", "")],
                          user=user.pw_uid, group=user.pw_gid, extra_groups=[], cwd=user.pw_dir,
                          capture_output=True, text=True, check=True, env={"PATH": "/usr/bin:/bin"})
    result = json.loads(done.stdout)
    record["given"] = result["given"]
    with open(record_path + ".tmp", "w") as f:
        json.dump(record, f)
    os.replace(record_path + ".tmp", record_path)
    print(f"classroom: {name}: notebook {result['action']}", file=sys.stderr)
    warm_cache(os.path.join(prefix, "gopls-cache"), os.path.join(prefix, "user-gopls-caches"), user)
    return warm_cache(os.path.join(prefix, "go", "build-cache"), os.path.join(prefix, "user-caches"), user)


def main():
    parser = argparse.ArgumentParser(description="The class hub's step that runs as the student (prepare() starts it).")
    steps = parser.add_subparsers(dest="step", required=True, metavar="sync")
    sync = steps.add_parser("sync", help="bring the student's copy of the lesson up to date, losing no edit",
                            description=sync_notebook.__doc__)
    sync.add_argument("release", metavar="RELEASE", help="the lesson's notebook as released")
    sync.add_argument("home", metavar="HOME", help="the student's home folder")
    sync.add_argument("given", metavar="GIVEN_SHA256", help='the hash of the release last handed out ("" if none)')
    args = parser.parse_args()
    sync_notebook(args.release, args.home, args.given)


if __name__ == "__main__":
    main()
