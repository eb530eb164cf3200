# checkRootFeatures :: { plan, rootFeatures } -> { ok; command; }
#
# Whether makePackageSet's `rootFeatures` describe the plan's feature selection, which the plan
# fixes when it is made. Two spellings are accepted:
#   - the plan's `inputs.features.features` exactly (the `--features` it was generated with);
#   - cargo2nix's: "<member>/<feature>" and "<member>" strings. The members named are the roots
#     (the plan's selected members, `-p`); "<member>/default" turns their default features on
#     (without it, `--no-default-features`); every other "<member>/<feature>" is a `--features`
#     value. cargo2nix's default, every member's "<member>/default", is a plan made with `-p`
#     for each and no flags.
# `command` is the `crateplan generate` selection that makes a plan the cargo2nix spelling
# describes (for the error message when `ok` is false). Default features are on or off for all
# selected members alike, so "<a>/default" with a plain "<b>" describes no plan.
#
# Example: checkRootFeatures { plan = <made with -p app>; rootFeatures = [ "app/default" ]; }
#   => { ok = true; command = "-p app"; }
{ lib }:
{ plan, rootFeatures }:
let
  given = plan.inputs.features;
  selectedNames = lib.unique (map (id: plan.packages.${id}.name) plan.workspace.selected);
  sorted = xs: builtins.sort builtins.lessThan (lib.unique xs);
  split = entry:
    let parts = builtins.match "([^/]+)/(.+)" entry; in
    if parts == null then { member = entry; feature = null; }
    else { member = builtins.elemAt parts 0; feature = builtins.elemAt parts 1; };
  entries = map split rootFeatures;
  members = sorted (map (e: e.member) entries);
  withDefault = sorted (map (e: e.member) (builtins.filter (e: e.feature == "default") entries));
  features = sorted (map (e: "${e.member}/${e.feature}")
    (builtins.filter (e: e.feature != null && e.feature != "default") entries));
  noDefault = withDefault == [ ];
  # The plan's --features in the same form: a plain feature applies to every selected member.
  planFeatures = sorted (builtins.concatMap
    (f: if builtins.match ".*/.*" f != null then [ f ] else map (m: "${m}/${f}") selectedNames)
    given.features);
  command = lib.concatStringsSep " " (map (m: "-p ${m}") members
    ++ (if features != [ ] then [ "--features ${lib.concatStringsSep "," features}" ] else [ ])
    ++ (if noDefault then [ "--no-default-features" ] else [ ]));
in
{
  ok = rootFeatures == given.features
    || (!given.allFeatures
      && members == sorted selectedNames
      && (withDefault == [ ] || withDefault == members)
      && noDefault == given.noDefaultFeatures
      && features == planFeatures);
  inherit command;
}
