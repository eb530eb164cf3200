# The subset of nixpkgs' `lib` that crateplan's overlay uses (docs/nixpkgs-surface.md), plus the
# functions this package set itself needs for overlays and `callPackage`. Each behaves as its
# nixpkgs namesake; tests/nixpkgs/lib-tests.nix checks them by evaluation.
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

  # isFunction :: a -> bool — a lambda, or an attribute set callable through `__functor`.
  # Example: isFunction { __functor = self: x: x; } == true
  isFunction = f: builtins.isFunction f || (f ? __functor && isFunction (f.__functor f));

  # functionArgs :: function -> { name = hasDefault; } — the formal arguments of a function,
  # including a functor's (its `__functionArgs`, else those of what it calls).
  # Example: functionArgs ({ a, b ? 1 }: a) == { a = false; b = true; }
  functionArgs = f:
    if f ? __functor then f.__functionArgs or (functionArgs (f.__functor f))
    else builtins.functionArgs f;

  # setFunctionArgs :: function -> attrs -> functor — `f`, with `args` as its formal arguments.
  # Example: functionArgs (setFunctionArgs (x: x) { a = false; }) == { a = false; }
  setFunctionArgs = f: args: { __functor = _: f; __functionArgs = args; };

  # mirrorFunctionArgs :: function -> function -> functor — `g` with `f`'s formal arguments.
  mirrorFunctionArgs = f:
    let args = functionArgs f; in
    g: setFunctionArgs g args;

  # makeOverridable :: (attrs -> a) -> attrs -> a — `f args`, with `override` (call `f` again
  # with changed arguments: an attribute set, or a function of the old ones). An attribute-set
  # result gets `override` and `overrideDerivation` (and keeps `override` through its own
  # `overrideAttrs`); a function result becomes a functor with `override`; anything else is
  # returned as it is. `overrideDerivation` is not in the stand-in: it throws when called.
  # Example: ((makeOverridable ({ a }: { x = a; }) { a = 1; }).override { a = 2; }).x == 2
  makeOverridable = f:
    let mirrorArgs = mirrorFunctionArgs f; in
    mirrorArgs (args:
      let
        result = f args;
        changed = newArgs: args // (if isFunction newArgs then newArgs args else newArgs);
        override = mirrorArgs (newArgs: makeOverridable f (changed newArgs));
        overrideResult = g: makeOverridable (mirrorArgs (a: g (f a))) args;
      in
      if builtins.isAttrs result then
        result // {
          inherit override;
          overrideDerivation = _: throw "tests/nixpkgs: lib.overrideDerivation is not in the stand-in (docs/nixpkgs-surface.md)";
        } // optionalAttrs (result ? overrideAttrs) {
          overrideAttrs = g: overrideResult (drv: drv.overrideAttrs g);
        }
      else if builtins.isFunction result then setFunctionArgs result (functionArgs result) // { inherit override; }
      else result);

  # callPackageWith :: attrs -> (path | function) -> attrs -> a — calls the function (or the
  # function in the file) with the arguments it names taken from `autoArgs`, `args` winning, made
  # overridable. A required argument found in neither aborts evaluation, naming it and where it
  # is declared.
  # Example: callPackageWith { a = 1; b = 2; } ({ a, c ? 3 }: a + c) { } == 4
  callPackageWith = autoArgs: fn: args:
    let
      f = if isFunction fn then fn else import fn;
      formals = functionArgs f;
      given = builtins.intersectAttrs formals autoArgs // args;
      missing = builtins.filter (name: !formals.${name} && !(given ? ${name})) (builtins.attrNames formals);
      where = name:
        let pos = builtins.unsafeGetAttrPos name formals; in
        if pos == null then "<unknown location>" else "${pos.file}:${toString pos.line}";
      first = builtins.head missing;
    in
    if missing == [ ] then makeOverridable f given
    else abort "lib.customisation.callPackageWith: Function called without required argument \"${first}\" at ${where first}";

  # makeScope :: (attrs -> callPackage) -> (scope -> attrs) -> scope — the fixed point of `f`,
  # plus `callPackage` (arguments from the scope, then from what `newScope` was given),
  # `newScope` (a callPackage over this scope and more), `overrideScope` (a new scope with an
  # overlay `final: prev:` on `f`: every member sees the changed ones) and `packages` (`f`).
  # Example: (makeScope callPackageWith (s: { a = 1; b = s.a + 1; })).overrideScope
  #            (final: prev: { a = 10; })  has  b == 11
  makeScope = newScope: f:
    let
      self = f self // {
        newScope = scope: newScope (self // scope);
        callPackage = self.newScope { };
        overrideScope = g: makeScope newScope (extends g f);
        packages = f;
      };
    in
    self;

  # licenses: the entries of nixpkgs' `lib.licenses` the tests meet (crates licensed
  # "MIT OR Apache-2.0"), with nixpkgs' attribute names and fields.
  licenses = {
    asl20 = { spdxId = "Apache-2.0"; shortName = "asl20"; fullName = "Apache License 2.0"; url = "https://spdx.org/licenses/Apache-2.0.html"; free = true; deprecated = false; redistributable = true; };
    mit = { spdxId = "MIT"; shortName = "mit"; fullName = "MIT License"; url = "https://spdx.org/licenses/MIT.html"; free = true; deprecated = false; redistributable = true; };
  };

  # getExe :: derivation -> string — the path of a package's main program,
  # "<bin output>/bin/<meta.mainProgram>"; without mainProgram, the package's name (nixpkgs
  # warns then).
  # Example: getExe { out = "/s"; outPath = "/s"; meta.mainProgram = "rg"; } == "/s/bin/rg"
  getExe = x:
    let
      bin = x.bin or x.out or x;
      program = x.meta.mainProgram or (builtins.trace
        "getExe: package ${x.name or "?"} has no meta.mainProgram; guessing ${x.pname or x.name}"
        (x.pname or x.name));
    in
    "${bin}/bin/${program}";
in
{
  inherit fix extends licenses getExe;
  inherit callPackageWith functionArgs isFunction makeOverridable makeScope mirrorFunctionArgs
    setFunctionArgs;
  inherit concatMapStringsSep concatStringsSep hasPrefix optionalAttrs removePrefix toUpper
    unique;
}
