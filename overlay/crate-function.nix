# crateFunction :: { crate } -> crate
#
# A crate derivation that is also cargo2nix's crate function: `rustPkgs.workspace.<crate>` and
# `rustPkgs.<registry>.<crate>.<version>` are usable as derivations and called with an attribute
# set of cargo2nix's crate arguments, as cargo2nix's README writes them:
#
#   { }                          the derivation itself
#   { compileMode = "build"; }   the same
#   { compileMode = "test"; }    a workspace member's tests derivation (`tests.<member>`): its test
#                                targets compiled, and run (cargo2nix only compiles them)
#   profileName                  refused: the profile is the package set's (`release`)
#
# The function has named arguments and no `...`, so `nix-build -A workspace.<crate>` (which calls
# a function it ends on with the `--arg`s it names) gives the derivation.
#
# Example: (crateFunction { crate = d; }) { }  =>  d (with this function)
{ }:
{ crate }:
crate // {
  __functor = self: { compileMode ? "build", profileName ? null }:
    let what = "crate ${self.name}"; in
    if profileName != null
    then throw "${what}: profileName \"${profileName}\" is not a crate argument here; the profile is chosen for the whole package set (makePackageSet's `release`)"
    else if compileMode == "build" then self
    else if compileMode == "test" then
      self.tests or (throw "${what}: compileMode = \"test\" gives a workspace member's tests, and this crate is no member with test targets")
    else throw "${what}: compileMode must be \"build\" or \"test\", not \"${compileMode}\"";
}
