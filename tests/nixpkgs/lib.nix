# The subset of nixpkgs' `lib` that crateplan's overlay uses, and nothing else.
# Each function behaves as its nixpkgs namesake for the inputs the overlay gives it.
# docs/nixpkgs-surface.md lists them; tests/nixpkgs/lib-tests.nix checks them.
let
  # fix :: (a -> a) -> a — the fixed point of f.
  fix = f: let x = f x; in x;

  # extends :: overlay -> (self -> attrs) -> (self -> attrs)
  # Applies one `final: prev:` overlay on top of a fix-point function.
  extends = overlay: f: final:
    let prev = f final;
    in prev // overlay final prev;

  # composeManyExtensions :: [overlay] -> overlay
  composeManyExtensions = overlays: final: prev:
    builtins.foldl'
      (acc: overlay: acc // overlay final (prev // acc))
      { }
      overlays;

  # optional :: bool -> a -> [a]
  optional = cond: x: if cond then [ x ] else [ ];

  # optionals :: bool -> [a] -> [a]
  optionals = cond: xs: if cond then xs else [ ];

  # optionalString :: bool -> string -> string
  optionalString = cond: s: if cond then s else "";

  # optionalAttrs :: bool -> attrs -> attrs
  optionalAttrs = cond: attrs: if cond then attrs else { };

  # concatMapStringsSep :: string -> (a -> string) -> [a] -> string
  concatMapStringsSep = sep: f: xs: builtins.concatStringsSep sep (map f xs);

  # concatStringsSep :: string -> [string] -> string
  concatStringsSep = builtins.concatStringsSep;

  # filterAttrs :: (name -> value -> bool) -> attrs -> attrs
  filterAttrs = pred: attrs:
    builtins.removeAttrs attrs
      (builtins.filter (name: !(pred name attrs.${name})) (builtins.attrNames attrs));

  # mapAttrs' :: (name -> value -> { name; value; }) -> attrs -> attrs
  mapAttrs' = f: attrs:
    builtins.listToAttrs (map (name: f name attrs.${name}) (builtins.attrNames attrs));

  # nameValuePair :: string -> a -> { name; value; }
  nameValuePair = name: value: { inherit name value; };

  # hasPrefix :: string -> string -> bool
  hasPrefix = prefix: s:
    builtins.substring 0 (builtins.stringLength prefix) s == prefix;

  # removePrefix :: string -> string -> string
  removePrefix = prefix: s:
    if hasPrefix prefix s
    then builtins.substring (builtins.stringLength prefix) (builtins.stringLength s) s
    else s;

  # toUpper :: string -> string (ASCII)
  toUpper = builtins.replaceStrings
    (builtins.genList (i: builtins.substring i 1 "abcdefghijklmnopqrstuvwxyz") 26)
    (builtins.genList (i: builtins.substring i 1 "ABCDEFGHIJKLMNOPQRSTUVWXYZ") 26);

  # unique :: [a] -> [a] — first occurrence of each element, order kept.
  unique = builtins.foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];

  # recursiveUpdate :: attrs -> attrs -> attrs — right wins, nested attrsets merged.
  recursiveUpdate = lhs: rhs:
    lhs // builtins.mapAttrs
      (name: value:
        if builtins.isAttrs value && builtins.isAttrs (lhs.${name} or null)
        then recursiveUpdate lhs.${name} value
        else value)
      rhs;

  # makeBinPath :: [drv] -> string
  makeBinPath = pkgs: concatMapStringsSep ":" (p: "${p}/bin") pkgs;
in
{
  inherit fix extends composeManyExtensions optional optionals optionalString optionalAttrs
    concatMapStringsSep concatStringsSep filterAttrs mapAttrs' nameValuePair hasPrefix
    removePrefix toUpper unique recursiveUpdate makeBinPath;
}
