use rand::{Rng, SeedableRng};

fn main() {
    let mut new_rng = rand::rngs::StdRng::seed_from_u64(42);
    let new_values: Vec<u32> = (0..4).map(|_| new_rng.gen_range(0..1000)).collect();
    println!("rand 0.8 StdRng(42): {new_values:?}");

    use old_rand::{Rng as OldRng, SeedableRng as OldSeedableRng};
    let mut old_rng = old_chacha::ChaCha20Rng::seed_from_u64(42);
    let old_values: Vec<u32> = (0..4).map(|_| old_rng.gen_range(0, 1000)).collect();
    println!("rand 0.7 ChaCha20Rng(42): {old_values:?}");
    println!("type names differ: {}", std::any::type_name::<rand::rngs::StdRng>() != std::any::type_name::<old_chacha::ChaCha20Rng>());
}
