// Links the system libzstd through zstd-sys (ZSTD_SYS_USE_PKG_CONFIG=1) and pkg-config.
use std::ffi::c_void;

fn main() {
    let input = b"crateplan crateplan crateplan crateplan crateplan crateplan".repeat(8);
    unsafe {
        let bound = zstd_sys::ZSTD_compressBound(input.len());
        let mut compressed = vec![0u8; bound];
        let size = zstd_sys::ZSTD_compress(compressed.as_mut_ptr() as *mut c_void, bound,
            input.as_ptr() as *const c_void, input.len(), 3);
        assert_eq!(zstd_sys::ZSTD_isError(size), 0);
        let mut output = vec![0u8; input.len()];
        let back = zstd_sys::ZSTD_decompress(output.as_mut_ptr() as *mut c_void, output.len(),
            compressed.as_ptr() as *const c_void, size);
        assert_eq!(back, input.len());
        assert_eq!(output, input);
        println!("{} bytes -> {} compressed -> {} back", input.len(), size, back);
        let v = zstd_sys::ZSTD_versionNumber();
        println!("zstd {}.{}", v / 10000, v / 100 % 100);
    }
}
