# The crate derivation (overlay/mkcrate.nix): `cargo build` of one package instance. The build
# script (build-script.sh), then rustc for the lib and the bins.
#
# Outputs: `out` holds the bins (so their closure is just the binaries); `lib` holds the linkable
# files, OUT_DIR and lib/crateplan/ (what dependents read: closure, link-search, metadata).
#
# Inputs: crateplanLib (a target, builder.nix targetAttrs; empty: no lib) with its externFile
# (the file dependents pass to `--extern`), the table crateplanBins, and the instance's
# attributes (lib.sh).

compile_lib() {
  [[ -n "${crateplanLib[path]:-}" ]] || return 0
  select_target crateplanLib
  log "compiling lib ${TARGET[crateName]} (${TARGET_CRATE_TYPES[*]})"
  local -a externs types=() extra=()
  mapfile -t externs < <(extern_args "${TARGET_EXTERNS[@]}")
  local type
  for type in "${TARGET_CRATE_TYPES[@]}"; do
    types+=(--crate-type "$type")
    [[ "$type" == proc-macro ]] && extra+=(-C prefer-dynamic --extern proc_macro)
    [[ "$type" == cdylib ]] && extra+=("${LINK_ARGS_ALL[@]}" "${LINK_ARGS_CDYLIB[@]}")
  done
  mkdir -p "$lib/lib"
  compile_target "${TARGET[crateName]}" "" --crate-name "${TARGET[crateName]}" \
    --edition "${TARGET[edition]}" "${TARGET[path]}" "${types[@]}" \
    --out-dir "$lib/lib" "${externs[@]}" "${extra[@]}" "${OWN_LINK_LIBS[@]}" "${TARGET_PROFILE_ARGS[@]}"
  # Like cargo's final artifacts: C-facing libraries under their plain names.
  local stem="$lib/lib/lib${TARGET[crateName]}"
  for type in "${TARGET_CRATE_TYPES[@]}"; do
    case "$type" in
      cdylib) mv "$stem-${crateplanInstance[metadata]}.so" "$stem.so" ;;
      staticlib) mv "$stem-${crateplanInstance[metadata]}.a" "$stem.a" ;;
    esac
  done
}

compile_bins() {
  (( crateplanBinsCount )) || return 0
  # rustc-link-lib applies to the lib, or to every target when the package has none.
  local -a link_libs=()
  [[ -z "${crateplanLib[path]:-}" ]] && link_libs=("${OWN_LINK_LIBS[@]}")
  mkdir -p "$out/bin" "$BUILD_DIR/bin"
  local i named
  for (( i = 0; i < crateplanBinsCount; i++ )); do
    select_target "crateplanBins$i"
    local name="${TARGET[name]}" crate_name="${TARGET[crateName]}"
    log "compiling bin $name"
    local -a externs per_bin=()
    mapfile -t externs < <(extern_args "${TARGET_EXTERNS[@]}")
    # The bins of a package that has a lib link against it (cargo's implicit dependency).
    if [[ -n "${crateplanLib[externFile]:-}" ]]; then
      externs+=(--extern "${crateplanLib[crateName]}=$lib/lib/${crateplanLib[externFile]}")
    fi
    for named in "${LINK_ARGS_BIN_NAMED[@]}"; do
      [[ "${named%%=*}" == "$name" ]] && per_bin+=(-C "link-arg=${named#*=}")
    done
    compile_target "$crate_name" "$name" --crate-name "$crate_name" \
      --edition "${TARGET[edition]}" "${TARGET[path]}" --crate-type bin \
      --out-dir "$BUILD_DIR/bin" "${externs[@]}" "${link_libs[@]}" \
      "${LINK_ARGS_ALL[@]}" "${LINK_ARGS_BINS[@]}" "${per_bin[@]}" "${TARGET_PROFILE_ARGS[@]}"
    cp "$BUILD_DIR/bin/$crate_name-${crateplanInstance[metadata]}" "$out/bin/$name"
  done
}

# What dependents read: the linkable files of this crate and its dependencies (closure), the
# native search paths (link-search), and the build script's metadata (for DEP_<LINKS>_<KEY>).
write_crate_info() {
  local info="$lib/lib/crateplan"
  mkdir -p "$info"
  {
    if [[ -n "${crateplanLib[externFile]:-}" ]]; then echo "$lib/lib/${crateplanLib[externFile]}"; fi
    local dep
    for dep in "${crateplanDependencies[@]}"; do
      [[ -f "$dep/lib/crateplan/closure" ]] && cat "$dep/lib/crateplan/closure"
    done
  } | sort -u > "$info/closure"
  printf '%s\n' "${LINK_SEARCH[@]}" | sed '/^$/d' | sort -u > "$info/link-search"
  printf '%s' "$BUILD_SCRIPT_METADATA" > "$info/metadata"
  if [[ -n "$OUT_DIR_PATH" && -z "$(ls -A "$OUT_DIR_PATH")" ]]; then rmdir "$OUT_DIR_PATH"; fi
}

# The phases of mkcrate.nix (each between its pre/post hooks).
configure_crate() {
  prepare_dependencies
  check_rust_version
}
build_crate() {
  compile_build_script
  run_build_script
  compile_lib
  compile_bins
}
install_crate() {
  mkdir -p "$out"   # bins (if any) are in $out/bin; everything dependents read is in $lib
  write_crate_info
  rm -rf "$BUILD_DIR"
}
