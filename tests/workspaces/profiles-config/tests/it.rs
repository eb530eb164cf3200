#[test]
fn finds() {
    assert_eq!(pc_app::find(b"x"), Some(0));
}
