#!/usr/bin/env bash
# Clean builds of examples/many-crates with a thin-LTO and a fat-LTO profile, Nix against cargo
# side by side: `nix-build --cores 1 -j 2` of the package set made for the profile vs
# `cargo build --profile P -j 2`, rounds alternating Nix and cargo. The profiles are added to a
# copy of the workspace: [profile.thin] and [profile.fat] inherit release with `lto = "thin"` /
# `lto = "fat"`. The plan comes from `crateplan generate --profile P`.
#
#   bench/lto-build.sh          (needs tests/nix/setup.sh once; prints a markdown table)
#   RUNS=3 bench/lto-build.sh   (rounds per profile; default 1)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
source tests/nix/env.sh
WORK="$(mktemp -d "${TMPDIR:-/tmp}/crateplan-lto-bench.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
TRIPLE=x86_64-unknown-linux-gnu
EX="$WORK/many-crates"
cp -r "$REPO/examples/many-crates" "$EX"
rm -rf "$EX/target"
printf '\n[profile.thin]\ninherits = "release"\nlto = "thin"\n\n[profile.fat]\ninherits = "release"\nlto = "fat"\n' >> "$EX/Cargo.toml"
cargo fetch -q --locked --manifest-path "$EX/Cargo.toml"
refresh_crates_mirror

cargo build -q --release --bin crateplan
make_plan() {
  target/release/crateplan generate --manifest-path "$EX/Cargo.toml" --target "$TRIPLE" --profile "$1" -o "$2"
}

RUNS="${RUNS:-1}"
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "| profile | Nix (s) | cargo (s) | Nix ÷ cargo | binary: Nix / cargo (bytes) | rounds, Nix/cargo (s) |"
echo "|---|---:|---:|---:|---:|---|"
for profile in thin fat; do
  make_plan "$profile" "$WORK/$profile.plan.json"
  nix_times=() cargo_times=() rounds=""
  for round in $(seq 1 "$RUNS"); do
    nonce="$(date +%s%N)"
    start=$(date +%s.%N)
    # Every crate derivation made new: a clean build (bench/clean-build.nix).
    nix-build --cores 1 -j 2 bench/clean-build.nix --argstr nonce "$nonce" --arg plan "$WORK/$profile.plan.json" \
      --arg src "$EX" --argstr profile "$profile" -o "$WORK/result-$profile" >/dev/null 2>"$WORK/nix.log"
    nix_times+=("$(echo "$(date +%s.%N) - $start" | bc)")
    rm -rf "$WORK/cargo-target"
    start=$(date +%s.%N)
    (cd "$EX" && CARGO_TARGET_DIR="$WORK/cargo-target" cargo build -q --profile "$profile" -j 2 --locked --offline --target "$TRIPLE")
    cargo_times+=("$(echo "$(date +%s.%N) - $start" | bc)")
    rounds+="$(printf '%.1f/%.1f ' "${nix_times[-1]}" "${cargo_times[-1]}")"
    echo "$profile round $round: nix ${nix_times[-1]} s, cargo ${cargo_times[-1]} s" >&2
  done
  nix_s=$(median "${nix_times[@]}")
  cargo_s=$(median "${cargo_times[@]}")
  sizes="$(stat -c %s "$WORK/result-$profile/bin/many-crates") / $(stat -c %s "$WORK/cargo-target/$TRIPLE/$profile/many-crates")"
  printf '| %s | %.1f | %.1f | %.2f | %s | %s|\n' "$profile" "$nix_s" "$cargo_s" "$(echo "$nix_s / $cargo_s" | bc -l)" "$sizes" "$rounds"
done
