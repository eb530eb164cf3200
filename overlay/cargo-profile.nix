# cargoProfile :: { release, platform, isRoot } -> profile object
#
# For a plan whose units carry no `profile` (written before the plan had one): the profile object
# (docs/plan-schema.md) cargo gives a unit of its release or dev profile with no `[profile.*]`
# settings, as `cargo build --target T` applies it. release: host units (`platform = "host"`: build
# scripts, proc-macros and their dependencies) get the build-override opt-level 0 unless they are
# roots (a selected proc-macro member); strip resolves to "debuginfo" without debuginfo. dev:
# opt-level 0, debuginfo 2 and debug assertions for every unit (with --target, cargo's deferred
# build-override debuginfo resolves to the profile's). A plan with profiles needs none of this.
#
# Example: cargoProfile { release = true; platform = "host"; isRoot = false; }
#          =>  { name = "release"; optLevel = "0"; debuginfo = 0; strip = "debuginfo"; … }
{ }:
{ release, platform, isRoot }:
let
  common = {
    lto = "false";
    codegenUnits = null;
    splitDebuginfo = null;
    rpath = false;
    panic = "unwind";
  };
in
common // (if release then {
  name = "release";
  optLevel = if platform == "host" && !isRoot then "0" else "3";
  debuginfo = 0;
  debugAssertions = false;
  overflowChecks = false;
  strip = "debuginfo";
} else {
  name = "dev";
  optLevel = "0";
  debuginfo = 2;
  debugAssertions = true;
  overflowChecks = true;
  strip = "none";
})
