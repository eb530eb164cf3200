# packageEnv :: { pname; version; packageMetadata; features; targetTriple; hostTriple; profile;
#                 metadataHash; primary; } -> attrset
#
# What every crateplan builder (mkcrate-builder.sh) reads about the package it builds: the values
# of CARGO_PKG_*, the features, the platforms and the profile. Shared by a crate's derivation
# (mkcrate.nix) and its tests' (mkcrate-tests.nix).
{ pname, version, packageMetadata, features, targetTriple, hostTriple, profile, metadataHash, primary }:
{
  crateplanPackageName = pname;
  crateplanPackageVersion = version;
  crateplanAuthors = packageMetadata.authors;
  crateplanDescription = packageMetadata.description;
  crateplanHomepage = packageMetadata.homepage;
  crateplanRepository = packageMetadata.repository;
  crateplanLicense = packageMetadata.license;
  crateplanLicenseFile = packageMetadata.licenseFile;
  crateplanRustVersion = packageMetadata.rustVersion;
  crateplanReadme = packageMetadata.readme;
  crateplanFeatures = features;
  crateplanTargetTriple = targetTriple;
  crateplanHostTriple = hostTriple;
  crateplanProfile = profile.name;
  crateplanOptLevel = profile.optLevel;
  crateplanDebugInfo = toString profile.debugInfo;
  crateplanDebugAssertions = if profile.debugAssertions then "on" else "off";
  crateplanMetadata = metadataHash;
  crateplanPrimary = primary;
}
