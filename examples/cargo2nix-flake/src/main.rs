fn main() {
    let mut buffer = itoa::Buffer::new();
    println!("{}", greeting::greeting(3));
    println!("itoa says {}", buffer.format(6 * 7));
}
