const BUILD_ENV: &str = include_str!(concat!(env!("OUT_DIR"), "/build-env.txt"));

fn main() {
    println!("--- build script environment");
    print!("{BUILD_ENV}");
    println!("--- compile-time environment of the bin");
    println!("CARGO_PKG_NAME={}", env!("CARGO_PKG_NAME"));
    println!("CARGO_PKG_VERSION={}", env!("CARGO_PKG_VERSION"));
    println!("CARGO_PKG_VERSION_MAJOR={} MINOR={} PATCH={} PRE={}", env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"), env!("CARGO_PKG_VERSION_PATCH"), env!("CARGO_PKG_VERSION_PRE"));
    println!("CARGO_PKG_AUTHORS={}", env!("CARGO_PKG_AUTHORS"));
    println!("CARGO_PKG_DESCRIPTION={}", env!("CARGO_PKG_DESCRIPTION"));
    println!("CARGO_PKG_HOMEPAGE={}", env!("CARGO_PKG_HOMEPAGE"));
    println!("CARGO_PKG_REPOSITORY={}", env!("CARGO_PKG_REPOSITORY"));
    println!("CARGO_PKG_LICENSE={}", env!("CARGO_PKG_LICENSE"));
    println!("CARGO_PKG_LICENSE_FILE={}", env!("CARGO_PKG_LICENSE_FILE"));
    println!("CARGO_PKG_RUST_VERSION={}", env!("CARGO_PKG_RUST_VERSION"));
    println!("CARGO_PKG_README={}", env!("CARGO_PKG_README"));
    println!("CARGO_CRATE_NAME={}", env!("CARGO_CRATE_NAME"));
    println!("CARGO_BIN_NAME={}", env!("CARGO_BIN_NAME"));
    println!("CARGO_PRIMARY_PACKAGE={:?}", option_env!("CARGO_PRIMARY_PACKAGE"));
    println!("DUMPER_FROM_BUILD_RS={}", env!("DUMPER_FROM_BUILD_RS"));
    println!("provider lib: {}", provider::NAME);
}
