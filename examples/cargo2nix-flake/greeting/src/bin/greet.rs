fn main() {
    println!("{}", greeting::greeting(1));
}
