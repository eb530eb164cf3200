/// C entry point: the native answer plus one.
#[unsafe(no_mangle)]
pub extern "C" fn ffi_answer_plus_one() -> i32 {
    native_thing::answer() + 1
}
