const BANNER: &str = include_str!("banner.txt");

fn main() {
    print!("{BANNER}");
    let square = shapes::Shape::Square(3.0);
    let circle = shapes::Shape::Circle(1.5);
    println!("square area: {}", square.area());
    println!("circle area: {:.4}", circle.area());
    println!("one mile: {}", units::describe(1609.344));
    println!("version {} (pre: {:?}) license {}", env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION_PRE"), env!("CARGO_PKG_LICENSE"));
    println!("shapes sees units {}", shapes::units_version());
    print!("note from the workspace root: {}", units::NOTE);
}

#[cfg(test)]
mod tests {
    #[test]
    fn banner_is_one_line() {
        assert_eq!(super::BANNER.lines().count(), 1);
    }
}
