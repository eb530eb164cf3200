# makeClippyChecks :: context -> { buildView, testView, clippy, lintArgs, allTargets }
#                     -> { <member> = derivation; }
#
# `cargo clippy` of each selected path member, as one derivation made by `mkcrateClippy`:
# clippy-driver (from `clippy`) checks the member's lib, bins and build script — those of its
# instance in `buildView` (makeInstances' result for the plan's build view) — and, with
# `allTargets` (`cargo clippy --all-targets`), its test targets in `testView`, with `lintArgs`
# after the package's own lints. `context` is makePackageSet's (see there).
{ mkcrateClippy }:
{ packages, applyOverrides, perMember, ... }:
{ buildView, testView, clippy, lintArgs, allTargets }:
perMember (packageId:
  let
    found = buildView.instancesOf packageId ++ testView.instancesOf packageId;
    crate = builtins.head found;
  in
  if found == [ ] || packages.${packageId}.source.type != "path" then null
  else applyOverrides (mkcrateClippy {
    inherit crate clippy lintArgs;
    procMacro = builtins.any (t: t.kind == "lib" && builtins.elem "proc-macro" t.crateTypes)
      (builtins.attrValues packages.${packageId}.targets);
    tests = if allTargets then (testView.memberTestsOf packageId).harnessed else [ ];
  }))
