pub const NAME: &str = "provider";
