#!/usr/bin/python3
"""Summarises a (possibly large) eve.json for the bench: the last stats record and the number
of records per event type. Prints one JSON object."""

import json
import re
import sys

TYPE = re.compile(rb'"event_type":\s*"([a-z_]+)"')


def main():
    counts = {}
    last_stats = None
    with open(sys.argv[1], "rb") as f:
        for line in f:
            m = TYPE.search(line)
            t = m.group(1).decode() if m else "?"
            counts[t] = counts.get(t, 0) + 1
            if t == "stats":
                last_stats = json.loads(line).get("stats")
    json.dump({"counts": counts, "stats": last_stats or {}}, sys.stdout)


if __name__ == "__main__":
    main()
