fn main() {
    // Runs on the host; TARGET is the triple app is compiled for.
    let target = std::env::var("TARGET").unwrap();
    let mut buf = itoa::Buffer::new();
    println!("cargo:rustc-env=APP_TARGET={target}");
    println!("cargo:rustc-env=APP_TARGET_LEN={}", buf.format(target.len()));
}
