fn main() {
    // Old syntax (unknown key = metadata) and new syntax, for DEP_THE_PROVIDER_* of dependents.
    println!("cargo:api-version=3");
    println!("cargo::metadata=flag=on");
    println!("cargo:warning=provider's build script says hello");
}
