#!/usr/bin/env python3
"""Records Helm's real output for the YAML/JSON fixture cases.

Each `testdata/yaml/*.txt` file holds cases:

    #### case NAME
    <a YAML document, read with Helm's fromYaml>
    #### toJson
    <what Helm printed>
    ...

This script keeps the inputs, runs Helm 3.17.3 once per file on a throwaway chart
whose template applies each function (output base64-encoded, so any byte
survives Helm's manifest parsing) to `.Files.Get "c/NNNN.yaml" | fromYaml` (or the
reader the file's name picks, see READERS), and
rewrites the expectation sections with Helm's output.

Usage: testdata/yaml/record.py [FILE...]   (default: every testdata/yaml/*.txt)
"""
import base64
import glob
import os
import subprocess
import sys
import tempfile

FUNCS = ["toJson", "toRawJson", "toPrettyJson", "toYaml", "toYamlPretty", "toToml"]

# The function that reads each case's input, chosen by the fixture file's name:
# `fromjson*.txt` uses fromJson, `fromyamlarray*.txt` fromYamlArray, `fromtoml*.txt`
# fromToml, and so on;
# every other file uses fromYaml.
READERS = {"fromjsonarray": "fromJsonArray", "fromjson": "fromJson",
           "fromyamlarray": "fromYamlArray", "fromtoml": "fromToml"}


def reader_for(path):
    base = os.path.basename(path)
    for prefix, fn in READERS.items():
        if base.startswith(prefix):
            return fn
    return "fromYaml"
HERE = os.path.dirname(os.path.abspath(__file__))


def parse_cases(text):
    cases = []
    cur = None
    section = None
    for line in text.split("\n"):
        if line.startswith("#### case "):
            cur = {"name": line[len("#### case "):].strip(), "input": []}
            cases.append(cur)
            section = "input"
        elif line.startswith("#### ") and cur is not None:
            section = line[5:].strip()
        elif cur is not None and section == "input":
            cur["input"].append(line)
    for c in cases:
        # The input ends where the next marker starts; drop the blank line before it.
        while c["input"] and c["input"][-1] == "":
            c["input"].pop()
        c["input"] = "\n".join(c["input"]) + "\n"
    return cases


def template(reader):
    t = ['{{- range $path, $_ := .Files.Glob "c/*.yaml" }}', "---",
         '{{- $v := $.Files.Get $path | %s }}' % reader, "case: {{ $path }}"]
    for f in FUNCS:
        t.append(f + ": {{ %s $v | b64enc }}" % f)
    t.append("end: true")
    t.append("{{- end }}")
    return "\n".join(t) + "\n"


def run_helm(cases, reader):
    helm = subprocess.check_output(["/work/shared/tools/get-helm", "3"], text=True).strip()
    with tempfile.TemporaryDirectory() as d:
        chart = os.path.join(d, "t")
        os.makedirs(os.path.join(chart, "templates"))
        os.makedirs(os.path.join(chart, "c"))
        with open(os.path.join(chart, "Chart.yaml"), "w") as f:
            f.write("apiVersion: v2\nname: t\nversion: 0.1.0\n")
        with open(os.path.join(chart, "templates", "x.yaml"), "w") as f:
            f.write(template(reader))
        for i, c in enumerate(cases):
            with open(os.path.join(chart, "c", "%04d.yaml" % i), "w") as f:
                f.write(c["input"])
        out = subprocess.run([helm, "template", "t", chart], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit("helm failed:\n" + out.stderr)
    results = {}
    cur = None
    for line in out.stdout.split("\n"):
        if line.startswith("case: c/"):
            cur = {}
            results[int(line[len("case: c/"):-len(".yaml")])] = cur
        elif cur is not None and ": " in line and line.split(": ")[0] in FUNCS:
            key, val = line.split(": ", 1)
            cur[key] = base64.b64decode(val).decode("utf-8")
        elif cur is not None and line.endswith(":") and line[:-1] in FUNCS:
            cur[line[:-1]] = ""
    return results


def main():
    files = sys.argv[1:] or sorted(glob.glob(os.path.join(HERE, "*.txt")))
    for path in files:
        with open(path) as f:
            cases = parse_cases(f.read())
        results = run_helm(cases, reader_for(path))
        out = []
        for i, c in enumerate(cases):
            out.append("#### case " + c["name"])
            out.append(c["input"].rstrip("\n"))
            for fn in FUNCS:
                out.append("#### " + fn)
                out.append(results[i][fn])
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
        print("%s: %d cases" % (os.path.relpath(path), len(cases)))


if __name__ == "__main__":
    main()
