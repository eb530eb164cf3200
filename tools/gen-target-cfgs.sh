#!/usr/bin/env bash
# Regenerates src/resolve/target_cfgs.txt: the `rustc --print cfg` of every built-in target, one target a
# line (`triple<TAB>cfg<TAB>cfg…`). crateplan evaluates `[target.'cfg(…)'.dependencies]` against
# these facts, as cargo does against rustc's answer, without running rustc itself. Cargo asks
# with every crate type at once, which drops `crt-static` where dylibs or proc-macros forbid it
# (musl, wasi), and then ignores the `proc_macro` that this sets: so does this.
set -euo pipefail
out="$(dirname "$0")/../src/resolve/target_cfgs.txt"
{
  echo "# rustc --print cfg for each built-in target; made by tools/gen-target-cfgs.sh with $(rustc --version)"
  for triple in $(rustc --print target-list); do
    cfgs=$(rustc --print cfg --target "$triple" --crate-type bin --crate-type rlib --crate-type dylib \
      --crate-type cdylib --crate-type staticlib --crate-type proc-macro 2>/dev/null | grep -vx proc_macro | LC_ALL=C sort | tr '\n' '\t') || continue
    [ -n "$cfgs" ] && printf '%s\t%s\n' "$triple" "${cfgs%$'\t'}"
  done
} > "$out"
