#!/usr/bin/env python3
"""Write a crateplan plan (docs/plan-schema.md, version 1) from cargo's own answers.

Stand-in for `crateplan generate` until the generator lands: the units and edges come from
`cargo build --unit-graph` (cargo is the oracle), package data from `cargo metadata` and checksums
from Cargo.lock. Nothing here is invented: a field cargo cannot tell us is left out.

usage: unit-graph-to-plan.py MANIFEST TARGET_TRIPLE OUTPUT [cargo feature flags...]
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tomllib

LIB_KINDS = {"lib", "rlib", "dylib", "cdylib", "staticlib", "proc-macro"}


def cargo_json(args):
    env = dict(os.environ, RUSTC_BOOTSTRAP="1")
    out = subprocess.run(["cargo", *args], check=True, capture_output=True, env=env).stdout
    return json.loads(out)


def sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def target_kind(target):
    kinds = target["kind"]
    return "lib" if any(k in LIB_KINDS for k in kinds) else kinds[0]


def target_key(target):
    return f"{target_kind(target)}:{target['name']}"


def main():
    manifest, triple, output, *feature_flags = sys.argv[1:]
    manifest = os.path.abspath(manifest)
    meta = cargo_json(["metadata", "--format-version", "1", "--locked", "--manifest-path", manifest])
    graph = cargo_json(["build", "--unit-graph", "-Z", "unstable-options", "--locked",
                        "--target", triple, "--manifest-path", manifest, *feature_flags])
    host = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    host = next(l.split(": ", 1)[1] for l in host.splitlines() if l.startswith("host: "))
    root = meta["workspace_root"]
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
        packages[plan_id(cid)] = {
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

    def base_key(u):
        return " ".join([plan_id(u["pkg_id"]), target_key(u["target"]), u["mode"],
                         "host" if u["platform"] is None else "target"])

    counts = {}
    for u in graph["units"]:
        counts[base_key(u)] = counts.get(base_key(u), 0) + 1

    def unit_key(u):
        k = base_key(u)
        return f"{k} [{','.join(u['features'])}]" if counts[k] > 1 else k

    keys = [unit_key(u) for u in graph["units"]]
    if len(set(keys)) != len(keys):
        raise SystemExit("unit keys are not unique")
    units = {}
    for key, u in zip(keys, graph["units"]):
        units[key] = {
            "package": plan_id(u["pkg_id"]),
            "target": target_key(u["target"]),
            "mode": u["mode"],
            "platform": "host" if u["platform"] is None else "target",
            "features": sorted(u["features"]),
            "dependencies": sorted(
                ({"unit": keys[d["index"]], "externCrateName": d["extern_crate_name"]}
                 for d in u["dependencies"]), key=lambda d: d["unit"]),
        }

    manifests = sorted(
        {os.path.relpath(by_id[cid]["manifest_path"], root) for cid in used_ids if by_id[cid]["source"] is None}
        | {"Cargo.toml"} if os.path.exists(os.path.join(root, "Cargo.toml")) else set())
    plan = {
        "version": 3,
        "inputs": {
            "lockfile": {"path": "Cargo.lock", "sha256": sha256_file(os.path.join(root, "Cargo.lock"))},
            "manifests": [{"path": m, "sha256": sha256_file(os.path.join(root, m))} for m in manifests],
            "resolver": meta.get("resolve", {}) and str(meta.get("workspace_metadata") and "" or ""),
            "host": host,
            "features": {"features": [], "allFeatures": False, "noDefaultFeatures": False},
            "packages": None,
        },
        "workspace": {
            "members": sorted(plan_id(i) for i in meta["workspace_members"]),
            "defaultMembers": sorted(plan_id(i) for i in meta.get("workspace_default_members", meta["workspace_members"])),
            "selected": sorted({units[keys[i]]["package"] for i in graph["roots"]}),
        },
        "packages": packages,
        "platforms": {triple: {"build": {"roots": sorted(keys[i] for i in graph["roots"]), "units": units}}},
    }
    del plan["inputs"]["resolver"]  # cargo metadata does not say which resolver it used
    with open(output, "w") as f:
        json.dump(plan, f, indent=2, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
