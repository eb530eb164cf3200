#!/usr/bin/env bash
# The main job, end to end: `buildRustWorkspace ./.` builds a Rust workspace with Nix, one
# derivation per crate, the plan made inside Nix (import from derivation) — nothing generated,
# nothing committed. Runs the binary it built.
#
#   tests/nix/demo.sh [EXAMPLE]     (default: path-deps; any directory name under examples/)
#
# Installs Nix first when it is missing (tests/nix/setup.sh). Builds are sandboxed, on the
# offline nixpkgs stand-in (tests/nixpkgs); crates come from static.crates.io.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
EXAMPLE="${1:-path-deps}"
[[ -f "$REPO/examples/$EXAMPLE/Cargo.toml" ]] || { echo "demo.sh: no example $EXAMPLE under $REPO/examples" >&2; exit 2; }

"$REPO/tests/nix/setup.sh"
# shellcheck source=tests/nix/env.sh
source "$REPO/tests/nix/env.sh"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/crateplan-demo.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ws="$WORK/$EXAMPLE"
cp -r "$REPO/examples/$EXAMPLE" "$ws"
rm -rf "$ws/target" "$ws"/result*

# What a user writes next to Cargo.toml (with their nixpkgs instead of the offline stand-in).
cat > "$ws/default.nix" <<EOF
let
  pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
in
(pkgs.rustBuilder.buildRustWorkspace ./.).default
EOF
echo "== $ws/default.nix"
cat "$ws/default.nix"

echo "== nix-build (plan made inside Nix, then one derivation per crate)"
start=$(date +%s)
(cd "$ws" && nix-build)
echo "== built in $(( $(date +%s) - start ))s: $(readlink "$ws/result")"

bins=("$ws"/result/bin/*)
[[ -x "${bins[0]}" ]] || { echo "demo.sh: the build has no binary" >&2; exit 1; }
echo "== running ${bins[0]##*/}"
(cd "$ws" && "${bins[0]}")
