#!/usr/bin/env python3
"""Compares each path package's Nix source (overlay/crate-source.nix) with the files cargo packages
for it (`cargo package --list`), the oracle for what belongs to a package.

    compare-package-files.py TREE_ROOT SOURCES_JSON [NAME=PATH ...]

TREE_ROOT is the directory the sources are cut from (the workspace root, or the directory above
it holding path packages outside it), outside any git repository, so that cargo walks the
directories as it does without git; SOURCES_JSON maps
package name to {"src": store path, "sourceRoot": ..., "readme": ..., "licenseFile": ...}.
NAME=PATH (relative to TREE_ROOT) are files the source holds that cargo does not list: a target
outside the package's directory, extraSources. Prints one line per package; exits 1 on a
difference.
"""
import json
import os
import subprocess
import sys

# Files `cargo package` writes itself: they are not sources.
GENERATED = {"Cargo.toml.orig", "Cargo.lock", ".cargo_vcs_info.json"}


def ours(src):
    found = set()
    for top, _, files in os.walk(src, followlinks=False):
        for f in files:
            found.add(os.path.relpath(os.path.join(top, f), src))
    return found


def cargos(name, tree_root, package_dir, info):
    manifest = os.path.join(tree_root, package_dir, "Cargo.toml")
    listed = subprocess.run(
        ["cargo", "package", "--list", "--allow-dirty", "--offline", "--manifest-path", manifest],
        check=True, capture_output=True, text=True).stdout.split()
    out = set()
    for entry in listed:
        if entry in GENERATED:
            continue
        path = os.path.normpath(os.path.join(package_dir, entry))
        if not os.path.lexists(os.path.join(tree_root, path)):
            # `readme` and `license-file` from elsewhere are packed under their base name.
            moved = [v for v in (info.get("readme"), info.get("licenseFile")) if v and os.path.basename(v) == entry]
            if not moved:
                raise SystemExit(f"{name}: cargo lists {entry}, which is nowhere on disk")
            path = os.path.normpath(os.path.join(package_dir, moved[0]))
        out.add(path)
    return out


def main():
    tree_root, sources_json = sys.argv[1:3]
    extra = {}
    for arg in sys.argv[3:]:
        name, path = arg.split("=", 1)
        extra.setdefault(name, set()).add(path)
    sources = json.load(open(sources_json))
    bad = 0
    for name, info in sorted(sources.items()):
        parts = info["sourceRoot"].split("/", 1)
        package_dir = parts[1] if len(parts) > 1 else ""
        have = ours(os.path.join(info["src"]))
        want = cargos(name, tree_root, package_dir, info) | extra.get(name, set())
        if have == want:
            print(f"ok: {name}: its source holds the {len(have)} files cargo packages: {' '.join(sorted(have))}")
        else:
            bad += 1
            print(f"FAIL: {name}: only in the Nix source: {sorted(have - want)}; only in cargo's list: {sorted(want - have)}")
    sys.exit(1 if bad else 0)


main()
