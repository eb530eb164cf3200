# A stand-in for rust-overlay's overlay (github:oxalica/rust-overlay), of its shape, for the
# tests of cargo2nix's makePackageSet arguments (docs/nixpkgs-surface.md):
#
#   rust-bin.<channel>.<version>.<profile>            channel: stable, beta, nightly;
#                                                     version: "1.M.P", a nightly's date, "latest";
#                                                     profile: minimal, default
#   (…).override { extensions = [ … ]; targets = [ … ]; }
#   rust-bin.selectLatestNightlyWith (toolchain: toolchain.<profile>)
#
# Every toolchain is made from this machine's one Rust toolchain (the sysroot the sandbox binds
# at /opt/rust), so its build fails, saying so, unless the version asked for is that one: a
# toolchain that builds is the Rust it is named after. Components: rustc, rustdoc and cargo;
# clippy (clippy-driver, cargo-clippy) and rustfmt with the `default` profile or as extensions;
# rust-src as a link to the sysroot's library sources (dangling where the machine has none);
# other extensions must be installed in the sysroot. Each target's standard library must be
# installed (`rustup target add`). What was asked for is in `passthru.rustBin`.
final: prev:
let
  inherit (builtins) genList concatMap listToAttrs toString;
  pad = n: if n < 10 then "0${toString n}" else toString n;
  # The versions the attribute sets hold (rust-overlay: those released; here: any of this form).
  releases = concatMap (minor: genList (patch: "1.${toString minor}.${toString patch}") 10) (genList (m: m) 130);
  dates = concatMap (year: concatMap (month: genList (day: "${toString year}-${pad month}-${pad (day + 1)}") 31)
    (genList (m: m + 1) 12)) [ 2024 2025 2026 2027 ];

  toolchain = { channel, version, profile }: final.lib.makeOverridable
    ({ extensions ? [ ], targets ? [ ], targetExtensions ? [ ] }: final.stdenv.mkDerivation {
      name = "rust-${profile}-${version}${if channel == "stable" then "" else "-${channel}"}-stand-in";
      dontUnpack = true;
      inherit channel version profile extensions targets;
      tools = [ "rustc" "rustdoc" "cargo" ]
        ++ (if profile == "default" || builtins.elem "clippy" extensions then [ "clippy-driver" "cargo-clippy" ] else [ ])
        ++ (if profile == "default" || builtins.elem "rustfmt" extensions then [ "rustfmt" "cargo-fmt" ] else [ ]);
      installPhase = ''
        actual="$(/opt/rust/bin/rustc --version)"
        case "$channel/$version" in
          stable/latest) [[ "$actual" != *-beta* && "$actual" != *-nightly* ]] ;;
          stable/*) [[ "$actual" == "rustc $version "* ]] ;;
          beta/*) [[ "$actual" == *-beta* ]] ;;
          nightly/*) [[ "$actual" == *-nightly* ]] ;;
        esac || { echo "rust-overlay stand-in: rust-bin.$channel.$version is not on this machine, whose Rust is $actual" >&2; exit 1; }
        for target in $targets; do
          [[ -d "/opt/rust/lib/rustlib/$target/lib" ]] \
            || { echo "rust-overlay stand-in: no standard library for $target here (rustup target add $target)" >&2; exit 1; }
        done
        for extension in $extensions; do
          case "$extension" in
            clippy|rustfmt|rust-src) ;;
            *) grep -qx -e "$extension" -e "$extension-preview" /opt/rust/lib/rustlib/components \
                 || { echo "rust-overlay stand-in: component $extension is not installed here" >&2; exit 1; } ;;
          esac
        done
        mkdir -p "$out/bin" "$out/lib/rustlib/src"
        for tool in $tools; do
          printf '%s\n' '#!/bin/bash' "exec /opt/rust/bin/$tool \"\$@\"" > "$out/bin/$tool"
          chmod +x "$out/bin/$tool"
        done
        ln -s /opt/rust/lib/rustlib/src/rust "$out/lib/rustlib/src/rust"
      '';
      passthru.rustBin = { inherit channel version profile extensions targets targetExtensions; };
    })
    { };

  channel = name: versions: listToAttrs (map
    (version: {
      name = version;
      value = {
        minimal = toolchain { channel = name; inherit version; profile = "minimal"; };
        default = toolchain { channel = name; inherit version; profile = "default"; };
      };
    })
    (versions ++ [ "latest" ]));
in
{
  rust-bin = {
    stable = channel "stable" releases;
    beta = channel "beta" dates;
    nightly = channel "nightly" dates;
    selectLatestNightlyWith = select: select final.rust-bin.nightly.latest;
  };
}
