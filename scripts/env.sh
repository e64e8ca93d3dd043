# shellcheck shell=bash
# Sourced by every script: the environment the lesson builds and runs in.
# Go 1.27 is fetched by the go command itself (from the Go module proxy) on first use.
LESSON_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export LESSON_ROOT
export GOTOOLCHAIN=go1.27.3
# The Go backend's AVX2/AVX-512 kernels exist only under this experiment (about 6x faster).
export GOEXPERIMENT=simd
VENV="$LESSON_ROOT/.venv"
export VENV
# The kernel, its tools and Jupyter's data live in the project, not in the user's folders.
export JUPYTER_DATA_DIR="$VENV/share/jupyter"
export PATH="$VENV/bin:$PATH"
# Where set-up links the XLA CPU plugin; pkg/backend loads it from here. PyPI has the plugin
# for Linux x86-64 only; elsewhere this stays unset, so that go-xla looks in its own folders and
# can download its plugin from GitHub (setting it would hide what go-xla downloads).
if [ "$(uname -s)/$(uname -m)" = "Linux/x86_64" ]; then
  export PJRT_PLUGIN_LIBRARY_PATH="$VENV/lib/go-xla"
fi
# JupyterLab (scripts/lab) serves the project's copy of plotly.js here; GoNB's plotly charts load it from there.
export LESSON_STATIC_DIR="$VENV/share/lesson-static"
export LESSON_PLOTLY_SRC="/static/plotly.min.js"

# Stamps: has a step's input changed since the step last succeeded? STAMP is the file that keeps
# the SHA-256 of the inputs' contents, in the folder the step fills (e.g. "$VENV/.stamp-python").
#   stamp_changed STAMP FILE...   true when FILE... differ from what STAMP records (or it is missing);
#                                 keeps their SHA-256 aside (STAMP.next) for stamp_mark. Writes
#                                 nothing when they have not changed (a set-up .venv may be read-only)
#   stamp_mark STAMP              records it, once the step succeeded
stamp_changed() {
  local stamp=$1 sum
  shift
  sum=$(cat -- "$@" | sha256sum | cut -d' ' -f1)
  [ "$sum" = "$(cat "$stamp" 2>/dev/null)" ] && return 1
  echo "$sum" >"$stamp.next"
}
stamp_mark() { mv -f "$1.next" "$1"; }
