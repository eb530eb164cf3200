# The clippy derivation of a workspace member (overlay/mkcrate-clippy.nix): `cargo clippy`.
# clippy-driver, in place of rustc, checks (--emit=metadata) each of the member's targets against
# its crate derivation (dependencies, build script results), with the lint arguments given
# (crateplanClippyArgs, e.g. `-D warnings`). Every target is checked; the build fails when one
# has errors. $out/clippy.log holds what was run and what clippy reported.
#
# Inputs: the table crateplanTargets (lib, bins, build script, and the test targets when all
# targets are checked), crateplanClippyArgs, and what the tests derivation reads (tests.sh).
declare -ga LINT_FAILURES=()

configure_clippy() {
  if ! command -v clippy-driver > /dev/null; then
    log "clippy-driver is not on PATH: the toolchain given to makePackageSet as clippyToolchain (default: pkgs.clippy, or rustToolchain when given) has no bin/clippy-driver; pass one that has it"
    return 1
  fi
  COMPILER=clippy-driver
  configure_tests
  TRAILING_ARGS=("${crateplanClippyArgs[@]}")
}

# lint_build_script DIR: the build script, as compile_build_script compiles it: for the host, no
# OUT_DIR.
lint_build_script() {
  local dir="$1"
  local -a externs features
  mapfile -t externs < <(extern_args "${TARGET_EXTERNS[@]}")
  mapfile -t features < <(feature_cfgs)
  local -a args=(--crate-name build_script_build --edition "${TARGET[edition]}" --crate-type bin
    "${TARGET[path]}" --emit=metadata --out-dir "$dir"
    -C "metadata=${crateplanInstance[metadata]}-build-script"
    --target "${crateplanInstance[hostTriple]}" -L "dependency=$DEPS_DIR" "${features[@]}"
    "${externs[@]}" "${CHECK_CFG[@]}" "${crateplanLints[@]}" "${crateplanClippyArgs[@]}")
  log_compiler clippy-driver "${args[@]}"
  CARGO_CRATE_NAME=build_script_build clippy-driver "${args[@]}"
}

# lint_target: checks the selected target (select_target).
lint_target() {
  local dir="$BUILD_DIR/clippy/${TARGET[kind]}-${TARGET[name]}-${TARGET[mode]}"
  mkdir -p "$dir"
  if [[ "${TARGET[kind]}" == custom-build ]]; then
    lint_build_script "$dir"
  else
    compile_test_target check "$dir"
  fi
}

build_clippy() {
  mkdir -p "$out"
  : > "$out/clippy.log"
  local i lint_args="${crateplanClippyArgs[*]}"
  for (( i = 0; i < crateplanTargetsCount; i++ )); do
    select_target "crateplanTargets$i"
    local target="${TARGET[kind]}-${TARGET[name]}-${TARGET[mode]}"
    log "clippy: ${TARGET[kind]} ${TARGET[name]} (as ${TARGET[mode]})"
    local status=0
    lint_target 2> "$BUILD_DIR/lints" < /dev/null || status=$?
    cat "$BUILD_DIR/lints" >&2
    cat "$BUILD_DIR/lints" >> "$out/clippy.log"
    # rustc's status 1 is "errors reported"; anything else (101: a crash) is no lint.
    if (( status == 1 )); then
      LINT_FAILURES+=("$target")
    elif (( status != 0 )); then
      log "clippy: clippy-driver stopped with status $status on ${TARGET[kind]} ${TARGET[name]} (not a lint; its output is above)"
      return 1
    fi
  done
  if (( ${#LINT_FAILURES[@]} )); then
    log "clippy: errors in ${#LINT_FAILURES[@]} target(s) of ${crateplanPackageEnv[CARGO_PKG_NAME]}: ${LINT_FAILURES[*]} (lint arguments: ${lint_args:-none})"
    return 1
  fi
  log "clippy: no errors in ${crateplanPackageEnv[CARGO_PKG_NAME]} (lint arguments: ${lint_args:-none})"
}

install_clippy() {
  rm -rf "$BUILD_DIR"
}
