include!(concat!(env!("OUT_DIR"), "/dep_info.rs"));

fn main() {
    println!("native answer: {}", native_thing::answer());
    println!("native twice(21): {}", native_thing::twice(21));
    println!("DEP_NATIVETHING_API_LEVEL seen by build script: {API_LEVEL}");
    println!("DEP_NATIVETHING_ROOT holds the static lib: {ROOT_HAS_LIB}");
    println!("PROFILE set for build script: {}", env!("CONSUMER_PROFILE_IS_SET"));
}
