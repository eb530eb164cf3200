mod generated {
    include!(concat!(env!("OUT_DIR"), "/generated.rs"));
}

greet_macro::make_greeting!(Ann);

fn main() {
    let mut buf = num::Buffer::new();
    println!("{}", greeting_ann());
    println!("package {} {} by {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"), env!("CARGO_PKG_AUTHORS"));
    println!("description: {}", env!("CARGO_PKG_DESCRIPTION"));
    println!("crate {} bin {}", env!("CARGO_CRATE_NAME"), env!("CARGO_BIN_NAME"));
    println!("built for {} ({}, {} bit)", generated::BUILT_FOR, generated::TARGET_OS, generated::POINTER_WIDTH);
    println!("features: loud={} quiet={} cfg(feature=loud)={}", generated::LOUD, generated::QUIET, cfg!(feature = "loud"));
    println!("build script saw package {}", generated::SCRIPT_SAW_NAME);
    println!("{}", env!("BUILD_GREETING"));
    println!("cfg has_generated: {}", cfg!(has_generated));
    println!("itoa renamed to num: {}", buf.format(1234567u32));
    println!("macro crate version: {}", greet_macro_version());
}

greet_macro::version_fn!();
