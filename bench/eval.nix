# The expressions bench/eval.sh times (BENCHMARKS.md, section "Evaluation"): a plan's package set
# on the offline stand-in nixpkgs (tests/nixpkgs), committed-mode style (a plan file + the
# workspace root, no import-from-derivation).
#
#   nix-instantiate --eval --strict bench/eval.nix --arg plan /abs/plan.json --arg src /abs/ws -A all
#   nix-instantiate                 bench/eval.nix --arg plan /abs/plan.json --arg src /abs/ws -A root
#
# via = "makePackageSet"      pkgs.rustBuilder.makePackageSet { plan; workspaceSrc = src; }
# via = "buildRustWorkspace"  pkgs.rustBuilder.buildRustWorkspace { src; plan; } (lib/: the plan is
#                             checked for staleness first — Cargo.lock and every manifest hashed)
#
# Attributes:
#   all        the number of derivations forced: every `workspace.<member>`, every
#              `<registry>.<name>.<version>` and every `instances.<key>` (all crate derivations),
#              each one's drvPath — which forces its dependencies' and its fetchurl's too
#   root       one member's derivation, for a plain `nix-instantiate`: the first selected member
#              with a binary (the first selected member if none has one)
#   staleness  lib/load-plan.nix alone: parse the plan, hash Cargo.lock and the manifests
#   parse      the plan's JSON parsed, nothing else (fromJSON of the whole file, deep-forced)
#   baseline   the stand-in nixpkgs with the overlay, and one derivation of it (Nix's start-up,
#              the overlay's import)
#   counts     { instances; registryPackages; pathPackages; members; } for the report
{ plan, src, via ? "makePackageSet" }:
let
  pkgs = import ../tests/nixpkgs { overlays = [ (import ../overlay) ]; };
  lib = {
    filterAttrs = pred: attrs: builtins.listToAttrs (builtins.concatMap
      (name: if pred name attrs.${name} then [{ inherit name; value = attrs.${name}; }] else [ ])
      (builtins.attrNames attrs));
  };

  set =
    if via == "makePackageSet" then pkgs.rustBuilder.makePackageSet { inherit plan; workspaceSrc = src; }
    else if via == "buildRustWorkspace" then pkgs.rustBuilder.buildRustWorkspace { inherit src plan; }
    else throw "bench/eval.nix: via must be \"makePackageSet\" or \"buildRustWorkspace\"";

  # What the set holds besides `<registry>.<name>.<version>`.
  # (buildRustWorkspace adds `plan`, `crateplan`, `default` … ; of the rest, only attrsets of
  # attrsets of derivations are registries.)
  notRegistries = [ "workspace" "workspaceShell" "instances" "testResults" "tests" "plan"
    "planDerivation" "crateplan" "default" "getMember" ];
  isDrv = d: (d.type or null) == "derivation";
  registries = lib.filterAttrs
    (_: v: builtins.isAttrs v && !(isDrv v) && builtins.all
      (byName: builtins.isAttrs byName && !(isDrv byName) && builtins.all isDrv (builtins.attrValues byName))
      (builtins.attrValues v))
    (builtins.removeAttrs set notRegistries);
  registryDrvs = builtins.concatMap
    (r: builtins.concatMap builtins.attrValues (builtins.attrValues registries.${r}))
    (builtins.attrNames registries);
  drvs = builtins.attrValues set.workspace ++ registryDrvs ++ builtins.attrValues set.instances;

  planData = builtins.fromJSON (builtins.readFile plan);
  members = map (id: planData.packages.${id}) planData.workspace.selected;
  hasBin = p: builtins.any (t: t.kind == "bin") (builtins.attrValues p.targets);
  withBins = builtins.filter hasBin members;
  rootPkg = builtins.head (withBins ++ members);
in
{
  all = builtins.length (builtins.filter builtins.isString (map (d: d.drvPath) drvs));

  root = set.workspace.${rootPkg.name};
  rootName = rootPkg.name;

  staleness = (import ../lib/load-plan.nix { inherit src plan; }).version;

  parse = builtins.deepSeq planData planData.version;

  baseline = pkgs.stdenv.drvPath;

  counts = {
    instances = builtins.length (builtins.attrNames set.instances);
    registryPackages = builtins.length (builtins.filter (p: p.source.type == "registry")
      (builtins.attrValues planData.packages));
    pathPackages = builtins.length (builtins.filter (p: p.source.type == "path")
      (builtins.attrValues planData.packages));
    members = builtins.length planData.workspace.members;
  };
}
