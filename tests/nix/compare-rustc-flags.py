#!/usr/bin/env python3
"""Compare the rustc invocations of a Nix build (the `crateplan: rustc …` lines mkcrate logs)
with cargo's (`cargo build -v`), after reducing each to what decides the compiled code: crate
name, edition, crate types, --test, --cfg (features, build-script cfgs, rustflags' cfgs),
--extern names, -l, cap-lints, the `[lints]` levels (in order), and the codegen options of the
profile — opt-level, debuginfo, split-debuginfo, debug-assertions, overflow-checks, strip, lto,
linker-plugin-lto, embed-bitcode, codegen-units, panic, rpath — with prefer-dynamic and link-arg
(rustc's defaults filled in), and the `--check-cfg` values. Paths, hashes, output and diagnostic
options are left out.

usage: compare-rustc-flags.py CARGO_VERBOSE_LOG NIX_LOGS [--ignore-root-proc-macro-duplicates]
Exit status 1 and a listing when the multisets differ.
"""
import collections
import re
import shlex
import sys

KEEP_CODEGEN = {"opt-level", "debuginfo", "split-debuginfo", "debug-assertions", "overflow-checks",
                "strip", "lto", "linker-plugin-lto", "embed-bitcode", "codegen-units", "panic",
                "rpath", "prefer-dynamic", "link-arg", "link-args"}
# Flags whose value may be left out (`-C rpath` = `-C rpath=yes`).
BOOLEAN_CODEGEN = ("debug-assertions", "overflow-checks", "embed-bitcode", "prefer-dynamic",
                   "linker-plugin-lto", "rpath")


def normalize(args):
    out = {"types": [], "cfg": [], "extern": [], "l": [], "C": {}, "link-arg": [], "check-cfg": [], "lints": []}
    i = 0
    def value():
        nonlocal i
        a = args[i]
        if "=" in a and a.startswith("--") and not a.startswith("--cfg"):
            return a.split("=", 1)[1]
        i += 1
        return args[i]
    while i < len(args):
        a = args[i]
        if a.startswith("--crate-name"):
            out["crate"] = value()
        elif a.startswith("--edition"):
            out["edition"] = value()
        elif a.startswith("--crate-type"):
            out["types"].append(value())
        elif a == "--test":
            out["test"] = True
        elif a == "--cfg":
            i += 1
            out["cfg"].append(args[i])
        elif a == "--check-cfg":
            i += 1
            out["check-cfg"].append(args[i])
        elif a == "--extern":
            i += 1
            out["extern"].append(args[i].split("=", 1)[0])
        elif a.startswith("-l"):
            out["l"].append(a[2:] if len(a) > 2 else args[i + 1])
            if len(a) == 2:
                i += 1
        elif a.startswith(("--warn=", "--allow=", "--deny=", "--forbid=")):
            out["lints"].append(a)   # [lints]: in order (a later level overrides an earlier one)
        elif a.startswith("--cap-lints"):
            out["cap-lints"] = value()
        elif a.startswith("-C"):
            opt = a[2:] if len(a) > 2 else args[i + 1]
            if len(a) == 2:
                i += 1
            key, _, val = opt.partition("=")
            if key in ("link-arg", "link-args"):
                out["link-arg"].append(val)
            elif key in KEEP_CODEGEN:
                out["C"][key] = val
        elif a in ("-L", "--target", "--out-dir", "-o", "--error-format", "--json", "--emit",
                   "--diagnostic-width"):
            i += 1
        elif a.startswith(("-L", "--target=", "--out-dir=", "--error-format=", "--json=", "--emit=",
                           "--diagnostic-width=")):
            pass
        elif not a.startswith("-"):
            out["src"] = a.rsplit("/", 1)[-1]
        i += 1
    c = out["C"]
    c.setdefault("opt-level", "0")
    c.setdefault("debuginfo", "0")
    c.setdefault("debug-assertions", "on" if c["opt-level"] == "0" else "off")
    c.setdefault("overflow-checks", c["debug-assertions"])
    c.setdefault("strip", "none")
    c.setdefault("embed-bitcode", "yes")
    c.setdefault("prefer-dynamic", "no")
    c.setdefault("linker-plugin-lto", "no")
    c.setdefault("rpath", "no")
    c.setdefault("panic", "unwind")
    c.setdefault("lto", "<none>")
    c.setdefault("codegen-units", "<default>")
    c.setdefault("split-debuginfo", "<default>")
    for k in BOOLEAN_CODEGEN:
        c[k] = {"yes": "on", "y": "on", "true": "on", "": "on", "no": "off", "n": "off", "false": "off"}.get(c[k], c[k])
    return (out.get("crate"), out.get("edition"), tuple(sorted(out["types"])), bool(out.get("test")),
            out.get("src"), tuple(sorted(out["cfg"])), tuple(sorted(out["check-cfg"])),
            tuple(sorted(out["extern"])), tuple(out["l"]), out.get("cap-lints"),
            tuple(sorted(c.items())), tuple(out["link-arg"]), tuple(out["lints"]))


def cargo_invocations(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.search(r"Running `(.*)`\s*$", line)
        if not m:
            continue
        words = shlex.split(m.group(1))
        # `Running` lines start with optional VAR=value words, then the program.
        while words and "=" in words[0] and not words[0].startswith("/"):
            words.pop(0)
        if words and words[0].endswith("/rustc"):
            yield words[1:]


def nix_invocations(path):
    for line in open(path, encoding="utf-8", errors="replace"):
        if line.startswith("crateplan: rustc "):
            yield shlex.split(line[len("crateplan: rustc "):])


def main():
    cargo_log, nix_log, *flags = sys.argv[1:]
    cargo = collections.Counter(normalize(a) for a in cargo_invocations(cargo_log))
    nix = collections.Counter(normalize(a) for a in nix_invocations(nix_log))
    if "--ignore-root-proc-macro-duplicates" in flags:
        # cargo builds a selected proc-macro member twice when the profile and its build-override
        # differ: as a root (the profile) and as a dependency (build-override); the plan holds one
        # unit, built as the root is. Drop cargo's copies the Nix build does not have of a
        # proc-macro cargo compiled more than one way.
        proc_macros = collections.Counter(k[0] for k in cargo if k[2] == ("proc-macro",))
        for key in list(cargo):
            if key[2] == ("proc-macro",) and proc_macros[key[0]] > 1 and key not in nix:
                del cargo[key]
    # A build script shared by a host and a target instance of its package is compiled once by
    # cargo and once per instance by the overlay (it is part of each instance's derivation).
    for counter in (cargo, nix):
        for key in counter:
            if key[0] == "build_script_build":
                counter[key] = 1
    missing = cargo - nix
    extra = nix - cargo
    for key in sorted(missing, key=str):
        print("only cargo:", key)
    for key in sorted(extra, key=str):
        print("only nix:  ", key)
    print(f"{sum(cargo.values())} cargo invocations, {sum(nix.values())} nix invocations,"
          f" {len(missing) + len(extra)} differing")
    sys.exit(1 if missing or extra else 0)


if __name__ == "__main__":
    main()
