# Cargo profiles and .cargo/config.toml: each unit compiled with the flags cargo passes for its
# profile, the program printing what `cargo run --profile P` prints, LTO doing what it does under
# cargo, a plan made for another profile refused, and rust-version checked. Sourced by
# tests/nix/run.sh (which provides REPO, WORK, TRIPLE, PLAN_FROM, CRATEPLAN_BIN, log, fail,
# make_plan, nix_build, rustc_flags_match, expect_message):
#
#   tests/nix/run.sh profiles lto-size profile-refused rust-version
#
# The fixture tests/nix/fixtures/profiles sets every profile knob in dev, release (thin LTO,
# package and build-override tables), dist (fat LTO, codegen-units 1, strip, panic = "abort")
# and nolto (dist without LTO), and a .cargo/config.toml with rustflags (a --cfg) and [env];
# its bin prints what its build script saw (PROFILE, OPT_LEVEL, DEBUG, CARGO_ENCODED_RUSTFLAGS,
# [env]) and what it was compiled with.

PROFILES="$REPO/tests/nix/fixtures/profiles"

# build_profile PROFILE: workspace.app of the fixture built for PROFILE; prints the store path.
build_profile() {
  make_plan "$PROFILES" "$WORK/profiles-$1.plan.json" "--profile=$1" >&2 || return 1
  nix_build "profiles-$1" "$WORK/profiles-$1.plan.json" "$PROFILES" workspace.app --argstr profile "$1"
}

test_profiles() {
  local profile out
  for profile in dev release dist; do
    log "profiles: $profile"
    rustc_flags_match "$PROFILES" "$profile"
    out="$(build_profile "$profile")" || { fail "profiles $profile: nix-build"; continue; }
    "$out/bin/app" > "$WORK/profiles-$profile.nix.out"
    (cd "$PROFILES" && cargo run -q --locked --profile "$profile" -p app --target-dir "$WORK/profiles-target") \
      > "$WORK/profiles-$profile.cargo.out" 2>/dev/null
    if diff -u "$WORK/profiles-$profile.cargo.out" "$WORK/profiles-$profile.nix.out"; then
      echo "ok: profiles $profile: app prints what cargo run --profile $profile prints ($(head -c 60 "$WORK/profiles-$profile.nix.out")…)"
    else
      fail "profiles $profile: app's output differs from cargo run's"
    fi
    # dev (line-tables-only) and release (debug = 1) ask for debug info: the binary keeps it.
    if [[ "$profile" != dist ]]; then
      if readelf -S "$out/bin/app" | grep -q '\.debug_line'; then
        echo "ok: profiles $profile: the binary keeps its debug info"
      else
        fail "profiles $profile: the binary has no .debug_line"
      fi
    fi
  done
  rm -rf "$WORK/profiles-target"
}

# A fat-LTO binary from Nix is the size of cargo's (within 1 %) and smaller than the same program
# built without LTO.
test_lto_size() {
  log "LTO: binary sizes"
  local fat nolto
  fat="$(build_profile dist)" && nolto="$(build_profile nolto)" || { fail "lto-size: nix-build"; return 0; }
  (cd "$PROFILES" && cargo build -q --locked --profile dist -p app --target "$TRIPLE" --target-dir "$WORK/lto-target") \
    || { fail "lto-size: cargo build"; return 0; }
  local nix_size cargo_size nolto_size
  nix_size="$(stat -c %s "$fat/bin/app")"
  nolto_size="$(stat -c %s "$nolto/bin/app")"
  cargo_size="$(stat -c %s "$WORK/lto-target/$TRIPLE/dist/app")"
  rm -rf "$WORK/lto-target"
  if (( nix_size * 100 <= cargo_size * 101 && cargo_size * 100 <= nix_size * 101 )); then
    echo "ok: lto-size: fat LTO: Nix $nix_size bytes, cargo $cargo_size bytes (within 1 %)"
  else
    fail "lto-size: fat LTO: Nix $nix_size bytes, cargo $cargo_size bytes"
  fi
  if (( nix_size < nolto_size )); then
    echo "ok: lto-size: fat LTO $nix_size bytes < without LTO $nolto_size bytes"
  else
    fail "lto-size: fat LTO $nix_size bytes, without LTO $nolto_size bytes"
  fi
}

# A plan made for one profile is not built as another: the error names --profile.
test_profile_refused() {
  log "a plan made for another profile"
  make_plan "$PROFILES" "$WORK/profiles-dist.plan.json" --profile=dist || { fail "profile-refused: plan"; return 0; }
  if nix-instantiate tests/nix/build.nix --arg plan "$WORK/profiles-dist.plan.json" --arg src "$PROFILES" \
      -A workspace.app >/dev/null 2>"$WORK/profile-refused.log"; then
    fail "profile-refused: a dist plan was accepted for the release profile"
  else
    expect_message "profile-refused" "the plan was made for cargo's dist profile, not release; regenerate it with \`crateplan generate --release\`, or pass profile = \"dist\"" \
      "$WORK/profile-refused.log"
  fi
}

# rust-version newer than the toolchain: refused as cargo refuses it, built with ignoreRustVersion.
test_rust_version() {
  log "rust-version"
  local ws="$WORK/too-new"
  rm -rf "$ws"
  mkdir -p "$ws/src"
  printf '[package]\nname = "too-new"\nversion = "0.2.0"\nedition = "2021"\nrust-version = "1.999"\n' > "$ws/Cargo.toml"
  echo 'fn main() { println!("built anyway"); }' > "$ws/src/main.rs"
  cargo generate-lockfile -q --manifest-path "$ws/Cargo.toml"
  if (cd "$ws" && cargo build -q --target-dir "$WORK/too-new-target") 2>/dev/null; then
    fail "rust-version: cargo builds the package (the fixture no longer tests anything)"
  fi
  make_plan "$ws" "$WORK/too-new.plan.json" || { fail "rust-version: plan"; return 0; }
  if nix-build --no-out-link tests/nix/build.nix --arg plan "$WORK/too-new.plan.json" --arg src "$ws" \
      -A workspace.too-new >/dev/null 2>"$WORK/too-new.log"; then
    fail "rust-version: a package needing rustc 1.999 was built"
  else
    expect_message "rust-version" "package too-new 0.2.0 requires rustc 1.999 or newer (its rust-version), and the toolchain is rustc $(rustc -vV | sed -n 's/^release: \([0-9.]*\).*/\1/p')" "$WORK/too-new.log"
    expect_message "rust-version: the fix" "or pass ignoreRustVersion = true" "$WORK/too-new.log"
  fi
  local out
  if out="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$WORK/too-new.plan.json" --arg src "$ws" \
      --arg ignoreRustVersion true -A workspace.too-new 2>"$WORK/too-new-ignored.log")" \
      && [[ "$("$out/bin/too-new")" == "built anyway" ]]; then
    echo "ok: rust-version: ignoreRustVersion = true builds it"
  else
    fail "rust-version: ignoreRustVersion = true: $(tail -n 3 "$WORK/too-new-ignored.log")"
  fi
}

ALL_TESTS+=(test_profiles test_lto_size test_profile_refused test_rust_version)
