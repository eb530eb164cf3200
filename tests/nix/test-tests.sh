# `cargo test` in Nix and the workspace shell (issue 5): `tests.<member>` (also
# `workspace.<member>.tests`), the template flake's `checks`, and `workspaceShell`. Sourced by
# tests/nix/run.sh (which provides REPO, WORK, TRIPLE, log, fail, make_plan, plan_once, compare_with_cargo,
# refresh_crates_mirror, PLAN_FROM; and, from workspace-tests.sh, repo_copy, copy_example,
# dry_run_drvs, expect_dry_run, nix_build_paths):
#
#   tests/nix/run.sh tests-run tests-proc-macro tests-failing tests-unchanged-member tests-template workspace-shell
#   tests/nix/run.sh tests-env tests-real-suites
#
# The fixture tests/nix/fixtures/tested is a virtual workspace: greeter (lib, bin, build script,
# integration test using CARGO_BIN_EXE_greeter and CARGO_TARGET_TMPDIR) depends on wordy (lib
# with unit tests, a doctest and a dev-dependency). tests/nix/fixtures/envdump's tests dump the
# environment they run with.

TESTED="$REPO/tests/nix/fixtures/tested"
ENVDUMP="$REPO/tests/nix/fixtures/envdump"

# test_lines FILE...: the `test NAME ... RESULT` lines of test logs, sorted.
test_lines() {
  cat "$@" | { grep -E '^test .* \.\.\. ' || true; } | sort
}

# 1a. tests.<member> builds every member's tests and runs them: the same tests pass as under
# `cargo test --workspace` (unit, integration and doc tests).
test_tests_run() {
  log "tests.<member>: cargo test in Nix"
  local plan
  plan="$(plan_once "$TESTED")" || { fail "tests-run: plan for $TESTED"; return 0; }
  local results
  results="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" --arg src "$TESTED" \
    -A tests 2>"$WORK/tests-run.log")" || { tail -n 30 "$WORK/tests-run.log"; fail "tests-run: nix-build -A tests"; return 0; }
  local r logs=()
  for r in $results; do logs+=("$r"/*.log); done
  test_lines "${logs[@]}" > "$WORK/tests-run.nix"
  cargo test -q --locked --workspace --manifest-path "$TESTED/Cargo.toml" --target-dir "$WORK/tested-cargo-target" \
    -- --format pretty 2>/dev/null | { grep -E '^test .* \.\.\. ' || true; } | sort > "$WORK/tests-run.cargo"
  rm -rf "$WORK/tested-cargo-target"
  if [[ -s "$WORK/tests-run.cargo" ]] && diff -u "$WORK/tests-run.cargo" "$WORK/tests-run.nix"; then
    echo "ok: tests-run: the same $(wc -l < "$WORK/tests-run.nix") tests pass as under cargo test:" \
      $(sed 's/^test \(.*\) \.\.\. ok$/\1;/' "$WORK/tests-run.nix")
  else
    fail "tests-run: the tests run in Nix differ from cargo test's"
  fi
  # CARGO_BIN_EXE_greeter was the bin of greeter's crate derivation (the integration test ran it).
  local greeter_out greeter_tests
  greeter_out="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" --arg src "$TESTED" -A workspace.greeter 2>/dev/null)"
  greeter_tests="$(nix-instantiate tests/nix/build.nix --arg plan "$plan" --arg src "$TESTED" -A tests.greeter 2>/dev/null)"
  drv_log "$greeter_tests" > "$WORK/tests-greeter.log"
  if grep -qF -- "with CARGO_BIN_EXE_greeter=$greeter_out/bin/greeter CARGO_TARGET_TMPDIR=/" "$WORK/tests-greeter.log"; then
    echo "ok: tests-run: tests/cli.rs was compiled $(grep -o 'with CARGO_BIN_EXE_greeter.*' "$WORK/tests-greeter.log")"
  else
    fail "tests-run: CARGO_BIN_EXE_greeter is not $greeter_out/bin/greeter in the log of tests.greeter"
  fi
  # workspace.<member>.tests is the same derivation as tests.<member>.
  local same
  same="$(nix-instantiate --eval --expr "let s = import $REPO/tests/nix/build.nix { plan = $plan; src = $TESTED; };
    in s.workspace.greeter.tests.drvPath == s.tests.greeter.drvPath && s.workspace.wordy.tests.drvPath == s.tests.wordy.drvPath" 2>&1)"
  if [[ "$same" == true ]]; then
    echo "ok: tests-run: workspace.<member>.tests is tests.<member>"
  else
    fail "tests-run: workspace.<member>.tests differs from tests.<member>: $same"
  fi
}

# 1a'. A proc-macro member: its lib tests and doctests are host units (`--extern proc_macro`).
test_tests_proc_macro() {
  log "tests.<member>: a proc-macro member"
  local dir="$REPO/examples/proc-macro-build-script" plan="$WORK/tests-proc-macro.plan.json"
  make_plan "$dir" "$plan" --workspace || { fail "tests-proc-macro: plan for $dir"; return 0; }
  local results
  if results="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" --arg src "$dir" \
      -A tests 2>"$WORK/tests-proc-macro.log")" && [[ -f "$(grep greet-macro <<< "$results")/doctests.log" ]]; then
    echo "ok: tests-proc-macro: tests.app and tests.greet-macro (unit tests and doctests of the proc-macro) pass"
  else
    tail -n 20 "$WORK/tests-proc-macro.log"
    fail "tests-proc-macro: nix-build -A tests"
  fi
}

# 1b. A failing unit test, doctest or integration test fails the check (nix-build exits non-zero),
# and the log names each failing test.
test_tests_failing() {
  log "tests.<member>: failing tests fail the build"
  local plan copy="$WORK/tested-failing"
  plan="$(plan_once "$TESTED")" || { fail "tests-failing: plan for $TESTED"; return 0; }
  fresh_copy "$TESTED" "$copy"
  sed -i 's/assert_eq!(super::shout("abc"), "ABC!");/assert_eq!(super::shout("abc"), "ABC?");/' "$copy/crates/wordy/src/lib.rs"
  sed -i 's|/// assert_eq!(wordy::shout("hi"), "HI!");|/// assert_eq!(wordy::shout("hi"), "HI?");|' "$copy/crates/wordy/src/lib.rs"
  sed -i 's/"hello, ALICE!\\n"/"hello, BOB!\\n"/' "$copy/crates/greeter/tests/cli.rs"
  local member status
  for member in wordy greeter; do
    status=0
    nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" --arg src "$copy" -A "tests.$member" \
      >"$WORK/tests-failing-$member.log" 2>&1 || status=$?
    if (( status == 0 )); then
      fail "tests-failing: tests.$member built although its tests fail"
    else
      echo "ok: tests-failing: nix-build -A tests.$member exits $status"
    fi
  done
  local expected
  for expected in 'test tests::shouts ... FAILED' 'test crates/wordy/src/lib.rs - shout (line 5) ... FAILED'; do
    expect_message "tests-failing: tests.wordy's log" "$expected" "$WORK/tests-failing-wordy.log"
  done
  expect_message "tests-failing: tests.greeter's log" 'test runs_the_binary ... FAILED' "$WORK/tests-failing-greeter.log"
  # The tests that still pass are reported as passing.
  expect_message "tests-failing: tests.wordy's log" 'test tests::formats_with_itoa ... ok' "$WORK/tests-failing-wordy.log"
}

# 1c. Editing one member leaves the tests derivation of a member that does not depend on it
# unchanged (same .drv path), and `nix-build --dry-run` would rebuild only the edited member.
test_tests_unchanged_member() {
  log "tests.<member>: an unchanged member's tests are not rebuilt"
  local plan copy="$WORK/tested-edit"
  plan="$(plan_once "$TESTED")" || { fail "tests-unchanged-member: plan for $TESTED"; return 0; }
  fresh_copy "$TESTED" "$copy"
  local expr="(import $REPO/tests/nix/build.nix { plan = $plan; src = $copy; })"
  nix-build --no-out-link --expr "$expr.tests" >/dev/null 2>"$WORK/tests-edit-before.log" \
    || { tail -n 20 "$WORK/tests-edit-before.log"; fail "tests-unchanged-member: first build"; return 0; }
  local wordy_before greeter_before wordy_after greeter_after
  wordy_before="$(nix-instantiate --expr "$expr.tests.wordy" 2>/dev/null)"
  greeter_before="$(nix-instantiate --expr "$expr.tests.greeter" 2>/dev/null)"
  # A token unique to this run: the edited crates were never built before.
  echo "pub const EDITED: &str = \"run-$(date +%s%N)-$$\";" >> "$copy/crates/greeter/src/lib.rs"
  wordy_after="$(nix-instantiate --expr "$expr.tests.wordy" 2>/dev/null)"
  greeter_after="$(nix-instantiate --expr "$expr.tests.greeter" 2>/dev/null)"
  if [[ -n "$wordy_before" && "$wordy_before" == "$wordy_after" ]]; then
    echo "ok: tests-unchanged-member: after editing greeter, tests.wordy is the same derivation ($wordy_after)"
  else
    fail "tests-unchanged-member: tests.wordy changed with an edit of greeter: $wordy_before -> $wordy_after"
  fi
  if [[ -n "$greeter_after" && "$greeter_before" != "$greeter_after" ]]; then
    echo "ok: tests-unchanged-member: tests.greeter changed ($greeter_after)"
  else
    fail "tests-unchanged-member: tests.greeter did not change with its own edit"
  fi
  expect_dry_run tests-unchanged-member "after editing greeter, for -A tests" "$expr.tests" "greeter-0.1.0 greeter-0.1.0-tests"
}

# 1d. The template flake's checks: each member's tests and clippy, in IFD mode; a failing test
# fails `nix build .#checks.<system>.<member>`.
test_tests_template() {
  log "templates/default: checks run the members' tests"
  local cp app
  cp="$(repo_copy)"
  app="$WORK/flake-checks"
  rm -rf "$app"
  cp -r "$cp/templates/default" "$app"
  cat >> "$app/src/main.rs" <<'EOF'

#[cfg(test)]
mod tests {
    #[test]
    fn adds() {
        assert_eq!(2 + 2, 4);
    }
}
EOF
  cargo generate-lockfile -q --offline --manifest-path "$app/Cargo.toml" || { fail "tests-template: generate-lockfile"; return 0; }
  git -C "$app" init -q
  git -C "$app" add -A
  local overrides=(--override-input nixpkgs "path:$cp/tests/nixpkgs" --override-input crateplan "path:$cp")
  local names
  names="$(cd "$app" && nix eval --json .#checks.x86_64-linux --apply builtins.attrNames "${overrides[@]}" 2>"$WORK/checks-eval.log")" \
    || { tail -n 20 "$WORK/checks-eval.log"; fail "tests-template: checks do not evaluate"; return 0; }
  local out
  if out="$(cd "$app" && nix_build_paths .#checks.x86_64-linux.hello "${overrides[@]}" 2>"$WORK/checks-build.log")" \
      && grep -q '^test tests::adds \.\.\. ok$' "$out/bin-hello.log"; then
    echo "ok: tests-template: checks.x86_64-linux = $names; checks.x86_64-linux.hello ran: $(grep '^test tests::' "$out/bin-hello.log")"
  else
    tail -n 20 "$WORK/checks-build.log"
    fail "tests-template: checks.x86_64-linux.hello"
  fi
  # The member's clippy check is there too, and passes: the template has nothing to lint.
  if [[ "$names" == *'"hello-clippy"'* ]] \
      && out="$(cd "$app" && nix_build_paths .#checks.x86_64-linux.hello-clippy "${overrides[@]}" 2>"$WORK/checks-clippy.log")" \
      && grep -q '^crateplan: clippy-driver --crate-name hello .*src/main.rs' "$out/clippy.log" \
      && ! grep -q '^warning' "$out/clippy.log"; then
    echo "ok: tests-template: checks.x86_64-linux.hello-clippy passed: clippy-driver checked $(grep -c '^crateplan: clippy-driver' "$out/clippy.log") targets of hello, no lint"
  else
    tail -n 20 "$WORK/checks-clippy.log" 2>/dev/null || true
    fail "tests-template: checks.x86_64-linux.hello-clippy ($names)"
  fi
  sed -i 's/assert_eq!(2 + 2, 4);/assert_eq!(2 + 2, 5);/' "$app/src/main.rs"
  git -C "$app" add -A
  if (cd "$app" && nix build --no-link .#checks.x86_64-linux.hello "${overrides[@]}" >"$WORK/checks-failing.log" 2>&1); then
    fail "tests-template: checks.x86_64-linux.hello passed with a failing test"
  elif grep -q 'test target(s) of hello failed: bin-hello' "$WORK/checks-failing.log"; then
    echo "ok: tests-template: with a failing test, nix build .#checks.x86_64-linux.hello fails: $(grep -o 'crateplan: 1 test target.*' "$WORK/checks-failing.log" | head -n1)"
  else
    fail "tests-template: the failing check failed for another reason: $(tail -n 5 "$WORK/checks-failing.log")"
  fi
}

# 1e. Examples are compiled by the tests derivation as cargo test does: as bins, with the
# member's lib and dependencies (tests/nix/fixtures/linted: examples/show.rs uses linty).
test_tests_examples() {
  log "tests.<member>: examples compiled"
  local ws="$REPO/tests/nix/fixtures/linted" plan drv
  plan="$(plan_once "$ws")" || { fail "tests-examples: plan for $ws"; return 0; }
  if nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" --arg src "$ws" -A tests.linty >/dev/null 2>"$WORK/tests-examples.log"; then
    drv="$(nix-instantiate tests/nix/build.nix --arg plan "$plan" --arg src "$ws" -A tests.linty 2>/dev/null)"
    drv_log "$drv" > "$WORK/tests-examples.log"
    if grep -q '^crateplan: rustc --crate-name show .*examples/show.rs .*--extern linty=.* --crate-type bin' "$WORK/tests-examples.log"; then
      echo "ok: tests-examples: examples/show.rs compiled as a bin with --extern linty"
    else
      fail "tests-examples: examples/show.rs was not compiled as a bin with --extern linty"
    fi
  else
    tail -n 20 "$WORK/tests-examples.log"
    fail "tests-examples: nix-build -A tests.linty"
  fi
}

# 3. workspaceShell: in `nix-shell --pure` on it, plain `cargo build --offline` of the libz-sys
# example succeeds, and libz-sys's build script found zlib through the shell's pkg-config (the
# native inputs the overrides give the crates). nix-shell runs outside the sandbox, where the
# stand-in's toolchain path (/opt/rust, bound only inside) does not exist: the test points
# `rustc`/`cargo` at the host's toolchain instead. Crates come from cargo's cache (~/.cargo).
test_workspace_shell() {
  log "workspaceShell: cargo build --offline in nix-shell --pure"
  local dir="$REPO/examples/libz-sys-pkg-config" ws="$WORK/shell-ws"
  make_plan "$dir" "$WORK/shell.plan.json" || { fail "workspace-shell: plan for $dir"; return 0; }
  fresh_copy "$dir" "$ws"
  local expr="let
      hostRust = pkgs: name: programs: pkgs.stdenv.mkDerivation {
        name = \"\${name}-on-host\";
        dontUnpack = true;
        installPhase = ''
          mkdir -p \$out/bin
          for p in \${builtins.concatStringsSep \" \" programs}; do
            printf '%s\\n' '#!/bin/bash' \"exec $RUST_SYSROOT/bin/\$p \\\"\\\$@\\\"\" > \$out/bin/\$p
            chmod +x \$out/bin/\$p
          done
        '';
      };
      pkgs = import $REPO/tests/nixpkgs { overlays = [ (import $REPO/overlay) (final: prev: {
        rustc = hostRust prev \"rustc\" [ \"rustc\" \"rustdoc\" ];
        cargo = hostRust prev \"cargo\" [ \"cargo\" ];
      }) ]; };
    in (pkgs.rustBuilder.makePackageSet {
      plan = $WORK/shell.plan.json; workspaceSrc = $ws;
      crateUrl = \"file:///crates-mirror/{name}-{version}.crate\";
    }).workspaceShell"
  local target="$WORK/shell-target"
  rm -rf "$target"
  # nix-shell puts its shell's directory first on PATH: a directory holding only bash, so that
  # nothing of the host's /usr/bin (pkg-config, cc, cargo) comes before the shell's inputs.
  mkdir -p "$WORK/shell-bin"
  ln -sf "$(command -v bash)" "$WORK/shell-bin/bash"
  if NIX_BUILD_SHELL="$WORK/shell-bin/bash" nix-shell --pure -E "$expr" --run "cd '$ws' && export CARGO_HOME='${CARGO_HOME:-$HOME/.cargo}' CARGO_TARGET_DIR='$target' && echo PATH=\$PATH && command -v cargo rustc cc pkg-config && cargo build --offline --locked --release" \
      >"$WORK/shell.log" 2>&1; then
    echo "ok: workspace-shell: cargo build --offline --release succeeds in nix-shell --pure on workspaceShell ($(grep -o '/nix/store/[a-z0-9]*-pkg-config-host/bin/pkg-config' "$WORK/shell.log" | head -n1))"
  else
    tail -n 30 "$WORK/shell.log"
    fail "workspace-shell: cargo build --offline in nix-shell"
    return 0
  fi
  local output
  output="$(cat "$target"/release/build/libz-sys-*/output 2>/dev/null || true)"
  if grep -q '^cargo:rustc-link-search=native=/nix/store/[a-z0-9]*-zlib-host/lib$' <<< "$output"; then
    echo "ok: workspace-shell: libz-sys found zlib with the shell's pkg-config: $(grep rustc-link-search <<< "$output")"
  else
    fail "workspace-shell: libz-sys's build script did not find the shell's zlib: $output"
  fi
  local from_shell from_cargo
  from_shell="$("$target/release/zlib-user" 2>&1 || true)"
  from_cargo="$(cd "$ws" && cargo run -q --release --locked --target-dir "$WORK/shell-cargo-target" 2>/dev/null || true)"
  if [[ -n "$from_shell" && "$from_shell" == "$from_cargo" ]]; then
    echo "ok: workspace-shell: the shell-built zlib-user prints what cargo run prints"
  else
    fail "workspace-shell: the shell-built zlib-user prints something else"
  fi
  rm -rf "$target" "$WORK/shell-cargo-target" "$ws/target"
}

# 1f. Every kind of test binary (lib and bin unit tests, an integration test, a bench without
# harness, a doctest) runs with the environment `cargo test --release` gives it: the same variables at
# compile and run time (paths may lie elsewhere but name the same files), the package root as
# working directory, the binary in a deps/ directory beside the package's bins, the fixture's
# `[env]` (plain, relative, forced) and build-script variables (tests/nix/compare-test-env.py).
# cargo runs from a minimal environment (env -i), so that what it adds is known.
test_tests_env() {
  log "tests.<member>: the environment of cargo test"
  local plan out base=(HOME PATH CARGO_HOME ENVDUMP_DOCTEST_FILE)
  plan="$(plan_once "$ENVDUMP")" || { fail "tests-env: plan for $ENVDUMP"; return 0; }
  out="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$plan" --arg src "$ENVDUMP" -A tests.envdump \
    2>"$WORK/tests-env.log")" || { tail -n 30 "$WORK/tests-env.log"; fail "tests-env: nix-build -A tests.envdump"; return 0; }
  cat "$out"/*.log "$out/envdump-doctest.txt" | { grep '^envdump ' || true; } > "$WORK/tests-env.nix"
  (cd "$ENVDUMP" && env -i HOME="$HOME" PATH="$RUST_SYSROOT/bin:/usr/bin:/bin" CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" \
    ENVDUMP_DOCTEST_FILE="$WORK/tests-env-doctest.cargo" \
    "$RUST_SYSROOT/bin/cargo" test -q --release --locked --target-dir "$WORK/envdump-target") \
    2>"$WORK/tests-env-cargo.log" | cat - "$WORK/tests-env-doctest.cargo" | { grep '^envdump ' || true; } > "$WORK/tests-env.cargo"
  rm -rf "$WORK/envdump-target"
  local result
  if result="$(python3 tests/nix/compare-test-env.py "$WORK/tests-env.cargo" "$WORK/tests-env.nix" "${base[@]}" 2>&1)"; then
    echo "ok: tests-env: as under cargo test --release: $result"
  else
    fail "tests-env: the environment of tests.envdump differs from cargo test's: $result"
  fi
  # The comparison sees a missing run-time variable.
  grep -v '^envdump integration run:CARGO_BIN_EXE_envdump-bin=' "$WORK/tests-env.nix" > "$WORK/tests-env.nix-without"
  if python3 tests/nix/compare-test-env.py "$WORK/tests-env.cargo" "$WORK/tests-env.nix-without" "${base[@]}" >/dev/null 2>&1; then
    fail "tests-env: the comparison missed CARGO_BIN_EXE_envdump-bin missing at run time"
  else
    echo "ok: tests-env: the comparison fails without CARGO_BIN_EXE_envdump-bin at run time"
  fi
}

# Real suites from crates.io, each its published .crate (pinned by sha256) as the workspace:
# NAME VERSION SHA256 SKIPPED-TEST…
#   wait-timeout — its integration test runs the package's bins (sleep, exit, reader) found
#     beside the deps/ directory of current_exe(). Its `#![deny(warnings)]` meets a lint newer
#     than the release (function_casts_as_integer): cargo fails to compile it too, so both sides
#     test the release with that one cast spelt as the lint asks.
#   csv — its integration test runs the examples from target/<profile>/examples/ (found through
#     current_exe()) on fixture files under the package root (CARGO_MANIFEST_DIR). One test
#     expects a panic message without the thread id newer Rust prints: it fails under cargo as
#     in Nix, and both skip it (`checkFlags`, `cargo test -- --skip`).
REAL_SUITES=(
  "wait-timeout 0.2.1 09ac3b126d3914f9849036f826e054cbabdc8519970b8998ddaf3b5bd3c65f11"
  "csv 1.3.1 acdc4883a9c96732e4733212c01447ebd805833b7275a73ca3ee080fd77afdaf tutorial_error_01_errored"
)

# real_suite_workspace NAME VERSION SHA256 DEST: the .crate (from cargo's cache, else crates.io's
# download host), checked against SHA256, unpacked as the workspace DEST.
real_suite_workspace() {
  local name="$1" version="$2" sha="$3" dest="$4" crate
  crate="$(ls "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/"$name-$version.crate" 2>/dev/null | head -n1 || true)"
  if [[ -z "$crate" ]]; then
    crate="$WORK/$name-$version.crate"
    curl -sSfL -o "$crate" "https://static.crates.io/crates/$name/$name-$version.crate" || return 1
  fi
  [[ "$(sha256sum < "$crate")" == "$sha  -" ]] || { echo "$crate: not sha256 $sha" >&2; return 1; }
  rm -rf "$dest"
  mkdir -p "$dest"
  tar -xzf "$crate" -C "$dest" --strip-components=1
  if [[ "$name" == wait-timeout ]]; then
    sed -i 's/sigchld_handler as usize/sigchld_handler as *const () as usize/' "$dest/src/unix.rs"
  fi
}

# 2. Real projects' own suites: tests.<name> passes exactly the tests `cargo test --release`
# passes (the same `test NAME ... RESULT` lines), and $out holds one log per test binary cargo
# runs (its `Running` and `Doc-tests` lines).
test_tests_real_suites() {
  log "tests.<member>: real crates' test suites as under cargo test --release"
  local suite
  for suite in "${REAL_SUITES[@]}"; do
    local name version sha skips ws plan out flags=() skip_args=() skip
    read -r name version sha skips <<< "$suite"
    for skip in $skips; do flags+=("\"--skip\" \"$skip\""); skip_args+=(--skip "$skip"); done
    ws="$WORK/real-$name"
    real_suite_workspace "$name" "$version" "$sha" "$ws" || { fail "tests-real-suites: $name $version from crates.io"; continue; }
    plan="$WORK/real-$name.plan.json"
    make_plan "$ws" "$plan" || { fail "tests-real-suites: plan for $name"; continue; }
    out="$(nix-build --no-out-link --expr "(import $REPO/tests/nix/build.nix { plan = $plan; src = $ws; }).tests.\"$name\".overrideAttrs
        (old: { checkFlags = [ ${flags[*]} ]; })" 2>"$WORK/real-$name.nix.log")" \
      || { tail -n 30 "$WORK/real-$name.nix.log"; fail "tests-real-suites: nix-build tests.$name"; continue; }
    test_lines "$out"/*.log > "$WORK/real-$name.nix"
    (cd "$ws" && cargo test --release --locked --no-fail-fast --target-dir "$WORK/real-target-$name" \
      -- --format pretty "${skip_args[@]}") 2>"$WORK/real-$name.cargo.log" \
      | { grep -E '^test .* \.\.\. ' || true; } | sort > "$WORK/real-$name.cargo"
    rm -rf "$WORK/real-target-$name"
    local binaries logs
    binaries="$(grep -cE '^ +(Running|Doc-tests) ' "$WORK/real-$name.cargo.log" || true)"
    logs="$(ls "$out"/*.log | wc -l)"
    if [[ -s "$WORK/real-$name.cargo" ]] && diff -u "$WORK/real-$name.cargo" "$WORK/real-$name.nix"; then
      echo "ok: tests-real-suites: $name $version: the same $(grep -c ' \.\.\. ok$' "$WORK/real-$name.nix") tests pass" \
        "($(grep -c ' \.\.\. ignored' "$WORK/real-$name.nix" || true) ignored, skipped: ${skips:-none}) as under cargo test --release"
    else
      fail "tests-real-suites: $name $version: the tests run in Nix differ from cargo test --release's"
    fi
    if [[ "$binaries" == "$logs" ]]; then
      echo "ok: tests-real-suites: $name: one log per test binary cargo runs ($logs: $(cd "$out" && echo *.log))"
    else
      fail "tests-real-suites: $name: $logs logs in $out, cargo ran $binaries test binaries"
    fi
  done
}

ALL_TESTS+=(test_tests_env test_tests_real_suites test_tests_run test_tests_proc_macro test_tests_failing test_tests_unchanged_member test_tests_template test_tests_examples test_workspace_shell)
