#!/usr/bin/env bash
# Clean Nix build of examples/many-crates (every crate derivation built anew, crate downloads
# kept) against a clean `cargo build --release` of the same workspace, at the same parallelism:
# `nix-build --cores 1 -j 2` vs `cargo build -j 2`. Then the Nix time spent outside rustc for one
# small crate: its derivation rebuilt (`nix-build --check`) against its rustc command alone.
#
#   bench/nix-build.sh          (needs tests/nix/setup.sh once; prints a markdown table)
#   RUNS=5 bench/nix-build.sh   (rounds of Nix build + cargo build; default 3, medians compared)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source tests/nix/env.sh
WORK="$(mktemp -d "${TMPDIR:-/tmp}/crateplan-nix-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
EX="$REPO/examples/many-crates"
TRIPLE=x86_64-unknown-linux-gnu

cargo build -q --release --bin crateplan
cargo fetch -q --locked --manifest-path "$EX/Cargo.toml"
refresh_crates_mirror
target/release/crateplan generate --manifest-path "$EX/Cargo.toml" --target "$TRIPLE" --release -o "$WORK/plan.json"

# Every crate derivation made new: a clean build (bench/clean-build.nix).
BUILD=(bench/clean-build.nix --arg plan "$WORK/plan.json" --arg src "$EX")
# RUNS (default 3) rounds, each a clean Nix build then a clean cargo build, so that both see the
# same load over time; the medians are compared.
RUNS="${RUNS:-3}"
nix_times=() cargo_times=()
for round in $(seq 1 "$RUNS"); do
  nonce="$(date +%s%N)"
  drv=$(nix-instantiate "${BUILD[@]}" --argstr nonce "$nonce" 2>/dev/null)
  start=$(date +%s.%N)
  nix-build --cores 1 -j 2 "${BUILD[@]}" --argstr nonce "$nonce" -o "$WORK/result" >/dev/null 2>"$WORK/nix.log"
  nix_times+=("$(echo "$(date +%s.%N) - $start" | bc)")
  built=$(grep -c "^building '" "$WORK/nix.log" || true)

  rm -rf "$WORK/cargo-target"
  start=$(date +%s.%N)
  CARGO_TARGET_DIR="$WORK/cargo-target" cargo build -q --release -j 2 --locked --offline --manifest-path "$EX/Cargo.toml" --target "$TRIPLE"
  cargo_times+=("$(echo "$(date +%s.%N) - $start" | bc)")
  echo "round $round: nix ${nix_times[-1]} s ($built derivations built), cargo ${cargo_times[-1]} s" >&2
done
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
nix_s=$(median "${nix_times[@]}")
cargo_s=$(median "${cargo_times[@]}")
ncrates=$(nix-store -qR "$drv" | grep '\.drv$' | while read -r d; do nix show-derivation "$d" 2>/dev/null | grep -q '"benchNonce"' && echo "$d"; done | wc -l)

# Overhead outside rustc: itoa's derivation rebuilt, against compiling itoa with rustc alone.
itoa_drv=$(nix-store -qR "$drv" | grep -- '-itoa-[0-9.]*\.drv$' | head -n1)
start=$(date +%s.%N)
nix-build --check --cores 1 "$itoa_drv" >/dev/null 2>&1 || true
itoa_nix=$(echo "$(date +%s.%N) - $start" | bc)
itoa_src=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/itoa-1.* | head -n1)
start=$(date +%s.%N)
rustc --crate-name itoa --edition 2021 --crate-type lib -C opt-level=3 -C strip=debuginfo \
  --out-dir "$WORK/itoa" "$itoa_src/src/lib.rs" 2>/dev/null
itoa_rustc=$(echo "$(date +%s.%N) - $start" | bc)

ratio=$(echo "scale=2; $nix_s / $cargo_s" | bc)
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(rustc --version); $(nix-build --version)"
echo "Date: $(date -u '+%Y-%m-%d %H:%M UTC'); load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "| build of examples/many-crates (release, $ncrates crate derivations) | seconds |"
echo "|---|---:|"
printf '| `nix-build --cores 1 -j 2` (%s derivations built), median of %s | %.1f |\n' "$built" "$RUNS" "$nix_s"
printf '| `cargo build --release -j 2` (fresh target dir), median of %s | %.1f |\n' "$RUNS" "$cargo_s"
printf '| ratio Nix ÷ cargo (medians) | %s |\n' "$ratio"
printf '| each round, Nix / cargo (s) | %s |\n' "$(paste -d/ <(printf '%.1f\n' "${nix_times[@]}") <(printf '%.1f\n' "${cargo_times[@]}") | paste -sd' ' | sed 's/ /, /g')"
printf '| itoa: its derivation rebuilt (`nix-build --check`) | %.2f |\n' "$itoa_nix"
printf '| itoa: its rustc command alone | %.2f |\n' "$itoa_rustc"
printf '| Nix time outside rustc for one derivation | %.2f |\n' "$(echo "$itoa_nix - $itoa_rustc" | bc)"
