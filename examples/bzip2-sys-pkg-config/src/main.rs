// Links the system libbz2 through bzip2-sys and pkg-config (`bzip2.pc`, as nixpkgs' bzip2 has).
use std::ffi::{c_char, c_int, c_uint, CStr};

// In libbz2 (which bzip2-sys links), not bound by bzip2-sys.
extern "C" {
    fn BZ2_bzBuffToBuffCompress(dest: *mut c_char, dest_len: *mut c_uint, source: *const c_char,
        source_len: c_uint, block_size: c_int, verbosity: c_int, work_factor: c_int) -> c_int;
    fn BZ2_bzBuffToBuffDecompress(dest: *mut c_char, dest_len: *mut c_uint, source: *const c_char,
        source_len: c_uint, small: c_int, verbosity: c_int) -> c_int;
    fn BZ2_bzlibVersion() -> *const c_char;
}

fn main() {
    let input = b"crateplan crateplan crateplan crateplan crateplan crateplan".repeat(8);
    let mut compressed = vec![0u8; input.len() + input.len() / 100 + 600];
    let mut size = compressed.len() as c_uint;
    let mut output = vec![0u8; input.len()];
    let mut back = output.len() as c_uint;
    unsafe {
        let rc = BZ2_bzBuffToBuffCompress(compressed.as_mut_ptr() as *mut c_char, &mut size,
            input.as_ptr() as *const c_char, input.len() as c_uint, 9, 0, 0);
        assert_eq!(rc, bzip2_sys::BZ_OK);
        let rc = BZ2_bzBuffToBuffDecompress(output.as_mut_ptr() as *mut c_char, &mut back,
            compressed.as_ptr() as *const c_char, size, 0, 0);
        assert_eq!(rc, bzip2_sys::BZ_OK);
    }
    assert_eq!(output, input);
    println!("{} bytes -> {} compressed -> {} back", input.len(), size, back);
    let version = unsafe { CStr::from_ptr(BZ2_bzlibVersion()) };
    println!("bzip2 {}", version.to_str().unwrap().split(',').next().unwrap());
}
