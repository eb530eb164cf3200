use proc_macro::TokenStream;
use quote::{format_ident, quote};

/// `make_greeting!(Name)` defines `fn greeting_name() -> String`.
#[proc_macro]
pub fn make_greeting(input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let name = input.to_string();
    let fn_name = format_ident!("greeting_{}", name.to_lowercase());
    let text = format!("Hello, {name}! (from a proc-macro)");
    quote!(fn #fn_name() -> String { #text.to_string() }).into()
}

/// `version_fn!()` defines `fn greet_macro_version() -> &'static str` with this crate's version,
/// read by the macro at its own compile time.
#[proc_macro]
pub fn version_fn(_input: TokenStream) -> TokenStream {
    let version = env!("CARGO_PKG_VERSION");
    // A lint for tests/nix/clippy-tests.sh (clippy::needless_return) in a proc-macro crate.
    return quote!(fn greet_macro_version() -> &'static str { #version }).into();
}
