#!/usr/bin/env python3
"""Keeps the documentation honest: every configuration key cleannet reads
(src/main/known_keys.def) appears in docs/config.md, and every long option the command line
accepts (src/main/cli.c) appears in docs/options.md and in --help."""
import re
import subprocess
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
binary = sys.argv[1] if len(sys.argv) > 1 else None
failures = []

keys = re.findall(r'^CN_KEY\("([^"]+)"', (root / "src/main/known_keys.def").read_text(), re.M)
config_doc = (root / "docs/config.md").read_text()
for key in keys:
    if f"`{key}`" not in config_doc:
        failures.append(f"docs/config.md does not document the key {key}")

cli = (root / "src/main/cli.c").read_text()
long_opts = re.findall(r'^\s*\{"([a-z-]+)", (?:no|required|optional)_argument', cli, re.M)
options_doc = (root / "docs/options.md").read_text()
help_text = ""
if binary:
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True,
                               timeout=10).stdout
for opt in long_opts:
    if opt == "init-errors-fatal":  # accepted silently for Suricata scripts; not advertised
        continue
    if f"--{opt}" not in options_doc:
        failures.append(f"docs/options.md does not document --{opt}")
    if binary and f"--{opt}" not in help_text:
        failures.append(f"--help does not mention --{opt}")

for f in failures:
    print("FAIL:", f)
print(f"{len(keys) + len(long_opts) - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
