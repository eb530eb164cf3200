# cargoProfile :: { release, platform, isRoot } -> { name, optLevel, debugInfo, debugAssertions }
#
# cargo's profile for one unit, as `cargo build --target T` applies it (the plan is made per
# --target). release: host units (`platform = "host"`: build scripts, proc-macros and their
# dependencies) get the build-override opt-level 0, unless they are roots (a selected proc-macro
# member). (cargo then also builds a root proc-macro a second time at opt-level 0 for its
# dependents; the plan has one unit, built once.) dev: opt-level 0 and debuginfo 2 for every unit
# — with --target, cargo's deferred build-override debuginfo resolves to the profile's.
#
# Example: cargoProfile { release = true; platform = "host"; isRoot = false; }
#          =>  { name = "release"; optLevel = "0"; debugInfo = 0; debugAssertions = false; }
{ }:
{ release, platform, isRoot }:
if release then {
  name = "release";
  optLevel = if platform == "host" && !isRoot then "0" else "3";
  debugInfo = 0;
  debugAssertions = false;
} else {
  name = "debug";
  optLevel = "0";
  debugInfo = 2;
  debugAssertions = true;
}
