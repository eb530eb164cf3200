use proc_macro::TokenStream;
use quote::quote;

/// `#[derive(Hello)]` on a unit struct: `fn hello() -> &'static str` naming it.
#[proc_macro_derive(Hello)]
pub fn derive_hello(input: TokenStream) -> TokenStream {
    let tokens: proc_macro2::TokenStream = input.into();
    let name = tokens
        .into_iter()
        .filter_map(|t| match t {
            proc_macro2::TokenTree::Ident(i) if i != "struct" && i != "pub" => Some(i),
            _ => None,
        })
        .next()
        .expect("a struct name");
    let text = format!("hello from {name}");
    quote! { impl #name { fn hello() -> &'static str { #text } } }.into()
}
