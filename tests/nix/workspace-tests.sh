# buildRustWorkspace end to end (issue 4): IFD mode, committed mode, the flake template, and the
# errors a Nix user meets. Sourced by tests/nix/run.sh (which provides REPO, WORK, TRIPLE, log,
# fail, compare_with_cargo, refresh_crates_mirror, CRATEPLAN_BIN, PLAN_FROM):
#
#   tests/nix/run.sh ws-ifd ws-committed ws-flake ws-errors
#
# Workspaces are copies of examples/path-deps (three members: pathy → shapes → units) and of
# templates/default, in $WORK.

# brw_expr ARGS: a Nix expression applying buildRustWorkspace (on the offline package set) to ARGS.
brw_expr() {
  printf 'let pkgs = import %s/tests/nixpkgs { overlays = [ (import %s/overlay) ]; }; in (pkgs.rustBuilder.buildRustWorkspace (%s))' \
    "$REPO" "$REPO" "$1"
}

# copy_example NAME DEST: a fresh copy of examples/NAME without build products.
copy_example() { fresh_copy "$REPO/examples/$1" "$2"; }

# built_drvs LOG: the names of the derivations a nix-build log says it built, sorted, one line.
built_drvs() {
  sed -n "s|^building '/nix/store/[a-z0-9]*-\(.*\)\.drv'.*|\1|p" "$1" | sort | tr '\n' ' ' || true
}

# expect_dry_run TEST WHAT EXPR EXPECTED: after WHAT, `nix-build --dry-run EXPR` would build exactly
# the derivations EXPECTED (names, space-separated, sorted).
expect_dry_run() {
  local test="$1" what="$2" would
  would="$(dry_run_drvs "$3")"
  if [[ "$would" == "$4 " ]]; then
    echo "ok: $test: $what, nix-build --dry-run would build exactly: $would"
  else
    fail "$test: $what, nix-build --dry-run would build '$would', expected '$4'"
  fi
}

# dry_run_drvs EXPR: the names of the derivations `nix-build --dry-run` would build, sorted.
dry_run_drvs() {
  nix-build --dry-run --no-out-link --expr "$1" 2>&1 \
    | awk '/will be built:/ { on = 1; next } /will be fetched/ { on = 0 } on && /\/nix\/store\// { print }' \
    | sed 's|.*/nix/store/[a-z0-9]*-\(.*\)\.drv|\1|' | sort | tr '\n' ' ' || true
}

# expect_message WHAT MESSAGE OUTPUT_FILE: the output names MESSAGE (fixed string).
expect_message() {
  if grep -qF -- "$2" "$3"; then
    echo "ok: $1: says \"$2\""
  else
    fail "$1: does not say \"$2\": $(tail -n 5 "$3")"
  fi
}

# 1. IFD mode: buildRustWorkspace ./. builds and runs like cargo; an edit of a .rs file does not
# re-run the generator and rebuilds only the member and its dependents; the plan derivation sees
# only the manifests view, the file-name list, the fetched sources and the generator.
test_ws_ifd() {
  log "buildRustWorkspace, IFD mode (plan = null)"
  local ws="$WORK/ws-ifd"
  copy_example path-deps "$ws"
  local expr out
  expr="$(brw_expr "$ws")"
  out="$(nix-build --no-out-link --expr "$expr.default" 2>"$WORK/ws-ifd.log")" \
    || { tail -n 30 "$WORK/ws-ifd.log"; fail "ws-ifd: nix-build"; return 0; }
  compare_with_cargo ws-ifd "$ws" pathy pathy "$out"
  rm -rf "$ws/target"

  # The plan derivation's inputs, beyond what any stdenv.mkDerivation has.
  local plan_drv
  plan_drv="$(nix-instantiate --expr "$expr.planDerivation" 2>/dev/null)" \
    || { fail "ws-ifd: planDerivation does not instantiate"; return 0; }
  local expected extra baseline
  expected="$(nix-instantiate --eval --strict --json --expr "let w = $expr; d = w.planDerivation; in
      [ (toString d.manifests) (toString d.fileList) d.sources.drvPath w.crateplan.drvPath ]" \
    | python3 -c 'import json,sys; print("\n".join(sorted(json.load(sys.stdin))))')" || expected=""
  baseline="$(nix-instantiate --expr "(import $REPO/tests/nixpkgs { }).stdenv.mkDerivation {
      name = \"baseline\"; dontUnpack = true; dontFixup = true; }" 2>/dev/null)" || true
  extra="$(comm -23 <(nix-store -q --references "$plan_drv" | sort) <(nix-store -q --references "$baseline" | sort))"
  if [[ -n "$expected" && "$extra" == "$expected" ]]; then
    echo "ok: ws-ifd: the plan derivation's inputs beyond a bare stdenv.mkDerivation's are exactly:" \
      $(sed 's|/nix/store/[a-z0-9]*-||' <<< "$extra")
  else
    fail "ws-ifd: plan derivation inputs beyond stdenv: '$extra', expected '$expected'"
  fi
  local manifests files_in_view
  manifests="$(nix-instantiate --eval --expr "toString ($expr).planDerivation.manifests" | tr -d '"')" || true
  files_in_view="$(cd "$manifests" && find . -type f | sort | tr '\n' ' ')" || true
  if [[ "$files_in_view" == "./Cargo.lock ./Cargo.toml ./crates/shapes/Cargo.toml ./crates/units/Cargo.toml " ]]; then
    echo "ok: ws-ifd: the manifests view holds only: $files_in_view"
  else
    fail "ws-ifd: the manifests view holds: $files_in_view"
  fi

  # Edit one member's source: same plan derivation; only shapes and pathy are rebuilt.
  # (A token unique to this run, so that the edited crates were never built before.)
  local token="run-$(date +%s%N)-$$"
  echo "pub const EDITED: &str = \"$token\";" >> "$ws/crates/shapes/src/lib.rs"
  local plan_drv_after
  plan_drv_after="$(nix-instantiate --expr "$expr.planDerivation" 2>/dev/null)" || true
  if [[ -n "$plan_drv_after" && "$plan_drv_after" == "$plan_drv" ]]; then
    echo "ok: ws-ifd: after editing crates/shapes/src/lib.rs the plan derivation is unchanged ($plan_drv)"
  else
    fail "ws-ifd: the plan derivation changed with a .rs edit: $plan_drv -> $plan_drv_after"
  fi
  expect_dry_run ws-ifd "after the edit" "$expr.default" "pathy-1.2.3-beta.1 shapes-0.1.0"
  out="$(nix-build --no-out-link --expr "$expr.default" 2>"$WORK/ws-ifd-rebuild.log")" \
    || { tail -n 30 "$WORK/ws-ifd-rebuild.log"; fail "ws-ifd: rebuild after edit"; return 0; }
  local built
  built="$(built_drvs "$WORK/ws-ifd-rebuild.log")"
  if [[ "$built" == "pathy-1.2.3-beta.1 shapes-0.1.0 " ]]; then
    echo "ok: ws-ifd: the rebuild built exactly: $built"
  else
    fail "ws-ifd: the rebuild built '$built', expected 'pathy-1.2.3-beta.1 shapes-0.1.0'"
  fi
  compare_with_cargo ws-ifd-edited "$ws" pathy pathy "$out"
  rm -rf "$ws/target"
  # A deeper edit (units, which shapes and pathy depend on) would rebuild all three; a manifest
  # edit re-runs the generator.
  echo "pub const EDITED: &str = \"$token\";" >> "$ws/crates/units/src/lib.rs"
  expect_dry_run ws-ifd "after editing units" "$expr.default" "pathy-1.2.3-beta.1 shapes-0.1.0 units-0.4.0"
  printf '\n[features]\nmetric = []\nimperial = []\n' > "$WORK/features.toml"
  sed -i '/^\[features\]/,$d' "$ws/crates/units/Cargo.toml"
  cat "$WORK/features.toml" >> "$ws/crates/units/Cargo.toml"
  plan_drv_after="$(nix-instantiate --expr "$expr.planDerivation" 2>/dev/null)" || true
  if [[ -n "$plan_drv_after" && "$plan_drv_after" != "$plan_drv" ]]; then
    echo "ok: ws-ifd: editing crates/units/Cargo.toml changes the plan derivation"
  else
    fail "ws-ifd: a manifest edit left the plan derivation as it was"
  fi
}

# 2. Committed mode: a plan generated into the workspace builds with import-from-derivation
# disallowed; a stale plan and a missing target are refused with messages that say what to do.
test_ws_committed() {
  log "buildRustWorkspace, committed mode (plan = ./Cargo.plan.json)"
  [[ "$PLAN_FROM" == generator ]] || { fail "ws-committed: needs the crateplan generator"; return 0; }
  local ws="$WORK/ws-committed"
  copy_example path-deps "$ws"
  cargo fetch -q --locked --manifest-path "$ws/Cargo.toml" || { fail "ws-committed: cargo fetch"; return 0; }
  (cd "$ws" && "$CRATEPLAN_BIN" generate --target "$TRIPLE" --target wasm32-unknown-unknown --release -o Cargo.plan.json) \
    || { fail "ws-committed: crateplan generate"; return 0; }
  local expr out
  expr="$(brw_expr "{ src = $ws; plan = $ws/Cargo.plan.json; }")"
  out="$(nix-build --no-out-link --option allow-import-from-derivation false --expr "$expr.default" \
    2>"$WORK/ws-committed.log")" || { tail -n 30 "$WORK/ws-committed.log"; fail "ws-committed: nix-build without IFD"; return 0; }
  echo "ok: ws-committed: built with allow-import-from-derivation = false: $out"
  compare_with_cargo ws-committed "$ws" pathy pathy "$out"
  rm -rf "$ws/target"
  # The option is in force: IFD mode fails under it.
  if nix-instantiate --option allow-import-from-derivation false --expr "$(brw_expr "$ws").default" \
      >"$WORK/ws-no-ifd.log" 2>&1; then
    fail "ws-committed: IFD mode evaluated with allow-import-from-derivation = false"
  else
    expect_message "ws-committed: IFD mode without IFD" "allow-import-from-derivation" "$WORK/ws-no-ifd.log"
  fi
  # The committed plan (two targets) and the IFD one (the host's) give the same derivation.
  local committed_drv ifd_drv
  committed_drv="$(nix-instantiate --expr "$expr.default" 2>/dev/null)" || true
  ifd_drv="$(nix-instantiate --expr "$(brw_expr "$ws").default" 2>/dev/null)" || true
  if [[ -n "$committed_drv" && "$committed_drv" == "$ifd_drv" ]]; then
    echo "ok: ws-committed: committed and IFD mode give the same derivation for pathy"
  else
    fail "ws-committed: committed $committed_drv, IFD $ifd_drv"
  fi

  local regenerate="crateplan generate --target $TRIPLE --target wasm32-unknown-unknown --release -o Cargo.plan.json"
  [[ "$TRIPLE" < wasm32-unknown-unknown ]] \
    || regenerate="crateplan generate --target wasm32-unknown-unknown --target $TRIPLE --release -o Cargo.plan.json"
  # A manifest edited after the plan was made.
  cp "$ws/crates/units/Cargo.toml" "$WORK/units.Cargo.toml"
  sed -i 's/^metric = \[\]/metric = []\nimperial = []/' "$ws/crates/units/Cargo.toml"
  expect_stale "Cargo.toml edit" "$expr" "$ws" "crates/units/Cargo.toml changed" "$regenerate"
  cp "$WORK/units.Cargo.toml" "$ws/crates/units/Cargo.toml"
  # Cargo.lock edited (an extra entry, as `cargo add` would leave).
  cp "$ws/Cargo.lock" "$WORK/ws.Cargo.lock"
  printf '\n[[package]]\nname = "zzz"\nversion = "0.1.0"\n' >> "$ws/Cargo.lock"
  expect_stale "Cargo.lock edit" "$expr" "$ws" "Cargo.lock changed" "$regenerate"
  cp "$WORK/ws.Cargo.lock" "$ws/Cargo.lock"
  # A target file added (cargo discovers tests/extra.rs as an integration test).
  mkdir -p "$ws/crates/units/tests"
  echo '#[test] fn extra() {}' > "$ws/crates/units/tests/extra.rs"
  expect_stale "new integration test" "$expr" "$ws" "crates/units/tests/extra.rs is new" "$regenerate"
  rm "$ws/crates/units/tests/extra.rs"
  # A target file removed (or filtered out of `src`).
  mv "$ws/crates/shapes/src/lib.rs" "$WORK/shapes-lib.rs"
  expect_stale "removed lib" "$expr" "$ws" "crates/shapes/src/lib.rs is gone" "$regenerate"
  mv "$WORK/shapes-lib.rs" "$ws/crates/shapes/src/lib.rs"
  # A cargo configuration added after the plan was made (its profiles, rustflags and [env] are in
  # the plan), and one edited after the plan was made with it.
  mkdir -p "$ws/.cargo"
  printf '[build]\nrustflags = ["--cfg", "extra"]\n' > "$ws/.cargo/config.toml"
  expect_stale "new .cargo/config.toml" "$expr" "$ws" ".cargo/config.toml is new" "$regenerate"
  cp "$ws/Cargo.plan.json" "$WORK/ws-plan.json"
  (cd "$ws" && "$CRATEPLAN_BIN" generate --target "$TRIPLE" --target wasm32-unknown-unknown --release -o Cargo.plan.json) \
    || fail "ws-committed: crateplan generate with .cargo/config.toml"
  expect_current "a plan made with .cargo/config.toml" "$expr.default" "$ws"
  printf '[build]\nrustflags = ["--cfg", "other"]\n' > "$ws/.cargo/config.toml"
  expect_stale ".cargo/config.toml edit" "$expr" "$ws" ".cargo/config.toml changed" "$regenerate"
  rm -r "$ws/.cargo"
  cp "$WORK/ws-plan.json" "$ws/Cargo.plan.json"
  # An editor's lock file is no target: cargo skips dotfiles.
  echo 'fn x() {}' > "$ws/crates/units/tests/.#wip.rs"
  expect_current "a dotfile in tests/" "$expr.default" "$ws"
  rm "$ws/crates/units/tests/.#wip.rs"
  # A file that is no target (a module of the lib) leaves the plan current.
  echo 'pub fn helper() {}' > "$ws/crates/units/src/helper.rs"
  expect_current "a new module (crates/units/src/helper.rs)" "$expr.default" "$ws"
  rm "$ws/crates/units/src/helper.rs"
  # Files where no probe or listing looked (a changelog, CI configuration) leave it current.
  mkdir -p "$ws/.github/workflows"
  echo 'notes' > "$ws/CHANGELOG.md"
  echo 'on: push' > "$ws/.github/workflows/ci.yml"
  expect_current "CHANGELOG.md and .github/workflows/ci.yml" "$expr.default" "$ws"
  rm -r "$ws/CHANGELOG.md" "$ws/.github"

  # A target the plan does not hold: the error lists the triples it has.
  local target_expr
  target_expr="$(brw_expr "{ src = $ws; plan = $ws/Cargo.plan.json; target = \"aarch64-unknown-linux-gnu\"; }")"
  if nix-instantiate --expr "$target_expr.default" >"$WORK/ws-target.log" 2>&1; then
    fail "ws-committed: a target missing from the plan evaluated"
  else
    expect_message "ws-committed: missing target" \
      "Cargo.plan.json has no units for target aarch64-unknown-linux-gnu; it has: wasm32-unknown-unknown, x86_64-unknown-linux-gnu" \
      "$WORK/ws-target.log"
  fi
}

# 2b. A member that a glob of `workspace.members` picks up after the plan was made (its manifest
# is in no list the plan has) makes the plan stale for Nix and `crateplan check`; a directory the
# glob finds but `exclude` names does not.
test_ws_committed_members() {
  log "committed plan: a new member under a members glob"
  [[ "$PLAN_FROM" == generator ]] || { fail "ws-committed-members: needs the crateplan generator"; return 0; }
  local ws="$WORK/glob-ws" member
  rm -rf "$ws"
  for member in a b skip; do
    mkdir -p "$ws/crates/$member/src"
    printf '[package]\nname = "%s"\nversion = "0.1.0"\nedition = "2021"\n' "$member" > "$ws/crates/$member/Cargo.toml"
    echo 'pub fn f() {}' > "$ws/crates/$member/src/lib.rs"
  done
  printf '[workspace]\nmembers = ["crates/*"]\nexclude = ["crates/skip"]\nresolver = "2"\n' > "$ws/Cargo.toml"
  mv "$ws/crates/b" "$WORK/glob-ws-b"
  cargo generate-lockfile -q --offline --manifest-path "$ws/Cargo.toml" || { fail "ws-committed-members: generate-lockfile"; return 0; }
  "$CRATEPLAN_BIN" generate --manifest-path "$ws/Cargo.toml" --target "$TRIPLE" --release -o "$ws/Cargo.plan.json" \
    || { fail "ws-committed-members: generate"; return 0; }
  local expr
  expr="$(brw_expr "{ src = $ws; plan = $ws/Cargo.plan.json; }")"
  # crates/skip is excluded: the plan is current.
  expect_current "crates/skip, excluded," "$expr.workspace.a" "$ws"
  mv "$WORK/glob-ws-b" "$ws/crates/b"
  expect_stale "new glob member" "$expr" "$ws" "crates/b/ is new" \
    "crateplan generate --target $TRIPLE --release -o Cargo.plan.json"
}

# expect_current WHAT EXPR WS: after WHAT, evaluating EXPR without import-from-derivation and
# `crateplan check` both still accept the workspace's committed plan.
expect_current() {
  local what="$1" expr="$2" ws="$3"
  if nix-instantiate --option allow-import-from-derivation false --expr "$expr" >/dev/null 2>"$WORK/ws-current.log" \
      && "$CRATEPLAN_BIN" check --manifest-path "$ws/Cargo.toml" --plan Cargo.plan.json >/dev/null 2>&1; then
    echo "ok: ws-committed: $what leaves the plan current for Nix and crateplan check"
  else
    fail "ws-committed: $what made the plan stale: $(tail -n 3 "$WORK/ws-current.log")"
  fi
}

# expect_stale WHAT EXPR WS CHANGE REGENERATE: evaluation and `crateplan check` both refuse the plan,
# naming CHANGE and REGENERATE.
expect_stale() {
  local what="$1" expr="$2" ws="$3" change="$4" regenerate="$5"
  if nix-instantiate --option allow-import-from-derivation false --expr "$expr.default" >"$WORK/ws-stale.log" 2>&1; then
    fail "ws-committed: $what: a stale plan evaluated"
  else
    expect_message "ws-committed: $what: evaluation" "Cargo.plan.json is stale: $change" "$WORK/ws-stale.log"
    expect_message "ws-committed: $what: evaluation" "run \`$regenerate\`" "$WORK/ws-stale.log"
  fi
  local rc=0
  "$CRATEPLAN_BIN" check --manifest-path "$ws/Cargo.toml" --plan Cargo.plan.json >"$WORK/ws-check.log" 2>&1 || rc=$?
  if (( rc == 1 )); then
    echo "ok: ws-committed: $what: crateplan check exits 1"
  else
    fail "ws-committed: $what: crateplan check exits $rc"
  fi
  expect_message "ws-committed: $what: crateplan check" "$change" "$WORK/ws-check.log"
  expect_message "ws-committed: $what: crateplan check" "run \`$regenerate\`" "$WORK/ws-check.log"
}

# A copy of this repository as a flake would see it (tracked and untracked files, not target/ or
# result links), so `path:` flake references do not copy build products into the store.
repo_copy() {
  local dest="$WORK/crateplan-repo"
  if [[ ! -d "$dest" ]]; then
    mkdir -p "$dest"
    (cd "$REPO" && git ls-files -z -co --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) \
      | tar -xf - -C "$dest"
  fi
  echo "$dest"
}

# nix_build_paths ARGS...: `nix build --no-link --json ARGS`, printing the out paths (Nix 2.8 has
# no --print-out-paths).
nix_build_paths() {
  nix build --no-link --json "$@" | python3 -c 'import json,sys; [print(d["outputs"]["out"]) for d in json.load(sys.stdin)]'
}

# 3. The flake template, in IFD and committed mode, on the offline nixpkgs; crateplan's own flake
# outputs for x86_64-linux.
test_ws_flake() {
  log "flake: templates/default, and crateplan's packages, checks and devShells"
  local cp app
  cp="$(repo_copy)"
  app="$WORK/flake-app"
  rm -rf "$app"
  cp -r "$cp/templates/default" "$app"
  # A tiny registry dependency (from cargo's cache when it is there).
  sed -i 's/^\[dependencies\]$/[dependencies]\nitoa = "1"/' "$app/Cargo.toml"
  cat > "$app/src/main.rs" <<'EOF'
fn main() {
    let mut buffer = itoa::Buffer::new();
    println!("Hello from a crate built by crateplan! {}", buffer.format(6 * 7));
}
EOF
  cargo generate-lockfile -q --offline --manifest-path "$app/Cargo.toml" 2>/dev/null \
    || cargo generate-lockfile -q --manifest-path "$app/Cargo.toml" || { fail "flake: cargo generate-lockfile"; return 0; }
  git -C "$app" init -q
  git -C "$app" add -A
  local overrides=(--override-input nixpkgs "path:$cp/tests/nixpkgs" --override-input crateplan "path:$cp")
  if (cd "$app" && nix build "${overrides[@]}" >"$WORK/flake-app.log" 2>&1); then
    compare_with_cargo flake-ifd "$app" hello hello "$app/result"
  else
    tail -n 30 "$WORK/flake-app.log"
    fail "flake: nix build of the template (IFD mode)"
  fi
  local shell
  if shell="$(cd "$app" && nix_build_paths "${overrides[@]}" .#devShells.x86_64-linux.default 2>"$WORK/flake-shell.log")" \
      && grep -q 'rustc-host/bin' "$shell"; then
    echo "ok: flake: the template's devShells.x86_64-linux.default builds, PATH has rustc"
  else
    fail "flake: template devShell: $(tail -n 5 "$WORK/flake-shell.log")"
  fi
  # Committed mode: the plan added to the template as its comment says.
  rm -rf "$app/target" "$app/result"
  cargo fetch -q --locked --manifest-path "$app/Cargo.toml" || { fail "flake: cargo fetch"; return 0; }
  (cd "$app" && "$CRATEPLAN_BIN" generate --target "$TRIPLE" --release -o Cargo.plan.json) || { fail "flake: generate"; return 0; }
  sed -i 's|^\( *\)src = \./\.;|&\n\1plan = ./Cargo.plan.json;|' "$app/flake.nix"
  grep -q 'plan = ./Cargo.plan.json;' "$app/flake.nix" || { fail "flake: could not add plan to flake.nix"; return 0; }
  git -C "$app" add -A
  if (cd "$app" && nix build --option allow-import-from-derivation false "${overrides[@]}" >"$WORK/flake-committed.log" 2>&1); then
    compare_with_cargo flake-committed "$app" hello hello "$app/result"
  else
    tail -n 30 "$WORK/flake-committed.log"
    fail "flake: nix build of the template (committed mode, no IFD)"
  fi
  rm -rf "$app/target"

  # crateplan's own flake: the package, checks and devShells for x86_64-linux.
  local out
  if out="$(nix_build_paths "path:$cp#packages.x86_64-linux.default" \
      --override-input nixpkgs "path:$cp/tests/nixpkgs" 2>"$WORK/flake-self.log")" && "$out/bin/crateplan" --version >/dev/null; then
    echo "ok: flake: packages.x86_64-linux.default builds and runs ($("$out/bin/crateplan" --version))"
  else
    tail -n 20 "$WORK/flake-self.log"
    fail "flake: packages.x86_64-linux.default"
  fi
  local attr drvs
  for attr in checks devShells; do
    if drvs="$(nix eval --json "path:$cp#$attr.x86_64-linux" --override-input nixpkgs "path:$cp/tests/nixpkgs" \
        --apply 'builtins.mapAttrs (_: d: d.drvPath)' 2>"$WORK/flake-$attr.log")"; then
      echo "ok: flake: $attr.x86_64-linux evaluates: $drvs"
    else
      tail -n 20 "$WORK/flake-$attr.log"
      fail "flake: $attr.x86_64-linux does not evaluate"
    fi
  done
  # crateplan's own code passes its clippy check (cargo clippy --all-targets -- -D warnings).
  if out="$(nix_build_paths "path:$cp#checks.x86_64-linux.clippy" \
      --override-input nixpkgs "path:$cp/tests/nixpkgs" 2>"$WORK/flake-clippy.log")"; then
    echo "ok: flake: checks.x86_64-linux.clippy passes: clippy-driver checked $(grep -c '^crateplan: clippy-driver' "$out/clippy.log") targets of crateplan"
  else
    tail -n 20 "$WORK/flake-clippy.log"
    fail "flake: checks.x86_64-linux.clippy"
  fi
  if nix build --no-link "path:$cp#devShells.x86_64-linux.default" \
      --override-input nixpkgs "path:$cp/tests/nixpkgs" 2>"$WORK/flake-shell-build.log"; then
    echo "ok: flake: devShells.x86_64-linux.default builds"
  else
    tail -n 20 "$WORK/flake-shell-build.log"
    fail "flake: devShells.x86_64-linux.default build"
  fi
}

# 4. Errors a Nix user can act on.
test_ws_errors() {
  log "buildRustWorkspace errors"
  # No Cargo.lock.
  local ws="$WORK/ws-nolock"
  rm -rf "$ws"
  cp -r "$REPO/templates/default" "$ws"
  rm -f "$ws/Cargo.lock"
  if nix-instantiate --expr "$(brw_expr "$ws").default" >"$WORK/ws-nolock.log" 2>&1; then
    fail "ws-errors: a workspace without Cargo.lock evaluated"
  else
    expect_message "ws-errors: no Cargo.lock" "has no Cargo.lock; run \`cargo generate-lockfile\`" "$WORK/ws-nolock.log"
  fi

  # A git dependency locked at a revision that does not exist.
  local repo="$WORK/ws-gitdep-repo" gws="$WORK/ws-gitdep"
  rm -rf "$repo" "$gws"
  mkdir -p "$repo/src" "$gws/src"
  printf '[package]\nname = "gitdep"\nversion = "0.5.0"\nedition = "2021"\n' > "$repo/Cargo.toml"
  echo 'pub fn answer() -> u8 { 42 }' > "$repo/src/lib.rs"
  commit_all "$repo"
  printf '[package]\nname = "uses-gitdep"\nversion = "0.1.0"\nedition = "2021"\n\n[dependencies]\ngitdep = { git = "file://%s" }\n' \
    "$repo" > "$gws/Cargo.toml"
  echo 'fn main() { println!("{}", gitdep::answer()); }' > "$gws/src/main.rs"
  cargo generate-lockfile -q --manifest-path "$gws/Cargo.toml" || { fail "ws-errors: cargo generate-lockfile"; return 0; }
  local bad=0123456789abcdef0123456789abcdef01234567 good
  good="$(git -C "$repo" rev-parse HEAD)"
  sed -i -E "s/#[0-9a-f]{40}\"/#$bad\"/" "$gws/Cargo.lock"
  grep -q "#$bad" "$gws/Cargo.lock" || { fail "ws-errors: could not rewrite the git revision"; return 0; }
  if nix-instantiate --expr "$(brw_expr "$gws").default" >"$WORK/ws-gitdep.log" 2>&1; then
    fail "ws-errors: a missing git revision evaluated"
  else
    # Nix's own message names the repository and the revision...
    expect_message "ws-errors: missing git revision" "Cannot find Git revision '$bad'" "$WORK/ws-gitdep.log"
    expect_message "ws-errors: missing git revision" "$repo" "$WORK/ws-gitdep.log"
  fi
  # ... the dependency's name is in the error context, which Nix 2.8 prints with --show-trace.
  nix-instantiate --show-trace --expr "$(brw_expr "$gws").default" >"$WORK/ws-gitdep-trace.log" 2>&1 || true
  expect_message "ws-errors: missing git revision (--show-trace)" \
    "while fetching git dependency gitdep 0.5.0 (file://$repo at $bad); if the revision is gone, run \`cargo update -p gitdep\`" \
    "$WORK/ws-gitdep-trace.log"

  # The same in committed mode: a plan whose git revision cannot be fetched (the plan made from the
  # good lock, then its revision rewritten; the lock is left as it was, so the plan is not stale).
  cp "$gws/Cargo.lock" "$WORK/ws-gitdep.bad.lock"
  sed -i "s/#$bad\"/#$good\"/" "$gws/Cargo.lock"
  if cargo fetch -q --locked --manifest-path "$gws/Cargo.toml" \
      && (cd "$gws" && "$CRATEPLAN_BIN" generate --target "$TRIPLE" --release -o Cargo.plan.json); then
    sed -i "s/$good/$bad/g" "$gws/Cargo.plan.json"
    nix-instantiate --show-trace --expr "$(brw_expr "{ src = $gws; plan = $gws/Cargo.plan.json; }").default" \
      >"$WORK/ws-gitdep-committed.log" 2>&1 || true
    expect_message "ws-errors: missing git revision, committed mode (--show-trace)" \
      "while fetching git dependency gitdep 0.5.0 (file://$repo at $bad); if the revision is gone, run \`cargo update -p gitdep\`" \
      "$WORK/ws-gitdep-committed.log"
    expect_message "ws-errors: missing git revision, committed mode" "Cannot find Git revision '$bad'" "$WORK/ws-gitdep-committed.log"
  else
    fail "ws-errors: plan for the git workspace"
  fi

  # A member that does not exist: getMember, and packages = [ … ] in IFD mode.
  local pws="$WORK/ws-members"
  copy_example path-deps "$pws"
  if nix-instantiate --expr "($(brw_expr "$pws")).getMember \"nope\"" >"$WORK/ws-member.log" 2>&1; then
    fail "ws-errors: getMember \"nope\" evaluated"
  else
    expect_message "ws-errors: getMember \"nope\"" \
      "the workspace has no member named \`nope\`; its members are: pathy, shapes, units" "$WORK/ws-member.log"
  fi
  local got
  got="$(nix-instantiate --expr "($(brw_expr "$pws")).getMember \"units\"" 2>/dev/null)" || true
  [[ "$got" == *-units-0.4.0.drv ]] && echo "ok: ws-errors: getMember \"units\" is $got" \
    || fail "ws-errors: getMember \"units\" gives '$got'"
  if nix-instantiate --expr "$(brw_expr "{ src = $pws; packages = [ \"nope\" ]; }").workspace" \
      >"$WORK/ws-packages.log" 2>&1; then
    fail "ws-errors: packages = [ \"nope\" ] evaluated"
  else
    expect_message "ws-errors: packages = [ \"nope\" ]" \
      "package \`nope\` is not a member of the workspace nor one of its dependencies; members are: pathy, shapes, units" \
      "$WORK/ws-packages.log"
  fi
}

ALL_TESTS+=(test_ws_ifd test_ws_committed test_ws_committed_members test_ws_flake test_ws_errors)
