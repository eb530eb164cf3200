pub enum Shape {
    Square(f64),
    Circle(f64),
}

impl Shape {
    pub fn area(&self) -> f64 {
        match self {
            Shape::Square(side) => side * side,
            Shape::Circle(radius) => std::f64::consts::PI * radius * radius,
        }
    }
}

pub fn units_version() -> &'static str {
    units::VERSION
}
