fn main() {
    println!("{:?} {}", pc_app::find(b"abx"), pc_util::double(pc_app::answer!()));
}
