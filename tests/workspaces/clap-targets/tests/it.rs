#[test] fn t() {}}
