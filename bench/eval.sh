#!/usr/bin/env bash
# The evaluation benchmark (BENCHMARKS.md, section "Evaluation"): how long Nix takes to evaluate
# and instantiate a plan's package set, committed mode (a plan file + the workspace root, no
# import-from-derivation), on the offline stand-in nixpkgs (tests/nixpkgs). Nothing is built or
# fetched: fetchurl derivations are only instantiated.
#
#   bench/eval.sh
#
# Environment: BENCH_RUNS (default 5, the minimum per command), BENCH_WARMUP (default 1),
# BENCH_OUT (default target/bench; this benchmark writes under $BENCH_OUT/eval). Needs python3,
# cargo, nix-instantiate and hyperfine (`apt-get install -y hyperfine`); no network.
#
# Workspaces:
#   synthetic   bench/synthetic.py's 1,000-package workspace (its own copy under
#               $BENCH_OUT/eval/synthetic, so that bench/run.sh's copy is left alone), with a plan
#               committed in it: `crateplan generate --sources vendor --target T -o Cargo.plan.json`
#   examples/*  every workspace in examples/, read in place; plans from `crateplan generate
#               --manifest-path examples/NAME/Cargo.toml --target T -o $BENCH_OUT/eval/plans/NAME.json`
#               (crateplan reads the registry crates from CARGO_HOME, as the Nix tests do)
#
# Measured with hyperfine (--shell=none), each a fresh nix-instantiate over bench/eval.nix (run
# against a copy of overlay/, lib/ and tests/nixpkgs as committed at HEAD):
#   baseline            nix-instantiate --eval --strict bench/eval.nix … -A baseline   (synthetic only)
#   parse plan          … -A parse       fromJSON of the plan, deep-forced
#   staleness check     … -A staleness   lib/load-plan.nix: parse + hash Cargo.lock and manifests
#   makePackageSet all  nix-instantiate --eval --strict … -A all   every derivation's drvPath
#   makePackageSet root nix-instantiate … -A root                  plain instantiation of one member
#   buildRustWorkspace all / root   the same through lib/'s buildRustWorkspace { src; plan; }
# and once more each with NIX_SHOW_STATS=1 (Nix's own counters), plus NIX_COUNT_CALLS=1 for the
# synthetic workspace's "all" (which Nix functions are called how often: the profile).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/target/bench}/eval
RUNS=${BENCH_RUNS:-5}
WARMUP=${BENCH_WARMUP:-1}
TARGET=x86_64-unknown-linux-gnu

log() { echo "bench/eval.sh: $*" >&2; }
command -v hyperfine >/dev/null || { log "hyperfine not found (apt-get install -y hyperfine)"; exit 1; }
for tool in nix-instantiate python3 cargo; do
    command -v "$tool" >/dev/null || { log "$tool not found"; exit 1; }
done

# The tests' Nix configuration (NIX_CONFIG only; evaluation does not depend on it).
# shellcheck source=../tests/nix/env.sh
source "$ROOT/tests/nix/env.sh"

log "building crateplan (release)"
(cd "$ROOT" && cargo build --release --locked --quiet)
CRATEPLAN=$ROOT/target/release/crateplan

rm -rf "$OUT/plans" "$OUT/results" "$OUT/stats" "$OUT/profile"
mkdir -p "$OUT/plans" "$OUT/results" "$OUT/stats" "$OUT/profile"

# 1. The workspaces and their plans.
log "generating the synthetic workspace (bench/synthetic.py)"
CARGO_BIN=$(rustup which cargo 2>/dev/null || command -v cargo)
PATH=$(dirname "$CARGO_BIN"):$PATH python3 "$ROOT/bench/synthetic.py" "$OUT/synthetic" >&2
SYN=$OUT/synthetic/ws
(cd "$SYN" && "$CRATEPLAN" generate --sources vendor --target "$TARGET" -o Cargo.plan.json)

WORKSPACES=(synthetic)
declare -A PLAN SRC LABEL
PLAN[synthetic]=$SYN/Cargo.plan.json
SRC[synthetic]=$SYN
LABEL[synthetic]="synthetic (bench/synthetic.py)"
for dir in "$ROOT"/examples/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    [[ -f $dir/Cargo.toml && -f $dir/Cargo.lock ]] || continue
    # Committed examples only (a colleague's example in progress is not measured).
    git -C "$ROOT" ls-files --error-unmatch "examples/$name/Cargo.toml" >/dev/null 2>&1 || continue
    if ! "$CRATEPLAN" generate --manifest-path "$dir/Cargo.toml" --target "$TARGET" -o "$OUT/plans/$name.json" \
        2>"$OUT/plans/$name.stderr"; then
        log "skipping examples/$name: crateplan generate failed ($OUT/plans/$name.stderr)"
        continue
    fi
    WORKSPACES+=("$name")
    PLAN[$name]=$OUT/plans/$name.json
    SRC[$name]=$dir
    LABEL[$name]="examples/$name"
done

# What is evaluated: the overlay, lib/ and the stand-in nixpkgs as committed at HEAD, copied
# under $OUT/tree, so that a run measures one commit even while the working tree is being edited
# (bench/eval.nix itself is taken from the working tree).
TREE=$OUT/tree
rm -rf "$TREE"
mkdir -p "$TREE/bench"
git -C "$ROOT" archive --format=tar HEAD overlay lib tests/nixpkgs Cargo.toml Cargo.lock Cargo.plan.json \
    | tar -x -C "$TREE"
cp "$ROOT/bench/eval.nix" "$TREE/bench/eval.nix"
git -C "$ROOT" rev-parse --short HEAD > "$OUT/results/rev.txt"
EVAL_NIX=$TREE/bench/eval.nix
: > "$OUT/results/index.txt"

# 2. The measurements.
for ws in "${WORKSPACES[@]}"; do
    args="$EVAL_NIX --arg plan ${PLAN[$ws]} --arg src ${SRC[$ws]}"
    bwr="--argstr via buildRustWorkspace"
    names=() cmds=()
    add() { names+=("$1"); cmds+=("$2"); }
    [[ $ws == synthetic ]] && add "baseline (Nix start-up, stand-in nixpkgs + overlay)" "nix-instantiate --eval --strict $args -A baseline"
    add "parse plan (fromJSON, deep)" "nix-instantiate --eval --strict $args -A parse"
    add "staleness check (lib/load-plan.nix)" "nix-instantiate --eval --strict $args -A staleness"
    add "makePackageSet: all derivations (--eval --strict)" "nix-instantiate --eval --strict $args -A all"
    add "makePackageSet: root member (nix-instantiate)" "nix-instantiate $args -A root"
    add "buildRustWorkspace: all derivations (--eval --strict)" "nix-instantiate --eval --strict $args $bwr -A all"
    add "buildRustWorkspace: root member (nix-instantiate)" "nix-instantiate $args $bwr -A root"

    log "checking ${LABEL[$ws]}"
    # shellcheck disable=SC2086
    if ! counts=$(nix-instantiate --eval --strict --json $args -A counts 2>"$OUT/stats/$ws.check.stderr") \
        || ! nix-instantiate --eval --strict $args -A all >/dev/null 2>>"$OUT/stats/$ws.check.stderr"; then
        [[ $ws == synthetic ]] && { cat "$OUT/stats/$ws.check.stderr" >&2; exit 1; }
        log "skipping ${LABEL[$ws]}: its package set does not evaluate ($OUT/stats/$ws.check.stderr)"
        continue
    fi
    # shellcheck disable=SC2086
    rootName=$(nix-instantiate --eval --strict --json $args -A rootName)
    packages=$(grep -c '^\[\[package\]\]' "${SRC[$ws]}/Cargo.lock")
    printf '%s\t%s\t%s\t%s\t%s\n' "$ws" "${LABEL[$ws]}" "$packages" "$counts" "$rootName" >> "$OUT/results/index.txt"

    hf=()
    for i in "${!names[@]}"; do
        # Each command once with Nix's counters (also instantiates the .drv files before timing).
        # shellcheck disable=SC2086
        NIX_SHOW_STATS=1 NIX_SHOW_STATS_PATH="$OUT/stats/$ws.$i.json" ${cmds[$i]} >/dev/null 2>"$OUT/stats/$ws.$i.stderr" \
            || { log "failed: ${cmds[$i]}"; cat "$OUT/stats/$ws.$i.stderr" >&2; exit 1; }
        printf '%s\t%s\n' "$i" "${names[$i]}" >> "$OUT/stats/$ws.names"
        hf+=(-n "${names[$i]}" "${cmds[$i]}")
    done
    log "measuring ${LABEL[$ws]}"
    hyperfine --shell=none --warmup "$WARMUP" --min-runs "$RUNS" --style basic \
        --export-json "$OUT/results/$ws.json" "${hf[@]}" >&2
done

# 3. The profile: Nix's call counts for the 1,000-package set.
log "profiling the synthetic workspace (NIX_COUNT_CALLS)"
NIX_SHOW_STATS=1 NIX_COUNT_CALLS=1 NIX_SHOW_STATS_PATH="$OUT/profile/synthetic-all.json" \
    nix-instantiate --eval --strict "$EVAL_NIX" --arg plan "${PLAN[synthetic]}" --arg src "$SYN" -A all >/dev/null

# 4. The table.
{ date -u '+%Y-%m-%d %H:%M'; cut -d' ' -f1-3 /proc/loadavg; } > "$OUT/results/when.txt"
python3 "$ROOT/bench/eval_report.py" "$OUT"
