#!/usr/bin/env python3
"""Prints bench/eval.sh's results as markdown: the machine, a table, the aim, and the profile.

    bench/eval_report.py OUT        (OUT = $BENCH_OUT/eval)

OUT/results/index.txt: `key<TAB>label<TAB>packages<TAB>counts-json<TAB>root-json` lines, in order;
OUT/results/KEY.json: hyperfine --export-json; OUT/stats/KEY.N.json: NIX_SHOW_STATS of command N
(OUT/stats/KEY.names maps N to the command's name); OUT/profile/synthetic-all.json: the same with
NIX_COUNT_CALLS (function, primop and attribute-selection counts).
"""

import datetime
import json
import os
import sys

from machine import cpu_model, run

AIM_S = 2.0
AIM_COMMAND = "makePackageSet: all derivations (--eval --strict)"


def fmt_s(s):
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def fmt_n(n):
    if n >= 1e6:
        return f"{n / 1e6:.2f} M"
    if n >= 1e3:
        return f"{n / 1e3:.0f} k"
    return str(n)


def mib(n):
    if not n:
        return ""
    return f"{n / 2**20:.0f} MiB" if n >= 10 * 2**20 else f"{n / 2**20:.1f} MiB"


def main():
    out = sys.argv[1]
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    index = []
    with open(os.path.join(out, "results", "index.txt")) as f:
        for line in f:
            key, label, packages, counts, root_name = line.rstrip("\n").split("\t")
            index.append((key, label, int(packages), json.loads(counts), json.loads(root_name)))

    ncpu = os.cpu_count()
    try:  # written by bench/eval.sh when the measurements end
        when, load = open(os.path.join(out, "results", "when.txt")).read().splitlines()[:2]
    except (OSError, ValueError):
        when = f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M}"
        load = " ".join(open("/proc/loadavg").read().split()[:3])
    try:
        rev = open(os.path.join(out, "results", "rev.txt")).read().strip()
    except OSError:
        rev = "unknown"
    print(f"- Machine: {ncpu} cores, {cpu_model()}, Linux {os.uname().release}")
    print(f"- Nix: {run(['nix-instantiate', '--version'])}; overlay/, lib/ and tests/nixpkgs as committed at `{rev}`; "
          "nixpkgs: the offline stand-in `tests/nixpkgs`")
    print(f"- Date: {when} UTC; load average after the run: {load}")
    print()
    print("| workspace | packages | derivations (crates + fetches) | command | mean ± σ | min | "
          "user+sys CPU | runs | Nix cpuTime | function calls | primop calls | allocated |")
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    aim = None
    compact = []
    for key, label, packages, counts, root_name in index:
        with open(os.path.join(out, "results", f"{key}.json")) as f:
            results = json.load(f)["results"]
        names = {}
        with open(os.path.join(out, "stats", f"{key}.names")) as f:
            for line in f:
                i, name = line.rstrip("\n").split("\t", 1)
                names[name] = i
        drvs = f"{counts['instances']} + {counts['registryPackages']}"
        if key != "synthetic":
            compact.append((label, packages, drvs, root_name, {r["command"]: r for r in results}))
            continue
        for r in results:
            name = r["command"]
            stats = {}
            if name in names:
                with open(os.path.join(out, "stats", f"{key}.{names[name]}.json")) as f:
                    stats = json.load(f)
            shown = name.replace("root member", f"root member `{root_name}`")
            alloc = stats.get("gc", {}).get("totalBytes")
            print(f"| {label} | {packages} | {drvs} | {shown} | {fmt_s(r['mean'])} ± {fmt_s(r['stddev'])} "
                  f"| {fmt_s(r['min'])} | {fmt_s(r['user'] + r['system'])} | {len(r['times'])} "
                  f"| {fmt_s(stats['cpuTime']) if 'cpuTime' in stats else ''} "
                  f"| {fmt_n(stats.get('nrFunctionCalls', 0))} | {fmt_n(stats.get('nrPrimOpCalls', 0))} "
                  f"| {mib(alloc)} |")
            if key == "synthetic" and name == AIM_COMMAND:
                aim = (packages, r)
    print()
    cols = [
        ("parse plan", "parse plan (fromJSON, deep)"),
        ("staleness check", "staleness check (lib/load-plan.nix)"),
        ("makePackageSet: all", "makePackageSet: all derivations (--eval --strict)"),
        ("makePackageSet: root", "makePackageSet: root member (nix-instantiate)"),
        ("buildRustWorkspace: all", "buildRustWorkspace: all derivations (--eval --strict)"),
        ("buildRustWorkspace: root", "buildRustWorkspace: root member (nix-instantiate)"),
    ]
    print("| workspace (root member) | packages | derivations | " + " | ".join(c for c, _ in cols) + " |")
    print("|---|---:|---:|" + "---:|" * len(cols))
    for label, packages, drvs, root_name, by in compact:
        cells = []
        for _, name in cols:
            r = by.get(name)
            cells.append(f"{fmt_s(r['mean'])} ({fmt_s(r['user'] + r['system'])})" if r else "")
        print(f"| {label} (`{root_name}`) | {packages} | {drvs} | " + " | ".join(cells) + " |")
    print()
    print("Examples: mean wall clock (user+sys CPU), hyperfine, at least "
          f"{min((len(r['times']) for *_, by in compact for r in by.values()), default=0)} runs each.")
    print()
    print("mean ± σ, min: wall clock of a whole `nix-instantiate` process (hyperfine); user+sys: "
          "hyperfine's mean CPU time; Nix cpuTime, function calls, primop calls, allocated (GC bytes): "
          "`NIX_SHOW_STATS=1` of one more run. derivations: crate derivations (`instances`) + "
          "registry `fetchurl`s.")
    print()
    if aim:
        packages, r = aim
        met = "**met**" if r["mean"] < AIM_S else "**not met**"
        print(f"- synthetic, {packages} packages, every derivation instantiated: {fmt_s(r['mean'])} "
              f"(min {fmt_s(r['min'])}, CPU {fmt_s(r['user'] + r['system'])}) — aim under "
              f"{AIM_S:.0f} s {met}")

    prof = os.path.join(out, "profile", "synthetic-all.json")
    if os.path.exists(prof):
        with open(prof) as f:
            p = json.load(f)
        total_f = p["nrFunctionCalls"]
        total_p = p["nrPrimOpCalls"]
        print()
        print(f"Profile (`NIX_COUNT_CALLS=1`, synthetic, all derivations): {fmt_n(total_f)} function "
              f"calls, {fmt_n(total_p)} primop calls, Nix cpuTime {fmt_s(p['cpuTime'])}.")
        print()
        print("| function (file:line:column) | calls | share of all function calls |")
        print("|---|---:|---:|")
        for fn in sorted(p.get("functions", []), key=lambda x: -x["count"])[:10]:
            # (paths relative to the evaluated copy of the tree, OUT/tree)
            where = f"{os.path.relpath(fn['file'], os.path.join(out, 'tree')) if fn.get('file') else '?'}:{fn.get('line')}:{fn.get('column')}"
            print(f"| `{fn.get('name') or 'λ'}` ({where}) | {fmt_n(fn['count'])} | "
                  f"{100 * fn['count'] / total_f:.1f} % |")
        print()
        print("| primop | calls | share of all primop calls |")
        print("|---|---:|---:|")
        for name, count in sorted(p.get("primops", {}).items(), key=lambda x: -x[1])[:6]:
            print(f"| `{name}` | {fmt_n(count)} | {100 * count / total_p:.1f} % |")


if __name__ == "__main__":
    main()
