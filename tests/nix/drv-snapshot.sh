#!/usr/bin/env bash
# Writes the .drv path of every derivation the Nix side makes of the example workspaces into one
# directory, one JSON file per package set, so that two versions of lib/ and overlay/ can be
# compared: a refactoring that must not change derivations leaves `diff -r` empty.
#
#   tests/nix/drv-snapshot.sh OUT [PLANS]
#
# PLANS (default: target/tmp/drv-snapshot-plans) keeps the plans the generator made, so a second
# run instantiates from the same plan files. Cases: every examples/* (release and dev profile),
# path-deps' test view (compileMode = "test"), cross-units for two targets, the tests/nix/fixtures
# (panic = "abort", tests, clippy), buildRustWorkspace in committed and IFD mode, and
# rustBuilder.crateplan from the flake on the stand-in nixpkgs. Each file maps attribute paths
# (workspace, instances, tests, clippy, workspaceShell, <registry>.<name>.<version>) to .drv paths.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
out="$(mkdir -p "$1" && cd "$1" && pwd)"
plans="$(mkdir -p "${2:-target/tmp/drv-snapshot-plans}" && cd "${2:-target/tmp/drv-snapshot-plans}" && pwd)"
source tests/nix/env.sh
TRIPLE=x86_64-unknown-linux-gnu
BIN="${CARGO_TARGET_DIR:-$REPO/target}/debug/crateplan"
[[ -x "$BIN" ]] || cargo build -q --bin crateplan
CRATE_URL='file:///crates-mirror/{name}-{version}.crate'

# plan NAME DIR FLAGS…: the plan of DIR made with FLAGS (once), its path printed.
plan() {
  local file="$plans/$1.plan.json"
  if [[ ! -s "$file" ]]; then
    cargo fetch -q --locked --manifest-path "$2/Cargo.toml"
    refresh_crates_mirror
    "$BIN" generate --manifest-path "$2/Cargo.toml" -o "$file" "${@:3}"
  fi
  echo "$file"
}

# Every derivation of a package set SET (a Nix expression), by attribute path.
set_drvs() {
  printf '%s' "let
    set = $1;
    drvs = builtins.mapAttrs (_: d: d.drvPath);
    special = [ \"instances\" \"workspace\" \"tests\" \"testResults\" \"clippy\" \"workspaceShell\"
      \"plan\" \"planDerivation\" \"crateplan\" \"getMember\" \"checks\" \"default\" \"rustToolchain\" ];
  in {
    instances = drvs set.instances;
    workspace = drvs set.workspace;
    tests = drvs set.tests;
    clippy = drvs set.clippy;
    workspaceShell = set.workspaceShell.drvPath;
    registries = builtins.mapAttrs (_: builtins.mapAttrs (_: drvs)) (builtins.removeAttrs set special);
  }"
}

# snapshot NAME EXPR: EXPR's value (JSON) into OUT/NAME.json; on failure, its errors in NAME.err.
snapshot() {
  local json
  if json="$(nix-instantiate --eval --strict --json --read-write-mode --expr "$2" 2>"$out/$1.err")"; then
    python3 -c 'import json,sys; json.dump(json.load(sys.stdin), sys.stdout, indent=1, sort_keys=True)' \
      <<< "$json" > "$out/$1.json"
    rm -f "$out/$1.err"
  else
    echo "drv-snapshot: $1 failed: $(tail -n 3 "$out/$1.err")" >&2
  fi
}

# build_nix PLAN SRC [ARGS…]: the package set of tests/nix/build.nix.
build_nix() {
  printf 'import %s/tests/nix/build.nix { plan = %s; src = %s; %s }' "$REPO" "$1" "$2" "${*:3}"
}

for dir in examples/*/; do
  name="$(basename "$dir")"
  [[ "$name" == cross-units ]] && continue
  p="$(plan "$name" "$REPO/examples/$name" --target "$TRIPLE")"
  snapshot "$name" "$(set_drvs "$(build_nix "$p" "$REPO/examples/$name")")"
  snapshot "$name-dev" "$(set_drvs "$(build_nix "$p" "$REPO/examples/$name" "release = false;")")"
done

p="$(plan path-deps-workspace "$REPO/examples/path-deps" --target "$TRIPLE" --workspace)"
snapshot path-deps-test-mode "$(set_drvs "$(build_nix "$p" "$REPO/examples/path-deps" 'compileMode = "test";')")"

p="$(plan cross-units "$REPO/examples/cross-units" --target aarch64-unknown-linux-gnu \
  --target wasm32-unknown-unknown --host "$TRIPLE")"
for target in aarch64-unknown-linux-gnu wasm32-unknown-unknown; do
  snapshot "cross-units-$target" "$(set_drvs "$(build_nix "$p" "$REPO/examples/cross-units" "target = \"$target\";")")"
done

for fixture in tested linted; do
  dir="$REPO/tests/nix/fixtures/$fixture"
  p="$(plan "fixture-$fixture" "$dir" --target "$TRIPLE" --workspace)"
  snapshot "fixture-$fixture" "$(set_drvs "$(build_nix "$p" "$dir")")"
  snapshot "fixture-$fixture-dev" "$(set_drvs "$(build_nix "$p" "$dir" "release = false;")")"
done
# panic = "abort" in one profile only: a plan per profile.
dir="$REPO/tests/nix/fixtures/panicky"
p="$(plan fixture-panicky "$dir" --target "$TRIPLE")"
snapshot fixture-panicky-dev "$(set_drvs "$(build_nix "$p" "$dir" "release = false;")")"
p="$(plan fixture-panicky-release "$dir" --target "$TRIPLE" --release)"
snapshot fixture-panicky "$(set_drvs "$(build_nix "$p" "$dir")")"

overlaid="(import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; })"
p="$(plan brw-committed "$REPO/examples/path-deps" --target "$TRIPLE")"
brw="$overlaid.rustBuilder.buildRustWorkspace { src = $REPO/examples/path-deps; plan = $p; crateUrl = \"$CRATE_URL\"; }"
snapshot brw-committed "$(set_drvs "$brw") // { checks = builtins.mapAttrs (_: d: d.drvPath) ($brw).checks; default = ($brw).default.drvPath; }"
brw="$overlaid.rustBuilder.buildRustWorkspace { src = $REPO/examples/path-deps; crateUrl = \"$CRATE_URL\"; }"
snapshot brw-ifd "$(set_drvs "$brw") // { planDerivation = ($brw).planDerivation.drvPath; }"
snapshot crateplan "{ overlay = $overlaid.rustBuilder.crateplan.drvPath; }"

if nix eval --json "git+file://$REPO#packages.x86_64-linux" --apply 'builtins.mapAttrs (_: d: d.drvPath)' \
    --override-input nixpkgs "path:$REPO/tests/nixpkgs" >"$out/flake-packages.json" 2>"$out/flake-packages.err"; then
  rm -f "$out/flake-packages.err"
else
  echo "drv-snapshot: flake packages failed: $(tail -n 3 "$out/flake-packages.err")" >&2
fi
echo "$(ls "$out" | grep -c '\.json$') snapshots in $out ($(ls "$out" | grep -c '\.err$') failed)"
