# checkPlan :: { plan, target, compileMode, profile, rootFeatures } -> plan
#
# The parsed plan (docs/plan-schema.md), returned as it is when makePackageSet can build it as
# asked; else an error saying how to regenerate it: a schema version this overlay does not read,
# no units for `target` or for `compileMode`, a plan made for another cargo profile than
# `profile`, or `rootFeatures` that describe another feature selection than the plan's
# (checkRootFeatures: the plan's `--features`, or cargo2nix's "<member>/<feature>").
{ lib, checkRootFeatures }:
{ plan, target, compileMode, profile, rootFeatures }:
let
  schemaVersion = import ../lib/plan-schema-version.nix;
  planProfile = plan.inputs.profile or "dev";
  # " --release" and the like: the regenerate command's profile flags.
  profileFlags = name: builtins.concatStringsSep "" (map (flag: " ${flag}") (import ../lib/profile-flags.nix name));
in
if (plan.version or null) != schemaVersion
then throw "makePackageSet: plan schema version ${toString (plan.version or "missing")} is not supported (this overlay reads version ${toString schemaVersion}); regenerate the plan with a matching crateplan"
else if !(plan.platforms ? ${target})
then throw "makePackageSet: the plan has no units for target ${target} (it has: ${lib.concatStringsSep ", " (builtins.attrNames plan.platforms)}); regenerate it with --target ${target}"
else if compileMode != "build" && compileMode != "test"
then throw "makePackageSet: compileMode must be \"build\" or \"test\", not \"${compileMode}\""
else if !(plan.platforms.${target} ? ${compileMode})
then throw "makePackageSet: the plan has no ${compileMode} units for ${target}; regenerate it with a crateplan that writes them"
else if planProfile != profile
then throw ("makePackageSet: the plan was made for cargo's ${planProfile} profile, not ${profile}; "
  + "regenerate it with `crateplan generate${profileFlags profile}`, or pass profile = \"${planProfile}\"")
else if rootFeatures != null && !(checkRootFeatures { inherit plan rootFeatures; }).ok
then throw ("makePackageSet: rootFeatures ${builtins.toJSON rootFeatures} differ from the feature selection the plan was generated with "
  + "(features ${builtins.toJSON plan.inputs.features.features}${if plan.inputs.features.noDefaultFeatures then ", no default features" else ""}${if plan.inputs.features.allFeatures then ", all features" else ""}, "
  + "for ${lib.concatStringsSep ", " (map (id: plan.packages.${id}.name) plan.workspace.selected)}); "
  + "regenerate the plan with `crateplan generate --target ${target}${profileFlags profile} ${(checkRootFeatures { inherit plan rootFeatures; }).command}`")
else plan
