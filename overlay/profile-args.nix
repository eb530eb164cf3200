# profileArgs :: { profile ? null, lto ? null } -> [ string ]
#
# The rustc arguments cargo passes for a unit's profile (its build_base_args and lto_args), in
# cargo's order. `profile` is a unit's profile object of the plan (docs/plan-schema.md: cargo's
# `--unit-graph` profile); `lto` the unit's LTO decision (cargo's lto.rs): "run" gives `-C lto`,
# "run:<x>" `-C lto=<x>`, "off" `-C lto=off -C embed-bitcode=no`, "only-bitcode"
# `-C linker-plugin-lto`, "only-object" `-C embed-bitcode=no`, "object-and-bitcode" nothing
# (rustc's default); null leaves LTO out (the caller gives it per target). `profile = null` gives
# the LTO arguments alone (a target's own, beside its instance's profile). What cargo leaves to
# rustc's defaults it leaves out too: opt-level 0, unwinding, debuginfo 0, debug assertions and
# overflow checks as opt-level implies them, no rpath, strip none.
#
# Example: profileArgs { profile = { optLevel = "z"; lto = "fat"; codegenUnits = 1; debuginfo = 0;
#            splitDebuginfo = null; debugAssertions = false; overflowChecks = false; rpath = false;
#            panic = "unwind"; strip = "symbols"; name = "dist"; }; lto = "run:fat"; }
#   => [ "-C" "opt-level=z" "-C" "lto=fat" "-C" "codegen-units=1" "-C" "strip=symbols" ]
let
  c = flag: [ "-C" flag ];
  optional = cond: flags: if cond then flags else [ ];
  ltoArgs = lto:
    if lto == null || lto == "object-and-bitcode" then [ ]
    else if lto == "run" then c "lto"
    else if builtins.substring 0 4 lto == "run:" then c "lto=${builtins.substring 4 (-1) lto}"
    else if lto == "off" then c "lto=off" ++ c "embed-bitcode=no"
    else if lto == "only-bitcode" then c "linker-plugin-lto"
    else if lto == "only-object" then c "embed-bitcode=no"
    else throw "crateplan: unknown LTO decision \"${lto}\" in the plan; regenerate it with a matching crateplan";
in
{ profile ? null, lto ? null }:
let
  p = profile;
  unoptimised = p.optLevel == "0";
in
if profile == null then ltoArgs lto else
optional (!unoptimised) (c "opt-level=${p.optLevel}")
++ optional (p.panic != "unwind") (c "panic=${p.panic}")
++ ltoArgs lto
++ optional (p.codegenUnits != null) (c "codegen-units=${toString p.codegenUnits}")
++ optional (toString p.debuginfo != "0")
  (c "debuginfo=${toString p.debuginfo}"
    ++ optional (p.splitDebuginfo != null) (c "split-debuginfo=${p.splitDebuginfo}"))
# -C overflow-checks follows -C debug-assertions, which follows opt-level: given only where
# they differ.
++ (if !unoptimised then
  (if p.debugAssertions then c "debug-assertions=on" ++ optional (!p.overflowChecks) (c "overflow-checks=off")
  else optional p.overflowChecks (c "overflow-checks=on"))
else if !p.debugAssertions then c "debug-assertions=off" ++ optional p.overflowChecks (c "overflow-checks=on")
else optional (!p.overflowChecks) (c "overflow-checks=off"))
++ optional p.rpath (c "rpath")
++ optional (p.strip != "none") (c "strip=${p.strip}")
