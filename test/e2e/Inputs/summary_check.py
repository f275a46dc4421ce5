#!/usr/bin/env python3
"""Checks facts about `frtool summary --json` output, for lit tests.

usage: summary_check.py SUMMARY.json [--vars FILE] FACT...

A FACT is PATH OP VALUE, e.g.
  'locks[kind=mutex].contended>=3'
  'lock_sites[0].site.line==$lock_line'
  'locks[0].wait.total_ns~=$measured_wait_ns/10%'
PATH walks the JSON: a name picks a field, [N] a list element, [k=v] the
first list element whose field k (a dotted path) equals v (v may be a $name). OP is ==, !=, >=, <=, >, <, ~=
(within the given percentage) or $= (the text ends with). $name is a value from --vars FILE, whose
lines are name=value (other lines are ignored), as the test program prints
them. Every fact is checked; each failure is printed; the exit status is 1
if any failed.
"""
import json
import operator
import re
import sys

OPS = {"==": operator.eq, "!=": operator.ne, ">=": operator.ge,
       "<=": operator.le, ">": operator.gt, "<": operator.lt}


def field(element, dotted):
    for name in dotted.split("."):
        if not isinstance(element, dict) or name not in element:
            return None
        element = element[name]
    return element


def walk(doc, path, env):
    for part in re.findall(r"[^.\[\]]+|\[[^\]]*\]", path):
        if part.startswith("["):
            sel = part[1:-1]
            if "=" in sel:
                key, want = sel.split("=", 1)
                if want.startswith("$"):
                    want = env[want[1:]]
                matches = [e for e in doc if str(field(e, key)) == want]
                if not matches:
                    raise KeyError("no element with %s=%s" % (key, want))
                doc = matches[0]
            else:
                doc = doc[int(sel)]
        else:
            doc = doc[part]
    return doc


def value(text, env):
    text = text.strip()
    if text.startswith("$"):
        text = env[text[1:]]
    try:
        return float(text)
    except ValueError:
        return text


def main():
    args = sys.argv[1:]
    doc = json.load(open(args.pop(0)))
    env = {}
    if args and args[0] == "--vars":
        args.pop(0)
        for line in open(args.pop(0)):
            m = re.match(r"^(\w+)=(\S+)$", line.strip())
            if m:
                env[m.group(1)] = m.group(2)
    failed = 0
    for fact in args:
        m = re.match(r"^(.+?)(==|!=|>=|<=|~=|\$=|>|<)(.+)$", fact)
        if not m:
            print("bad fact: %s" % fact)
            return 2
        path, op, rhs = m.groups()
        try:
            got = walk(doc, path, env)
        except (KeyError, IndexError, TypeError) as e:
            print("FAIL %s: %s" % (fact, e))
            failed += 1
            continue
        if op == "~=":
            want_text, pct = rhs.rsplit("/", 1)
            want = value(want_text, env)
            tol = float(pct.rstrip("%")) / 100
            ok = abs(got - want) <= tol * abs(want)
        elif op == "$=":
            want = rhs
            ok = str(got).endswith(want)
        else:
            want = value(rhs, env)
            if isinstance(want, float):
                got = float(got)
            else:
                got = str(got)
            ok = OPS[op](got, want)
        print("%s %s: got %s, want %s %s" % ("ok" if ok else "FAIL", path, got,
                                             op, rhs))
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
