/// The greeting `hello` prints.
pub fn greeting(crates: u32) -> String {
    format!("hello world! built from {crates} crates")
}
