#!/usr/bin/env python3
"""Records SHA-256 digests of Helm's output for every chart values file in the shared
corpus (../shared/corpus/charts/**/values.yaml): toJson, toYaml, toYamlPretty and
toToml of `.Files.Get FILE | fromYaml`, computed inside Helm with sprig's sha256sum so
that the 12 MB of inputs need no stored copy. Writes testdata/yaml/corpus.sha256.
"""
import glob
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = "/work/shared/corpus/charts"
FUNCS = ["toJson", "toYaml", "toYamlPretty", "toToml"]


def main():
    helm = subprocess.check_output(["/work/shared/tools/get-helm", "3"], text=True).strip()
    files = sorted(glob.glob(os.path.join(CORPUS, "**", "values.yaml"), recursive=True))
    with tempfile.TemporaryDirectory() as d:
        chart = os.path.join(d, "t")
        os.makedirs(os.path.join(chart, "templates"))
        os.makedirs(os.path.join(chart, "c"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        t = ['{{- range $path, $_ := .Files.Glob "c/*.yaml" }}',
             '{{- $v := $.Files.Get $path | fromYaml }}', "---", "case: {{ $path }}"]
        for fn in FUNCS:
            t.append("%s: {{ %s $v | sha256sum }}" % (fn, fn))
        t.append("{{- end }}")
        with open(os.path.join(chart, "templates", "x.yaml"), "w") as f:
            f.write("\n".join(t) + "\n")
        for i, p in enumerate(files):
            shutil.copy(p, os.path.join(chart, "c", "%04d.yaml" % i))
        out = subprocess.run([helm, "template", "t", chart], capture_output=True, text=True, check=True)
    lines = []
    cur = None
    for line in out.stdout.split("\n"):
        if line.startswith("case: c/"):
            cur = files[int(line[len("case: c/"):-len(".yaml")])]
        elif cur and ": " in line and line.split(": ")[0] in FUNCS:
            fn, digest = line.split(": ", 1)
            lines.append("%s %s %s" % (os.path.relpath(cur, CORPUS), fn, digest))
    with open(os.path.join(HERE, "corpus.sha256"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%d files, %d digests" % (len(files), len(lines)))


if __name__ == "__main__":
    main()
