"""The class hub's note in a cell that its memory cap stopped (SystemdSpawner: a memory cap per
student, over all of their notebooks).

When a student's processes together reach their cap, Linux ends the largest of them: often a
cell's program, which GoNB then reports as only "signal: killed". Each student's JupyterLab
(jupyterhub_config.py sets ServerApp.kernel_websocket_connection_class to MemoryNoteConnection)
watches what its kernels send to the browser; when a cell's output says "signal: killed" and the
memory cgroup of the student's server counts a new OOM kill, it adds one line to that cell:
what happened, the cap, and what to do.
"""
import os

from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection

KILLED = "signal: killed"


def memory_cgroup():
    """The folder of this process's memory cgroup (cgroup v1 or v2), or None."""
    try:
        with open("/proc/self/cgroup") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if "memory" in controllers.split(","):
            return "/sys/fs/cgroup/memory" + path
    for line in lines:
        if line.startswith("0::"):
            return "/sys/fs/cgroup" + line[3:]
    return None


def oom_kills(folder):
    """The OOM kills the cgroup has counted (v1: memory.oom_control; v2: memory.events)."""
    for name in ("memory.oom_control", "memory.events"):
        try:
            with open(os.path.join(folder, name)) as f:
                for line in f:
                    key, _, value = line.partition(" ")
                    if key == "oom_kill":
                        return int(value)
        except (OSError, ValueError, TypeError):
            continue
    return 0


def cap_text():
    """The student's cap as the hub gave it (MEM_LIMIT, bytes), e.g. "2.0 GB"."""
    try:
        return f"{int(os.environ['MEM_LIMIT']) / 2**30:.1f} GB"
    except (KeyError, ValueError):
        return "its limit"


NOTE = ("\nThe class hub stopped this cell: all of your notebooks together reached your memory cap ({cap}), "
        "and Linux ended the largest of your programs, this cell's. Shut down the kernels of the notebooks "
        "you are not using (Kernel > Shut Down Kernel, or the Running tab), then run this cell again.\n")


class MemoryNoteConnection(ZMQChannelsWebsocketConnection):
    """Jupyter's kernel websocket, plus the class hub's note after a cell ended by the memory cap."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._cgroup = memory_cgroup()
        self._kills = oom_kills(self._cgroup) if self._cgroup else 0
        self._noted = set()

    def handle_outgoing_message(self, stream, outgoing_msg):
        super().handle_outgoing_message(stream, outgoing_msg)
        if self._cgroup is None or getattr(stream, "channel", stream) != "iopub":
            return
        try:
            _, parts = self.session.feed_identities(outgoing_msg)
            header = self.session.unpack(parts[1])
            if header.get("msg_type") != "stream":
                return
            content = self.session.unpack(parts[4])
            parent = self.session.unpack(parts[2])
        except Exception:  # Not a message this can read: nothing to add.
            return
        if KILLED not in content.get("text", "") or parent.get("msg_id") in self._noted:
            return
        kills = oom_kills(self._cgroup)
        if kills <= self._kills:
            return  # Killed, but not by the memory cap (an interrupt, say).
        self._kills = kills
        self._noted.add(parent.get("msg_id"))
        note = self.session.msg("stream", content={"name": "stderr", "text": NOTE.format(cap=cap_text())},
                                parent=parent)
        self.log.warning("memory cap: a cell of kernel %s was ended (OOM kills in %s: %d)", self.kernel_id,
                         self._cgroup, kills)
        super().handle_outgoing_message(stream, self.session.serialize(note))
