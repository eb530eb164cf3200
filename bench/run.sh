#!/usr/bin/env bash
# The generator benchmark (BENCHMARKS.md, section "Generator").
#
#   bench/run.sh            # everything: build, prepare the workspaces, measure, print a markdown table
#   bench/run.sh --phases   # also: where crateplan's time goes on the synthetic workspace, stage by
#                           # stage (bench/phases, a small program over the crateplan library)
#
# Environment: BENCH_RUNS (default 10, the minimum per command), BENCH_WARMUP (default 3),
# BENCH_PAIRED_ROUNDS (default 20, rounds of the side-by-side comparison with cargo metadata),
# BENCH_OUT (default target/bench). Needs python3, hyperfine (`apt-get install hyperfine`), and
# the network once (`cargo fetch --locked` of the real workspaces into a private CARGO_HOME).
#
# Measured, in each workspace's directory, with hyperfine (--warmup, --min-runs, no shell):
#   crateplan generate --target x86_64-unknown-linux-gnu                      (plan, 1 target)
#   crateplan generate --target x86_64-unknown-linux-gnu -o FILE              (the same, to a file)
#   crateplan generate --target <5 targets>                                   (plan, 5 targets)
#   crateplan generate --format unit-graph --target x86_64-unknown-linux-gnu
#   cargo metadata --offline --format-version 1
#   RUSTC_BOOTSTRAP=1 cargo build --unit-graph -Z unstable-options --target x86_64-unknown-linux-gnu --offline
# on: the synthetic 1,000-package workspace (bench/synthetic.py; crateplan reads its `vendor/`
# directory source, and, separately, the same packages as a flat directory of `.crate` files), the
# test workspace under tests/workspaces with the most packages in its Cargo.lock, and
# examples/many-crates (the largest real workspace in the repository).
#
# Fairness notes:
# - cargo is run as the toolchain's own binary (`rustup which cargo`), with RUSTC set to the
#   toolchain's rustc: no rustup proxy in front of either, which only makes cargo faster.
# - CARGO_HOME is a private one under $BENCH_OUT, so that no measurement waits on the package
#   cache lock of another cargo running on the machine. crateplan, given no --sources in the real
#   workspaces, reads the same CARGO_HOME's caches that cargo reads.
# - Output: cargo metadata prints to standard output, which hyperfine sends to /dev/null, and the
#   crateplan commands that are compared with it do the same (no `-o`), so both pay the same for
#   their output. One more row writes the plan to a file with `-o` as a user does: there,
#   crateplan writes a temporary file and renames it over the last run's plan, and the file
#   system's freeing of the old one (about 2.5 ms for the synthetic plan's 2.8 MB, on ext4) and the
#   new file's pages are part of the time.
set -euo pipefail

PHASES=no
for arg in "$@"; do
    case $arg in
        --phases) PHASES=yes ;;
        *) echo "usage: bench/run.sh [--phases]" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${BENCH_OUT:-$ROOT/target/bench}
RUNS=${BENCH_RUNS:-10}
PAIRED_ROUNDS=${BENCH_PAIRED_ROUNDS:-20}
WARMUP=${BENCH_WARMUP:-3}
TARGET=x86_64-unknown-linux-gnu
TARGETS5=(x86_64-unknown-linux-gnu aarch64-unknown-linux-gnu aarch64-apple-darwin x86_64-pc-windows-msvc wasm32-unknown-unknown)

command -v hyperfine >/dev/null || { echo "bench/run.sh: hyperfine not found (apt-get install -y hyperfine)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench/run.sh: python3 not found" >&2; exit 1; }

log() { echo "bench/run.sh: $*" >&2; }

# 1. crateplan, in release (with the user's CARGO_HOME: its dependencies are cached there).
log "building crateplan (release)"
(cd "$ROOT" && cargo build --release --locked --quiet)
CRATEPLAN=$ROOT/target/release/crateplan

CARGO_BIN=$(rustup which cargo 2>/dev/null || command -v cargo)
RUSTC_BIN=$(rustup which rustc 2>/dev/null || command -v rustc)
export RUSTC=$RUSTC_BIN
USER_CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export CARGO_HOME=$OUT/cargo-home
mkdir -p "$CARGO_HOME" "$OUT/results" "$OUT/out" "$OUT/real"

# 2. The workspaces.
log "generating the synthetic workspace"
PATH=$(dirname "$CARGO_BIN"):$PATH python3 "$ROOT/bench/synthetic.py" "$OUT/synthetic" >&2
SYN=$OUT/synthetic/ws

count_packages() { grep -c '^\[\[package\]\]' "$1/Cargo.lock"; }

largest=""
largest_n=0
for d in "$ROOT"/tests/workspaces/*/; do
    [[ -f $d/Cargo.lock && -f $d/Cargo.toml ]] || continue   # templates (Cargo.toml.in) are made at test time
    n=$(count_packages "$d")
    if (( n > largest_n )); then largest=$(basename "$d"); largest_n=$n; fi
done
[[ -n $largest ]] || { log "no workspace under tests/workspaces"; exit 1; }

prepare_real() { # $1: source dir, $2: name → prints the prepared copy
    local src=$1 name=$2 dst=$OUT/real/$2
    rm -rf "$dst"
    mkdir -p "$dst"
    (cd "$src" && tar --exclude=./target -cf - .) | (cd "$dst" && tar -xf -)
    log "cargo fetch --locked in $name"
    (cd "$dst" && "$CARGO_BIN" fetch --locked --quiet)
    echo "$dst"
}
REAL1=$(prepare_real "$ROOT/tests/workspaces/$largest" "$largest")
REAL2=$(prepare_real "$ROOT/examples/many-crates" many-crates)

# 3. The measurements.
HF=(hyperfine --shell=none --warmup "$WARMUP" --min-runs "$RUNS" --style basic)
T5=()
for t in "${TARGETS5[@]}"; do T5+=(--target "$t"); done

bench_ws() { # $1: label, $2: dir, $3: "cargo" to measure cargo too, rest: crateplan's --sources args
    local label=$1 dir=$2 with_cargo=$3
    shift 3
    local src="$*"
    local cmds=(
        -n "crateplan generate (plan, 1 target)" "$CRATEPLAN generate --target $TARGET $src"
        -n "crateplan generate (plan, 1 target) -o FILE" "$CRATEPLAN generate --target $TARGET $src -o $OUT/out/plan.json"
        -n "crateplan generate (plan, 5 targets)" "$CRATEPLAN generate ${T5[*]} $src"
        -n "crateplan generate --format unit-graph" "$CRATEPLAN generate --format unit-graph --target $TARGET $src"
    )
    if [[ $with_cargo == cargo ]]; then
        cmds+=(
            -n "cargo metadata" "$CARGO_BIN metadata --offline --format-version 1"
            -n "cargo build --unit-graph" "env RUSTC_BOOTSTRAP=1 $CARGO_BIN build --unit-graph -Z unstable-options --target $TARGET --offline"
        )
    fi
    log "measuring $label"
    (cd "$dir" && "${HF[@]}" --export-json "$OUT/results/$label.json" "${cmds[@]}" >&2)
}

# Check first that every command works (hyperfine would stop at a failure, after the others ran),
# and that crateplan plans what cargo would build: the synthetic workspace's unit graph, both ways.
(cd "$SYN" && RUSTC_BOOTSTRAP=1 "$CARGO_BIN" build --unit-graph -Z unstable-options --target "$TARGET" --offline --quiet \
    > "$OUT/out/cargo-unit-graph.json" \
    && "$CRATEPLAN" generate --format unit-graph --target "$TARGET" --sources vendor -o "$OUT/out/crateplan-unit-graph.json")
SAME_UNITS=$(python3 "$ROOT/bench/same_units.py" "$OUT/out/cargo-unit-graph.json" "$OUT/out/crateplan-unit-graph.json") || true
log "synthetic workspace, cargo vs crateplan: $SAME_UNITS"
(cd "$SYN" && "$CRATEPLAN" generate --target "$TARGET" --sources vendor -o "$OUT/out/check-vendor.json" \
    && "$CRATEPLAN" generate --target "$TARGET" --sources ../crates -o "$OUT/out/check-crates.json" \
    && cmp -s "$OUT/out/check-vendor.json" "$OUT/out/check-crates.json") \
    || { log "crateplan: the plans from vendor/ and from the .crate files differ"; exit 1; }

: > "$OUT/results/index.txt"
bench_ws synthetic "$SYN" cargo --sources vendor
echo "synthetic|synthetic (vendor/)|$(count_packages "$SYN")" >> "$OUT/results/index.txt"
bench_ws synthetic-crates "$SYN" no --sources ../crates
echo "synthetic-crates|synthetic (.crate files)|$(count_packages "$SYN")" >> "$OUT/results/index.txt"
bench_ws "$largest" "$REAL1" cargo
echo "$largest|tests/workspaces/$largest|$(count_packages "$REAL1")" >> "$OUT/results/index.txt"
bench_ws many-crates "$REAL2" cargo
echo "many-crates|examples/many-crates|$(count_packages "$REAL2")" >> "$OUT/results/index.txt"

# 4. The table.
python3 "$ROOT/bench/report.py" "$OUT/results" "$CARGO_BIN" "$RUSTC_BIN"
echo
echo "Synthetic workspace, \`cargo build --unit-graph\` vs \`crateplan generate --format unit-graph\` ($TARGET): $SAME_UNITS."

# 5. The 10x aim, side by side: each round runs crateplan (plan, 1 target) three times and
# `cargo metadata` once, back to back, so that the host's load falls on both alike.
log "paired rounds: crateplan vs cargo metadata"
echo
echo "Side by side (\`bench/paired.py\`, $PAIRED_ROUNDS rounds; each round: crateplan three times, then \`cargo metadata\`, both printing to standard output, which hyperfine discards; ratio = cargo's time ÷ crateplan's median in the round):"
echo
echo "| workspace | packages | median ratio | interquartile range | crateplan, median | cargo metadata, median | rounds |"
echo "|---|---:|---:|---:|---:|---:|---:|"
paired() {
    local desc=$1 dir=$2
    shift 2
    local row
    row=$(python3 "$ROOT/bench/paired.py" "$dir" "$PAIRED_ROUNDS" -- "$CRATEPLAN" generate --target "$TARGET" "$@" -- "$CARGO_BIN" metadata --offline --format-version 1)
    IFS='|' read -r ratio iqr ours theirs rounds <<< "$row"
    echo "| $desc | $(count_packages "$dir") | **${ratio}×** | ${iqr}× | $ours ms | $theirs ms | $rounds |"
    PAIRED_RATIOS+=("$desc|$ratio")
}
PAIRED_RATIOS=()
paired "synthetic (vendor/)" "$SYN" --sources vendor
paired "synthetic (.crate files)" "$SYN" --sources ../crates
paired "tests/workspaces/$largest" "$REAL1"
paired "examples/many-crates" "$REAL2"
echo
for entry in "${PAIRED_RATIOS[@]:0:2}"; do
    desc=${entry%%|*}
    ratio=${entry#*|}
    verdict=$(python3 -c "print('**met**' if float('$ratio') >= 10 else '**not met**')")
    echo "- $desc: ${ratio}× faster than \`cargo metadata\` (median of paired rounds) — aim at least 10× $verdict"
done

# 6. Optionally, crateplan's stages on the synthetic workspace.
if [[ $PHASES == yes ]]; then
    log "building bench/phases"
    (cd "$ROOT/bench/phases" && CARGO_HOME=$USER_CARGO_HOME CARGO_TARGET_DIR=$OUT/phases-target \
        "$CARGO_BIN" build --release --quiet)
    PH=$OUT/phases-target/release/crateplan-bench-phases
    for variant in "vendor" "../crates"; do
        echo
        echo "Stages, synthetic workspace, --sources $variant, 1 target:"
        echo
        (cd "$SYN" && "$PH" --runs 15 --sources "$variant")
    done
fi
