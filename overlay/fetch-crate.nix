# rustBuilder.rustLib.fetchCrate: the fixed-output fetch of one registry crate.
#
#   fetchCrate { crateUrl ? <crates.io template>; } { name; version; registry; checksum; }
#
# `checksum` is Cargo.lock's (hex sha256 of the .crate). `crateUrl` is a template with `{name}`
# and `{version}` (used for crates.io only), or a function { registry, name, version } -> url for
# any registry. The derivation is named `<name>-<version>.crate`, so a checksum mismatch names
# the crate.
{ fetchurl, isCratesIo }:
{ crateUrl ? "https://static.crates.io/crates/{name}/{name}-{version}.crate" }:
{ name, version, registry, checksum }:
let
  url =
    if builtins.isFunction crateUrl then crateUrl { inherit registry name version; }
    else if isCratesIo registry
    then builtins.replaceStrings [ "{name}" "{version}" ] [ name version ] crateUrl
    else throw "fetchCrate: ${name} ${version} comes from registry ${registry}; pass crateUrl as a function { registry, name, version } -> url to download from it";
in
fetchurl {
  name = "${name}-${version}.crate";
  inherit url;
  sha256 = checksum;
}
