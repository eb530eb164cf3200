# rustBuilder.rustLib.makeOverride: an override for packageOverrides, applied to the crates whose
# package name (and version, if given) match.
#
#   makeOverride { name = "libz-sys"; overrideAttrs = old: { buildInputs = [ pkgs.zlib ]; }; }
#
# Result: a function crate-derivation -> crate-derivation. `overrideAttrs` receives the crate's
# mkDerivation attributes and returns the ones to change. A function `name -> bool` is accepted for
# `name`. (cargo2nix's `overrideArgs` and `registry` are not supported: features come from the
# plan, so change Cargo.toml and regenerate instead.)
{ }:
{ name ? null
, version ? null
, overrideAttrs
}:
crate:
let
  info = crate.crateplan or (throw "makeOverride: ${crate.name or "this derivation"} is not a crateplan crate");
  nameMatches =
    if name == null then true
    else if builtins.isFunction name then name info.pname
    else name == info.pname;
  versionMatches = version == null || version == info.version;
in
if nameMatches && versionMatches then crate.overrideAttrs overrideAttrs else crate
