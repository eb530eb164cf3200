# cargo2nix users switch by deleting Cargo.nix: cargo2nix's README, followed to the letter with a
# plan instead of Cargo.nix, works (issue 15). Sourced by tests/nix/run.sh (which provides REPO,
# WORK, TRIPLE, log, fail, compare_with_cargo, refresh_crates_mirror, CRATEPLAN_BIN, PLAN_FROM,
# and repo_copy, nix_build_paths from workspace-tests.sh):
#
#   tests/nix/run.sh cargo2nix-calls cargo2nix-flake
#
# The workspace is examples/cargo2nix-flake: cargo2nix's hello-world (package `hello-world`,
# binary `hello`) with a path member and a crates.io dependency, and the README's flake.

# The plan of examples/cargo2nix-flake for the four systems of flake-utils' eachDefaultSystem.
C2N_TARGETS=(--target x86_64-unknown-linux-gnu --target aarch64-unknown-linux-gnu
  --target x86_64-apple-darwin --target aarch64-apple-darwin)

# c2n_expected MANIFEST OUT: what cargo and rustc say the checks should find (cargo metadata's
# description, homepage or repository, license identifiers, bins, default-run and version of
# every package;
# rustc's version), as JSON in OUT.
c2n_expected() {
  python3 - "$1" "$2" <<'PY'
import json, re, subprocess, sys
manifest, out = sys.argv[1], sys.argv[2]
meta = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--locked",
                                           "--offline", "--manifest-path", manifest]))
def license_ids(expression):
    # An SPDX expression's identifiers: words that are not operators ("A WITH B" is one).
    words = re.split(r"[\s()/]+", (expression or "").replace(" WITH ", "\0"))
    ids = [w.replace("\0", " WITH ") for w in words if w and w not in ("OR", "AND")]
    return list(dict.fromkeys(ids))
packages = {p["name"]: {
    "description": p.get("description") or "",
    "homepage": p.get("homepage") or p.get("repository") or "",
    "licenseIds": license_ids(p.get("license")),
    "bins": sorted(t["name"] for t in p["targets"] if "bin" in t["kind"]),
    "defaultRun": p.get("default_run"),
    "version": p["version"],
} for p in meta["packages"]}
rust = re.match(r"rustc (\S+)", subprocess.check_output(["rustc", "--version"], text=True)).group(1)
json.dump({"hostRust": rust, "packages": packages}, open(out, "w"))
PY
}

# 1. The call forms, by evaluation (tests/nix/cargo2nix-checks.nix): makePackageSet's toolchain
# arguments against the stand-in rust-overlay, crates as functions under both registry spellings,
# override/overrideAttrs, workspaceShell as mkShell's function, pname/version/meta against cargo
# metadata. Then the messages of the errors, and a toolchain that is not this machine's refused.
test_cargo2nix_calls() {
  log "cargo2nix's call forms: makePackageSet arguments, crate functions, workspaceShell, meta"
  [[ "$PLAN_FROM" == generator ]] || { fail "cargo2nix-calls: needs the crateplan generator"; return 0; }
  local dir="$REPO/examples/cargo2nix-flake" plan="$WORK/cargo2nix.plan.json"
  cargo fetch -q --locked --manifest-path "$dir/Cargo.toml" && refresh_crates_mirror \
    && "$CRATEPLAN_BIN" generate --manifest-path "$dir/Cargo.toml" --workspace --release "${C2N_TARGETS[@]}" -o "$plan" \
    || { fail "cargo2nix-calls: plan"; return 0; }
  c2n_expected "$dir/Cargo.toml" "$WORK/cargo2nix.expected.json" || { fail "cargo2nix-calls: cargo metadata"; return 0; }
  local result
  result="$(nix-instantiate --eval --strict --json "$REPO/tests/nix/cargo2nix-checks.nix" \
    --arg plan "$plan" --arg src "$dir" --arg expected "$WORK/cargo2nix.expected.json" 2>"$WORK/cargo2nix-checks.log")" \
    || { tail -n 20 "$WORK/cargo2nix-checks.log"; fail "cargo2nix-calls: checks do not evaluate"; return 0; }
  local checked failed
  checked="$(python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["checked"]))' <<< "$result")"
  failed="$(python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["failed"]))' <<< "$result")"
  if [[ "$failed" == "[]" ]]; then
    echo "ok: cargo2nix-calls: these hold: $checked"
  else
    fail "cargo2nix-calls: checks failed: $failed"
  fi

  # The messages a cargo2nix user meets.
  local set="let pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) ]; };
    withRustOverlay = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/tests/nixpkgs/rust-overlay) (import $REPO/overlay) ]; };
    in"
  c2n_error "rustVersion without rust-overlay" \
    "$set (pkgs.rustBuilder.makePackageSet { plan = $plan; workspaceSrc = $dir; rustVersion = \"1.85.0\"; }).workspace.hello-world" \
    "makePackageSet: rustVersion/rustChannel need a toolchain provider (pkgs.rust-bin, from rust-overlay"
  c2n_error "an unknown channel" \
    "$set (withRustOverlay.rustBuilder.makePackageSet { plan = $plan; workspaceSrc = $dir; rustChannel = \"unstable\"; }).workspace.hello-world" \
    "rustChannel must be \"stable\", \"beta\" or \"nightly\" (or a version), not \"unstable\""
  c2n_error "packageFun" \
    "$set (pkgs.rustBuilder.makePackageSet { packageFun = import ./Cargo.nix; }).workspace.hello-world" \
    "replace \`packageFun = import ./Cargo.nix;\` with \`plan = ./Cargo.plan.json;\`"
  c2n_error "rootFeatures without default features" \
    "$set (pkgs.rustBuilder.makePackageSet { plan = $plan; workspaceSrc = $dir; rootFeatures = [ \"hello-world\" \"greeting\" ]; }).workspace.hello-world" \
    "regenerate the plan with \`crateplan generate --target $TRIPLE --release -p greeting -p hello-world --no-default-features\`"
  c2n_error "a bench crate call" \
    "$set ((pkgs.rustBuilder.makePackageSet { plan = $plan; workspaceSrc = $dir; }).workspace.hello-world { compileMode = \"bench\"; })" \
    "crate hello-world-0.1.0: compileMode must be \"build\" or \"test\", not \"bench\""

  # nix-build ending on a crate (a function) calls it with the --args it names: none here.
  local direct called
  direct="$(nix-instantiate tests/nix/build.nix --arg plan "$plan" --arg src "$dir" -A workspace.hello-world 2>/dev/null)" || true
  called="$(nix-instantiate --expr "(import $REPO/tests/nix/build.nix { plan = $plan; src = $dir; }).workspace.hello-world { }" 2>/dev/null)" || true
  if [[ -n "$direct" && "$direct" == "$called" ]]; then
    echo "ok: cargo2nix-calls: nix-build -A workspace.hello-world with --args gives the crate ($direct)"
  else
    fail "cargo2nix-calls: -A workspace.hello-world gives '$direct', workspace.hello-world { } '$called'"
  fi

  # The stand-in's toolchain of another Rust version does not build: it is not on this machine.
  if nix-build --no-out-link --expr "$set (withRustOverlay.rustBuilder.makePackageSet { plan = $plan; workspaceSrc = $dir; rustVersion = \"1.75.0\"; }).rustToolchain" \
      >"$WORK/c2n-175.log" 2>&1; then
    fail "cargo2nix-calls: rust-bin.stable.\"1.75.0\" of the stand-in built"
  else
    expect_message "cargo2nix-calls: rust-bin.stable.\"1.75.0\"" "rust-bin.stable.1.75.0 is not on this machine" "$WORK/c2n-175.log"
  fi
}

# c2n_error WHAT EXPR MESSAGE: evaluating EXPR fails, saying MESSAGE.
c2n_error() {
  if nix-instantiate --expr "$2" >"$WORK/c2n-error.log" 2>&1; then
    fail "cargo2nix-calls: $1: evaluated"
  else
    expect_message "cargo2nix-calls: $1" "$3" "$WORK/c2n-error.log"
  fi
}

# 2. cargo2nix's README flake as written, Cargo.nix replaced by the plan (examples/cargo2nix-flake/
# flake.nix; rustVersion set to this machine's Rust, the only one there is): `nix build`,
# `nix run`, `nix develop -c cargo build --offline`, `nix flake check`. The inputs come from the
# offline stand-ins: crateplan and its nixpkgs (tests/nixpkgs), rust-overlay and flake-utils
# (tests/nixpkgs/rust-overlay, tests/nixpkgs/flake-utils).
test_cargo2nix_flake() {
  log "cargo2nix's README flake with a plan: nix build, nix run, nix develop, nix flake check"
  [[ "$PLAN_FROM" == generator ]] || { fail "cargo2nix-flake: needs the crateplan generator"; return 0; }
  local cp app="$WORK/cargo2nix-app" rust
  cp="$(repo_copy)"
  rm -rf "$app"
  cp -r "$REPO/examples/cargo2nix-flake" "$app"
  rm -rf "$app/target" "$app"/result*
  rust="$(rustc --version | cut -d' ' -f2)"
  sed -i "s/rustVersion = \"[^\"]*\";/rustVersion = \"$rust\";/" "$app/flake.nix"
  (cd "$app" && cargo fetch -q --locked && refresh_crates_mirror \
    && "$CRATEPLAN_BIN" generate --release "${C2N_TARGETS[@]}" -o Cargo.plan.json) || { fail "cargo2nix-flake: plan"; return 0; }
  git -C "$app" init -q && git -C "$app" add -A
  local inputs=(--override-input crateplan "path:$cp" --override-input crateplan/nixpkgs "path:$cp/tests/nixpkgs"
    --override-input rust-overlay "path:$cp/tests/nixpkgs/rust-overlay"
    --override-input flake-utils "path:$cp/tests/nixpkgs/flake-utils")

  if (cd "$app" && nix build "${inputs[@]}" >"$WORK/c2n-build.log" 2>&1); then
    compare_with_cargo cargo2nix-build "$app" hello-world hello "$app/result"
  else
    tail -n 30 "$WORK/c2n-build.log"
    fail "cargo2nix-flake: nix build"
  fi
  rm -rf "$app/target"

  # nix run: the binary named by meta.mainProgram, printing what `cargo run` prints.
  if (cd "$app" && nix run "${inputs[@]}" >"$WORK/c2n-run.out" 2>"$WORK/c2n-run.log"); then
    cargo run -q --release --locked --manifest-path "$app/Cargo.toml" > "$WORK/c2n-run.cargo" 2>/dev/null
    rm -rf "$app/target"
    if [[ -s "$WORK/c2n-run.cargo" ]] && diff -u "$WORK/c2n-run.cargo" "$WORK/c2n-run.out"; then
      echo "ok: cargo2nix-flake: nix run runs \`hello\` of package hello-world, printing what cargo run prints"
    else
      fail "cargo2nix-flake: nix run prints something else than cargo run"
    fi
  else
    tail -n 10 "$WORK/c2n-run.log"
    fail "cargo2nix-flake: nix run"
  fi

  # nix develop: the shell runs outside the sandbox, where the stand-in toolchain's /opt/rust
  # is not; a private mount namespace puts this machine's sysroot there, as the sandbox does.
  local target="$WORK/c2n-develop-target"
  rm -rf "$target"
  if (cd "$app" && unshare -m --propagation private bash -c '
        mount -t tmpfs none /opt && mkdir /opt/rust && mount --bind "$RUST_SYSROOT" /opt/rust &&
        nix develop "$@" -c bash -c "echo HELLO_WORLD_SHELL=\$HELLO_WORLD_SHELL; command -v cargo; command -v pkg-config; CARGO_TARGET_DIR=$0 cargo build --offline --locked"' \
        "$target" "${inputs[@]}" >"$WORK/c2n-develop.log" 2>&1) \
      && [[ -x "$target/debug/hello" ]]; then
    if grep -q '^HELLO_WORLD_SHELL=1$' "$WORK/c2n-develop.log" && grep -q -- '-rust-minimal-.*-stand-in/bin/cargo$' "$WORK/c2n-develop.log" \
        && grep -q -- '-pkg-config-host/bin/pkg-config$' "$WORK/c2n-develop.log"; then
      echo "ok: cargo2nix-flake: nix develop -c cargo build --offline builds hello with rust-overlay's cargo; the shell has the README's packages and shellHook"
    else
      fail "cargo2nix-flake: nix develop: $(grep -v '^warning' "$WORK/c2n-develop.log" | head -n 5)"
    fi
  else
    tail -n 20 "$WORK/c2n-develop.log"
    fail "cargo2nix-flake: nix develop -c cargo build --offline"
  fi
  rm -rf "$target"

  # nix flake check: every system's packages and devShells evaluate (x86_64-linux's built above).
  if (cd "$app" && nix flake check "${inputs[@]}" >"$WORK/c2n-check.log" 2>&1); then
    local systems
    systems="$(cd "$app" && nix eval --json "${inputs[@]}" .#packages --apply 'builtins.mapAttrs (_: p: p.default.system)' 2>/dev/null)"
    echo "ok: cargo2nix-flake: nix flake check passes; packages.<system>.default for $systems"
  else
    tail -n 20 "$WORK/c2n-check.log"
    fail "cargo2nix-flake: nix flake check"
  fi

  # A manifest edited after the plan was made: the flake stops, naming it and the command (as
  # cargo2nix stopped on Cargo.nix's lock hash).
  printf '\n[features]\nloud = []\n' >> "$app/greeting/Cargo.toml"
  if (cd "$app" && nix eval --raw "${inputs[@]}" .#packages.x86_64-linux.default.drvPath >"$WORK/c2n-stale.log" 2>&1); then
    fail "cargo2nix-flake: a stale plan evaluated"
  else
    expect_message "cargo2nix-flake: stale plan" "makePackageSet: Cargo.plan.json is stale: greeting/Cargo.toml changed; run \`crateplan generate" "$WORK/c2n-stale.log"
  fi
}

ALL_TESTS+=(test_cargo2nix_calls test_cargo2nix_flake)
