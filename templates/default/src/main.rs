fn main() {
    println!("Hello from a crate built by crateplan!");
}
