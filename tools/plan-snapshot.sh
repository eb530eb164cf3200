#!/usr/bin/env bash
# Writes every plan and unit graph a crateplan binary makes of the repository's workspaces into
# one directory, one file per run (stdout, stderr and exit status), so that two binaries can be
# compared byte for byte: a refactoring must leave `diff -r` empty.
#
#   tools/plan-snapshot.sh BIN OUT [WS_DIR …]
#
# The workspaces: every tests/workspaces/* with a committed Cargo.lock, every examples/*, the
# template workspaces the differential suite prepared (target/tmp/differential/prepared/*/ws, if present), the
# synthetic 1,000-package workspace (target/bench/synthetic/ws, if present) and any WS_DIR given.
# Dependency manifests come from $CARGO_HOME (each workspace is `cargo fetch`ed first) or, for the
# synthetic workspace (`python3 bench/synthetic.py target/bench/synthetic`), its vendor/.
set -uo pipefail
bin=$(realpath "$1"); out=$2; shift 2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$out"

workspaces=()
for d in "$root"/tests/workspaces/*/ "$root"/examples/*/ "$root"/target/tmp/differential/prepared/*/ws/ "$@"; do
  [[ -f "$d/Cargo.toml" && -f "$d/Cargo.lock" ]] && workspaces+=("${d%/}")
done

run() { # NAME DIR ARGS…: one run, its output kept under NAME
  local name=$1 dir=$2; shift 2
  (cd "$dir" && "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err"; echo "exit $?" >"$out/$name.status")
}

for ws in "${workspaces[@]}"; do
  case $ws in
    */prepared/*) name=prepared-$(basename "$(dirname "$ws")") ;;
    *) name=$(basename "$(dirname "$ws")")-$(basename "$ws") ;;
  esac
  (cd "$ws" && cargo fetch --locked -q >/dev/null 2>&1)
  run "$name.plan" "$ws" generate --target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu --target wasm32-unknown-unknown
  run "$name.plan-release" "$ws" generate --release --target x86_64-unknown-linux-gnu
  run "$name.plan-workspace" "$ws" generate --workspace --all-features --target x86_64-pc-windows-msvc
  for t in x86_64-unknown-linux-gnu aarch64-apple-darwin; do
    run "$name.ug-$t" "$ws" generate --format unit-graph --target "$t"
    run "$name.ugtest-$t" "$ws" generate --format unit-graph --tests --target "$t"
  done
done

syn=$root/target/bench/synthetic/ws
if [[ -d $syn ]]; then
  run synthetic.plan "$syn" generate --sources vendor --target x86_64-unknown-linux-gnu
  run synthetic.plan-crates "$syn" generate --sources ../crates --target x86_64-unknown-linux-gnu
  run synthetic.ug "$syn" generate --sources vendor --format unit-graph --tests --target x86_64-unknown-linux-gnu
fi
echo "$(ls "$out" | grep -c '\.status$') runs in $out"
