# profileFlags :: string -> [ string ]
#
# The `crateplan generate` arguments that make a plan for a cargo profile — for the plan
# derivation's command line and the regenerate commands errors print: none for dev (the
# default), `--release`, else `--profile NAME`.
name:
if name == "dev" then [ ]
else if name == "release" then [ "--release" ]
else [ "--profile" name ]
