# planUnits :: packages -> { targetOf, isLibUnit, …, instanceKey }
#
# What a unit of the plan (docs/plan-schema.md) is in cargo's terms, given the plan's `packages`:
# its target, the kind of compilation (lib, bin, build-script compile or run, test harness,
# example, doctest), and the package instance it belongs to.
#
# A package instance: everything cargo builds for one package on one platform with one feature
# set (its build script run, lib and bins) is one derivation, keyed
# `<package id> <host|target> [<features>]`. Test harnesses, examples and doctests of members are
# compiled and run by the member's tests derivation. (With `panic = "abort"`, cargo builds a
# package once aborting for binaries and once unwinding for test harnesses: two instances, the
# first keyed with ` panic=abort`.)
{ lib }:
packages:
let
  targetOf = unit: packages.${unit.package}.targets.${unit.target};
  isTestUnit = unit: unit.mode == "test";
  isExampleUnit = unit: unit.mode == "build" && (targetOf unit).kind == "example";
  isDoctest = unit: unit.mode == "doctest";
in
{
  inherit targetOf isTestUnit isExampleUnit isDoctest;
  isLibUnit = unit: unit.mode == "build" && (targetOf unit).kind == "lib";
  isBinUnit = unit: unit.mode == "build" && (targetOf unit).kind == "bin";
  isBuildScriptCompile = unit: unit.mode == "build" && (targetOf unit).kind == "custom-build";
  isBuildScriptRun = unit: unit.mode == "run-custom-build";
  # Built by the member's tests derivation, not by an instance.
  isTestOnly = unit: isTestUnit unit || isExampleUnit unit || isDoctest unit;
  instanceKey = unit: "${unit.package} ${unit.platform} [${lib.concatStringsSep "," unit.features}]"
    + (if (unit.panic or null) == "abort" then " panic=abort" else "");
}
