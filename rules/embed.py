#!/usr/bin/env python3
"""Turns rules/default.rules into a C source defining cn_default_rules, the rule text the
binary loads when no other rules are named. Usage: embed.py INPUT OUTPUT"""
import sys

text = open(sys.argv[1], encoding="utf-8").read()
lines = ["/* generated from rules/default.rules by rules/embed.py: do not edit */",
         "const char cn_default_rules[] ="]
for line in text.splitlines(keepends=True):
    esc = line.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    lines.append('    "' + esc + '"')
lines[-1] += ";"
if len(lines) == 2:
    lines.append('    "";')
open(sys.argv[2], "w", encoding="utf-8").write("\n".join(lines) + "\n")
