#!/usr/bin/env python3
"""Records Helm 3.17.3's output for the Sprig fixture cases.

Cases are listed in cases.py as (name, template) or (name, template, values).
For each, this script builds a throwaway chart whose templates/x.yaml is

    {{ define "case" }}TEMPLATE{{ end }}
    out: {{ include "case" . | b64enc }}

(so any output survives Helm's YAML checks), runs `helm template t CHART`, and
writes cases/NAME.txt: the values YAML, a `---` line, the template, a `---` line,
and the decoded output, or `ERROR: ` and Helm's error line. tests/sprig_fixtures.rs
renders the same chart with charter and compares. Rerun after editing cases.py:

    testdata/sprig/record.py        # needs /work/shared/tools/get-helm
"""
import base64
import concurrent.futures as cf
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cases  # noqa: E402

HELM = subprocess.check_output(["/work/shared/tools/get-helm", "3"], text=True).strip()


def run(case):
    name, template = case[0], case[1]
    values = case[2] if len(case) > 2 else ""
    with tempfile.TemporaryDirectory() as d:
        os.makedirs(os.path.join(d, "t", "templates"))
        files = {
            "Chart.yaml": "apiVersion: v2\nname: t\nversion: 0.1.0\nappVersion: \"1.2.3\"\n",
            "values.yaml": values,
            "templates/x.yaml": '{{ define "case" }}' + template
            + '{{ end }}\nout: {{ include "case" . | b64enc }}\n',
        }
        for path, text in files.items():
            with open(os.path.join(d, "t", path), "w") as f:
                f.write(text)
        p = subprocess.run([HELM, "template", "t", os.path.join(d, "t")],
                           capture_output=True, text=True,
                           env={"HOME": d, "PATH": "/usr/bin:/bin", "TZ": "UTC"})
    if p.returncode != 0:
        first = p.stderr.splitlines()[0] if p.stderr else ""
        out = "ERROR: " + first.removeprefix("Error: ")
    else:
        line = next(l for l in p.stdout.splitlines() if l.startswith("out:"))
        out = base64.b64decode(line[4:].strip()).decode("utf-8", "replace")
    return name, values, template, out


def main():
    outdir = os.path.join(HERE, "cases")
    os.makedirs(outdir, exist_ok=True)
    names = [c[0] for c in cases.CASES]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit(f"duplicate case names: {sorted(dup)}")
    for c in cases.CASES:
        if "\n---\n" in "\n" + c[1] + "\n" or (len(c) > 2 and "\n---\n" in "\n" + c[2] + "\n"):
            sys.exit(f"case {c[0]} contains a --- line")
    with cf.ThreadPoolExecutor(4) as ex:
        for name, values, template, out in ex.map(run, cases.CASES):
            with open(os.path.join(outdir, name + ".txt"), "w") as f:
                f.write(values + ("" if values.endswith("\n") or not values else "\n"))
                f.write("---\n" + template + "\n---\n" + out)
    print(f"recorded {len(cases.CASES)} cases")


if __name__ == "__main__":
    main()
