#!/usr/bin/env python3
"""Compares the environments the envdump fixture's tests ran with under `cargo test` and in
tests.envdump (tests/nix/test-tests.sh, tests-env), key by key.

    compare-test-env.py CARGO_DUMP NIX_DUMP BASE_KEY...

A dump holds `envdump <context> <item>` lines (tests/nix/fixtures/envdump/crates/envdump/src/lib.rs):
`compile:K=V` (a variable rustc had), `run:K=V` (a variable of the running test), `exists:K=B`
(whether a path value exists) and `fact=B` (working directory, layout). BASE_KEY are the
variables cargo was started with (`env -i …`): the ones cargo adds are the rest.

Every context, fact, compile-time and run-time key of cargo's must be there with the same value;
a value that is an absolute path (or a list of them) only needs to name the same file (the same
last component of each entry), wherever it lies. Run-time keys of the Nix side that cargo's
family of names has (CARGO*, OUT_DIR, LD_LIBRARY_PATH, the fixture's ENVDUMP_*, build-script
variables) and that cargo did not set are differences too. Exceptions, each for a reason:
SSL_CERT_FILE/SSL_CERT_DIR are set by cargo's own process for its downloads (openssl-probe) and
leak to every child; CARGO names cargo itself, which does not exist in a Nix build.
Prints the differences and exits 1 when there is one; else prints a summary.
"""
import ast
import re
import sys

CARGO_PROCESS_KEYS = {"SSL_CERT_FILE", "SSL_CERT_DIR"}
NO_CARGO_IN_NIX = {"CARGO"}
CARGO_FAMILY = re.compile(
    r"^(CARGO.*|OUT_DIR|LD_LIBRARY_PATH|ENVDUMP_.*|RUST.*|DEP_.*|TARGET|HOST|PROFILE|OPT_LEVEL|DEBUG|NUM_JOBS)$"
)


def read_dump(path):
    """{context: {"compile": {k: v}, "run": {k: v}, "exists": {k: v}, "fact": {k: v}}}"""
    dump = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) != 3 or parts[0] != "envdump":
                continue
            _, context, item = parts
            sections = dump.setdefault(context, {"compile": {}, "run": {}, "exists": {}, "fact": {}})
            kind, sep, rest = item.partition(":")
            if not sep or kind not in ("compile", "run", "exists"):
                kind, rest = "fact", item
            key, _, value = rest.partition("=")
            if kind in ("compile", "run"):
                value = ast.literal_eval(value)
            sections[kind][key] = value
    return dump


def is_path(value):
    return value.startswith("/")


def same_value(a, b):
    """Equal, or absolute paths (lists) naming the same files."""
    if a == b:
        return True
    if is_path(a) and is_path(b):
        ends = lambda v: [p.rstrip("/").rsplit("/", 1)[-1] for p in v.split(":")]
        return ends(a) == ends(b)
    return False


def compare(cargo, nix, base_keys):
    diffs = []
    compared = 0
    for context in sorted(set(cargo) | set(nix)):
        if context not in nix or context not in cargo:
            diffs.append(f"{context}: only in {'cargo' if context in cargo else 'Nix'}'s dump")
            continue
        c, n = cargo[context], nix[context]
        for kind in ("fact", "compile"):
            for key in sorted(set(c[kind]) | set(n[kind])):
                compared += 1
                if key not in n[kind] or key not in c[kind]:
                    diffs.append(f"{context} {kind} {key}: cargo {c[kind].get(key)!r}, Nix {n[kind].get(key)!r}")
                elif key in NO_CARGO_IN_NIX and kind == "compile":
                    continue
                elif not same_value(c[kind][key], n[kind][key]):
                    diffs.append(f"{context} {kind} {key}: cargo {c[kind][key]!r}, Nix {n[kind][key]!r}")
        cargo_keys = set(c["run"]) - set(base_keys) - CARGO_PROCESS_KEYS
        nix_keys = {k for k in n["run"] if k in cargo_keys or CARGO_FAMILY.match(k)}
        for key in sorted(cargo_keys | nix_keys):
            compared += 1
            if key not in n["run"] or key not in c["run"]:
                diffs.append(f"{context} run {key}: cargo {c['run'].get(key)!r}, Nix {n['run'].get(key)!r}")
                continue
            if key in NO_CARGO_IN_NIX:
                continue
            if not same_value(c["run"][key], n["run"][key]):
                diffs.append(f"{context} run {key}: cargo {c['run'][key]!r}, Nix {n['run'][key]!r}")
            if c["exists"].get(key) != n["exists"].get(key):
                diffs.append(f"{context} run {key} exists: cargo {c['exists'].get(key)}, Nix {n['exists'].get(key)}")
    return diffs, compared


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: compare-test-env.py CARGO_DUMP NIX_DUMP BASE_KEY...")
    cargo, nix = read_dump(sys.argv[1]), read_dump(sys.argv[2])
    if not cargo:
        sys.exit(f"compare-test-env: no envdump lines in {sys.argv[1]}")
    diffs, compared = compare(cargo, nix, sys.argv[3:])
    for d in diffs:
        print(d)
    if diffs:
        sys.exit(1)
    print(f"{compared} keys and facts in {len(cargo)} contexts ({', '.join(sorted(cargo))}) agree")


if __name__ == "__main__":
    main()
