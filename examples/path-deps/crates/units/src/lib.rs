pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A file outside this package's directory, at the workspace root (the package's `readme`).
pub const NOTE: &str = include_str!("../../../NOTE.txt");

#[cfg(feature = "metric")]
pub fn describe(meters: f64) -> String {
    format!("{:.3} km", meters / 1000.0)
}

#[cfg(not(feature = "metric"))]
pub fn describe(meters: f64) -> String {
    format!("{meters} m")
}

#[cfg(test)]
mod tests {
    #[test]
    fn describes_a_mile() {
        assert_eq!(super::describe(1609.344), if cfg!(feature = "metric") { "1.609 km" } else { "1609.344 m" });
    }

    #[test]
    fn note_is_read_from_the_workspace_root() {
        assert!(super::NOTE.contains("shared"));
    }
}
