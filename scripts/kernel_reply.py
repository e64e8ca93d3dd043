"""Reads what a Jupyter kernel sends back for one execute request, whatever carries the messages
(jupyter_client's channels in bench/cells.py, a server's websocket in e2e/hubdriver.py)."""


def read_reply(messages, msg_id):
    """Consumes messages (an iterator of Jupyter message dicts) until the kernel goes idle after
    the request msg_id; returns (stdout text, [stderr texts and "ename: evalue" errors]).
    Messages about other requests are skipped."""
    out, errors = [], []
    for msg in messages:
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            (errors if content["name"] == "stderr" else out).append(content["text"])
        elif kind == "error":
            errors.append(f"{content['ename']}: {content['evalue']}")
        elif kind == "status" and content["execution_state"] == "idle":
            break
    return "".join(out), errors
