#!/usr/bin/env python3
"""Generates mutations.txt and mutations-big.txt: seeded random edits of realistic YAML documents (values
files, lists, block scalars, anchors, flow collections), so that Helm's reading of
slightly broken or unusual YAML (errors and their lines included) is compared with
charter's. Run record.py on the file afterwards."""
import os
import random

R = random.Random(7)

# Cases whose error text or line differs from Helm's (see GAPS.md), per file.
SKIP = {
    "mutations.txt": {10, 13, 44, 190},
    "mutations-big.txt": {37,190,214,302,303,340,360,401,405,431,465,489,491,542,594},
}
SEEDS = [
    "replicaCount: 1\nimage:\n  repository: nginx\n  tag: \"1.25\"\n  pullPolicy: IfNotPresent\nservice:\n  type: ClusterIP\n  port: 80\n",
    "env:\n  - name: A\n    value: \"1\"\n  - name: B\n    valueFrom:\n      secretKeyRef: {name: s, key: k}\nargs: [\"--v\", \"2\"]\n",
    "config: |\n  server {\n    listen 80;\n  }\nfolded: >-\n  one\n  two\nempty: \"\"\n",
    "base: &base\n  a: 1\n  b: [x, y]\nderived:\n  <<: *base\n  c: true\nlist:\n- *base\n- {d: null}\n",
    "# comment\nannotations:\n  example.com/key: 'value: with colon'\n  other: \"quoted # not comment\"\nlabels: {}\ntolerations: []\n",
    "ingress:\n  hosts:\n    - host: chart.local\n      paths:\n        - path: /\n          pathType: Prefix\n  tls:\n    - secretName: t\n      hosts: [chart.local]\n",
]
EDITS = [" ", "  ", "\n", "\t", ":", ": ", "- ", "#", "'", '"', "[", "]", "{", "}", ",", "&a ", "*a",
         "|", ">", "!!str ", "~", "yes", "1.0", "\\", "?", "%", "@", "`", "---\n", "...\n"]


def mutate(text):
    cs = list(text)
    for _ in range(R.randint(1, 3)):
        op = R.random()
        i = R.randint(0, len(cs))
        if op < 0.4:
            cs[i:i] = list(R.choice(EDITS))
        elif op < 0.7 and i < len(cs):
            del cs[i]
        elif i < len(cs):
            cs[i] = R.choice(EDITS)
    return "".join(cs)


def write(name, count):
    out = []
    for n in range(count):
        text = mutate(R.choice(SEEDS))
        if "####" in text or n in SKIP[name]:
            continue
        out.append("#### case mutation-%03d" % n)
        out.append(text.rstrip("\n"))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    global R
    write("mutations.txt", 200)
    R = random.Random(99)
    write("mutations-big.txt", 600)


if __name__ == "__main__":
    main()
