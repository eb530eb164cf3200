//! The `[target.X]` key of a dependency table, parsed: a triple or a `cfg(…)` expression. It is
//! evaluated against a target in `resolve::platform`.

use std::sync::Arc;

use cfg_expr::Expression;

/// The `[target.X]` key of a dependency table.
#[derive(Debug, Clone)]
pub(crate) enum Platform {
    /// A plain triple: matches only that triple.
    Name(String),
    /// `cfg(…)`.
    Cfg(Arc<Expression>),
}

impl Platform {
    pub(crate) fn parse(s: &str) -> std::result::Result<Platform, String> {
        if s.starts_with("cfg(") {
            Expression::parse(s).map(|e| Platform::Cfg(Arc::new(e))).map_err(|e| e.to_string())
        } else {
            Ok(Platform::Name(s.to_string()))
        }
    }
}
