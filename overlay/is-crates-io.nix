# isCratesIo :: string -> bool
#
# Whether a registry source (Cargo.lock's `source` without the `#checksum`, the plan's
# `source.registry`) is crates.io: its git index or its sparse index, the two ways cargo names it.
#
# Example: isCratesIo "sparse+https://index.crates.io/"  =>  true
{ }:
registry:
builtins.elem registry [
  "registry+https://github.com/rust-lang/crates.io-index"
  "sparse+https://index.crates.io/"
]
