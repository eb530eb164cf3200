# groupByRegistry :: { packages, instancesOf, crateFunction } -> { <registry>.<name>.<version> = crate; }
#
# Every package of the plan that has a derivation (its first instance, target platform first), by
# where it comes from, under crateplan's name and under cargo2nix's:
#
#   source                  crateplan's name   cargo2nix's name (the Cargo.lock source string)
#   crates.io               crates-io          registry+https://github.com/rust-lang/crates.io-index
#   another registry        its source string  its source string
#   git                     git                git+<url>
#   path (the workspace)    path               unknown
#
# Each crate is a derivation and cargo2nix's crate function (crateFunction). Built by grouping,
# not by a fold that copies the set at each step.
#
# Example: (groupByRegistry { … }).crates-io.serde."1.0.229"  =>  «derivation serde-1.0.229»
#          and the same derivation at ."registry+https://github.com/rust-lang/crates.io-index".serde."1.0.229" { }
{ isCratesIo }:
{ packages, instancesOf, crateFunction }:
let
  registryNames = source:
    if source.type == "registry" && isCratesIo source.registry then [ "crates-io" source.registry ]
    else if source.type == "registry" then [ source.registry ]
    else if source.type == "git" then [ "git" "git+${source.url}" ]
    else [ "path" "unknown" ];
  builtPackageIds = builtins.filter (id: instancesOf id != [ ]) (builtins.attrNames packages);
  crates = builtins.listToAttrs (map
    (id: { name = id; value = crateFunction { crate = builtins.head (instancesOf id); }; })
    builtPackageIds);
  byRegistry = builtins.groupBy (entry: entry.registry) (builtins.concatMap
    (id: map (registry: { inherit registry id; }) (registryNames packages.${id}.source))
    builtPackageIds);
in
builtins.mapAttrs
  (_: entries: builtins.mapAttrs
    (_: sameName: builtins.listToAttrs (map
      (entry: { name = packages.${entry.id}.version; value = crates.${entry.id}; })
      sameName))
    (builtins.groupBy (entry: packages.${entry.id}.name) entries))
  byRegistry
