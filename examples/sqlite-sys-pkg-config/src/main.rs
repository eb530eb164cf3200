// Links the system libsqlite3 through libsqlite3-sys (no `bundled`) and pkg-config.
use rusqlite::Connection;

fn main() {
    let db = Connection::open_in_memory().expect("open");
    db.execute_batch("CREATE TABLE crate (name TEXT, units INTEGER);
        INSERT INTO crate VALUES ('crateplan', 3), ('rusqlite', 1);").expect("schema");
    let total: i64 = db.query_row("SELECT sum(units) FROM crate", [], |r| r.get(0)).expect("sum");
    println!("total units = {total}");
    println!("sqlite {}", rusqlite::version().split('.').take(2).collect::<Vec<_>>().join("."));
}
