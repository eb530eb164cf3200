pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A file outside this package, at the workspace root.
pub const NOTE: &str = include_str!("../../../NOTE.txt");

#[cfg(feature = "metric")]
pub fn describe(meters: f64) -> String {
    format!("{:.3} km", meters / 1000.0)
}

#[cfg(not(feature = "metric"))]
pub fn describe(meters: f64) -> String {
    format!("{meters} m")
}
