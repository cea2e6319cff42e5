#!/usr/bin/env python3
"""Generates schemas/kubernetes-1.33.json, the Kubernetes schemas charter-sandbox
validates, merges and applies with.

Source: the PyPI package `kubernetes-validate` (KUBERNETES_VALIDATE below), which ships
the JSON schemas of every Kubernetes release from 1.25 on, generated from the API
server's OpenAPI documents with their list-map keys and patch strategies. This script
reads the `v<K8S>-local/_definitions.json` file of one release and keeps only:

  * the definitions reachable from the kinds the sandbox serves (KINDS below);
  * per schema node: `type` (one name, or a list for int-or-string and quantities,
    with JSON-schema's `null` dropped: the API server accepts null for every field),
    `format`, `properties`, `additionalProperties`, `items`, `required`, `$ref` (the
    bare definition name), and the `x-kubernetes-list-type`,
    `x-kubernetes-list-map-keys`, `x-kubernetes-map-type`,
    `x-kubernetes-patch-strategy` and `x-kubernetes-patch-merge-key` extensions.

Descriptions are dropped. The output has one definition per line so that a
regeneration diffs readably. It is committed; building charter needs no network.

Usage:
    python3 schemas/generate.py                  # downloads the wheel with pip
    python3 schemas/generate.py --wheel FILE.whl # uses a wheel already on disk
"""

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile

KUBERNETES_VALIDATE = "1.37.0"
K8S = "1.33.0"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kubernetes-1.33.json")

# (apiVersion, kind) of every built-in kind src/sandbox/registry.rs serves.
KINDS = [
    ("v1", "Namespace"),
    ("v1", "ConfigMap"),
    ("v1", "Secret"),
    ("v1", "Service"),
    ("v1", "ServiceAccount"),
    ("v1", "Pod"),
    ("v1", "PersistentVolumeClaim"),
    ("v1", "PersistentVolume"),
    ("v1", "Endpoints"),
    ("v1", "Event"),
    ("apps/v1", "Deployment"),
    ("apps/v1", "StatefulSet"),
    ("apps/v1", "DaemonSet"),
    ("apps/v1", "ReplicaSet"),
    ("batch/v1", "Job"),
    ("batch/v1", "CronJob"),
    ("networking.k8s.io/v1", "Ingress"),
    ("networking.k8s.io/v1", "IngressClass"),
    ("networking.k8s.io/v1", "NetworkPolicy"),
    ("rbac.authorization.k8s.io/v1", "Role"),
    ("rbac.authorization.k8s.io/v1", "RoleBinding"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole"),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
    ("policy/v1", "PodDisruptionBudget"),
    ("autoscaling/v2", "HorizontalPodAutoscaler"),
    ("storage.k8s.io/v1", "StorageClass"),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
    ("coordination.k8s.io/v1", "Lease"),
]

KEEP_EXT = [
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-patch-strategy",
    "x-kubernetes-patch-merge-key",
]


def wheel_bytes(path):
    if path:
        with open(path, "rb") as f:
            return f.read()
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "-d", tmp, f"kubernetes-validate=={KUBERNETES_VALIDATE}"],
            check=True,
        )
        (name,) = [n for n in os.listdir(tmp) if n.endswith(".whl")]
        with open(os.path.join(tmp, name), "rb") as f:
            return f.read()


def ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def compact(node, refs):
    """The kept part of one schema node; records the definitions it refers to."""
    out = {}
    if "$ref" in node:
        out["$ref"] = ref_name(node["$ref"])
        refs.append(out["$ref"])
    if "oneOf" in node:
        types = []
        for alt in node["oneOf"]:
            t = alt.get("type")
            for x in t if isinstance(t, list) else [t]:
                if x and x != "null" and x not in types:
                    types.append(x)
        out["type"] = types
    t = node.get("type")
    if t is not None:
        ts = [x for x in (t if isinstance(t, list) else [t]) if x != "null"]
        out["type"] = ts[0] if len(ts) == 1 else ts
    if "format" in node:
        out["format"] = node["format"]
    if "properties" in node:
        out["properties"] = {k: compact(v, refs) for k, v in sorted(node["properties"].items())}
    if isinstance(node.get("additionalProperties"), dict):
        out["additionalProperties"] = compact(node["additionalProperties"], refs)
    if isinstance(node.get("items"), dict):
        out["items"] = compact(node["items"], refs)
    if node.get("required"):
        out["required"] = sorted(node["required"])
    for k in KEEP_EXT:
        if k in node:
            out[k] = node[k]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--wheel", help="kubernetes-validate wheel on disk (else pip downloads it)")
    ap.add_argument("--out", default=OUT)
    args = ap.parse_args()
    with zipfile.ZipFile(io.BytesIO(wheel_bytes(args.wheel))) as z:
        member = f"kubernetes_validate/kubernetes-json-schema/v{K8S}-local/_definitions.json"
        defs = json.loads(z.read(member))["$defs"]

    kinds = {}
    for name, d in defs.items():
        for gvk in d.get("x-kubernetes-group-version-kind", []):
            gv = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            if (gv, gvk["kind"]) in KINDS:
                kinds[f"{gv}/{gvk['kind']}"] = name
    missing = [f"{gv}/{k}" for gv, k in KINDS if f"{gv}/{k}" not in kinds]
    if missing:
        sys.exit(f"generate.py: no schema for {', '.join(missing)} in Kubernetes {K8S}")

    kept = {}
    todo = list(kinds.values())
    while todo:
        name = todo.pop()
        if name in kept:
            continue
        refs = []
        kept[name] = compact(defs[name], refs)
        todo.extend(refs)

    lines = [
        "{",
        f'"source": {json.dumps(f"kubernetes-validate {KUBERNETES_VALIDATE}, Kubernetes v{K8S}")},',
        f'"kinds": {json.dumps(dict(sorted(kinds.items())), separators=(",", ":"))},',
        '"definitions": {',
    ]
    items = sorted(kept.items())
    for i, (name, d) in enumerate(items):
        sep = "," if i + 1 < len(items) else ""
        lines.append(f"{json.dumps(name)}:{json.dumps(d, separators=(',', ':'))}{sep}")
    lines += ["}", "}"]
    with open(args.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{args.out}: {len(kinds)} kinds, {len(kept)} definitions")


if __name__ == "__main__":
    main()
