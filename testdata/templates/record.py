#!/usr/bin/env python3
"""Records the real Helm's output for the template-engine and function fixtures.

The cases are written in cases.py (one list of (name, template) or
(name, template, values) tuples per topic). For each case this script builds a
throwaway chart whose templates/x.yaml is

    {{ define "case" }}TEMPLATE{{ end }}
    out: {{ include "case" . | b64enc }}

so that any output, bytes and `<no value>` included, survives Helm's YAML checks,
runs `helm template t CHART`, and stores the decoded output (or Helm's `Error:`
text) in cases.txt. tests/template_fixtures.rs renders the same chart with charter
and compares. Run it again after editing cases.py:

    testdata/templates/record.py            # needs ../shared/tools/get-helm
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

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
HELM = subprocess.check_output([os.path.join(ROOT, "..", "shared", "tools", "get-helm"), "3"], text=True).strip()


def chart_files(template, values, helpers):
    files = {
        "Chart.yaml": "apiVersion: v2\nname: t\nversion: 0.1.0\nappVersion: \"1.2.3\"\n",
        "values.yaml": values,
        "templates/x.yaml": '{{ define "case" }}' + template + '{{ end }}\nout: {{ include "case" . | b64enc }}\n',
    }
    if helpers:
        files["templates/_helpers.tpl"] = helpers
    return files


def run(case):
    name, template, values, helpers = case
    with tempfile.TemporaryDirectory() as d:
        for rel, text in chart_files(template, values, helpers).items():
            path = os.path.join(d, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        env = dict(os.environ, HOME=d, HELM_CONFIG_HOME=d, HELM_CACHE_HOME=d, HELM_DATA_HOME=d,
                   KUBECONFIG=os.path.join(d, "none"))
        p = subprocess.run([HELM, "template", "t", d], capture_output=True, text=True, env=env)
    if p.returncode != 0:
        msg = p.stderr.strip().splitlines()[0] if p.stderr.strip() else "unknown error"
        return name, "error", msg.removeprefix("Error: ")
    for line in p.stdout.splitlines():
        if line.startswith("out: "):
            return name, "ok", base64.b64decode(line[5:]).decode("utf-8", "replace")
    return name, "ok", ""


def main():
    all_cases = cases.all_cases()
    with cf.ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, all_cases))
    with open(os.path.join(HERE, "cases.txt"), "w") as out:
        for (name, template, values, helpers), (_, kind, text) in zip(all_cases, results):
            out.write(f"#### case {name}\n")
            out.write("#### values\n" + values + ("" if values.endswith("\n") else "\n"))
            if helpers:
                out.write("#### helpers\n" + helpers + ("" if helpers.endswith("\n") else "\n"))
            out.write("#### template\n" + template + "\n")
            if name in cases.GAPS:
                out.write("#### gap\n" + cases.GAPS[name] + "\n")
            out.write(f"#### {'expect' if kind == 'ok' else 'error'}\n" + text + "\n")
    print(f"recorded {len(results)} cases, {sum(1 for r in results if r[1] == 'error')} errors")


if __name__ == "__main__":
    main()
