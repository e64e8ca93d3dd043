"""Completes the kernel.json that `gonb --install` wrote: the environment the GoNB kernel and the
cells it compiles need (Go toolchain, GOEXPERIMENT, tools on PATH, the XLA plugin), and the
project's module in the kernel's go.work so that notebooks import mnistlesson/pkg/... directly."""
import argparse
import json
import os

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("kernel_json", help="the kernel.json that gonb --install wrote")
path = parser.parse_args().kernel_json
with open(path) as f:
    spec = json.load(f)
root = os.environ["LESSON_ROOT"]
spec["display_name"] = "Go (gonb)"
argv = [a for a in spec["argv"] if not a.lstrip("-").startswith("go_work=")]
argv.append("--go_work=" + root)
spec["argv"] = argv
env = spec.setdefault("env", {})
for name in ("GOTOOLCHAIN", "GOEXPERIMENT", "PATH", "LESSON_ROOT", "LESSON_PLOTLY_SRC"):
    env[name] = os.environ[name]
# Passed on only when set: the plugin (set-up installs it on Linux x86-64 only, see
# scripts/env.sh), and the shared module and MNIST caches of a class install (scripts/classroom).
# Never GOCACHE: each student's comes from the hub.
for name in ("PJRT_PLUGIN_LIBRARY_PATH", "GOMODCACHE", "MNIST_CACHE"):
    if name in os.environ:
        env[name] = os.environ[name]
    else:
        env.pop(name, None)
# Each cell is built into a new binary (bench/cells.py measures it):
# - GoNB runs `go get` before each build. Every module the lesson uses is pinned in go.mod, yet
#   `go get` asked the module proxy for version lists on every cell: 0.5-1.8 s here, and a hang
#   behind a firewall. With GOPROXY=off it takes 0.03 s. A cell that imports a module go.mod lacks
#   then fails with "module lookup disabled by GOPROXY=off" (see the README).
# - Linking a cell that uses GoMLX and XLA took 2.1-2.2 s; without its symbol table and DWARF
#   (-s -w, which Go's panics do not need) 1.1 s, and with Go's own linker instead of the C
#   toolchain's (-linkmode=internal; go-xla only dlopens the plugin) 0.9 s. Internal linking is
#   tested on Linux x86-64 only, so other systems keep the default linker.
env["GOPROXY"] = "off"
ldflags = "-s -w -linkmode=internal" if os.uname().sysname == "Linux" and os.uname().machine == "x86_64" else "-s -w"
env["GOFLAGS"] = f"'-ldflags={ldflags}'"
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(spec, f, indent=1)
os.replace(tmp, path)
print("    kernel:", " ".join(argv))
