#!/usr/bin/env python3
"""Cross-compilation at evaluation level: cargo's unit graph vs the plan vs the derivations.

usage: cross-check.py UNIT_GRAPH.json PLAN.json TARGET HOST DERIVATIONS.json

UNIT_GRAPH.json: `RUSTC_BOOTSTRAP=1 cargo build --unit-graph -Z unstable-options --release
--target TARGET` (units with `platform: null` are built for the host). PLAN.json: the plan
(`crateplan generate --target TARGET … --host HOST`). DERIVATIONS.json: `nix show-derivation -r`
of a member's derivation built with `target = TARGET` — its whole derivation graph.

Checks, printing `ok: …` or `FAIL: …` lines (exit 1 on any failure):
1. the plan's units for TARGET (package, target, mode, host/target, features, edges with extern
   names) are exactly cargo's;
2. the crate derivations are exactly the package instances of cargo's graph (units sharing
   package, platform and features), each compiled for the right triple
   (`crateplanInstance.targetTriple`: HOST for `platform: null`, TARGET otherwise);
3. a derivation compiles a build script (always for HOST: `crateplanInstance.hostTriple`) exactly when its
   instance runs one in cargo's graph;
4. the derivations' dependencies on one another are cargo's edges between instances (lib
   dependencies, build-dependencies of the build script, `links` metadata of direct dependencies).
"""
import json
import sys
from collections import defaultdict

unit_graph_path, plan_path, target, host, drvs_path = sys.argv[1:6]
graph = json.load(open(unit_graph_path))
plan = json.load(open(plan_path))
drvs = json.load(open(drvs_path))
failures = []


def ok(message):
    print(f"ok: {target}: {message}")


def fail(message):
    print(f"FAIL: {target}: {message}")
    failures.append(message)


def compare(what, expected, actual):
    expected, actual = set(expected), set(actual)
    if expected == actual:
        ok(f"{what}: {len(expected)} equal")
        return True
    for item in sorted(expected - actual, key=str):
        fail(f"{what}: missing {item}")
    for item in sorted(actual - expected, key=str):
        fail(f"{what}: unexpected {item}")
    return False


# --- cargo's units -------------------------------------------------------------------------------

def package_of(pkg_id):
    """name@version from a cargo package id spec (registry+URL#name@ver, path+file:///dir#ver)."""
    url, _, fragment = pkg_id.partition("#")
    if "@" in fragment:
        return fragment
    return f"{url.rstrip('/').rsplit('/', 1)[-1]}@{fragment}"


def target_key(target):
    kind = target["kind"][0]
    if kind in ("lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"):
        kind = "lib"
    return f"{kind}:{target['name']}"


cargo_units = []
for unit in graph["units"]:
    cargo_units.append({
        "package": package_of(unit["pkg_id"]),
        "target": target_key(unit["target"]),
        "mode": unit["mode"],
        "platform": "host" if unit["platform"] is None else "target",
        "features": tuple(sorted(unit["features"])),
        "deps": [(d["index"], d["extern_crate_name"]) for d in unit["dependencies"]],
    })


def describe(u):
    return (u["package"], u["target"], u["mode"], u["platform"], u["features"])


def is_compile_build_script(u):
    return u["mode"] == "build" and u["target"].startswith("custom-build:")


def is_lib(u):
    return u["mode"] == "build" and u["target"].startswith("lib:")


def instance(u):
    return (u["package"], host if u["platform"] == "host" else target, u["features"])


# --- 1. plan units and edges == cargo's ----------------------------------------------------------

if target not in plan["platforms"]:
    fail(f"the plan has no units for {target} (has {sorted(plan['platforms'])})")
    sys.exit(1)
plan_units = plan["platforms"][target]["build"]["units"]


def plan_describe(u):
    return (u["package"], u["target"], u["mode"], u["platform"], tuple(u["features"]))


compare("plan units (package, target, mode, host/target, features) vs cargo's unit graph",
        [describe(u) for u in cargo_units], [plan_describe(u) for u in plan_units.values()])
compare("plan edges (with extern names) vs cargo's",
        [(describe(u), describe(cargo_units[i]), name) for u in cargo_units for i, name in u["deps"]],
        [(plan_describe(u), plan_describe(plan_units[d["unit"]]), d["externCrateName"])
         for u in plan_units.values() for d in u["dependencies"]])
host_packages = sorted({u["package"] for u in cargo_units if u["platform"] == "host"})
target_packages = sorted({u["package"] for u in cargo_units if u["platform"] == "target"})
ok(f"cargo: host units of {' '.join(host_packages)}; target units of {' '.join(target_packages)}")

# --- cargo's instances and the edges between them ------------------------------------------------

# The instance that runs each build-script compile unit (its compile unit is folded into it).
runner = {}
for u in cargo_units:
    if u["mode"] == "run-custom-build":
        for i, _ in u["deps"]:
            if is_compile_build_script(cargo_units[i]):
                runner[i] = instance(u)

expected_instances = {instance(u) for u in cargo_units if not is_compile_build_script(u)}
expected_build_scripts = set(runner.values())
expected_edges = set()
for index, u in enumerate(cargo_units):
    owner = runner.get(index) if is_compile_build_script(u) else instance(u)
    if owner is None:
        fail(f"cargo unit {describe(u)}: a build script no run unit uses")
        continue
    for i, _ in u["deps"]:
        d = cargo_units[i]
        if is_compile_build_script(d):
            continue  # the instance's own build script
        linked = is_lib(d) or (u["mode"] == "run-custom-build" and d["mode"] == "run-custom-build")
        if linked and instance(d) != owner:
            expected_edges.add((owner, instance(d)))

# --- 2.-4. the derivations -----------------------------------------------------------------------

def attrs(d):
    """A derivation's structured attributes (crate derivations have them)."""
    return json.loads(d["env"].get("__json", "{}"))


crates = {path: attrs(d) for path, d in drvs.items() if "crateplanBuildScript" in attrs(d)}


def drv_instance(a):
    package = a["crateplanPackageEnv"]
    return (f"{package['CARGO_PKG_NAME']}@{package['CARGO_PKG_VERSION']}",
            a["crateplanInstance"]["targetTriple"], tuple(a["crateplanFeatures"]))


instance_of = {path: drv_instance(a) for path, a in crates.items()}
compare("crate derivations (package, crateplanInstance.targetTriple, features) vs cargo's instances",
        expected_instances, instance_of.values())
if len(set(instance_of.values())) != len(instance_of):
    fail("two derivations for one instance")
for path, a in sorted(crates.items()):
    if a["crateplanInstance"]["hostTriple"] != host:
        fail(f"{path}: crateplanInstance.hostTriple {a['crateplanInstance']['hostTriple']}, expected {host}")
for triple in (host, target):
    names = sorted(f"{p}{'' if not f else ' [' + ','.join(f) + ']'}"
                   for p, t, f in instance_of.values() if t == triple)
    ok(f"derivations compiled with --target {triple}: {', '.join(names)}")
compare("derivations compiling a build script (with --target crateplanInstance.hostTriple = "
        f"{host}) vs cargo's run-custom-build instances",
        expected_build_scripts,
        [instance_of[p] for p, a in crates.items() if a["crateplanBuildScript"]])
compare("derivation dependencies between crates vs cargo's edges between instances",
        expected_edges,
        [(instance_of[p], instance_of[i]) for p in crates for i in drvs[p]["inputDrvs"] if i in crates])

sys.exit(1 if failures else 0)
