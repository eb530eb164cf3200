pub fn f() {}}
