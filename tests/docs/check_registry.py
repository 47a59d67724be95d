#!/usr/bin/env python3
"""Registration lists stay complete: every decoder layer descriptor (const struct cn_layer
cn_layer_X in src/decode/) is listed in src/decode/layers.def, and every rule keyword
descriptor (const struct cn_keyword cn_kw_X in src/detect/kw/) in one of the keyword .def
lists, so adding a file without its one line fails the build's tests. The reverse (a .def
line without a file) already fails the link."""
import re
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[2]
failures = []
checked = 0


def registered(def_files, macro):
    names = set()
    for f in def_files:
        names |= set(re.findall(r"^\s*" + macro + r"\(\s*([A-Za-z0-9_]+)", f.read_text(), re.M))
    return names


def check(src_dir, def_files, struct, prefix, macro):
    global checked
    listed = registered(def_files, macro)
    for c in sorted(src_dir.glob("*.c")):
        for name in re.findall(r"^const struct " + struct + r" " + prefix + r"([A-Za-z0-9_]+)\s*=",
                               c.read_text(), re.M):
            checked += 1
            if name not in listed:
                failures.append(f"{c.relative_to(root)}: {prefix}{name} is not listed in "
                                f"{', '.join(str(d.relative_to(root)) for d in def_files)}")


check(root / "src/decode", [root / "src/decode/layers.def"], "cn_layer", "cn_layer_", "CN_LAYER")
kw = root / "src/detect/kw"
check(kw, sorted(kw.glob("*.def")), "cn_keyword", "cn_kw_", "CN_KEYWORD")

for f in failures:
    print("FAIL:", f)
print(f"{checked - len(failures)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
