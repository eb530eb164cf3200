# groupByRegistry :: { packages, instancesOf } -> { <registry>.<name>.<version> = derivation; }
#
# Every package of the plan that has a derivation (its first instance, target platform first), by
# where it comes from: `crates-io` for crates.io, the registry source string for other
# registries, `git` and `path` for those sources. Built by grouping, not by a fold that copies
# the set at each step.
#
# Example: (groupByRegistry { … }).crates-io.serde."1.0.229"  =>  «derivation serde-1.0.229»
{ isCratesIo }:
{ packages, instancesOf }:
let
  registryName = source:
    if source.type == "registry" && isCratesIo source.registry then "crates-io"
    else if source.type == "registry" then source.registry
    else if source.type == "git" then "git"
    else "path";
  builtPackageIds = builtins.filter (id: instancesOf id != [ ]) (builtins.attrNames packages);
in
builtins.mapAttrs
  (_: ids: builtins.mapAttrs
    (_: sameName: builtins.listToAttrs (map
      (id: { name = packages.${id}.version; value = builtins.head (instancesOf id); })
      sameName))
    (builtins.groupBy (id: packages.${id}.name) ids))
  (builtins.groupBy (id: registryName packages.${id}.source) builtPackageIds)
