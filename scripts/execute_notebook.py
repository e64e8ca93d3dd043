"""Executes a notebook headless with the GoNB kernel, streaming each cell's text output to the
terminal as it arrives (so training epochs show up live), then writes the executed notebook and
its HTML export to the output folder and prints the test accuracy.

Exits 1 if any cell fails, naming the cell; with --allow-errors every cell runs even after one
fails (to see every error at once)."""
import argparse
import os
import re
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from nbconvert import HTMLExporter


class StreamingClient(NotebookClient):
    """A NotebookClient that echoes stream outputs while the cell runs."""

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] == "stream":
            target = sys.stdout if msg["content"]["name"] == "stdout" else sys.stderr
            target.write(msg["content"]["text"])
            target.flush()
        return super().output(outs, msg, display_id, cell_index)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--allow-errors", action="store_true", help="run every cell even after one fails")
    parser.add_argument("notebook", help="the notebook to execute")
    parser.add_argument("out_dir", help="where the executed notebook, its HTML export and the kernel log go")
    args = parser.parse_args()
    src, out_dir, allow_errors = args.notebook, args.out_dir, args.allow_errors
    os.makedirs(out_dir, exist_ok=True)
    nb = nbformat.read(src, as_version=4)
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    started = time.time()

    def on_cell_start(cell, cell_index):
        if cell_index not in code_cells:
            return
        n = code_cells.index(cell_index) + 1
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        print(f"--- cell {n}/{len(code_cells)} ({time.time() - started:.0f}s): {first}", flush=True)

    client = StreamingClient(
        nb,
        kernel_name="gonb",
        timeout=None,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(src))}},
        on_cell_start=on_cell_start,
        allow_errors=allow_errors,
    )
    base = os.path.splitext(os.path.basename(src))[0]
    kernel_log = os.path.join(out_dir, base + ".kernel.log")
    failed = None
    # The kernel logs verbosely to stderr; keep that in a file, out of the lesson's output.
    with open(kernel_log, "w") as log:
        try:
            # As JupyterLab does: the kernel learns its notebook, and keras saves the model
            # beside it, in "<notebook>_model".
            client.execute(stderr=log, env=dict(os.environ, JPY_SESSION_NAME=os.path.abspath(src)))
        except CellExecutionError as e:
            failed = e
    nb_path = os.path.join(out_dir, base + ".ipynb")
    html_path = os.path.join(out_dir, base + ".html")
    nbformat.write(nb, nb_path)
    # No MathJax or RequireJS from a CDN: the page must open with no network.
    html, _ = HTMLExporter(mathjax_url="", require_js_url="").from_notebook_node(nb)
    with open(html_path, "w", encoding="utf-8") as f:
        f.write(html)

    print(f"\nExecuted in {time.time() - started:.0f}s.")
    print(f"Executed notebook: {nb_path}\nHTML export:       {html_path}\nKernel log:        {kernel_log}")
    if failed is not None:
        cell = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and
                     any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        where = f"code cell {code_cells.index(cell) + 1}" if cell in code_cells else "a cell"
        print(f"FAILED in {where}: {str(failed).strip().splitlines()[-1]}", file=sys.stderr)
        sys.exit(1)
    errored = [n + 1 for n, i in enumerate(code_cells)
               if any(o.get("output_type") == "error" for o in nb.cells[i].get("outputs", []))]
    if errored:  # Only with --allow-errors: otherwise the first error stopped the run above.
        print(f"FAILED in code cell(s) {', '.join(map(str, errored))}", file=sys.stderr)
        sys.exit(1)
    text = "".join("".join(o.get("text", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    m = re.search(r"Test accuracy: ([0-9.]+)", text)
    if m:
        print(f"Test accuracy: {float(m.group(1)):.4f}")


if __name__ == "__main__":
    main()
