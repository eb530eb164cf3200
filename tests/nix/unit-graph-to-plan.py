#!/usr/bin/env python3
"""Write a crateplan plan (docs/plan-schema.md) from cargo's own answers.

Stand-in for `crateplan generate`: the units, edges and each unit's profile come from
`cargo build --unit-graph` (cargo is the oracle), package data from `cargo metadata` and checksums
from Cargo.lock, the per-unit LTO decision computed over cargo's unit graph as cargo's
core/compiler/lto.rs computes it, rustflags and `[env]` from the workspace's .cargo/config.toml
(read as cargo reads it: `target.<triple>.rustflags` replaces `build.rustflags`; with `--target`
host units get neither). Nothing here is invented: a field cargo cannot tell us is left out.

usage: unit-graph-to-plan.py MANIFEST TARGET_TRIPLE OUTPUT [--release | --profile NAME] [cargo feature flags...]
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib

LIB_KINDS = {"lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"}


def cargo_json(args, cwd=None):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    out = subprocess.run(["cargo", *args], check=True, capture_output=True, env=env, cwd=cwd).stdout
    return json.loads(out)


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def target_kind(target):
    kinds = target["kind"]
    return "lib" if any(k in LIB_KINDS for k in kinds) else kinds[0]


def target_key(target):
    return f"{target_kind(target)}:{target['name']}"


def profile_object(p):
    """cargo's unit-graph profile object, with the plan's key names; strip flattened."""
    strip = p["strip"].get("resolved", p["strip"].get("deferred"))
    strip = strip["Named"] if isinstance(strip, dict) else strip.lower()
    return {"name": p["name"], "optLevel": p["opt_level"], "lto": p["lto"],
            "codegenUnits": p["codegen_units"], "debuginfo": p["debuginfo"],
            "splitDebuginfo": p["split_debuginfo"], "debugAssertions": p["debug_assertions"],
            "overflowChecks": p["overflow_checks"], "rpath": p["rpath"], "panic": p["panic"],
            "strip": strip}


# cargo's CrateType::can_lto and is_dynamic.
CAN_LTO = {"bin", "staticlib", "cdylib"}
DYNAMIC = {"dylib", "cdylib", "proc-macro"}


def for_host(target):
    return any(k in ("proc-macro", "custom-build") for k in target["kind"])


def needs_object(crate_types):
    return any(t in CAN_LTO or t in DYNAMIC for t in crate_types)


def lto_when_needs_object(crate_types):
    return "only-object" if all(t == "dylib" for t in crate_types) else "object-and-bitcode"


def unit_lto(graph):
    """Each unit's LTO decision ("run", "run:<x>", "off", "only-bitcode", "object-and-bitcode",
    "only-object"), by index, computed from the roots down as cargo's lto.rs does."""
    units = graph["units"]
    decided = {}

    def crate_types(u):
        return ["bin"] if u["mode"] in ("test", "bench", "doctest") else u["target"]["crate_types"]

    def own(u):
        lto = u["profile"]["lto"]
        return {"false": "only-object", "off": "off", "true": "run"}.get(lto, f"run:{lto}")

    def calculate(i, parent):
        u = units[i]
        types = crate_types(u)
        if for_host(u["target"]):
            lto = "only-object"
        elif all(t in CAN_LTO for t in types):
            lto = own(u)
        elif parent.startswith("run") and not needs_object(types):
            lto = "only-bitcode"
        elif (parent.startswith("run") or parent == "only-bitcode") and needs_object(types):
            lto = lto_when_needs_object(types)
        elif parent == "off":
            lto = "off"
        else:
            lto = parent
        if i in decided:
            old = decided[i]
            if old == lto:
                return
            if lto.startswith("run") or old.startswith("run"):
                merged = lto if lto.startswith("run") else old
            elif "off" in (lto, old):
                merged = "off"
            else:
                merged = "object-and-bitcode"
            if merged == old:
                return
            lto = merged
        decided[i] = lto
        for d in u["dependencies"]:
            calculate(d["index"], lto)

    for r in graph["roots"]:
        u = units[r]
        lto = u["profile"]["lto"]
        if lto == "false":
            root = "only-object"
        elif lto == "off":
            root = "off"
        elif for_host(u["target"]):
            root = "only-object"
        elif needs_object(u["target"]["crate_types"]):
            root = lto_when_needs_object(u["target"]["crate_types"])
        else:
            root = "only-bitcode"
        calculate(r, root)
    return decided


def config_flags(value):
    """A rustflags value of cargo's config: a list, or a string split on whitespace."""
    return value.split() if isinstance(value, str) else list(value)


def read_cargo_config(root, triple):
    """The rustflags of target units and the `[env]` table of the .cargo/config.toml cargo finds
    from the workspace root (not above it: the tests' workspaces have none there)."""
    for name in ("config.toml", "config"):
        path = os.path.join(root, ".cargo", name)
        if os.path.exists(path):
            with open(path, "rb") as f:
                config = tomllib.load(f)
            break
    else:
        return [], {}
    targets = config.get("target", {})
    if any(key.startswith("cfg(") and "rustflags" in value for key, value in targets.items()):
        raise SystemExit(f"{path}: [target.'cfg(..)'] rustflags are not handled by this stand-in")
    if "rustflags" in targets.get(triple, {}):
        rustflags = config_flags(targets[triple]["rustflags"])
    else:
        rustflags = config_flags(config.get("build", {}).get("rustflags", []))
    env = {}
    for name, value in config.get("env", {}).items():
        if isinstance(value, str):
            value = {"value": value}
        env[name] = {"value": value["value"], "force": value.get("force", False),
                     "relative": value.get("relative", False)}
    return rustflags, env


def package_lints(manifest_path, workspace_manifest):
    """The `[lints]` of a package (or its workspace's, with `lints.workspace = true`) as cargo
    passes them to rustc, by ascending priority, then lint names in reverse order; and their
    `unexpected_cfgs` check-cfg values."""
    with open(manifest_path, "rb") as f:
        lints = tomllib.load(f).get("lints", {})
    if lints.get("workspace") is True:
        with open(workspace_manifest, "rb") as f:
            lints = tomllib.load(f).get("workspace", {}).get("lints", {})
    flags, check_cfg = [], []
    for tool, table in lints.items():
        for name, config in table.items():
            if isinstance(config, str):
                config = {"level": config}
            full = name if tool == "rust" else f"{tool}::{name}"
            flags.append((config.get("priority", 0), full, f"--{config['level']}={full}"))
            if tool == "rust" and name == "unexpected_cfgs":
                check_cfg += config.get("check-cfg", [])
    flags.sort(key=lambda f: f[1], reverse=True)
    flags.sort(key=lambda f: f[0])
    return [f[2] for f in flags], check_cfg


def profile_root(root, name):
    """"release" when the profile is release or bench or inherits from them, else "debug"
    (cargo's ProfileRoot: PROFILE of build scripts)."""
    with open(os.path.join(root, "Cargo.toml"), "rb") as f:
        profiles = tomllib.load(f).get("profile", {})
    seen = set()
    while name not in ("dev", "test", "release", "bench") and name not in seen:
        seen.add(name)
        name = profiles.get(name, {}).get("inherits", "dev")
    return "release" if name in ("release", "bench") else "debug"


def main():
    manifest, triple, output, *flags = sys.argv[1:]
    manifest = os.path.abspath(manifest)
    profile_name = "dev"
    if flags[:1] == ["--release"]:
        profile_name, flags = "release", flags[1:]
    elif flags[:1] == ["--profile"]:
        profile_name, flags = flags[1], flags[2:]
    elif flags and flags[0].startswith("--profile="):
        profile_name, flags = flags[0].split("=", 1)[1], flags[1:]
    meta = cargo_json(["metadata", "--format-version", "1", "--locked", "--manifest-path", manifest])
    root = meta["workspace_root"]
    # From the workspace root: the .cargo/config.toml cargo reads is the one found from there.
    # rust-version is checked when the crates are built (the overlay), not in the plan.
    graph = cargo_json(["build", "--unit-graph", "-Z", "unstable-options", "--locked", "--ignore-rust-version",
                        "--target", triple, "--manifest-path", manifest,
                        "--profile", profile_name, *flags], cwd=root)
    lto = unit_lto(graph)
    rustflags, env = read_cargo_config(root, triple)
    host = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    host = next(l.split(": ", 1)[1] for l in host.splitlines() if l.startswith("host: "))
    with open(os.path.join(root, "Cargo.lock"), "rb") as f:
        lock = tomllib.load(f)
    checksums = {(p["name"], p["version"], p.get("source")): p.get("checksum") for p in lock["package"]}

    by_id = {p["id"]: p for p in meta["packages"]}
    used_ids = sorted({u["pkg_id"] for u in graph["units"]})

    def plan_id(cargo_id):
        p = by_id[cargo_id]
        return f"{p['name']}@{p['version']}"

    packages = {}
    for cid in used_ids:
        p = by_id[cid]
        pkg_dir = os.path.dirname(p["manifest_path"])
        if p["source"] is None:
            source = {"type": "path", "path": os.path.relpath(pkg_dir, root).replace(os.sep, "/")}
            if source["path"] == ".":
                source["path"] = ""
        elif p["source"].startswith(("registry+", "sparse+")):
            source = {"type": "registry", "registry": p["source"],
                      "checksum": checksums[(p["name"], p["version"], p["source"])]}
        elif p["source"].startswith("git+"):
            # git+URL[?kind=value]#REV; cargo checks out into …/git/checkouts/<repo>/<short rev>/.
            m = re.match(r"git\+([^?#]*)(?:\?(\w+)=([^#]*))?#(\w+)$", p["source"])
            url, kind, value, rev = m.groups()
            parts = pkg_dir.split(os.sep)
            checkout_root = os.sep.join(parts[:parts.index("checkouts") + 3])
            subdir = os.path.relpath(pkg_dir, checkout_root).replace(os.sep, "/")
            source = {"type": "git", "url": url, "reference": {kind: value} if kind else {},
                      "rev": rev, "subdir": "" if subdir == "." else subdir}
        else:
            raise SystemExit(f"source kind not handled by this stand-in: {p['source']}")
        targets = {}
        for t in p["targets"]:
            kind = target_kind(t)
            targets[target_key(t)] = {
                "kind": kind,
                "name": t["name"],
                "crateName": "build_script_build" if kind == "custom-build" else t["name"].replace("-", "_"),
                "crateTypes": t["crate_types"],
                "path": os.path.relpath(t["src_path"], pkg_dir).replace(os.sep, "/"),
                "edition": t["edition"],
                "requiredFeatures": t.get("required-features", []),
                # cargo metadata does not say `harness`; cargo's default (crateplan generate
                # reads it from the manifest).
                "harness": True,
            }
        lints, lint_check_cfg = package_lints(p["manifest_path"], os.path.join(root, "Cargo.toml"))
        features = ", ".join(f'"{f}"' for f in sorted(p["features"]))
        packages[plan_id(cid)] = {
            "checkCfg": sorted(["cfg(docsrs,test)", f"cfg(feature, values({features}))", *lint_check_cfg]),
            "name": p["name"],
            "version": p["version"],
            "source": source,
            "edition": p["edition"],
            "links": p.get("links"),
            "metadata": {
                "authors": ":".join(p.get("authors") or []),
                "description": p.get("description") or "",
                "homepage": p.get("homepage") or "",
                "repository": p.get("repository") or "",
                "license": p.get("license") or "",
                "licenseFile": p.get("license_file") or "",
                "rustVersion": p.get("rust_version") or "",
                "readme": p.get("readme") or "",
            },
            "targets": targets,
        }
        if lints:
            packages[plan_id(cid)]["lints"] = lints

    def base_key(u):
        key = " ".join([plan_id(u["pkg_id"]), target_key(u["target"]), u["mode"],
                        "host" if u["platform"] is None else "target"])
        return key + (" panic=abort" if u["profile"]["panic"] == "abort" else "")

    # cargo --release builds a selected proc-macro twice: as a root (the release profile) and as
    # its dependents' dependency (build-override). The plan holds one unit, the root's.
    first = {}
    for i in sorted(range(len(graph["units"])), key=lambda i: i not in graph["roots"]):
        u = graph["units"][i]
        first.setdefault((base_key(u), tuple(u["features"])), i)
    kept = {i: first[(base_key(u), tuple(u["features"]))] for i, u in enumerate(graph["units"])}

    counts = {}
    for i in set(kept.values()):
        k = base_key(graph["units"][i])
        counts[k] = counts.get(k, 0) + 1

    def unit_key(u):
        k = base_key(u)
        return f"{k} [{','.join(u['features'])}]" if counts[k] > 1 else k

    keys = [unit_key(graph["units"][kept[i]]) for i in range(len(graph["units"]))]
    units = {}
    for i, u in enumerate(graph["units"]):
        if kept[i] != i:
            continue
        units[keys[i]] = {
            "package": plan_id(u["pkg_id"]),
            "target": target_key(u["target"]),
            "mode": u["mode"],
            "platform": "host" if u["platform"] is None else "target",
            "features": sorted(u["features"]),
            "profile": profile_object(u["profile"]),
            "lto": lto[i],
            "dependencies": sorted(
                ({"unit": keys[d["index"]], "externCrateName": d["extern_crate_name"]}
                 for d in u["dependencies"]), key=lambda d: d["unit"]),
        }
        if u["profile"]["panic"] == "abort":
            units[keys[i]]["panic"] = "abort"

    manifests = sorted(
        {os.path.relpath(by_id[cid]["manifest_path"], root) for cid in used_ids if by_id[cid]["source"] is None}
        | {"Cargo.toml"} if os.path.exists(os.path.join(root, "Cargo.toml")) else set())
    with open(os.path.join(os.path.dirname(__file__), "..", "..", "lib", "plan-schema-version.nix")) as f:
        version = int(f.read().strip().splitlines()[-1])
    plan = {
        "version": version,
        "inputs": {
            "lockfile": {"path": "Cargo.lock", "sha256": sha256_file(os.path.join(root, "Cargo.lock"))},
            "manifests": [{"path": m, "sha256": sha256_file(os.path.join(root, m))} for m in manifests],
            "resolver": meta.get("resolve", {}) and str(meta.get("workspace_metadata") and "" or ""),
            "host": host,
            "features": {"features": [], "allFeatures": False, "noDefaultFeatures": False},
            "packages": None,
            "profile": profile_name,
            "profileRoot": profile_root(root, profile_name),
        },
        "env": env,
        "workspace": {
            "members": sorted(plan_id(i) for i in meta["workspace_members"]),
            "defaultMembers": sorted(plan_id(i) for i in meta.get("workspace_default_members", meta["workspace_members"])),
            "selected": sorted({units[keys[i]]["package"] for i in graph["roots"]}),
        },
        "packages": packages,
        "platforms": {triple: {
            "build": {"roots": sorted({keys[i] for i in graph["roots"]}), "units": units},
            "rustflags": {"target": rustflags, "host": []},
        }},
    }
    del plan["inputs"]["resolver"]  # cargo metadata does not say which resolver it used
    with open(output, "w") as f:
        json.dump(plan, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
