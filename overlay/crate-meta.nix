# crateMeta :: { packageMetadata, bins, defaultRun ? null } -> meta
#
# A crate derivation's `meta`, as nixpkgs packages have it, from the plan's `metadata` of its
# package (docs/plan-schema.md) and the names of the binaries the derivation builds:
#   description   the package's `description`, when it has one
#   homepage      its `homepage`, else its `repository`, when it has either
#   license       its SPDX `license` expression, each license in it as the `lib.licenses` entry
#                 with that `spdxId`, or as the SPDX string where no entry has it; one license
#                 alone, several as a list (as nixpkgs writes `[ mit asl20 ]` for
#                 "MIT OR Apache-2.0"); absent without a `license`
#   mainProgram   the only binary, else the package's `default-run` when it builds that one —
#                 so that `nix run` and `lib.getExe` find a binary named otherwise than the
#                 package; absent when neither says which
#
# Example: crateMeta { packageMetadata = { license = "MIT/Apache-2.0"; description = "";
#            homepage = ""; repository = "https://x.org/r"; }; bins = [ "rg" ]; }
#   => { homepage = "https://x.org/r"; license = [ lib.licenses.mit lib.licenses.asl20 ]; mainProgram = "rg"; }
{ lib }:
let
  licensesBySpdxId = builtins.listToAttrs (map
    (l: { name = l.spdxId; value = l; })
    (builtins.filter (l: builtins.isAttrs l && l ? spdxId) (builtins.attrValues lib.licenses)));

  # The license identifiers of an SPDX expression (cargo's older `/` separator included), with
  # `A WITH exception` kept as one identifier, in order, once each.
  spdxIds = expression:
    let
      # `A WITH exception` is one identifier: its spaces are kept through the split.
      keepWith = builtins.replaceStrings [ " WITH " ] [ "|WITH|" ] expression;
      tokens = builtins.filter (t: builtins.isString t && t != "") (builtins.split "[ ()/]+" keepWith);
      ids = builtins.filter (t: t != "OR" && t != "AND") tokens;
    in
    lib.unique (map (builtins.replaceStrings [ "|WITH|" ] [ " WITH " ]) ids);

  license = expression:
    let found = map (id: licensesBySpdxId.${id} or id) (spdxIds expression); in
    if builtins.length found == 1 then builtins.head found else found;
in
{ packageMetadata, bins, defaultRun ? null }:
let
  m = packageMetadata;
  nonEmpty = name: value: lib.optionalAttrs (value != "") { ${name} = value; };
in
nonEmpty "description" (m.description or "")
// nonEmpty "homepage" (if (m.homepage or "") != "" then m.homepage else m.repository or "")
// lib.optionalAttrs ((m.license or "") != "") { license = license m.license; }
// (if builtins.length bins == 1 then { mainProgram = builtins.head bins; }
  else if defaultRun != null && builtins.elem defaultRun bins then { mainProgram = defaultRun; }
  else { })
