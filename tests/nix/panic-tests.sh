# `panic = "abort"` profiles: the plan's aborting units are built with -C panic=abort, test
# harnesses unwind, and a plan made for the other profile is refused when the two differ. Sourced
# by tests/nix/run.sh (which provides REPO, WORK, log, fail, make_plan, brw_expr, CRATEPLAN_BIN):
#
#   tests/nix/run.sh panic-abort
#
# The fixture tests/nix/fixtures/panicky sets panic = "abort" in [profile.release] only; its bin
# prints a line, then panics inside catch_unwind: aborted (exit 134) or caught ("caught: true").

PANICKY="$REPO/tests/nix/fixtures/panicky"

# run_status CMD...: stdout, then "exit N", of CMD (stderr dropped).
run_status() {
  local rc=0
  "$@" 2>/dev/null || rc=$?
  echo "exit $rc"
}

test_panic_abort() {
  log "panic = \"abort\" in the release profile"
  local dev_plan="$WORK/panicky-dev.plan.json" release_plan="$WORK/panicky-release.plan.json"
  make_plan "$PANICKY" "$dev_plan" --profile=dev || { fail "panic-abort: plan"; return 0; }
  make_plan "$PANICKY" "$release_plan" --release || { fail "panic-abort: plan --release"; return 0; }

  # A dev-profile plan cannot be built as release: the profiles differ in panic.
  if nix-instantiate tests/nix/build.nix --arg plan "$dev_plan" --arg src "$PANICKY" -A workspace.panicky \
      >/dev/null 2>"$WORK/panicky-mismatch.log"; then
    fail "panic-abort: a dev-profile plan was accepted for a release build"
  else
    expect_message "panic-abort: release build of a dev plan" \
      "the plan was made for cargo's dev profile" "$WORK/panicky-mismatch.log"
    expect_message "panic-abort: release build of a dev plan: the fix" \
      "regenerate it with \`crateplan generate --release\`" "$WORK/panicky-mismatch.log"
  fi

  # Built from the --release plan: the bin aborts as `cargo run --release`'s does.
  local out expected got
  if out="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$release_plan" --arg src "$PANICKY" \
      -A workspace.panicky 2>"$WORK/panicky-build.log")"; then
    expected="$(run_status cargo run -q --release --locked --manifest-path "$PANICKY/Cargo.toml" --target-dir "$WORK/panicky-target")"
    got="$(run_status "$out/bin/panicky")"
    if [[ "$got" == "$expected" && "$got" == *"exit 134" ]]; then
      echo "ok: panic-abort: the nix-built bin aborts like cargo run --release's: $(echo $got)"
    else
      fail "panic-abort: nix-built bin gave '$(echo $got)', cargo run --release '$(echo $expected)'"
    fi
    local build_log lines
    build_log="$(drv_log "$(nix-instantiate tests/nix/build.nix --arg plan "$release_plan" --arg src "$PANICKY" -A workspace.panicky 2>/dev/null)")"
    lines="$(grep -c '^crateplan: rustc --crate-name panicky .*-C panic=abort' <<< "$build_log" || true)"
    local itoa_drv
    itoa_drv="$(nix-store -qR "$(nix-instantiate tests/nix/build.nix --arg plan "$release_plan" --arg src "$PANICKY" -A workspace.panicky 2>/dev/null)" | grep -- '-itoa-[0-9.]*\.drv$' | head -n1)"
    if (( lines == 2 )) && drv_log "$itoa_drv" | grep -q '^crateplan: rustc --crate-name itoa .*-C panic=abort'; then
      echo "ok: panic-abort: panicky's lib and bin, and its dependency itoa, were compiled with -C panic=abort"
    else
      fail "panic-abort: expected -C panic=abort on panicky's lib and bin ($lines lines) and on itoa ($itoa_drv)"
    fi
  else
    tail -n 20 "$WORK/panicky-build.log"
    fail "panic-abort: nix-build -A workspace.panicky"
  fi

  # The test harness unwinds (cargo test --release builds the lib again, unwinding); the
  # integration test runs the aborting bin through CARGO_BIN_EXE_panicky.
  local tests
  if tests="$(nix-build --no-out-link tests/nix/build.nix --arg plan "$release_plan" --arg src "$PANICKY" \
      -A tests.panicky 2>"$WORK/panicky-tests.log")" && grep -q '^test tests::harness_unwinds \.\.\. ok$' "$tests/lib-panicky.log" \
      && grep -q '^test runs_the_binary \.\.\. ok$' "$tests/test-cli.log"; then
    echo "ok: panic-abort: tests.panicky: catch_unwind works in the test harness; tests/cli.rs ran the aborting bin"
  else
    tail -n 20 "$WORK/panicky-tests.log"
    fail "panic-abort: tests.panicky"
  fi

  # buildRustWorkspace (IFD) makes the plan for the profile it builds.
  local ws="$WORK/panicky-ws" built
  rm -rf "$ws"
  cp -r "$PANICKY" "$ws"
  if built="$(nix-build --no-out-link --expr "$(brw_expr "$ws").default" 2>"$WORK/panicky-ifd.log")" \
      && [[ "$(run_status "$built/bin/panicky")" == *"exit 134" ]]; then
    echo "ok: panic-abort: buildRustWorkspace ./. builds the aborting bin (its plan made with --release)"
  else
    tail -n 20 "$WORK/panicky-ifd.log"
    fail "panic-abort: buildRustWorkspace on the fixture"
  fi
  rm -rf "$WORK/panicky-target"
}

ALL_TESTS+=(test_panic_abort)
