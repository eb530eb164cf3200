#!/usr/bin/env python3
"""Prints bench/run.sh's results as markdown: the machine, a table, and the project's aims.

    bench/report.py RESULTS_DIR CARGO RUSTC

RESULTS_DIR holds index.txt (`label|description|packages` lines, in order) and one hyperfine
--export-json file per label.
"""

import datetime
import json
import os
import platform
import subprocess
import sys

from machine import cpu_model, run

AIM_MS = 100.0


def ms(s):
    return s * 1000.0


def version(cmd):
    return run([cmd, "-V"])


def main():
    results_dir, cargo, rustc = sys.argv[1:4]
    rows = []
    with open(os.path.join(results_dir, "index.txt")) as f:
        for line in f:
            label, desc, n = line.strip().split("|")
            with open(os.path.join(results_dir, label + ".json")) as r:
                rows.append((label, desc, int(n), json.load(r)["results"]))

    cargo_times = {}  # label -> {"cargo metadata": mean, ...}
    for label, _, _, results in rows:
        for r in results:
            if r["command"].startswith("cargo"):
                cargo_times[label] = {**cargo_times.get(label, {}), r["command"]: r["mean"]}
    # The .crate-archive variant of the synthetic workspace is compared with cargo on vendor/.
    if "synthetic" in cargo_times:
        cargo_times.setdefault("synthetic-crates", cargo_times["synthetic"])

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    try:
        rev = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        rev = "unknown"
    load = os.getloadavg()
    print(f"- Machine: {os.cpu_count()} cores, {cpu_model()}, {platform.system()} {platform.release()}")
    print(f"- Toolchain: {version(rustc)}; {version(cargo)}; crateplan at `{rev}` (release build)")
    print(f"- Date: {datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}; "
          f"load average after the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print()
    print("| workspace | packages | command | mean ± σ | min | user+sys CPU | runs | cargo metadata ÷ this | cargo --unit-graph ÷ this |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    aims = []
    for label, desc, n, results in rows:
        cargo = cargo_times.get(label, {})
        for r in results:
            cmd = r["command"]
            mean, sd, lo, runs = ms(r["mean"]), ms(r["stddev"] or 0.0), ms(r["min"]), len(r["times"])
            if cmd.startswith("crateplan"):
                vs_meta = f"{cargo['cargo metadata'] / r['mean']:.1f}×" if "cargo metadata" in cargo else "—"
                vs_ug = f"{cargo['cargo build --unit-graph'] / r['mean']:.1f}×" if "cargo build --unit-graph" in cargo else "—"
                shown = f"`{cmd}`"
            else:
                vs_meta = vs_ug = ""
                shown = f"`{cmd}`"
            cpu = ms(r["user"] + r["system"])
            print(f"| {desc} | {n} | {shown} | {mean:.1f} ± {sd:.1f} ms | {lo:.1f} ms | {cpu:.1f} ms | {runs} | {vs_meta} | {vs_ug} |")
            if label.startswith("synthetic") and cmd == "crateplan generate (plan, 1 target)":
                aims.append((desc, n, r["mean"]))
    print()
    print("Ratios are mean ÷ mean (wall clock): how many times faster crateplan is than cargo (below 1×: slower).")
    print("user+sys CPU is hyperfine's mean user + system time (cargo's includes the rustc it runs for target info).")
    print()
    for desc, n, mean in aims:
        fast = ms(mean) < AIM_MS
        print(f"- {desc}, {n} packages, plan for 1 target: {ms(mean):.1f} ms — aim under {AIM_MS:.0f} ms "
              f"{'**met**' if fast else '**not met**'}")
    # The 10× aim is judged on the paired, interleaved measurement (bench/paired.py, printed by
    # bench/run.sh after this table): hyperfine's batches each see the host's load of their moment.


if __name__ == "__main__":
    main()
