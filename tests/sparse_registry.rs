//! A registry other than crates.io served with cargo's *sparse* protocol (HTTP on loopback, by a
//! small server in this test): crateplan's unit graphs for a workspace depending on it equal
//! cargo's, for every target of the differential suite, in build and test mode.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{cargo, run_ok, scratch};
use serde_json::Value;

const TARGETS: &[&str] = &["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu", "aarch64-apple-darwin", "x86_64-pc-windows-msvc", "wasm32-unknown-unknown"];

/// Serves the files below `root` over HTTP/1.0 on a free loopback port, for the test's lifetime.
fn serve(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut request = String::new();
            if BufReader::new(&stream).read_line(&mut request).is_err() {
                continue;
            }
            let path = request.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_string();
            let response = match fs::read(root.join(&path)) {
                Ok(body) => [format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n", body.len()).into_bytes(), body].concat(),
                Err(_) => b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    port
}

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Publishes one package into the registry at `reg`: its `.crate` (made by `cargo package`) under
/// `dl/` and its index line under the sparse index path.
fn publish(reg: &Path, home: &Path, name: &str, manifest: &str, files: &[(&str, &str)], features: &str) {
    let dir = reg.parent().unwrap().join("packages").join(name);
    write(&dir.join("Cargo.toml"), manifest);
    for (f, text) in files {
        write(&dir.join(f), text);
    }
    let mut package = cargo();
    // `target/package` below is the package's own: not wherever the test run's CARGO_TARGET_DIR is.
    package.current_dir(&dir).env("CARGO_HOME", home).env_remove("CARGO_TARGET_DIR").args(["package", "-q", "--no-verify", "--allow-dirty", "--offline"]);
    run_ok(package, &format!("cargo package {name}"));
    let file = format!("{name}-0.1.0.crate");
    let bytes = fs::read(dir.join("target/package").join(&file)).unwrap();
    fs::create_dir_all(reg.join("dl")).unwrap();
    fs::write(reg.join("dl").join(&file), &bytes).unwrap();
    use sha2::Digest;
    let cksum: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let index_path = reg.join("index").join(&name[0..2]).join(&name[2..4]).join(name);
    write(&index_path, &format!("{{\"name\":\"{name}\",\"vers\":\"0.1.0\",\"deps\":[],\"cksum\":\"{cksum}\",\"features\":{features},\"yanked\":false}}\n"));
}

type Key = (String, String, String, String, String, Vec<String>);

fn units(graph: &Value) -> (BTreeSet<Key>, BTreeSet<(Key, Key, String)>) {
    let list = graph["units"].as_array().unwrap();
    let key = |u: &Value| -> Key {
        let s = |v: &Value| v.as_str().unwrap_or("").to_string();
        let mut features: Vec<String> = u["features"].as_array().unwrap().iter().map(s).collect();
        features.sort();
        (s(&u["pkg_id"]), u["target"]["kind"].to_string(), s(&u["target"]["name"]), s(&u["mode"]), u["platform"].to_string(), features)
    };
    let nodes = list.iter().map(key).collect();
    let edges = list
        .iter()
        .flat_map(|u| {
            u["dependencies"].as_array().unwrap().iter().map(move |d| {
                let to = &list[d["index"].as_u64().unwrap() as usize];
                (key(u), key(to), d["extern_crate_name"].as_str().unwrap().to_string())
            })
        })
        .collect();
    (nodes, edges)
}

#[test]
fn sparse_registry_unit_graphs_match_cargo() {
    let base = scratch("sparse-registry", "ws");
    let (reg, home, ws) = (base.join("registry"), base.join("cargo-home"), base.join("ws"));
    let port = serve(reg.clone());
    write(&reg.join("index/config.json"), &format!("{{\"dl\":\"http://127.0.0.1:{port}/dl/{{crate}}-{{version}}.crate\"}}"));
    publish(
        &reg,
        &home,
        "sparsecrate",
        "[package]\nname = \"sparsecrate\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"t\"\n[features]\ndefault = [\"plain\"]\nplain = []\nfancy = []\n",
        &[("src/lib.rs", "pub fn f() {}\n")],
        "{\"default\":[\"plain\"],\"plain\":[],\"fancy\":[]}",
    );
    publish(
        &reg,
        &home,
        "spbuild",
        "[package]\nname = \"spbuild\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"t\"\nlinks = \"spb\"\nbuild = \"build.rs\"\n",
        &[("src/lib.rs", "pub fn g() {}\n"), ("build.rs", "fn main() {}\n")],
        "{}",
    );
    write(&ws.join(".cargo/config.toml"), &format!("[registries.sparsy]\nindex = \"sparse+http://127.0.0.1:{port}/index/\"\n"));
    write(
        &ws.join("Cargo.toml"),
        "[package]\nname = \"ws\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\nsparsecrate = { version = \"0.1\", registry = \"sparsy\", features = [\"fancy\"] }\n\n[target.'cfg(unix)'.dependencies]\nrenamed = { package = \"spbuild\", version = \"0.1\", registry = \"sparsy\" }\n\n[workspace]\n",
    );
    write(&ws.join("src/lib.rs"), "pub fn w() {}\n");
    let in_ws = |args: &[&str]| {
        let mut c = cargo();
        c.current_dir(&ws).env("CARGO_HOME", &home).env("CARGO_TARGET_DIR", base.join("target")).args(args);
        c
    };
    run_ok(in_ws(&["generate-lockfile"]), "cargo generate-lockfile");
    let lock = fs::read_to_string(ws.join("Cargo.lock")).unwrap();
    assert!(lock.contains(&format!("source = \"sparse+http://127.0.0.1:{port}/index/\"")), "not a sparse source:\n{lock}");
    run_ok(in_ws(&["fetch", "--locked"]), "cargo fetch");

    let mut failures = Vec::new();
    for target in TARGETS {
        for tests in [false, true] {
            let mut oracle = in_ws(&[if tests { "test" } else { "build" }]);
            if tests {
                oracle.arg("--no-run");
            }
            oracle.env("RUSTC_BOOTSTRAP", "1").args(["--unit-graph", "-Z", "unstable-options", "--locked", "--target", target]);
            let cargo_graph: Value = serde_json::from_slice(&run_ok(oracle, "cargo --unit-graph")).unwrap();
            let mut ours = Command::new(env!("CARGO_BIN_EXE_crateplan"));
            ours.current_dir(&ws).env("CARGO_HOME", &home).args(["generate", "--format", "unit-graph", "--target", target]);
            if tests {
                ours.arg("--tests");
            }
            let our_graph: Value = serde_json::from_slice(&run_ok(ours, "crateplan generate")).unwrap();
            let (a, b) = (units(&cargo_graph), units(&our_graph));
            if a != b {
                failures.push(format!(
                    "{target} tests={tests}: units only in cargo {:?}, only in crateplan {:?}; edges only in cargo {:?}, only in crateplan {:?}",
                    a.0.difference(&b.0).collect::<Vec<_>>(),
                    b.0.difference(&a.0).collect::<Vec<_>>(),
                    a.1.difference(&b.1).collect::<Vec<_>>(),
                    b.1.difference(&a.1).collect::<Vec<_>>()
                ));
            }
            assert!(!a.0.is_empty());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
