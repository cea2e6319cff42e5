#!/usr/bin/env python3
"""Generates fromjson-random.txt and fromjson-long.txt: seeded random JSON documents
that stress toYaml's quoting, folding and block styles (strings from a tricky alphabet,
long text at every nesting depth, numbers of every magnitude, nested containers).
Run record.py on the files afterwards."""
import json
import os
import random

R = random.Random(20261122)
ATOMS = ["a", "b", "Z", "0", "1", "9", ".", "-", "_", " ", " ", " ", ":", "#", "'", '"', "\\",
         "\n", "\t", "{", "[", ",", "&", "*", "!", "|", ">", "%", "@", "`", "?", "~", "<", "é",
         "日", "😀", "\u00a0", "\u2028", "\u0085", "\r", "\u0007", "\u001b", "\u0000",
         "true", "no", "null", "1.5", "0x1F", "1e3", "2001-12-14", "---", "...", "- ", ": ",
         " #", "word", "longer-word", "http://x.y/z?q=1"]


def text(maxlen=12):
    if R.random() < 0.2:
        # long prose for line folding
        words = [R.choice(["alpha", "beta", "x", "word", "a:b", "#c", "  ", "é日", "-"])
                 for _ in range(R.randint(15, 40))]
        return " ".join(words)
    return "".join(R.choice(ATOMS) for _ in range(R.randint(0, maxlen)))


def number():
    k = R.random()
    if k < 0.3:
        return R.randint(-10**6, 10**6)
    if k < 0.5:
        return R.choice([10**15, 2**53 + 1, 10**19, 10**20, 10**21, 123456789012345678901234])
    if k < 0.8:
        return R.uniform(-1e6, 1e6)
    return R.choice([1e-7, 1e-6, 2.5e-5, 1e300, 0.1, -0.0, 1234567.5, 100000.0, 1e6])


def value(depth=0):
    k = R.random()
    if depth < 3 and k < 0.2:
        return {text(6): value(depth + 1) for _ in range(R.randint(0, 4))}
    if depth < 3 and k < 0.35:
        return [value(depth + 1) for _ in range(R.randint(0, 4))]
    if k < 0.45:
        return number()
    if k < 0.5:
        return R.choice([True, False, None])
    return text()


def long_text():
    """Text around and beyond the 80-column fold, with the characters that pick
    single quotes, double quotes or literal blocks."""
    pieces = ["word", "a", "  ", " ", "x:y", ": ", " #", "\t", "\n", "é", "日日", "'", '"',
              "\\", "\u0007", "-", "longerwordwithoutspaces" * R.randint(1, 4)]
    s = "".join(R.choice(pieces) + (" " if R.random() < 0.6 else "")
                for _ in range(R.randint(10, 60)))
    if R.random() < 0.3:
        s = " " + s
    if R.random() < 0.3:
        s = s + " "
    return s


def nested_long(depth=0):
    k = R.random()
    if depth < 4 and k < 0.35:
        return {R.choice([long_text()[:140], "k", "key-%d" % R.randint(0, 99)]): nested_long(depth + 1)
                for _ in range(R.randint(1, 3))}
    if depth < 4 and k < 0.6:
        return [nested_long(depth + 1) for _ in range(R.randint(1, 3))]
    return long_text()


def write(name, docs):
    out = []
    for i, doc in enumerate(docs):
        out.append("#### case %s-%03d" % (name, i))
        out.append(json.dumps(doc, ensure_ascii=True))
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fromjson-%s.txt" % name)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    write("random", [{text(6): value(1) for _ in range(R.randint(1, 5))} for _ in range(150)])
    write("long", [{"k%d" % j: nested_long() for j in range(R.randint(1, 3))} for _ in range(120)])


if __name__ == "__main__":
    main()
