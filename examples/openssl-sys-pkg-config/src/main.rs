// Links the system OpenSSL (libssl, libcrypto) through openssl-sys and pkg-config.
use openssl::hash::{hash, MessageDigest};

fn main() {
    let digest = hash(MessageDigest::sha256(), b"crateplan").expect("sha256");
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    println!("sha256(crateplan) = {hex}");
    // The version is the library's, so it matches between cargo and Nix only when both link the
    // same system libcrypto; major.minor is enough to show that.
    let version = openssl::version::number();
    println!("openssl {}.{}", (version >> 28) & 0xf, (version >> 20) & 0xff);
}
