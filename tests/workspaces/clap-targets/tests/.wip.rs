// Hidden: not an integration test (cargo skips dotfiles).
#[test]
fn hidden() {}
