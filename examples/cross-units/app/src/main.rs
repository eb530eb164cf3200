#[derive(hello_derive::Hello)]
struct App;

#[cfg(unix)]
fn family() -> &'static str {
    cfg_if::cfg_if! { if #[cfg(target_os = "linux")] { "linux" } else { "unix" } }
}

#[cfg(target_family = "wasm")]
fn family() -> &'static str {
    static NAME: once_cell::sync::OnceCell<&'static str> = once_cell::sync::OnceCell::new();
    NAME.get_or_init(|| "wasm")
}

fn main() {
    let mut buf = itoa::Buffer::new();
    println!("{} for {} ({} chars, {})", App::hello(), env!("APP_TARGET"),
        buf.format(env!("APP_TARGET_LEN").len()), family());
}
