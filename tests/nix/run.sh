#!/usr/bin/env bash
# Nix end-to-end tests: each example workspace is planned, built by nix-build in the sandbox with
# the overlay on the offline package set, and its binary's output compared with `cargo run`.
#
#   tests/nix/run.sh [TEST...]   (default: all; a TEST is a test_* function below, or its name
#                                without test_ and with dashes: many-crates, libz-sys-pkg-config …)
#
# Runs tests/nix/setup.sh first (installs what is missing; nothing when all is there).
#
# Plans come from `crateplan generate` when the generator binary supports it, else (or with
# CRATEPLAN_PLAN_FROM=cargo) from cargo's own unit graph (tests/nix/unit-graph-to-plan.py).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO"
tests/nix/setup.sh
source tests/nix/env.sh
TRIPLE=x86_64-unknown-linux-gnu
WORK="$(mktemp -d "${TMPDIR:-/tmp}/crateplan-nix-e2e.XXXXXX")"
TIMINGS="${CRATEPLAN_TIMINGS:-$WORK/timings.txt}"
FAILURES=()
trap 'rm -rf "$WORK"' EXIT

log() { printf '\n=== %s\n' "$*"; }

# fresh_copy SRC DEST: DEST replaced by a copy of the workspace SRC without build products.
fresh_copy() {
  rm -rf "$2"
  cp -r "$1" "$2"
  rm -rf "$2/target" "$2"/result*
}

# commit_all REPO: a new git repository at REPO holding all its files, on branch main.
commit_all() {
  git -C "$1" init -q -b main
  git -C "$1" add -A
  git -C "$1" -c user.name=test -c user.email=test@example.org commit -qm init
}
fail() { printf 'FAIL: %s\n' "$*" >&2; FAILURES+=("$*"); }

GENERATOR_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
CRATEPLAN_BIN="$GENERATOR_TARGET_DIR/debug/crateplan"
# The oracle runs of cargo below build each fixture in its own target directory, as a user's
# would: a caller's CARGO_TARGET_DIR would reach their build scripts and not Nix's.
unset CARGO_TARGET_DIR
generator_available() {
  [[ "${CRATEPLAN_PLAN_FROM:-auto}" != cargo ]] || return 1
  if ! CARGO_TARGET_DIR="$GENERATOR_TARGET_DIR" cargo build -q --bin crateplan 2>"$WORK/generator-build.log"; then
    echo "WARNING: crateplan does not build; plans come from cargo's unit graph instead:" >&2
    tail -n 5 "$WORK/generator-build.log" >&2
    return 1
  fi
  "$CRATEPLAN_BIN" generate --help >/dev/null 2>&1
}
if generator_available; then PLAN_FROM=generator; else PLAN_FROM=cargo; fi
echo "plans from: $PLAN_FROM"

# make_plan WORKSPACE_DIR OUT [generator flags...]: for the release profile (the default of
# tests/nix/build.nix) unless the flags start with `--release` or `--profile=NAME`.
make_plan() {
  cargo fetch -q --locked --manifest-path "$1/Cargo.toml"
  refresh_crates_mirror
  local -a flags=("${@:3}")
  [[ "${flags[0]:-}" == --release || "${flags[0]:-}" == --profile=* ]] || flags=(--release "${flags[@]}")
  if [[ "$PLAN_FROM" == generator ]]; then
    "$CRATEPLAN_BIN" generate --manifest-path "$1/Cargo.toml" --target "$TRIPLE" -o "$2" "${flags[@]}"
  else
    (( ${#flags[@]} == 1 )) || { echo "make_plan: flags ${flags[*]:1} need the generator" >&2; return 1; }
    python3 tests/nix/unit-graph-to-plan.py "$1/Cargo.toml" "$TRIPLE" "$2" "${flags[@]}"
  fi
}

# drv_log DRV: the build log of a built derivation. One whose output an equivalent derivation
# built first (the same crate fetched from another URL: another .drv, the same output path) has
# no log of its own: then the log of the one that built it.
drv_log() {
  nix log "$1" 2>/dev/null || nix log "$(nix-store -q --outputs "$1" | head -n1)" 2>/dev/null || true
}

# plan_once WS: the plan of the workspace WS for this run (made at the first call), printed.
plan_once() {
  local plan="$WORK/plan-once-$(basename "$1").plan.json"
  if [[ ! -f "$plan" ]]; then
    make_plan "$1" "$plan" >&2 || return 1
  fi
  echo "$plan"
}

# nix_build NAME PLAN SRC ATTR [extra nix-build args...] — prints the store path, records time.
nix_build() {
  local name="$1" plan="$2" src="$3" attr="$4"
  shift 4
  local start end
  start=$(date +%s%N)
  nix-build tests/nix/build.nix --arg plan "$plan" --arg src "$src" -A "$attr" \
    -o "$WORK/result-$name" "$@" >"$WORK/$name.build.out" 2>"$WORK/$name.build.log" || {
      tail -n 40 "$WORK/$name.build.log" >&2
      return 1
    }
  end=$(date +%s%N)
  local ms=$(( (end - start) / 1000000 ))
  printf '%s\t%s\t%d.%03ds\n' "$name" "$attr" $((ms / 1000)) $((ms % 1000)) >> "$TIMINGS"
  tail -n1 "$WORK/$name.build.out"
}

# compare_with_cargo NAME WORKSPACE_DIR PACKAGE BIN STORE_PATH [CARGO_PROFILE_FLAG]
compare_with_cargo() {
  local name="$1" dir="$2" package="$3" bin="$4" out="$5" profile="${6---release}"
  "$out/bin/$bin" > "$WORK/$name.nix.out"
  cargo run -q $profile --locked --manifest-path "$dir/Cargo.toml" -p "$package" --bin "$bin" \
    > "$WORK/$name.cargo.out"
  if diff -u "$WORK/$name.cargo.out" "$WORK/$name.nix.out"; then
    echo "ok: $name: output of nix-built $bin equals cargo run ($(wc -l < "$WORK/$name.nix.out") lines)"
  else
    fail "$name: nix-built $bin prints something else than cargo run"
  fi
}

# example NAME PACKAGE BIN: plan, build workspace.PACKAGE, compare; the store path is left in $BUILT.
BUILT=""
example() {
  local name="$1" package="$2" bin="$3" dir="$REPO/examples/$1"
  log "$name"
  BUILT=""
  make_plan "$dir" "$WORK/$name.plan.json" || { fail "plan for $dir"; return 0; }
  local out
  out="$(nix_build "$name" "$WORK/$name.plan.json" "$dir" "workspace.$package")" || { fail "$name: nix-build"; return 0; }
  BUILT="$out"
  compare_with_cargo "$name" "$dir" "$package" "$bin" "$out"
}

test_proc_macro_build_script() {
  example proc-macro-build-script app app
  local out="$BUILT"
  [[ -n "$out" ]] || return 0
  # The binary's output does not keep the rlibs of its dependencies alive.
  local refs
  refs="$(nix-store -q --references "$out" | grep -v "^$out\$" || true)"
  if [[ -z "$refs" ]]; then
    echo "ok: proc-macro-build-script: workspace.app's out references no other store path"
  else
    fail "proc-macro-build-script: app's out references: $refs"
  fi
  # Rebuilding gives the same bytes (nix-build --check fails otherwise).
  if nix-store --realise --check "$(nix-store -q --deriver "$out")" >"$WORK/check.log" 2>&1; then
    echo "ok: proc-macro-build-script: rebuilding app gives bit-identical outputs"
  else
    fail "proc-macro-build-script: not reproducible: $(tail -n3 "$WORK/check.log")"
  fi
}
test_many_crates() { example many-crates many-crates many-crates; }
# Every variable cargo gives a build script (values that are machine paths masked), and the
# compile-time CARGO_* of a bin, equal to cargo's: dumper's build script records them.
test_build_script_env() { example build-script-env dumper dumper; }

test_path_deps() {
  example path-deps pathy pathy
  # The same derivation when the plan is given parsed and the workspace as a store path (a
  # flake's `self`), as when both are given as paths.
  local as_paths as_store
  as_paths="$(nix-instantiate tests/nix/build.nix --arg plan "$WORK/path-deps.plan.json" \
    --arg src "$REPO/examples/path-deps" -A workspace.pathy 2>/dev/null)"
  as_store="$(nix-instantiate --expr "let
      pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
      src = builtins.path { path = $REPO/examples/path-deps; name = \"source\"; };
    in (pkgs.rustBuilder.makePackageSet {
      plan = builtins.fromJSON (builtins.readFile $WORK/path-deps.plan.json);
      workspaceSrc = src;
      crateUrl = \"file:///crates-mirror/{name}-{version}.crate\";
    }).workspace.pathy" 2>/dev/null)"
  if [[ -n "$as_paths" && "$as_paths" == "$as_store" ]]; then
    echo "ok: path-deps: parsed plan + store-path workspaceSrc give the same derivation"
  else
    fail "path-deps: derivations differ: '$as_paths' vs '$as_store'"
  fi
}

test_two_versions() {
  example two-versions two-versions two-versions
  local versions
  versions="$(nix-instantiate --eval --json --expr "builtins.attrNames (import $REPO/tests/nix/build.nix {
    plan = $WORK/two-versions.plan.json; src = $REPO/examples/two-versions; }).crates-io.rand")"
  if [[ "$versions" == '["0.7.3","0.8.'*'"]' ]]; then
    echo "ok: two-versions: crates-io.rand has $versions"
  else
    fail "two-versions: crates-io.rand versions are $versions"
  fi
}

test_libz_sys_pkg_config() {
  local out needed
  example libz-sys-pkg-config zlib-user zlib-user
  out="$BUILT"
  [[ -n "$out" ]] || return 0
  needed="$(readelf -d "$out/bin/zlib-user" | grep NEEDED || true)"
  if grep -q 'libz\.so\.1' <<< "$needed"; then
    echo "ok: libz-sys: zlib-user links the system libz.so.1 (pkg-config through the override)"
  else
    fail "libz-sys: zlib-user does not link libz.so.1: $needed"
  fi
  # The override is what makes pkg-config find zlib: with it, libz-sys's build script passes the
  # store path of pkgs.zlib on as link-search; without it, pkg-config (which sees only
  # buildInputs) fails. (The fallback then finds the host's zlib through gcc's default paths,
  # since /usr is bound into the sandbox — so the negative check is on pkg-config, not on ldd.)
  local with without
  with="$(libz_sys_crate true)" && without="$(libz_sys_crate false)" || { fail "libz-sys: crate build"; return 0; }
  if grep -q -- '-zlib-host/lib$' "$with/lib/crateplan/link-search"; then
    echo "ok: libz-sys: with overrides.all, link-search = $(cat "$with/lib/crateplan/link-search")"
  else
    fail "libz-sys: with overrides, link-search is '$(cat "$with/lib/crateplan/link-search")'"
  fi
  if grep -q -- '-zlib-host' "$without/lib/crateplan/link-search"; then
    fail "libz-sys: without overrides pkg-config still found pkgs.zlib"
  else
    echo "ok: libz-sys: without overrides pkg-config does not find zlib"
  fi
}

# libz_sys_crate USE_OVERRIDES: builds the libz-sys crate of the libz example, prints its path.
libz_sys_crate() {
  nix-build --no-out-link --expr "(builtins.head (builtins.attrValues (import $REPO/tests/nix/build.nix {
    plan = $WORK/libz-sys-pkg-config.plan.json; src = $REPO/examples/libz-sys-pkg-config;
    useOverrides = $1; }).crates-io.libz-sys)).lib" 2>"$WORK/libz-sys-$1.log"
}

# `links` metadata to a direct dependent's build script, a static C library built in OUT_DIR and
# linked into dependents, rustc-link-arg-bins, cdylib and staticlib outputs.
test_links_metadata() {
  example links-metadata consumer consumer
  local out="$BUILT"
  [[ -n "$out" ]] || return 0
  local notes
  notes="$(readelf -n "$out/bin/consumer")"
  if grep -q 'Build ID' <<< "$notes"; then
    fail "links-metadata: rustc-link-arg-bins=-Wl,--build-id=none was not applied"
  else
    echo "ok: links-metadata: rustc-link-arg-bins applied (no GNU build-id note)"
  fi
  local ffi
  ffi="$(nix_build links-metadata-ffi "$WORK/links-metadata.plan.json" "$REPO/examples/links-metadata" workspace.ffi.lib)" \
    || { fail "links-metadata: ffi build"; return 0; }
  local so_symbols a_symbols
  so_symbols="$(nm -D --defined-only "$ffi/lib/libffi.so")"
  a_symbols="$(nm "$ffi/lib/libffi.a" 2>/dev/null)"
  if grep -q ' T ffi_answer_plus_one$' <<< "$so_symbols" && grep -q ' T native_thing_answer$' <<< "$a_symbols"; then
    echo "ok: links-metadata: libffi.so exports ffi_answer_plus_one; libffi.a bundles the C library"
  else
    fail "links-metadata: ffi outputs: $(ls "$ffi/lib")"
  fi
}

# A git dependency in a subdirectory of its repository: builtins.fetchGit at the locked rev.
test_git_source() {
  log "git source"
  local repo="$WORK/git-repo" ws="$WORK/uses-git"
  mkdir -p "$repo/crates/gitdep/src" "$ws/src"
  printf '[package]\nname = "gitdep"\nversion = "0.5.0"\nedition = "2021"\n' > "$repo/crates/gitdep/Cargo.toml"
  echo 'pub fn hello() -> String { format!("hello from {} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")) }' \
    > "$repo/crates/gitdep/src/lib.rs"
  commit_all "$repo"
  printf '[package]\nname = "uses-git"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ngitdep = { git = "file://%s", branch = "main" }\n' \
    "$repo" > "$ws/Cargo.toml"
  echo 'fn main() { println!("{}", gitdep::hello()); }' > "$ws/src/main.rs"
  cargo generate-lockfile -q --manifest-path "$ws/Cargo.toml"
  make_plan "$ws" "$WORK/git.plan.json" || { fail "plan for $ws"; return 0; }
  local out
  out="$(nix_build git-source "$WORK/git.plan.json" "$ws" workspace.uses-git)" || { fail "git source: nix-build"; return 0; }
  compare_with_cargo git-source "$ws" uses-git uses-git "$out"
}

# release = false: cargo's dev profile (debug assertions on, opt-level 0), compared with `cargo run`.
test_dev_profile() {
  local name
  for name in proc-macro-build-script build-script-env many-crates; do
    log "$name (dev profile)"
    local dir="$REPO/examples/$name" package bin out
    case "$name" in
      proc-macro-build-script) package=app; bin=app ;;
      build-script-env) package=dumper; bin=dumper ;;
      many-crates) package=many-crates; bin=many-crates ;;
    esac
    make_plan "$dir" "$WORK/$name-dev.plan.json" --profile=dev || { fail "plan for $dir"; continue; }
    out="$(nix_build "$name-dev" "$WORK/$name-dev.plan.json" "$dir" "workspace.$package" --arg release false)" \
      || { fail "$name: dev-profile nix-build"; continue; }
    compare_with_cargo "$name-dev" "$dir" "$package" "$bin" "$out" ""
    local sections
    sections="$(readelf -S "$out/bin/$bin")"
    if grep -q '\.debug_info' <<< "$sections"; then
      echo "ok: $name: dev-profile binary carries debuginfo"
    else
      fail "$name: dev-profile binary has no .debug_info"
    fi
  done
}

# A crate's derivation depends only on what it compiles: editing one member's source changes the
# derivations of that member and its dependents, and no other.
test_incremental() {
  log "incremental: an edit changes the derivations of what it touches, and no other"
  local copy="$WORK/path-deps-copy"
  fresh_copy "$REPO/examples/path-deps" "$copy"
  make_plan "$copy" "$WORK/incremental.plan.json" || { fail "plan for $copy"; return 0; }
  expect_changed "a member's source (shapes)" "pathy@1.2.3-beta.1 shapes@0.1.0 " \
    sh -c "echo 'pub const EXTRA: u8 = 1;' >> '$copy/crates/shapes/src/lib.rs'"
  expect_changed "the root package's main.rs" "pathy@1.2.3-beta.1 " \
    sh -c "echo '// edited' >> '$copy/src/main.rs'"
  expect_changed "NOTE.txt (the root package's file, and units' readme)" "pathy@1.2.3-beta.1 shapes@0.1.0 units@0.4.0 " \
    sh -c "echo 'more' >> '$copy/NOTE.txt'"
}

# expect_changed WHAT EXPECTED COMMAND...: runs COMMAND (an edit of $WORK/path-deps-copy) and
# compares the package ids whose derivations changed with EXPECTED.
expect_changed() {
  local what="$1" expected="$2"
  shift 2
  drv_paths "$WORK/path-deps-copy" > "$WORK/drvs.before"
  "$@"
  drv_paths "$WORK/path-deps-copy" > "$WORK/drvs.after"
  local changed
  changed="$({ diff "$WORK/drvs.before" "$WORK/drvs.after" || true; } | sed -n 's/^> \([^ ]*\) .*/\1/p' | sort | tr '\n' ' ')"
  if [[ "$changed" == "$expected" ]]; then
    echo "ok: incremental: editing $what changes: $changed"
  else
    fail "incremental: editing $what changes '$changed', expected '$expected'"
  fi
}

# drv_paths WORKSPACE: "<package id> <drv path>" for every instance of the plan.
drv_paths() {
  nix-instantiate --eval --strict --json --expr "let set = import $REPO/tests/nix/build.nix {
      plan = $WORK/incremental.plan.json; src = $1; };
    in builtins.mapAttrs (_: d: d.drvPath) set.instances" \
    | python3 -c 'import json,sys; [print(k.split(" ")[0], v) for k, v in sorted(json.load(sys.stdin).items())]'
}

# packageOverrides with makeOverride: the user's attributes (a postInstall hook) reach the crate;
# workspaceShell has the toolchain.
test_overrides_and_shell() {
  log "makeOverride and workspaceShell"
  local plan="$WORK/proc-macro-build-script.plan.json"
  make_plan "$REPO/examples/proc-macro-build-script" "$plan" || { fail "plan for $REPO/examples/proc-macro-build-script"; return 0; }
  local out
  out="$(nix-build --no-out-link --expr "let
      pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
      set = pkgs.rustBuilder.makePackageSet {
        plan = $plan; workspaceSrc = $REPO/examples/proc-macro-build-script;
        crateUrl = \"file:///crates-mirror/{name}-{version}.crate\";
        packageOverrides = p: p.rustBuilder.overrides.all ++ [
          (p.rustBuilder.rustLib.makeOverride {
            name = \"app\";
            overrideAttrs = old: {
              OVERRIDE_MARK = \"exported\";
              postInstall = \"sh -c 'echo overridden \$OVERRIDE_MARK' > \$out/override-marker\";
            };
          })
        ];
      };
    in set.workspace.app" 2>"$WORK/override.log")" || { tail "$WORK/override.log"; fail "override: build"; return 0; }
  if [[ "$(cat "$out/override-marker" 2>/dev/null)" == "overridden exported" && -x "$out/bin/app" ]]; then
    echo "ok: makeOverride: postInstall of the override ran and a child process saw its OVERRIDE_MARK, app still built"
  else
    fail "makeOverride: no marker in $out"
  fi
  local shell
  # (--expr: `-A workspaceShell` would call the shell, a function of mkShell's arguments, with
  # the --args.)
  shell="$(nix-build --no-out-link --expr "(import $REPO/tests/nix/build.nix {
      plan = $plan; src = $REPO/examples/proc-macro-build-script; }).workspaceShell" 2>"$WORK/shell.log")" \
    || { tail "$WORK/shell.log"; fail "workspaceShell: build"; return 0; }
  if grep -q 'rustc-host/bin' "$shell" && grep -q 'cargo-host/bin' "$shell"; then
    echo "ok: workspaceShell: PATH has rustc and cargo"
  else
    fail "workspaceShell: $(cat "$shell")"
  fi
}

# buildRustWorkspace (lib/) over the overlay: the plan made by crateplan inside Nix (IFD), then
# every crate built; the binary prints what `cargo run` prints.
test_build_rust_workspace() {
  log "buildRustWorkspace (plan made inside Nix)"
  local dir="$REPO/examples/proc-macro-build-script" out
  cargo fetch -q --locked --manifest-path "$dir/Cargo.toml"
  refresh_crates_mirror
  out="$(nix-build --no-out-link --expr "let
      pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
    in (pkgs.rustBuilder.buildRustWorkspace {
      src = $dir; crateUrl = \"file:///crates-mirror/{name}-{version}.crate\";
    }).workspace.app" 2>"$WORK/brw.log")" || { tail -n 20 "$WORK/brw.log"; fail "buildRustWorkspace: build"; return 0; }
  compare_with_cargo build-rust-workspace "$dir" app app "$out"
}

# rustBuilder.crateplan: the generator built crate by crate by the overlay writes the same plan
# bytes as the cargo-built one.
test_crateplan_self() {
  log "crateplan built by the overlay"
  local out
  out="$(nix-build --no-out-link --expr "(import $REPO/tests/nixpkgs {
      overlays = [ (import $REPO/overlay) ]; }).rustBuilder.crateplan" 2>"$WORK/self.log")" \
    || { tail -n 20 "$WORK/self.log"; fail "crateplan via overlay: build"; return 0; }
  CARGO_TARGET_DIR="$GENERATOR_TARGET_DIR" cargo build -q --bin crateplan
  "$out/bin/crateplan" generate --manifest-path "$REPO/examples/many-crates/Cargo.toml" \
    --target "$TRIPLE" -o "$WORK/self-nix.json"
  "$CRATEPLAN_BIN" generate --manifest-path "$REPO/examples/many-crates/Cargo.toml" \
    --target "$TRIPLE" -o "$WORK/self-cargo.json"
  if cmp -s "$WORK/self-nix.json" "$WORK/self-cargo.json"; then
    echo "ok: crateplan built by the overlay writes the same plan bytes as the cargo-built one"
  else
    fail "crateplan built by the overlay writes a different plan"
  fi
}

# The repository's flake on the stand-in nixpkgs (--override-input): packages.crateplan.
test_flake_override_input() {
  log "flake with --override-input nixpkgs tests/nixpkgs"
  local json
  json="$(nix build --no-link --json "git+file://$REPO#packages.x86_64-linux.crateplan" \
    --override-input nixpkgs "path:$REPO/tests/nixpkgs" 2>"$WORK/flake.log")" \
    || { tail -n 20 "$WORK/flake.log"; fail "flake: nix build"; return 0; }
  local out
  out="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])[0]["outputs"]["out"])' "$json")"
  if "$out/bin/crateplan" --version >/dev/null; then
    echo "ok: flake: packages.x86_64-linux.crateplan builds on the stand-in and runs ($("$out/bin/crateplan" --version))"
  else
    fail "flake: $out/bin/crateplan does not run"
  fi
}

# compileMode = "test": the plan's test view built (unit tests, bin tests, an integration test
# using CARGO_BIN_EXE_ and a dev-dependency) and run; the tests that pass are those `cargo test`
# runs. A failing test fails the build.
test_test_mode() {
  log "compileMode = test"
  local dir="$REPO/examples/path-deps"
  make_plan "$dir" "$WORK/tests.plan.json" --workspace || { fail "plan for $dir"; return 0; }
  local results
  results="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$WORK/tests.plan.json" --arg src "$dir" \
    --argstr compileMode test -A testResults 2>"$WORK/test-mode.log")" \
    || { tail -n 30 "$WORK/test-mode.log"; fail "test mode: build"; return 0; }
  local r
  for r in $results; do cat "$r"/*.log; done | { grep -E '^test .* \.\.\. ' || true; } | sort > "$WORK/tests.nix"
  cargo test -q --locked --workspace --manifest-path "$dir/Cargo.toml" -- --format pretty 2>/dev/null \
    | grep -E '^test .* \.\.\. ' | sort > "$WORK/tests.cargo" || true
  if [[ -s "$WORK/tests.cargo" ]] && diff -u "$WORK/tests.cargo" "$WORK/tests.nix"; then
    echo "ok: test mode: the same $(wc -l < "$WORK/tests.nix") tests pass as under cargo test"
  else
    fail "test mode: test results differ from cargo test"
  fi
  # A failing test must fail the test-results derivation.
  local copy="$WORK/path-deps-failing"
  fresh_copy "$dir" "$copy"
  sed -i 's/assert!(super::NOTE.contains("shared"));/assert!(super::NOTE.contains("no such text"));/' "$copy/crates/units/src/lib.rs"
  if nix-build --no-out-link tests/nix/build.nix --arg plan "$WORK/tests.plan.json" --arg src "$copy" \
      --argstr compileMode test -A testResults.units >"$WORK/failing.log" 2>&1; then
    fail "test mode: a failing unit test did not fail the build"
  elif grep -q 'note_is_read_from_the_workspace_root.*FAILED' "$WORK/failing.log"; then
    echo "ok: test mode: a failing test fails testResults.units, naming the test"
  else
    fail "test mode: build failed without naming the failing test: $(tail -n 5 "$WORK/failing.log")"
  fi
}

# Every rustc invocation of the Nix build matches cargo's (`cargo build -v`): crate names, crate
# types, editions, --cfg (features, build-script cfgs, rustflags), --extern names, -l, cap-lints,
# the profile's codegen options (tests/nix/compare-rustc-flags.py lists what is compared and what
# is not).
test_rustc_flags() {
  local name profile
  for name in ${RUSTC_FLAGS_EXAMPLES:-proc-macro-build-script links-metadata two-versions build-script-env libz-sys-pkg-config many-crates}; do
    for profile in release dev; do
      [[ "$name" == many-crates && "$profile" == dev ]] && continue
      log "rustc flags: $name ($profile profile)"
      rustc_flags_match "$REPO/examples/$name" "$profile"
    done
  done
}

# rustc_flags_match WORKSPACE_DIR PROFILE: the plan made for cargo's PROFILE, every instance
# built with it, their rustc lines compared with `cargo build -v --profile PROFILE`'s.
rustc_flags_match() {
  local dir="$1" profile="$2" name
  name="$(basename "$1")-$2"
  make_plan "$dir" "$WORK/$name.plan.json" "--profile=$profile" || { fail "plan for $dir"; return 0; }
  local drvs
  drvs="$(nix-instantiate --expr "builtins.attrValues (import $REPO/tests/nix/build.nix {
      plan = $WORK/$name.plan.json; src = $dir; profile = \"$profile\"; }).instances" 2>/dev/null)" \
    || { fail "rustc flags $name: instantiate"; return 0; }
  # shellcheck disable=SC2086
  nix-store --realise $drvs >/dev/null 2>"$WORK/flags-build.log" \
    || { tail -n 20 "$WORK/flags-build.log"; fail "rustc flags $name: build"; return 0; }
  local drv
  for drv in $drvs; do drv_log "$drv"; done > "$WORK/$name.nix-rustc.log"
  local cargo_target="$WORK/cargo-target-$name"
  # From the workspace root, as the plan was made: cargo reads its .cargo/config.toml.
  (cd "$dir" && cargo build -v --locked --profile "$profile" --target "$TRIPLE" \
    --target-dir "$cargo_target") > "$WORK/$name.cargo-rustc.log" 2>&1 \
    || { tail -n 20 "$WORK/$name.cargo-rustc.log"; fail "rustc flags $name: cargo build -v"; return 0; }
  rm -rf "$cargo_target"
  local result
  if result="$(python3 tests/nix/compare-rustc-flags.py "$WORK/$name.cargo-rustc.log" \
      "$WORK/$name.nix-rustc.log" --ignore-root-proc-macro-duplicates)"; then
    echo "ok: rustc flags: $name: $(tail -n1 <<< "$result")"
  else
    printf '%s\n' "$result" | tail -n 12
    fail "rustc flags: $name: $(tail -n1 <<< "$result")"
  fi
}

# A crate whose bytes do not match the lock's checksum must fail, naming the crate.
test_tampered_checksum() {
  log "tampered checksum"
  local plan="$WORK/tampered.plan.json"
  make_plan "$REPO/examples/proc-macro-build-script" "$plan" || { fail "plan for $REPO/examples/proc-macro-build-script"; return 0; }
  python3 - "$plan" <<'PY'
import json, sys
path = sys.argv[1]
plan = json.load(open(path))
pkg = plan["packages"]["itoa@1.0.19"]
pkg["source"]["checksum"] = "0" * 64
json.dump(plan, open(path, "w"))
PY
  if nix-build tests/nix/build.nix --arg plan "$plan" --arg src "$REPO/examples/proc-macro-build-script" \
      -A workspace.app --no-out-link > "$WORK/tampered.log" 2>&1; then
    fail "tampered checksum: the build succeeded"
  elif grep -q 'hash mismatch.*itoa-1\.0\.19\.crate' "$WORK/tampered.log"; then
    echo "ok: tampered checksum: $(grep -o 'hash mismatch[^:]*' "$WORK/tampered.log" | head -n1)"
  else
    fail "tampered checksum: error does not name the crate: $(tail -n3 "$WORK/tampered.log")"
  fi
}

# Arguments the overlay cannot honour give errors that say what to do.
test_argument_errors() {
  log "argument errors"
  local plan="$WORK/proc-macro-build-script.plan.json"
  [[ -f "$plan" ]] || make_plan "$REPO/examples/proc-macro-build-script" "$plan"
  expect_eval_error "rustVersion without rust-bin" "need a toolchain provider (pkgs.rust-bin, from rust-overlay" \
    --arg plan "$plan" --arg src "$REPO/examples/proc-macro-build-script" --argstr rustVersion 1.80.0
  # With a toolchain provider (tests/nixpkgs/rust-overlay, of rust-overlay's shape), rustVersion
  # selects its toolchain: tests/nix/cargo2nix-tests.sh (cargo2nix-toolchain) checks which.
  expect_eval_error "target missing from plan" "has no units for target aarch64-unknown-linux-gnu" \
    --arg plan "$plan" --arg src "$REPO/examples/proc-macro-build-script" --argstr target aarch64-unknown-linux-gnu
}

expect_eval_error() {
  local what="$1" message="$2"
  shift 2
  local output
  if output="$(nix-instantiate tests/nix/build.nix -A workspace.app "$@" 2>&1)"; then
    fail "$what: evaluation succeeded"
  elif grep -qF "$message" <<< "$output"; then
    echo "ok: $what: error says \"$message\""
  else
    fail "$what: unexpected error: $output"
  fi
}

# The stand-in nixpkgs works as a flake (lib, legacyPackages) and with overlays.
test_nixpkgs_flake() {
  log "tests/nixpkgs flake"
  local triple fixed
  triple="$(nix eval --raw "path:$REPO/tests/nixpkgs#legacyPackages.x86_64-linux.stdenv.hostPlatform.rust.rustcTarget")"
  fixed="$(nix eval --raw --impure --expr "let p = import $REPO/tests/nixpkgs { overlays = [ (final: prev: { a = \"x\"; b = final.a + \"y\"; }) (final: prev: { a = prev.a + \"z\"; }) ]; }; in p.b")"
  [[ "$triple" == "$TRIPLE" ]] && echo "ok: flake legacyPackages rustcTarget = $triple" || fail "flake: rustcTarget = $triple"
  [[ "$fixed" == "xzy" ]] && echo "ok: overlays compose as a fix-point (b = $fixed)" || fail "overlays: b = $fixed, expected xzy"
  # The top level as nixpkgs': extend/appendOverlays make the set again with more overlays (the
  # earlier ones kept), callPackage fills arguments from the final set (`pkgs` included), and a
  # missing argument aborts naming it.
  local top
  top="$(nix eval --json --impure --expr "let
      p = import $REPO/tests/nixpkgs { overlays = [ (final: prev: { a = \"x\"; }) ]; };
      e = p.extend (final: prev: { a = prev.a + \"y\"; b = final.a; });
      two = p.appendOverlays [ (final: prev: { a = prev.a + \"1\"; }) (final: prev: { a = prev.a + \"2\"; }) ];
    in [ e.b two.a (p.appendOverlays [ ] == p) (e.callPackage ({ a, b, pkgs }: a + b + toString (pkgs ? stdenv)) { })
         (p.callPackage ({ a, stdenv }: stdenv.hostPlatform.rust.rustcTarget) { }) ]" 2>&1)" || true
  if [[ "$top" == '["xy","x12",true,"xyxy1","x86_64-unknown-linux-gnu"]' ]]; then
    echo "ok: extend, appendOverlays and callPackage as nixpkgs' top level: $top"
  else
    fail "top level: $top"
  fi
  local missing
  missing="$(nix-instantiate --eval --expr "(import $REPO/tests/nixpkgs { }).callPackage ({ stdenv, noSuchPackage }: 1) { }" 2>&1)" || true
  if grep -qF 'Function called without required argument "noSuchPackage" at' <<< "$missing"; then
    echo "ok: callPackage: a missing argument aborts, naming it"
  else
    fail "callPackage with a missing argument: $missing"
  fi
  # stdenv.mkDerivation: several outputs, phases as strings with hooks, passthru, overrideAttrs.
  local built
  built="$(nix-build --no-out-link --expr "let
      pkgs = import $REPO/tests/nixpkgs { };
      drv = pkgs.stdenv.mkDerivation {
        name = \"outputs-test\";
        dontUnpack = true;
        outputs = [ \"out\" \"dev\" ];
        preInstall = \"echo pre > marker\";
        installPhase = ''runHook preInstall; mkdir -p \$out \$dev; cp marker \$out/; echo dev > \$dev/file; runHook postInstall'';
        passthru.answer = 42;
      };
      changed = drv.overrideAttrs (old: { postInstall = \"echo post >> \$out/marker\"; });
    in assert changed.answer == 42; [ changed.out changed.dev ]" 2>"$WORK/outputs.log" | tr '\n' ' ')" || true
  local out_dir dev_dir
  read -r out_dir dev_dir <<< "$built"
  if [[ "$(cat "$out_dir/marker" 2>/dev/null | tr '\n' ' ')" == "pre post " && "$(cat "$dev_dir/file" 2>/dev/null)" == dev ]]; then
    echo "ok: mkDerivation: outputs out+dev, preInstall/postInstall hooks, passthru and overrideAttrs"
  else
    fail "mkDerivation outputs/hooks: $built $(tail -n3 "$WORK/outputs.log")"
  fi
  local failed
  failed="$(nix-instantiate --eval --strict --json tests/nixpkgs/lib-tests.nix)"
  [[ "$failed" == "[]" ]] && echo "ok: tests/nixpkgs/lib-tests.nix" || fail "lib tests failed: $failed"
}

ALL_TESTS=(test_nixpkgs_flake test_proc_macro_build_script test_path_deps test_two_versions test_libz_sys_pkg_config
  test_many_crates test_build_script_env test_links_metadata test_git_source test_build_rust_workspace test_crateplan_self
  test_flake_override_input test_test_mode test_rustc_flags
  test_dev_profile test_incremental test_overrides_and_shell
  test_tampered_checksum test_argument_errors)
# buildRustWorkspace end to end: IFD, committed plan, flake template, errors (adds to ALL_TESTS).
source "$REPO/tests/nix/workspace-tests.sh"
# cargo test in Nix (tests.<member>, the template's checks) and workspaceShell (adds to ALL_TESTS).
source "$REPO/tests/nix/test-tests.sh"
# Cross targets at evaluation level, overrides.all and the -sys examples (adds to ALL_TESTS).
source "$REPO/tests/nix/cross-and-overrides-tests.sh"
# clippy per member against cargo clippy (adds to ALL_TESTS).
source "$REPO/tests/nix/clippy-tests.sh"
# panic = "abort" profiles (adds to ALL_TESTS).
source "$REPO/tests/nix/panic-tests.sh"
# Cargo profiles, .cargo/config.toml, LTO and rust-version (adds to ALL_TESTS).
source "$REPO/tests/nix/profile-tests.sh"
# rustBuilder as a scope: overrideScope (adds to ALL_TESTS).
source "$REPO/tests/nix/scope-tests.sh"
# cargo2nix's README and call forms with a plan (adds to ALL_TESTS).
source "$REPO/tests/nix/cargo2nix-tests.sh"
# Path packages' sources by cargo's packaging rules: what an edit rebuilds (adds to ALL_TESTS).
source "$REPO/tests/nix/sources-tests.sh"
# Bad plans and downloads on the Nix side (adds to ALL_TESTS).
source "$REPO/tests/nix/bad-input-tests.sh"
TESTS=("${@:-${ALL_TESTS[@]}}")
for t in "${TESTS[@]}"; do
  [[ "$t" == test_* ]] || t="test_${t//-/_}"
  if ! declare -F "$t" >/dev/null; then
    echo "unknown test $t; tests: ${ALL_TESTS[*]}" >&2
    exit 2
  fi
  "$t"
done

log "timings (nix-build, this run)"
cat "$TIMINGS" 2>/dev/null || true
if (( ${#FAILURES[@]} )); then
  printf '\n%d failure(s):\n' "${#FAILURES[@]}"
  printf '  %s\n' "${FAILURES[@]}"
  exit 1
fi
echo "all Nix end-to-end tests passed"
