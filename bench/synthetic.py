#!/usr/bin/env python3
"""Creates a synthetic workspace whose Cargo.lock holds 1,000 packages, for bench/run.sh.

Layout (all under OUT, default target/bench/synthetic):

    OUT/ws/Cargo.toml            root package `bench-root` (a one-member workspace)
    OUT/ws/src/main.rs
    OUT/ws/.cargo/config.toml    [source.crates-io] replace-with = "vendored-sources"
    OUT/ws/vendor/<dir>/         999 registry packages as a cargo *directory source*
                                 (`cargo vendor` layout: `name`, or `name-version` for a second
                                 version; each with a .cargo-checksum.json)
    OUT/ws/Cargo.lock            made by `cargo generate-lockfile --offline` (run by this script)
    OUT/crates/NAME-VERSION.crate  the same packages as gzip'd tars (checksums = Cargo.lock's)

The packages form a DAG: package i depends only on packages j > i, and every package j is
depended on unconditionally by some i < j (or the root), so the lock holds all of them. Some
packages come in two semver-incompatible versions; there are default/std/alloc features, optional
dependencies switched on by features (implicit and `dep:` ones, weak `x?/std` features),
renamed dependencies, `default-features = false`, build scripts with build-dependencies, `links`,
proc-macros, bins/examples/tests/benches, and target-specific dependencies
(`cfg(windows)`, `cfg(unix)`, `cfg(target_arch = "wasm32")`, a plain triple, ...).

Everything is drawn from a fixed seed: the same script writes the same bytes (the .crate files
included, so Cargo.lock's checksums are stable too).
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tarfile

SEED = 20261125
N_PACKAGES = 1000          # in Cargo.lock, the root included
N_ROOT_DEPS = 50
N_SECOND_VERSIONS = 30     # names that exist in two semver-incompatible versions
MTIME = 1_700_000_000      # fixed file times inside the .crate archives

CFGS = [
    'cfg(unix)',
    'cfg(windows)',
    'cfg(target_os = "macos")',
    'cfg(target_arch = "wasm32")',
    'cfg(not(target_arch = "wasm32"))',
    'cfg(all(target_os = "linux", target_env = "gnu"))',
    'cfg(any(target_os = "linux", target_os = "android"))',
    'x86_64-pc-windows-msvc',
    'cfg(target_pointer_width = "64")',
]


def q(s):
    """A TOML basic string."""
    return json.dumps(s)


class Pkg:
    def __init__(self, index, name, version, rng):
        self.index = index
        self.name = name
        self.version = version
        self.edition = rng.choice(["2015", "2018", "2021", "2021", "2021"])
        self.proc_macro = rng.random() < 0.05
        self.build_script = (not self.proc_macro) and rng.random() < 0.12
        self.links = None
        self.explicit_targets = rng.random() < 0.5    # a normalized (recent `cargo publish`) manifest
        self.has_bin = (not self.proc_macro) and rng.random() < 0.04
        self.has_extras = rng.random() < 0.3          # examples/, tests/, benches/ files
        self.deps = []       # dicts: see add_dep
        self.features = {}   # name -> list of strings
        self.extra_features = []

    @property
    def req(self):
        major, minor, _ = self.version.split(".")
        return f"{major}.{minor}" if major == "0" else major

    @property
    def lib_name(self):
        return self.name.replace("-", "_")

    def dep_names(self):
        return {d["target"].name for d in self.deps}


def make_packages(rng):
    n = N_PACKAGES - 1
    n_names = n - N_SECOND_VERSIONS
    names = []
    for i in range(n_names):
        r = rng.random()
        if r < 0.15:
            names.append(f"syn-{i:03d}-rs")
        elif r < 0.3:
            names.append(f"s{i:03d}_util")
        else:
            names.append(f"s{i:03d}")
    versions = {}
    for name in names:
        major = rng.choice([0, 0, 1, 1, 2])
        versions[name] = f"{major}.{rng.randint(1, 30)}.{rng.randint(0, 20)}"
    pkgs = [(name, versions[name]) for name in names]
    # Second versions: a semver-incompatible other release of some names.
    for name in rng.sample(names, N_SECOND_VERSIONS):
        major, minor, patch = (int(x) for x in versions[name].split("."))
        other = f"0.{minor}.{patch}" if major >= 1 else f"0.{minor + 40}.0"
        pkgs.append((name, other))
    rng.shuffle(pkgs)
    out = [Pkg(i, name, version, rng) for i, (name, version) in enumerate(pkgs)]
    # A few `links` packages (values unique, as cargo requires).
    for p in out:
        if p.build_script and rng.random() < 0.2:
            p.links = f"native{p.index:03d}"
    return out


def add_dep(pkg, target, rng, kind="normal", platform=None, optional=False):
    """pkg depends on target (target.index > pkg.index)."""
    if target.name in pkg.dep_names():
        return False
    dep = {
        "target": target,
        "kind": kind,
        "platform": platform,
        "optional": optional,
        "rename": None,
        "default_features": True,
        "features": [],
    }
    r = rng.random()
    if r < 0.05 and not optional:
        dep["rename"] = f"{target.lib_name}_renamed"
    if rng.random() < 0.2:
        dep["default_features"] = False
        dep["features"] = ["alloc"] if rng.random() < 0.5 else []
    if target.extra_features and rng.random() < 0.3:
        dep["features"] = sorted(set(dep["features"]) | {rng.choice(target.extra_features)})
    pkg.deps.append(dep)
    return True


def build_graph(pkgs, rng):
    n = len(pkgs)
    # Hubs (libc-, cfg-if-, syn-like): near the end of the order, depended on by many.
    hubs = [p for p in pkgs[n - 120:] if rng.random() < 0.12]
    # Pass 1, bottom-up so that a package's own features are known before its dependents pick
    # among them: optional dependencies and the features that switch them on.
    for p in reversed(pkgs):
        later = pkgs[p.index + 1:]
        p.features = {"alloc": [], "std": ["alloc"]}
        if rng.random() < 0.85:
            p.features["default"] = ["std"]
        if later and rng.random() < 0.35:
            for t in rng.sample(later[:300], min(len(later[:300]), rng.randint(1, 3))):
                if not add_dep(p, t, rng, optional=True):
                    continue
                dep_name = p.deps[-1]["rename"] or t.name
                style = rng.random()
                if style < 0.4:
                    # implicit feature named after the dependency
                    p.features["std"].append(f"{dep_name}?/std")
                    p.extra_features.append(dep_name)
                else:
                    feat = f"with-{t.name}"
                    p.features[feat] = [f"dep:{dep_name}", f"{dep_name}/std"]
                    p.extra_features.append(feat)
        if rng.random() < 0.25:
            feat = f"extra{p.index % 7}"
            p.features[feat] = ["std"]
            p.extra_features.append(feat)
    # Pass 2: unconditional anchors (every package j is reachable), then extra edges.
    for j in range(N_ROOT_DEPS, n):
        lo = max(0, j - 150)
        i = rng.randint(lo, j - 1)
        if not add_dep(pkgs[i], pkgs[j], rng):
            # pkgs[i] already depends on this name (another version): try another parent
            for i in rng.sample(range(lo, j), j - lo):
                if add_dep(pkgs[i], pkgs[j], rng):
                    break
            else:
                raise SystemExit(f"no parent for package {j}")
        # The anchor is always a normal, unconditional edge; make it so even if add_dep kept
        # an older optional one (it did not: names are checked), and drop a rename on proc-macros.
        d = pkgs[i].deps[-1]
        d["kind"], d["platform"], d["optional"] = "normal", None, False
    for p in pkgs:
        later = pkgs[p.index + 1:]
        if not later:
            continue
        for _ in range(rng.randint(0, 5)):
            t = rng.choice(later[:400])
            r = rng.random()
            if r < 0.15:
                add_dep(p, t, rng, platform=rng.choice(CFGS))
            elif r < 0.20:
                add_dep(p, t, rng, kind="dev")
            else:
                add_dep(p, t, rng)
        if hubs and rng.random() < 0.3:
            t = rng.choice([h for h in hubs if h.index > p.index] or [later[-1]])
            add_dep(p, t, rng, platform=rng.choice([None, None, None, "cfg(unix)", "cfg(windows)"]))
        if p.build_script and rng.random() < 0.7:
            t = rng.choice(([h for h in hubs if h.index > p.index] or later)[:50])
            add_dep(p, t, rng, kind="build")


def dep_table_header(d):
    section = {"normal": "dependencies", "build": "build-dependencies", "dev": "dev-dependencies"}[d["kind"]]
    key = d["rename"] or d["target"].name
    if d["platform"]:
        return f"[target.{q(d['platform'])}.{section}.{key}]"
    return f"[{section}.{key}]"


def manifest(p):
    lines = [
        "# THIS FILE IS AUTOMATICALLY GENERATED BY CARGO (synthetic: bench/synthetic.py)",
        "",
        "[package]",
        f"edition = {q(p.edition)}",
        f"name = {q(p.name)}",
        f"version = {q(p.version)}",
    ]
    if p.build_script:
        lines.append('build = "build.rs"')
    elif p.explicit_targets:
        lines.append("build = false")   # as `cargo publish` writes it when there is no build script
    if p.links:
        lines.append(f"links = {q(p.links)}")
    if p.explicit_targets:
        lines += ["autolib = false", "autobins = false", "autoexamples = false", "autotests = false", "autobenches = false"]
    lines += [
        f"description = {q('Synthetic package ' + p.name + ' for the crateplan benchmark')}",
    ]
    if p.explicit_targets:
        lines.append('readme = "README.md"')   # `cargo publish` names the README it found
    lines += [
        'license = "MIT OR Apache-2.0"',
        f"repository = {q('https://example.invalid/' + p.name)}",
        "",
    ]
    if p.features:
        lines.append("[features]")
        for k in sorted(p.features):
            lines.append(f"{json.dumps(k)} = {json.dumps(p.features[k])}")
        lines.append("")
    if p.explicit_targets or p.proc_macro:
        lines += ["[lib]", f"name = {q(p.lib_name)}", 'path = "src/lib.rs"']
        if p.proc_macro:
            lines.append("proc-macro = true")
        lines.append("")
        if p.explicit_targets and p.has_bin:
            lines += ["[[bin]]", f"name = {q(p.name + '-tool')}", 'path = "src/main.rs"', ""]
    for d in sorted(p.deps, key=lambda d: (d["platform"] or "", d["kind"], d["rename"] or d["target"].name)):
        lines.append(dep_table_header(d))
        lines.append(f"version = {q(d['target'].req)}")
        if d["rename"]:
            lines.append(f"package = {q(d['target'].name)}")
        if d["optional"]:
            lines.append("optional = true")
        if not d["default_features"]:
            lines.append("default-features = false")
        if d["features"]:
            lines.append(f"features = {json.dumps(d['features'])}")
        lines.append("")
    return "\n".join(lines)


def files_of(p):
    """The package's files: relative path -> bytes (Cargo.toml included)."""
    files = {"Cargo.toml": manifest(p).encode()}
    files["Cargo.toml.orig"] = b"# the original manifest is not kept by the synthetic benchmark\n" + files["Cargo.toml"]
    uses = "".join(f"// uses {d['rename'] or d['target'].lib_name}\n" for d in p.deps if d["kind"] == "normal")
    files["src/lib.rs"] = f"//! {p.name} {p.version} (synthetic)\n{uses}pub fn id() -> u32 {{ {p.index} }}\n".encode()
    if p.build_script:
        files["build.rs"] = b"fn main() { println!(\"cargo::rerun-if-changed=build.rs\"); }\n"
    if p.has_bin:
        files["src/main.rs"] = b"fn main() {}\n"
    if p.has_extras:
        files["examples/demo.rs"] = b"fn main() {}\n"
        files["tests/smoke.rs"] = b"#[test]\nfn smoke() {}\n"
        files["benches/speed.rs"] = b"fn main() {}\n"
    files["README.md"] = f"# {p.name}\n".encode()
    return files


def crate_bytes(p, files):
    """A deterministic .crate: gzip'd (mtime 0) tar of NAME-VERSION/…, entries sorted."""
    top = f"{p.name}-{p.version}"
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for path in sorted(files):
            data = files[path]
            info = tarfile.TarInfo(f"{top}/{path}")
            info.size = len(data)
            info.mtime = MTIME
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def sha256(b):
    return hashlib.sha256(b).hexdigest()


def root_manifest(pkgs, rng):
    direct = pkgs[:N_ROOT_DEPS]
    lines = [
        "[package]",
        'name = "bench-root"',
        'version = "0.1.0"',
        'edition = "2021"',
        "publish = false",
        "",
        "[workspace]",
        "",
    ]
    feats = {"default": []}
    deps, target_deps, used = [], [], set()
    for k, p in enumerate(direct):
        key = p.name if p.name not in used else f"{p.name}-v{p.req.replace('.', '-')}"
        spec = {"version": p.req}
        if key != p.name:
            spec["package"] = p.name
        used.add(p.name)
        if p.extra_features and rng.random() < 0.4:
            spec["features"] = [rng.choice(p.extra_features)]
        if k % 10 == 9:
            spec["optional"] = True
            feats.setdefault("full", []).append(f"dep:{key}")
            feats["default"].append("full")
        deps.append((key, spec))
    # Extra target-specific edges to packages deeper in the graph.
    for p in rng.sample(pkgs[N_ROOT_DEPS:400], 8):
        if p.name in used:
            continue
        used.add(p.name)
        target_deps.append((rng.choice(CFGS[:4]), p.name, {"version": p.req}))
    feats["default"] = sorted(set(feats["default"]))

    def inline(spec):
        parts = []
        for k in ("version", "package", "optional", "features"):
            if k in spec:
                parts.append(f"{k} = {json.dumps(spec[k])}")
        return "{ " + ", ".join(parts) + " }"

    lines.append("[features]")
    for k in sorted(feats):
        lines.append(f"{json.dumps(k)} = {json.dumps(feats[k])}")
    lines += ["", "[dependencies]"]
    for name, spec in deps:
        lines.append(f"{name} = {inline(spec)}")
    lines.append("")
    for cfg, name, spec in target_deps:
        lines += [f"[target.{q(cfg)}.dependencies.{name}]", f"version = {q(spec['version'])}", ""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default="target/bench/synthetic")
    ap.add_argument("--no-lock", action="store_true", help="do not run cargo generate-lockfile")
    args = ap.parse_args()

    rng = random.Random(SEED)
    pkgs = make_packages(rng)
    build_graph(pkgs, rng)

    out = args.out
    ws, vendor, crates = os.path.join(out, "ws"), os.path.join(out, "ws", "vendor"), os.path.join(out, "crates")
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(vendor)
    os.makedirs(crates)

    seen_names = set()
    for p in pkgs:
        files = files_of(p)
        crate = crate_bytes(p, files)
        with open(os.path.join(crates, f"{p.name}-{p.version}.crate"), "wb") as f:
            f.write(crate)
        # cargo vendor's layout: the first version of a name gets `name`, further ones `name-version`.
        dirname = p.name if p.name not in seen_names else f"{p.name}-{p.version}"
        seen_names.add(p.name)
        d = os.path.join(vendor, dirname)
        for path, data in files.items():
            os.makedirs(os.path.dirname(os.path.join(d, path)), exist_ok=True)
            with open(os.path.join(d, path), "wb") as f:
                f.write(data)
        checksum = {"files": {path: sha256(data) for path, data in sorted(files.items())}, "package": sha256(crate)}
        with open(os.path.join(d, ".cargo-checksum.json"), "w") as f:
            json.dump(checksum, f, sort_keys=True, separators=(",", ":"))

    with open(os.path.join(ws, "Cargo.toml"), "w") as f:
        f.write(root_manifest(pkgs, rng))
    os.makedirs(os.path.join(ws, "src"))
    with open(os.path.join(ws, "src", "main.rs"), "w") as f:
        f.write("fn main() {}\n")
    os.makedirs(os.path.join(ws, ".cargo"))
    with open(os.path.join(ws, ".cargo", "config.toml"), "w") as f:
        f.write('[source.crates-io]\nreplace-with = "vendored-sources"\n\n[source.vendored-sources]\ndirectory = "vendor"\n')

    if args.no_lock:
        return
    subprocess.run(["cargo", "generate-lockfile", "--offline", "--quiet"], cwd=ws, check=True)
    with open(os.path.join(ws, "Cargo.lock")) as f:
        n = f.read().count("[[package]]")
    if n != N_PACKAGES:
        sys.exit(f"synthetic.py: Cargo.lock has {n} packages, expected {N_PACKAGES}")
    print(f"synthetic workspace: {ws} ({n} packages in Cargo.lock), archives: {crates}")


if __name__ == "__main__":
    main()
