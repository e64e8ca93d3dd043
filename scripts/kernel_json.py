"""Completes the kernel.json that `gonb --install` wrote: the environment the GoNB kernel and the
cells it compiles need (Go toolchain, GOEXPERIMENT, tools on PATH, the XLA plugin), and the
project's module in the kernel's go.work so that notebooks import mnistlesson/pkg/... directly."""
import json
import os
import sys

path = sys.argv[1]
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
# Set only where set-up installs the plugin (Linux x86-64): see scripts/env.sh.
if "PJRT_PLUGIN_LIBRARY_PATH" in os.environ:
    env["PJRT_PLUGIN_LIBRARY_PATH"] = os.environ["PJRT_PLUGIN_LIBRARY_PATH"]
else:
    env.pop("PJRT_PLUGIN_LIBRARY_PATH", None)
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(spec, f, indent=1)
os.replace(tmp, path)
print("    kernel:", " ".join(argv))
