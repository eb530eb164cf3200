# Sourced by the Nix end-to-end tests: the Nix configuration they run with, set through
# NIX_CONFIG only (the machine's /etc/nix/nix.conf is left alone). Builds are sandboxed; the host
# tools the offline package set (tests/nixpkgs) wraps are bound in read-only.
RUST_SYSROOT="${RUST_SYSROOT:-$(rustc --print sysroot)}"
# Registry crates for file:// fetches: a flat directory of .crate files, bound at /crates-mirror.
# It must exist before Nix starts (the binding is fixed here), so it is our own directory, filled
# from cargo's download cache by refresh_crates_mirror after each `cargo fetch`.
CRATES_MIRROR="${CRATES_MIRROR:-${XDG_CACHE_HOME:-$HOME/.cache}/crateplan/crates-mirror}"
mkdir -p "$CRATES_MIRROR"

# refresh_crates_mirror: hard-links (or copies) every .crate of cargo's cache into the mirror.
refresh_crates_mirror() {
  local crate
  for crate in "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/*/*.crate; do
    [[ -e "$crate" ]] || continue
    [[ -e "$CRATES_MIRROR/${crate##*/}" ]] && continue
    ln "$crate" "$CRATES_MIRROR/" 2>/dev/null || cp "$crate" "$CRATES_MIRROR/"
  done
}
export RUST_SYSROOT CRATES_MIRROR
export NIX_CONFIG="substituters =
sandbox = true
build-users-group = nixbld
extra-sandbox-paths = /opt/rust=$RUST_SYSROOT /usr=/usr /lib=/lib /lib64=/lib64 /bin=/bin /etc/alternatives=/etc/alternatives /crates-mirror=$CRATES_MIRROR
experimental-features = nix-command flakes
keep-outputs = false
max-jobs = ${NIX_MAX_JOBS:-2}
cores = ${NIX_CORES:-2}"
