//! Differential suite: crateplan's unit graph against cargo's, for every
//! workspace under `tests/workspaces/`, every target in `support::TARGETS`,
//! both modes (`cargo build`, `cargo test --no-run`) and every argument set of
//! the workspace's `crateplan-test.toml`.
//!
//! Cargo is the judge: `RUSTC_BOOTSTRAP=1 cargo build --unit-graph -Z
//! unstable-options --target T --locked`. Units are compared as sets keyed by
//! (pkg_id, target kind, target name, mode, platform, sorted features), edges
//! by (from, to, extern crate name), and the roots; a key cargo uses for more
//! than one unit (same unit, different panic strategy) must occur as often
//! in crateplan's graph. Every combination runs
//! before a test fails, so one run shows every mismatch; the full report is
//! also written to `target/tmp/differential/report-<test>.txt`.
//!
//! Run: `cargo test --test differential -- --nocapture`
//! (narrow with `CRATEPLAN_DIFF_ONLY=tokio-full,wasm32`).

mod support;

use std::sync::OnceLock;
use support::{Suite, details_diff, graph_diff, lock_version, profile_diff, run_suite, write_report};

fn suite() -> &'static Suite {
    static SUITE: OnceLock<Suite> = OnceLock::new();
    SUITE.get_or_init(run_suite)
}

fn finish(test: &str, failures: Vec<String>, summary: String) {
    let mut report = summary;
    for f in &failures {
        report.push_str(f);
        report.push('\n');
    }
    let path = write_report(test, &report);
    eprintln!("{report}");
    if !failures.is_empty() {
        panic!("{test}: {} failing combination(s); full report in {}", failures.len(), path.display());
    }
}

/// The oracle half: every workspace prepares and fetches, cargo plans every
/// combination, and no committed Cargo.lock is rewritten (so v1–v3 locks are
/// accepted as they are; likewise the v3 lock made for git-deps-v3).
#[test]
fn oracle_produces_unit_graphs() {
    let s = suite();
    let mut failures = Vec::new();
    for (name, err) in &s.setup_errors {
        failures.push(format!("== {name}: setup failed\n  {err}"));
    }
    for name in &s.rewritten_locks {
        failures.push(format!("== {name}: cargo rewrote Cargo.lock"));
    }
    let mut cargo_total = std::time::Duration::ZERO;
    let mut units = 0;
    for o in &s.outcomes {
        cargo_total += o.cargo_time;
        match &o.cargo {
            Ok(_) if o.combo.expect_error => {
                failures.push(format!("== {}: cargo accepted an `error-args` set", o.combo.label()))
            }
            Err(_) if o.combo.expect_error => {}
            Ok(g) if g.roots.is_empty() => failures.push(format!("== {}: cargo's graph has no roots", o.combo.label())),
            Ok(g) => units += g.units.len(),
            Err(e) => failures.push(format!("== {}\n  {e}", o.combo.label())),
        }
    }
    let summary = format!(
        "oracle: {} workspaces, {} combinations, {} units in all; cargo time {:.1}s summed, suite wall time {:.1}s with {} jobs\n",
        s.workspaces.len(),
        s.outcomes.len(),
        units,
        cargo_total.as_secs_f64(),
        s.wall_time.as_secs_f64(),
        s.jobs
    );
    let mut per_ws: std::collections::BTreeMap<&str, (usize, std::time::Duration, std::time::Duration)> = Default::default();
    for o in &s.outcomes {
        let e = per_ws.entry(o.combo.ws.name.as_str()).or_default();
        e.0 += 1;
        e.1 += o.cargo_time;
        e.2 += o.crateplan_time;
    }
    let mut summary = summary;
    for (name, (n, cargo, ours)) in per_ws {
        summary.push_str(&format!(
            "  {name:<22} {n:>4} combinations, cargo {:>6.1}s, crateplan {:>6.1}s\n",
            cargo.as_secs_f64(),
            ours.as_secs_f64()
        ));
    }
    assert!(!s.outcomes.is_empty() || std::env::var("CRATEPLAN_DIFF_ONLY").is_ok(), "no combination ran");
    finish("oracle", failures, summary);
}

/// The fixtures cover every Cargo.lock format, v1 to v4.
#[test]
fn fixture_locks_cover_all_formats() {
    let mut seen = std::collections::BTreeMap::new();
    for (name, dir) in support::discover() {
        let Ok(text) = std::fs::read_to_string(dir.join("Cargo.lock")) else { continue };
        let v = lock_version(&text).unwrap_or_else(|e| panic!("{name}/Cargo.lock: {e}"));
        seen.entry(v).or_insert_with(Vec::new).push(name);
    }
    for v in 1..=4 {
        assert!(seen.contains_key(&v), "no fixture workspace has a v{v} Cargo.lock: {seen:?}");
    }
}

/// Units, edges and roots of crateplan's graph equal cargo's.
#[test]
fn unit_graphs_match_cargo() {
    let s = suite();
    let mut failures = Vec::new();
    let mut compared = 0;
    for o in &s.outcomes {
        if o.combo.expect_error {
            // cargo refuses (checked by the oracle test): crateplan must refuse too, cleanly.
            match (&o.cargo, &o.crateplan) {
                (Err(why), Ok(_)) => failures.push(format!(
                    "== {}\n  crateplan accepted what cargo refuses:\n  {why}",
                    o.combo.label()
                )),
                (Err(_), Err(e)) if e.contains("panicked") => {
                    failures.push(format!("== {}\n  crateplan panicked instead of refusing:\n  {e}", o.combo.label()))
                }
                _ => compared += 1,
            }
            continue;
        }
        let Ok(cargo) = &o.cargo else { continue }; // reported by the oracle test
        match &o.crateplan {
            Err(e) => failures.push(format!("== {}\n  {e}", o.combo.label())),
            Ok(ours) => {
                compared += 1;
                let diff = graph_diff(cargo, ours);
                if !diff.is_empty() {
                    let n = |g: &support::Graph| g.counts.values().sum::<usize>();
                    failures.push(format!("== {} (cargo {} units, crateplan {})\n{diff}", o.combo.label(), n(cargo), n(ours)));
                }
            }
        }
    }
    let summary = format!(
        "unit graphs: {} combinations compared, {} failing\n",
        compared,
        failures.len()
    );
    finish("unit-graphs", failures, summary);
}

/// crate_types, src_path and edition of every unit both graphs contain
/// (src_path relative to the package root where crateplan writes it so; see
/// `support::details_diff`).
#[test]
fn unit_details_match_cargo() {
    let s = suite();
    let mut failures = Vec::new();
    for o in s.outcomes.iter().filter(|o| !o.combo.expect_error) {
        let (Ok(cargo), Ok(ours)) = (&o.cargo, &o.crateplan) else {
            if let (Ok(_), Err(e)) = (&o.cargo, &o.crateplan) {
                failures.push(format!("== {}\n  {e}", o.combo.label()));
            }
            continue;
        };
        let diff = details_diff(cargo, ours, &o.combo.ws.package_roots);
        if !diff.is_empty() {
            failures.push(format!("== {}\n{diff}", o.combo.label()));
        }
    }
    let n = s.outcomes.iter().filter(|o| !o.combo.expect_error).count();
    let summary = format!("unit details: {n} combinations, {} failing\n", failures.len());
    finish("unit-details", failures, summary);
}

/// The profile of every unit both graphs contain (every field of cargo's `profile` but
/// `incremental`), for every fixture × target × mode × argument set — `--release` and
/// `--profile NAME` among them where a fixture's `crateplan-test.toml` asks for it.
#[test]
fn unit_profiles_match_cargo() {
    let s = suite();
    let mut failures = Vec::new();
    let mut compared = 0;
    for o in s.outcomes.iter().filter(|o| !o.combo.expect_error) {
        let (Ok(cargo), Ok(ours)) = (&o.cargo, &o.crateplan) else { continue };
        compared += 1;
        let diff = profile_diff(cargo, ours);
        if !diff.is_empty() {
            failures.push(format!("== {}\n{diff}", o.combo.label()));
        }
    }
    let summary = format!("unit profiles: {compared} combinations compared, {} failing\n", failures.len());
    finish("unit-profiles", failures, summary);
}

/// The comparison itself: indifferent to unit order, strict about features,
/// platform, extern names and roots (so the suite can fail).
#[test]
fn comparison_is_order_independent_and_strict() {
    let unit = |pkg: &str, kind: &str, platform: &str, features: &str, deps: &str| {
        format!(
            r#"{{"pkg_id":"{pkg}","target":{{"kind":["{kind}"],"crate_types":["{kind}"],"name":"{pkg}","src_path":"/x/{pkg}.rs","edition":"2021"}},"platform":{platform},"mode":"build","features":[{features}],"dependencies":[{deps}]}}"#
        )
    };
    let graph = |units: Vec<String>, roots: &str| format!(r#"{{"version":1,"units":[{}],"roots":[{roots}]}}"#, units.join(","));
    let a = unit("a", "lib", "\"x86_64-unknown-linux-gnu\"", r#""std""#, "");
    let b = |d: usize, name: &str| unit("b", "bin", "\"x86_64-unknown-linux-gnu\"", "", &format!(r#"{{"index":{d},"extern_crate_name":"{name}"}}"#));
    let base = support::parse_unit_graph(&graph(vec![a.clone(), b(0, "a")], "1")).unwrap();
    let reordered = support::parse_unit_graph(&graph(vec![b(1, "a"), a.clone()], "0")).unwrap();
    assert_eq!(graph_diff(&base, &reordered), "");
    let variants = [
        graph(vec![a.clone(), b(0, "renamed")], "1"),
        graph(vec![unit("a", "lib", "\"x86_64-unknown-linux-gnu\"", "", ""), b(0, "a")], "1"),
        graph(vec![unit("a", "lib", "null", r#""std""#, ""), b(0, "a")], "1"),
        graph(vec![a.clone(), b(0, "a")], "0,1"),
        graph(vec![b(0, "a").replace(r#"{"index":0,"extern_crate_name":"a"}"#, "")], "0"),
    ];
    for v in variants {
        let other = support::parse_unit_graph(&v).unwrap();
        assert_ne!(graph_diff(&base, &other), "", "no difference found for {v}");
    }
    // One unit twice, with different panic strategies: crateplan must have it twice.
    let with_panic = |p: &str| a.replacen(r#""platform""#, &format!(r#""profile":{{"panic":"{p}"}},"platform""#), 1);
    let twice = support::parse_unit_graph(&graph(vec![with_panic("abort"), with_panic("unwind"), b(0, "a")], "2")).unwrap();
    assert_ne!(graph_diff(&twice, &base), "", "a unit cargo builds twice went unnoticed");
    let same = support::parse_unit_graph(&graph(vec![with_panic("unwind"), with_panic("unwind"), b(0, "a")], "2")).unwrap();
    assert_eq!(graph_diff(&same, &base), "", "a unit listed twice with one profile counts once");
    // A profile that differs in one field is found; `incremental` alone is not compared.
    let one = support::parse_unit_graph(&graph(vec![with_panic("unwind"), b(0, "a")], "1")).unwrap();
    let other = support::parse_unit_graph(&graph(vec![with_panic("abort"), b(0, "a")], "1")).unwrap();
    assert_ne!(support::profile_diff(&one, &other), "", "a different profile went unnoticed");
    let inc = |v: bool| a.replacen(r#""platform""#, &format!(r#""profile":{{"panic":"unwind","incremental":{v}}},"platform""#), 1);
    let i1 = support::parse_unit_graph(&graph(vec![inc(true), b(0, "a")], "1")).unwrap();
    let i2 = support::parse_unit_graph(&graph(vec![inc(false), b(0, "a")], "1")).unwrap();
    assert_eq!(support::profile_diff(&i1, &i2), "", "incremental is not compared");
}
