# Sourced by the Nix end-to-end tests: the Nix configuration they run with, set through
# NIX_CONFIG only (the machine's /etc/nix/nix.conf is left alone). Builds are sandboxed; the host
# tools the offline package set (tests/nixpkgs) wraps are bound in read-only.
RUST_SYSROOT="${RUST_SYSROOT:-$(rustc --print sysroot)}"
# Registry crates for file:// fetches: cargo's download cache, bound at /crates-mirror.
CRATES_MIRROR="${CRATES_MIRROR:-$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/cache/index.crates.io-* 2>/dev/null | head -n1)}"
mkdir -p "${CRATES_MIRROR:=/tmp/crateplan-empty-mirror}"
export RUST_SYSROOT CRATES_MIRROR
export NIX_CONFIG="substituters =
sandbox = true
build-users-group = nixbld
extra-sandbox-paths = /opt/rust=$RUST_SYSROOT /usr=/usr /lib=/lib /lib64=/lib64 /bin=/bin /etc/alternatives=/etc/alternatives /crates-mirror=$CRATES_MIRROR
experimental-features = nix-command flakes
keep-outputs = false
max-jobs = ${NIX_MAX_JOBS:-2}
cores = ${NIX_CORES:-2}"
