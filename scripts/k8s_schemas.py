"""Unpacks the Kubernetes JSON schemas of one Kubernetes version from kubernetes-validate's wheel
(pinned by hash in scripts/requirements-k8s.txt) into a folder that kubeconform reads offline:

    k8s_schemas.py WHEEL 1.35.0 OUT

writes OUT/v1.35.0-local-strict/deployment-apps-v1.json and the rest (the strict variant: no
property that the schema does not name), for kubeconform's
-schema-location 'OUT/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json'.

The wheel's schemas point at their shared definitions by an absolute reference
("/api/_definitions.json#/$defs/…") under an $id on kubernetes.io, which kubeconform would fetch
from the network; here each such $ref becomes relative to the file ("_definitions.json#/$defs/…")
and $id is dropped, so that every reference resolves inside OUT. A $ref of any other form is an
error, so nothing is left that would reach the network.
"""
import argparse
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

SHARED = "/api/_definitions.json"


def localize(node, where):
    """Drops $id and makes each $ref local, in place; raises ValueError on a $ref it cannot."""
    if isinstance(node, dict):
        node.pop("$id", None)
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref.startswith(SHARED + "#"):
                node["$ref"] = "_definitions.json" + ref[len(SHARED):]
            elif not ref.startswith("#"):
                raise ValueError(f"{where}: a $ref this script cannot make local: {ref!r}")
        for value in node.values():
            localize(value, where)
    elif isinstance(node, list):
        for value in node:
            localize(value, where)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("wheel", type=Path, help="kubernetes_validate-*.whl")
    parser.add_argument("kube_version", help="a Kubernetes version the wheel has schemas for, e.g. 1.35.0")
    parser.add_argument("out", type=Path, help="the folder to write (replaced if it exists)")
    args = parser.parse_args()
    if not re.fullmatch(r"\d+\.\d+\.\d+", args.kube_version):
        sys.exit(f"k8s_schemas.py: {args.kube_version!r} is not a Kubernetes version such as 1.35.0")
    folder = f"v{args.kube_version}-local-strict"
    prefix = f"kubernetes_validate/kubernetes-json-schema/{folder}/"
    with zipfile.ZipFile(args.wheel) as wheel:
        names = [n for n in wheel.namelist() if n.startswith(prefix) and n.endswith(".json")]
        if not names:
            have = sorted({n.split("/")[2] for n in wheel.namelist() if n.count("/") > 2 and "-strict/" in n})
            sys.exit(f"k8s_schemas.py: {args.wheel.name} has no schemas for Kubernetes {args.kube_version}; "
                     f"it has {', '.join(have)}")
        tmp = args.out.with_name(args.out.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / folder).mkdir(parents=True)
        for name in names:
            schema = json.loads(wheel.read(name))
            localize(schema, name)
            (tmp / folder / name[len(prefix):]).write_text(json.dumps(schema))
    shutil.rmtree(args.out, ignore_errors=True)
    tmp.rename(args.out)
    print(f"    {len(names)} schemas of Kubernetes {args.kube_version} in {args.out / folder}")


if __name__ == "__main__":
    main()
