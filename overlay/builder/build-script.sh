# The build script of a package, as cargo runs it: compiled for the host, run with cargo's
# environment, its directives (`cargo:…` / `cargo::…` lines) applied to the package's targets.
#
# Inputs: crateplanBuildScript { path; edition; } (empty: none) with crateplanBuildScriptExterns,
# crateplanLinksDependencies (LINKS → the `lib` output of a direct dependency declaring it), and
# the instance's attributes (lib.sh).

# compile_build_script: with the profile of its compile unit (build-override: opt-level 0 unless
# the workspace says otherwise) and the host's rustflags, the features as for the package.
compile_build_script() {
  [[ -n "${crateplanBuildScript[path]:-}" ]] || return 0
  local -n instance=crateplanInstance
  log "compiling build script ${crateplanBuildScript[path]}"
  local -a externs features
  mapfile -t externs < <(extern_args "${crateplanBuildScriptExterns[@]}")
  mapfile -t features < <(feature_cfgs)
  mkdir -p "$BUILD_DIR/build-script"
  local -a args=(--crate-name build_script_build --edition "${crateplanBuildScript[edition]}"
    --crate-type bin "${crateplanBuildScript[path]}" "${crateplanBuildScriptProfileArgs[@]}"
    -C "metadata=${instance[metadata]}-build-script" --target "${instance[hostTriple]}"
    -L "dependency=$DEPS_DIR" "${features[@]}" "${externs[@]}" "${LINK_SEARCH[@]/#/-L}"
    -o "$BUILD_DIR/build-script/build_script_build" "${CHECK_CFG[@]}" "${crateplanLints[@]}")
  if [[ -n "${instance[capLints]}" ]]; then args+=(--cap-lints "${instance[capLints]}"); fi
  args+=("${crateplanHostRustflags[@]}")
  log_compiler rustc "${args[@]}"
  CARGO_CRATE_NAME=build_script_build rustc "${args[@]}"
}

# export_target_cfgs: CARGO_CFG_<KEY> for every cfg rustc reports for the target; multi-values
# comma-joined.
export_target_cfgs() {
  local line key value name
  declare -A cfgs=()
  while IFS= read -r line; do
    if [[ "$line" == *=* ]]; then
      key="${line%%=*}"
      value="${line#*=}"
      value="${value#\"}"
      value="${value%\"}"
    else
      key="$line"
      value=""
    fi
    # Like cargo, debug_assertions follows the profile, not rustc's default.
    [[ "$key" == debug_assertions ]] && continue
    name="CARGO_CFG_$(printf '%s' "$key" | tr '[:lower:]-' '[:upper:]_')"
    if [[ -n "${cfgs[$name]+set}" && -n "${cfgs[$name]}" ]]; then
      cfgs[$name]="${cfgs[$name]},$value"
    else
      cfgs[$name]="$value"
    fi
  done < <(rustc --print cfg --target "${crateplanInstance[targetTriple]}")
  local joined=""
  joined="$(IFS=,; printf '%s' "${crateplanFeatures[*]}")"
  cfgs[CARGO_CFG_FEATURE]="$joined"
  [[ "${crateplanInstance[debugAssertions]}" == on ]] && cfgs[CARGO_CFG_DEBUG_ASSERTIONS]=""
  for name in "${!cfgs[@]}"; do export "$name=${cfgs[$name]}"; done
}

run_build_script() {
  [[ -n "${crateplanBuildScript[path]:-}" ]] || return 0
  log "running build script"
  OUT_DIR_PATH="$lib/lib/crateplan/out"
  mkdir -p "$OUT_DIR_PATH"
  if ! (run_build_script_with_cargo_env > "$BUILD_DIR/build-script/output"); then
    log "build script of ${crateplanPackageEnv[CARGO_PKG_NAME]} ${crateplanPackageEnv[CARGO_PKG_VERSION]} failed; its output:"
    cat "$BUILD_DIR/build-script/output" >&2 || true
    return 1
  fi
  parse_build_script_output "$BUILD_DIR/build-script/output"
  # Kept for the package's tests derivation, which compiles its test targets with the same
  # directives (cfgs, rustc-env, link libraries and arguments).
  cp "$BUILD_DIR/build-script/output" "$lib/lib/crateplan/build-script-output"
}

# Runs in a subshell: the environment cargo gives a build script, then the script itself.
run_build_script_with_cargo_env() {
  local -n instance=crateplanInstance
  export OUT_DIR="$OUT_DIR_PATH"
  export TARGET="${instance[targetTriple]}" HOST="${instance[hostTriple]}"
  export NUM_JOBS="$NIX_BUILD_CORES" PROFILE="${instance[profile]}"
  export OPT_LEVEL="${instance[optLevel]}" DEBUG="${instance[debug]}"
  RUSTC="$(command -v rustc)"
  RUSTDOC="$(command -v rustdoc || true)"
  export RUSTC RUSTDOC
  CARGO_ENCODED_RUSTFLAGS="$(IFS=$'\x1f'; printf '%s' "${crateplanRustflags[*]}")"
  export CARGO_ENCODED_RUSTFLAGS
  unset RUSTFLAGS
  if [[ -n "${instance[links]}" ]]; then export CARGO_MANIFEST_LINKS="${instance[links]}"; fi
  local feature upper
  for feature in "${crateplanFeatures[@]}"; do
    upper="$(printf '%s' "$feature" | tr '[:lower:]-' '[:upper:]_')"
    export "CARGO_FEATURE_$upper=1"
  done
  export_target_cfgs
  # DEP_<LINKS>_<KEY> from the build scripts of direct dependencies that declare `links`.
  local links metadata key line
  for links in "${!crateplanLinksDependencies[@]}"; do
    metadata="${crateplanLinksDependencies[$links]}/lib/crateplan/metadata"
    [[ -f "$metadata" ]] || continue
    while IFS= read -r line; do
      [[ "$line" == *=* ]] || continue
      key="$(printf '%s' "${line%%=*}" | tr '[:lower:]-' '[:upper:]_')"
      export "DEP_${links}_${key}=${line#*=}"
    done < "$metadata"
  done
  cd "$CRATE_ROOT"
  "$BUILD_DIR/build-script/build_script_build"
}

# Apply `rustc-link-search`/`rustc-link-lib` values (also used by rustc-flags).
add_link_search() { LINK_SEARCH+=("$1"); }
add_link_lib() { OWN_LINK_LIBS+=(-l "$1"); }

# parse_build_script_output FILE: the directives of a build script's output.
parse_build_script_output() {
  local line directive key value new_syntax
  while IFS= read -r line; do
    if [[ "$line" == cargo::* ]]; then
      directive="${line#cargo::}"
      new_syntax=1
    elif [[ "$line" == cargo:* ]]; then
      directive="${line#cargo:}"
      new_syntax=""
    else
      continue
    fi
    if [[ "$directive" != *=* ]]; then
      [[ -n "$new_syntax" ]] && { log "invalid build script directive: $line"; return 1; }
      continue
    fi
    key="${directive%%=*}"
    value="${directive#*=}"
    case "$key" in
      rustc-link-search) add_link_search "$value" ;;
      rustc-link-lib) add_link_lib "$value" ;;
      rustc-flags) apply_rustc_flags "$value" ;;
      rustc-cfg) OWN_CFGS+=(--cfg "$value") ;;
      rustc-check-cfg) OWN_CFGS+=(--check-cfg "$value") ;;
      rustc-env) OWN_ENV+=("$value") ;;
      rustc-link-arg) LINK_ARGS_ALL+=(-C "link-arg=$value") ;;
      rustc-link-arg-bins) LINK_ARGS_BINS+=(-C "link-arg=$value") ;;
      rustc-link-arg-bin) LINK_ARGS_BIN_NAMED+=("$value") ;;
      rustc-link-arg-cdylib | rustc-cdylib-link-arg) LINK_ARGS_CDYLIB+=(-C "link-arg=$value") ;;
      rustc-link-arg-tests) LINK_ARGS_TESTS+=(-C "link-arg=$value") ;;
      rustc-link-arg-examples) LINK_ARGS_EXAMPLES+=(-C "link-arg=$value") ;;
      rustc-link-arg-benches) LINK_ARGS_BENCHES+=(-C "link-arg=$value") ;;
      warning) log "warning from build script of ${crateplanPackageEnv[CARGO_PKG_NAME]}: $value" ;;
      error) log "error from build script of ${crateplanPackageEnv[CARGO_PKG_NAME]}: $value"; return 1 ;;
      rerun-if-changed | rerun-if-env-changed) ;;
      metadata) BUILD_SCRIPT_METADATA+="$value"$'\n' ;;
      *)
        if [[ -n "$new_syntax" ]]; then
          log "unknown build script directive: $line"
          return 1
        fi
        BUILD_SCRIPT_METADATA+="$key=$value"$'\n'
        ;;
    esac
  done < "$1"
}

# rustc-flags: only -l and -L are allowed, in the `-lfoo`, `-l foo` forms.
apply_rustc_flags() {
  local -a words
  read -r -a words <<< "$1"
  local i=0 flag
  while (( i < ${#words[@]} )); do
    flag="${words[$i]}"
    case "$flag" in
      -l) i=$((i + 1)); add_link_lib "${words[$i]}" ;;
      -L) i=$((i + 1)); add_link_search "${words[$i]}" ;;
      -l*) add_link_lib "${flag#-l}" ;;
      -L*) add_link_search "${flag#-L}" ;;
      *) log "rustc-flags may only contain -l and -L, not $flag"; return 1 ;;
    esac
    i=$((i + 1))
  done
}
