#!/usr/bin/env python3
"""Compares two `--unit-graph` JSON files (cargo's and crateplan's) as sets of units with their
dependency edges, ignoring unit order. Prints a one-line verdict; exit status 1 if they differ.

    bench/same_units.py CARGO.json CRATEPLAN.json
"""

import json
import sys


def units(path):
    with open(path) as f:
        graph = json.load(f)
    us = graph["units"]

    def key(u):
        return (u["pkg_id"], u["target"]["name"], tuple(u["target"]["kind"]), u["mode"], tuple(u["features"]), u.get("platform"))

    out = set()
    for u in us:
        deps = tuple(sorted((key(us[d["index"]]), d["extern_crate_name"]) for d in u["dependencies"]))
        out.add((key(u), deps))
    return out, len(us)


def main():
    (a, na), (b, nb) = units(sys.argv[1]), units(sys.argv[2])
    if a == b:
        print(f"same unit graph: {na} units")
        return
    print(f"unit graphs differ: {na} vs {nb} units, {len(a - b)} only in the first, {len(b - a)} only in the second")
    for u in sorted(a - b)[:3]:
        print("  only in the first:", u[0])
    for u in sorted(b - a)[:3]:
        print("  only in the second:", u[0])
    sys.exit(1)


if __name__ == "__main__":
    main()
