"""A student's server under LocalProcessSpawner (the class hub's fallback where systemd does not
run): starts the command given after -- and, once it ends, ends everything it left behind.

    python -I subreaper.py -- /usr/bin/prlimit --data=... -- jupyterhub-singleuser ...

Why: GoNB starts its completion server (gopls, about 250 MB) in a process group of its own, so a
kernel that is killed, or a server that is stopped before it could shut its kernels down, leaves
gopls running; over a day such leftovers fill a class server. This process is a child subreaper
(prctl PR_SET_CHILD_SUBREAPER): every orphan below it is re-parented to it instead of to init, so
it still knows them, by process id, when the server ends. It relays SIGINT and SIGTERM (how the
hub stops a server) to the server, waits for it, then sends SIGTERM to each process left below it,
SIGKILL to any still there after a grace period, and exits with the server's status. (Under
SystemdSpawner the student's unit does this: systemd ends every process of its cgroup.)
"""
import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36
GRACE_S = 2.0       # Between SIGTERM and SIGKILL for what the server left behind.
GIVE_UP_S = 10.0    # The whole clean-up, bounded (the hub's own SIGKILL comes after 5 s more).


def descendants(root):
    """The process ids below root, from /proc (parent links), deepest last."""
    children = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # Ended meanwhile.
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def reap():
    """Collects every child that has ended, without waiting; returns {pid: wait status}."""
    ended = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return ended
        if pid == 0:
            return ended
        ended[pid] = status


def end_leftovers(log):
    """SIGTERM, then SIGKILL, to every process below this one; returns how many there were."""
    me = os.getpid()
    left = descendants(me)
    if left:
        log(f"ending {len(left)} process(es) the server left: {left}")
    for sig, wait_s in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, GIVE_UP_S - GRACE_S)):
        for pid in descendants(me):
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            reap()
            if not descendants(me):
                return len(left)
            time.sleep(0.05)
    log(f"still running after SIGKILL: {descendants(me)}")
    return len(left)


def main(argv):
    if len(argv) < 3 or argv[1] != "--":
        sys.exit("usage: subreaper.py -- COMMAND [ARG...]")
    name = os.environ.get("JUPYTERHUB_USER", str(os.getuid()))

    def log(text):
        print(f"classroom subreaper ({name}): {text}", file=sys.stderr, flush=True)

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        log(f"prctl(PR_SET_CHILD_SUBREAPER) failed (errno {ctypes.get_errno()}): leftovers cannot be ended")
    server = os.fork()
    if server == 0:
        try:
            os.execv(argv[2], argv[2:])
        finally:
            os._exit(127)

    def relay(signum, _frame):
        try:
            os.kill(server, signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, relay)
    status = None
    while status is None:
        try:
            pid, st = os.waitpid(-1, 0)  # The server, or an orphan re-parented here.
        except InterruptedError:
            continue
        except ChildProcessError:
            break
        if pid == server:
            status = st
    end_leftovers(log)
    if status is None:
        sys.exit(1)
    sys.exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


if __name__ == "__main__":
    main(sys.argv)
