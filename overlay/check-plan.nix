# checkPlan :: { plan, target, compileMode, profile, rootFeatures } -> plan
#
# The parsed plan (docs/plan-schema.md), returned as it is when makePackageSet can build it as
# asked; else an error saying how to regenerate it: a schema version this overlay does not read,
# no units for `target` or for `compileMode`, a plan made for another cargo profile than
# `profile`, or `rootFeatures` other than the plan's. (A plan whose units carry no profile was
# made for dev or release and holds the other's units too, unless the two differ in
# `panic = "abort"`.)
{ lib }:
{ plan, target, compileMode, profile, rootFeatures }:
let
  schemaVersion = import ../lib/plan-schema-version.nix;
  planProfile = plan.inputs.profile or "dev";
  units = plan.platforms.${target}.${compileMode}.units;
  hasProfiles = units != { } && (builtins.head (builtins.attrValues units)) ? profile;
  profileFlag = name: if name == "release" then "--release" else "--profile ${name}";
in
if (plan.version or null) != schemaVersion
then throw "makePackageSet: plan schema version ${toString (plan.version or "missing")} is not supported (this overlay reads version ${toString schemaVersion}); regenerate the plan with a matching crateplan"
else if !(plan.platforms ? ${target})
then throw "makePackageSet: the plan has no units for target ${target} (it has: ${lib.concatStringsSep ", " (builtins.attrNames plan.platforms)}); regenerate it with --target ${target}"
else if compileMode != "build" && compileMode != "test"
then throw "makePackageSet: compileMode must be \"build\" or \"test\", not \"${compileMode}\""
else if !(plan.platforms.${target} ? ${compileMode})
then throw "makePackageSet: the plan has no ${compileMode} units for ${target}; regenerate it with a crateplan that writes them"
else if hasProfiles && planProfile != profile
then throw ("makePackageSet: the plan was made for cargo's ${planProfile} profile, not ${profile}; "
  + "regenerate it with `crateplan generate ${profileFlag profile}`, or pass profile = \"${planProfile}\"")
else if !hasProfiles && (plan.inputs ? panicAbort) && !(builtins.elem profile [ "dev" "release" ])
then throw "makePackageSet: the plan has no profiles (it was made for dev or release), so it cannot build the ${profile} profile; regenerate it with `crateplan generate ${profileFlag profile}`"
# A plan without profiles: the units hold for the other of dev and release unless the two
# differ in `panic = "abort"`.
else if !hasProfiles && (plan.inputs ? panicAbort) && plan.inputs.panicAbort.${planProfile} != plan.inputs.panicAbort.${profile}
then throw ("makePackageSet: the plan was made for cargo's ${planProfile} profile, and its `panic` setting differs from the ${profile} profile's; "
  + "regenerate it with `crateplan generate ${profileFlag profile}`, or pass profile = \"${planProfile}\"")
else if rootFeatures != null && rootFeatures != plan.inputs.features.features
then throw "makePackageSet: rootFeatures ${builtins.toJSON rootFeatures} differ from the features the plan was generated with (${builtins.toJSON plan.inputs.features.features}); regenerate the plan with those --features"
else plan
