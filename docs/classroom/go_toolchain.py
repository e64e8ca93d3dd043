"""Go's toolchain for the image (docs/classroom/Dockerfile), checked by its SHA-256 and unpacked in
one step, so that no layer holds the 76 MB zip:

    python3 go_toolchain.py VERSION SHA256 DEST      # e.g. 1.27.3 af4c…f8d7 /usr/local/go

The zip is the toolchain module the go command itself fetches for GOTOOLCHAIN=goVERSION, from
$GOPROXY (first entry; default proxy.golang.org). Left out of DEST: src/cmd, the source of the go
command and compiler (67 MB), which building Go code does not read (their binaries are in bin/ and
pkg/tool/). Standard library only: the image has no curl and no unzip."""
import hashlib
import os
import shutil
import sys
import tempfile
import urllib.request
import zipfile


def main():
    version, sha256, dest = sys.argv[1:4]
    proxy = os.environ.get("GOPROXY", "").split(",")[0].split("|")[0].strip()
    if not proxy.startswith(("http://", "https://")):
        proxy = "https://proxy.golang.org"
    module = f"v0.0.1-go{version}.linux-amd64"
    url = f"{proxy.rstrip('/')}/golang.org/toolchain/@v/{module}.zip"
    print(f"Go {version}: {url}", flush=True)
    with tempfile.TemporaryFile() as f:
        h = hashlib.sha256()
        with urllib.request.urlopen(url, timeout=120) as r:
            while block := r.read(1 << 20):
                h.update(block)
                f.write(block)
        if h.hexdigest() != sha256:
            sys.exit(f"go_toolchain: {url} does not match its pinned hash: expected sha256 {sha256}, "
                     f"got {h.hexdigest()}: check GOPROXY, or the pin in docs/classroom/Dockerfile.")
        f.seek(0)
        prefix = f"golang.org/toolchain@{module}/"
        with zipfile.ZipFile(f) as z:
            for info in z.infolist():
                name = info.filename
                if not name.startswith(prefix) or name.endswith("/"):
                    continue
                rel = name[len(prefix):]
                if rel.startswith("src/cmd/"):
                    continue
                path = os.path.join(dest, rel)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with z.open(info) as src, open(path, "wb") as out:
                    shutil.copyfileobj(src, out)
                # A module zip keeps no file modes: the go command makes bin/ and pkg/tool/ executable.
                executable = rel.startswith("bin/") or (rel.startswith("pkg/tool/") and rel.count("/") == 3)
                os.chmod(path, 0o755 if executable else 0o644)
    print(f"Go {version}: {dest}", flush=True)


if __name__ == "__main__":
    main()
