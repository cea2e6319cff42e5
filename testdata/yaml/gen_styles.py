#!/usr/bin/env python3
"""Generates styles.txt: seeded random valid YAML written in many styles (block and
flow collections, plain/quoted/block scalars with chomping and indentation
indicators, anchors, aliases, merges, comments, blank lines, odd indentation), so
that Helm's reading of valid YAML is compared with charter's value by value. Run
record.py on the file afterwards."""
import os
import random

R = random.Random(314)
WORDS = ["a", "b", "key", "name", "x-y", "x_y", "v1", "yes", "No", "on", "1", "0x1F",
         "1.5", "~", "null", "true", "2001-12-14", "é", "日本", "a b", "with: colon",
         "#hash", "a#b", "-dash", "*star", "&amp", "!bang", "%pct", "@at", "'q'", '"dq"',
         "", " lead", "trail ", "1e3", ".inf", "<<", "=", "?q", "[x]", "{y}", "a,b"]
anchors = []


def plain_ok(s):
    if not s or s != s.strip():
        return False
    if s[0] in "#,[]{}&*!|>'\"%@`?:-<=" or ": " in s or " #" in s or s in ("~", "null", "<<"):
        return False
    return all(c not in s for c in ",[]{}") or False


def scalar(ind):
    s = R.choice(WORDS)
    k = R.random()
    if k < 0.3 and plain_ok(s):
        return s
    if k < 0.55:
        return "'" + s.replace("'", "''") + "'"
    if k < 0.8:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    # block scalar
    ind_ind = R.choice(["", "2"]) if ind == 0 else ""
    chomp = R.choice(["", "-", "+"])
    head = R.choice(["|", ">"]) + ind_ind + chomp
    lines = [R.choice(WORDS + ["  more", ""]) for _ in range(R.randint(1, 4))]
    pad = " " * (ind + 2)
    body = "\n".join((pad + l) if l else "" for l in lines)
    if body.strip() == "":
        body = pad + "x"
    return head + "\n" + body + ("\n" if R.random() < 0.5 else "")


def flow(depth):
    k = R.random()
    if depth > 2 or k < 0.5:
        s = R.choice(WORDS)
        if plain_ok(s) and " " not in s:
            return s
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if k < 0.75:
        return "[" + ", ".join(flow(depth + 1) for _ in range(R.randint(0, 3))) + "]"
    return "{" + ", ".join("%s: %s" % (key(), flow(depth + 1)) for _ in range(R.randint(0, 3))) + "}"


def key():
    s = R.choice(WORDS[:12] + ["k%d" % R.randint(0, 9)])
    return s if plain_ok(s) else '"' + s.replace('"', '\\"') + '"'


def value(ind, depth):
    k = R.random()
    if depth < 3 and k < 0.25:
        return "\n" + mapping(ind + R.choice([2, 2, 4]), depth + 1)
    if depth < 3 and k < 0.45:
        return "\n" + seq(ind + R.choice([0, 2]), depth + 1)
    if k < 0.55:
        return " " + flow(depth)
    if k < 0.6 and anchors:
        return " *" + R.choice(anchors)
    v = scalar(ind)
    if k < 0.7:
        name = "a%d" % len(anchors)
        anchors.append(name)
        return " &" + name + " " + (v if not v.startswith(("|", ">")) else '"anchored"')
    return " " + v


def mapping(ind, depth):
    out = []
    used = set()
    for _ in range(R.randint(1, 4)):
        k = key()
        if k in used:
            continue
        used.add(k)
        v = value(ind, depth)
        line = " " * ind + k + ":" + v
        if R.random() < 0.15:
            line += "" if "\n" in v else "  # comment"
        out.append(line.rstrip("\n"))
        if R.random() < 0.1:
            out.append("")
    if anchors and R.random() < 0.1:
        out.append(" " * ind + "<<: *" + R.choice(anchors))
    return "\n".join(out)


def seq(ind, depth):
    out = []
    for _ in range(R.randint(1, 3)):
        v = value(ind + 2, depth)
        if v.startswith("\n"):
            inner = v[1:]
            stripped = inner.lstrip(" ")
            out.append(" " * ind + "- " + stripped.split("\n", 1)[0])
            rest = stripped.split("\n", 1)[1:]
            if rest:
                out.append(rest[0])
        else:
            out.append(" " * ind + "-" + v)
    return "\n".join(l.rstrip("\n") for l in out)


def main():
    out = []
    for n in range(300):
        anchors.clear()
        doc = mapping(0, 0)
        if "####" in doc:
            continue
        out.append("#### case style-%03d" % n)
        out.append(doc.rstrip("\n"))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "styles.txt")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
