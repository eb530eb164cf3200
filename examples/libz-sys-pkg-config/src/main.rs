use std::ffi::CStr;

fn main() {
    let data = b"crateplan builds Rust workspaces with Nix, one derivation per crate";
    // SAFETY: zlib's C API, called with valid pointers and lengths.
    let (version, crc, adler) = unsafe {
        let version = CStr::from_ptr(libz_sys::zlibVersion()).to_str().unwrap().to_owned();
        let crc = libz_sys::crc32(0, data.as_ptr(), data.len() as u32);
        let adler = libz_sys::adler32(1, data.as_ptr(), data.len() as u32);
        (version, crc, adler)
    };
    println!("zlib {version}");
    println!("crc32 = {crc:08x}");
    println!("adler32 = {adler:08x}");
}
