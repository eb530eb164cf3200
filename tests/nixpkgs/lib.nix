# The subset of nixpkgs' `lib` that crateplan's overlay uses (docs/nixpkgs-surface.md), plus the
# two functions this package set itself needs for overlays. Each behaves as its nixpkgs namesake;
# tests/nixpkgs/lib-tests.nix checks them by evaluation.
let
  # fix :: (a -> a) -> a — the fixed point of f.
  # Example: (fix (self: { a = 1; b = self.a + 1; })).b == 2
  fix = f: let x = f x; in x;

  # extends :: overlay -> (final -> attrs) -> (final -> attrs)
  # Puts one `final: prev:` overlay on top of a fix-point function.
  extends = overlay: f: final:
    let prev = f final;
    in prev // overlay final prev;

  # optionalAttrs :: bool -> attrs -> attrs
  # Example: optionalAttrs false { a = 1; } == { }
  optionalAttrs = cond: attrs: if cond then attrs else { };

  # concatMapStringsSep :: string -> (a -> string) -> [a] -> string
  # Example: concatMapStringsSep "," toString [ 1 2 ] == "1,2"
  concatMapStringsSep = sep: f: xs: builtins.concatStringsSep sep (map f xs);

  # concatStringsSep :: string -> [string] -> string
  concatStringsSep = builtins.concatStringsSep;

  # hasPrefix :: string -> string -> bool
  # Example: hasPrefix "foo" "foobar" == true
  hasPrefix = prefix: s:
    builtins.substring 0 (builtins.stringLength prefix) s == prefix;

  # removePrefix :: string -> string -> string — s unchanged when it lacks the prefix.
  # Example: removePrefix "./" "./src" == "src"
  removePrefix = prefix: s:
    if hasPrefix prefix s
    then builtins.substring (builtins.stringLength prefix) (builtins.stringLength s) s
    else s;

  # toUpper :: string -> string — ASCII letters only, like nixpkgs.
  # Example: toUpper "libz-sys" == "LIBZ-SYS"
  toUpper = builtins.replaceStrings
    (builtins.genList (i: builtins.substring i 1 "abcdefghijklmnopqrstuvwxyz") 26)
    (builtins.genList (i: builtins.substring i 1 "ABCDEFGHIJKLMNOPQRSTUVWXYZ") 26);

  # unique :: [a] -> [a] — the first occurrence of each element, order kept.
  # Example: unique [ 3 1 3 2 1 ] == [ 3 1 2 ]
  unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
in
{
  inherit fix extends;
  inherit concatMapStringsSep concatStringsSep hasPrefix optionalAttrs removePrefix toUpper
    unique;
}
