fn main() { panic!("never run: build = false") }
