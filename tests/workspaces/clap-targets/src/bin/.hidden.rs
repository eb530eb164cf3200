// Hidden (an editor lock file, say): cargo infers no target from dotfiles.
fn main() {}
