"""What the benchmarks share: a table's percentiles, and rewriting one marked section of a Markdown
document (between <!-- name --> and <!-- /name -->) while keeping the rest of it."""
import os
import time
from pathlib import Path


def percentile(values, q):
    """The value at quantile q (0..1) of values, nearest rank."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def measured_line(what):
    """'Measured <UTC time> by <what> on <N> cores': the first line of a section."""
    return f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by {what} on {os.cpu_count()} cores"


def replace_section(doc: Path, begin: str, end: str, body: str, new_doc: str = ""):
    """Puts begin + body + end in doc in place of the section already there, or at its end when it has
    none (a missing doc starts as new_doc)."""
    text = doc.read_text() if doc.exists() else new_doc
    section = f"{begin}\n{body.rstrip(chr(10))}\n{end}"
    start, stop = text.find(begin), text.find(end)
    if 0 <= start < stop:
        text = text[:start] + section + text[stop + len(end):]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text)
