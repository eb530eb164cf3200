unsafe extern "C" {
    fn native_thing_answer() -> i32;
    fn native_thing_twice(x: i32) -> i32;
}

pub fn answer() -> i32 {
    // SAFETY: plain C functions without preconditions.
    unsafe { native_thing_answer() }
}

pub fn twice(x: i32) -> i32 {
    // SAFETY: as above.
    unsafe { native_thing_twice(x) }
}
