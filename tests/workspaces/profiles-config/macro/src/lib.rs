use proc_macro::TokenStream;

#[proc_macro]
pub fn answer(_input: TokenStream) -> TokenStream {
    let _ = memchr::memchr(b'a', b"a");
    "21".parse().unwrap()
}
