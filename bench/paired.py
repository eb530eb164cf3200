#!/usr/bin/env python3
"""Side by side, interleaved: how many times faster crateplan is than `cargo metadata` on one
workspace, measured so that the host's changing load falls on both alike.

    bench/paired.py DIR ROUNDS -- CRATEPLAN-COMMAND... -- CARGO-COMMAND...

Each round is one short hyperfine run (no shell, 3 runs of each command, back to back) in DIR;
the round's ratio is cargo's median over crateplan's. Printed: the median ratio over the rounds,
its interquartile range, the medians of both times (ms) and the number of rounds, `|`-separated.
(bench/run.sh's table measures each command in a batch of its own, so when the host's load
drifts between batches — other tenants of a shared machine — its ratio of means drifts with it.)
"""
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile


def main():
    args = sys.argv[1:]
    cwd, rounds = args[0], int(args[1])
    rest = args[3:]
    split = rest.index("--")
    ours, theirs = shlex.join(rest[:split]), shlex.join(rest[split + 1:])
    ratios, our_times, their_times = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        export = os.path.join(tmp, "round.json")
        for _ in range(rounds):
            subprocess.run(
                ["hyperfine", "--shell=none", "--runs", "3", "--warmup", "1", "--style", "none", "--export-json", export, ours, theirs],
                cwd=cwd, check=True, stdout=subprocess.DEVNULL,
            )
            mine, cargo = (r["median"] for r in json.load(open(export))["results"])
            our_times.append(mine)
            their_times.append(cargo)
            ratios.append(cargo / mine)
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    print(f"{statistics.median(ratios):.1f}|{q1:.1f}–{q3:.1f}|{statistics.median(our_times) * 1000:.1f}|"
          f"{statistics.median(their_times) * 1000:.1f}|{rounds}")


if __name__ == "__main__":
    main()
