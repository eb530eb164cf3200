//! Where `crateplan generate` spends its time: each stage of `generate::load` and
//! `Loaded::plan`, timed separately, repeated, medians printed as a markdown table.
//!
//!     crateplan-bench-phases [--runs N] [--target T]... [--sources DIR]... (in the workspace)

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crateplan::resolve::features::{self, Platforms};
use crateplan::generate::{self, Options, PackageSelection};
use crateplan::resolve::graph::Graph;
use crateplan::load::lockfile::Lockfile;
use crateplan::resolve::platform::TargetInfo;
use crateplan::load::remote;
use crateplan::load::sources::Sources;
use crateplan::resolve::units::{self, Intent};
use crateplan::load::workspace::{FileNames, Workspace};

struct Clock {
    order: Vec<&'static str>,
    times: BTreeMap<&'static str, Vec<f64>>,
}

impl Clock {
    fn time<T>(&mut self, phase: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        if !self.times.contains_key(phase) {
            self.order.push(phase);
        }
        self.times.entry(phase).or_default().push(ms);
        out
    }
}

fn main() {
    let mut runs = 10usize;
    let mut targets = Vec::new();
    let mut sources = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().unwrap().parse().unwrap(),
            "--target" => targets.push(args.next().unwrap()),
            "--sources" => sources.push(PathBuf::from(args.next().unwrap())),
            _ => panic!("unknown argument {a}"),
        }
    }
    if targets.is_empty() {
        targets.push("x86_64-unknown-linux-gnu".to_string());
    }
    let opts = Options {
        manifest_path: PathBuf::from("Cargo.toml"),
        targets: targets.clone(),
        sources: sources.clone(),
        packages: PackageSelection::Default,
        ..Default::default()
    };
    let mut clock = Clock { order: Vec::new(), times: BTreeMap::new() };
    let mut total = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        // generate::load, stage by stage
        let ws = clock.time("load: Workspace::load", || Workspace::load(Path::new("Cargo.toml"), &FileNames::Disk).unwrap());
        let lock_path = ws.root_dir.join("Cargo.lock");
        let lock = clock.time("load: Lockfile::load", || Lockfile::load(&lock_path).unwrap());
        let srcs = clock.time("load: Sources::new (index the source dirs)", || Sources::new(&sources).unwrap());
        let remote = clock.time("load: remote::load_all (read + parse dependency manifests)", || remote::load_all(&lock, &srcs));
        let _graph: Graph = clock.time("resolve: Graph::build (match the lock)", || Graph::build(&ws, &lock, &lock_path, remote).unwrap());
        drop((ws, lock, srcs, _graph));
        // The whole load again as crateplan does it, for the rest.
        let loaded = clock.time("load: generate::load (all of the above, as one)", || generate::load(&opts).unwrap());
        let host = TargetInfo::builtin(generate::default_host()).unwrap();
        // Loaded::plan, stage by stage
        let ids = crateplan::output::plan::package_ids(&loaded.graph, &loaded.ws);
        let mut sets = Vec::new();
        for triple in &targets {
            let target = TargetInfo::builtin(triple).unwrap();
            let platforms = Platforms { target: &target, host: &host };
            for intent in [Intent::Build, Intent::Test] {
                let resolved = clock.time("plan: features::resolve", || {
                    features::resolve(&loaded.graph, &loaded.member_features, loaded.ws.resolver, intent == Intent::Test, &platforms).unwrap()
                });
                let ug = clock.time("plan: units::build", || units::build(&loaded.graph, &loaded.selected, &resolved, &platforms, intent, loaded.profiles(intent), triple).unwrap());
                sets.push(clock.time("plan: plan::UnitSet::new (unit keys, sorted)", || crateplan::output::plan::UnitSet::new(&loaded.graph, &ids, ug)));
            }
        }
        drop(sets);
        let value = clock.time("plan: Loaded::plan (all of the above, as one)", || loaded.plan(&opts).unwrap());
        let bytes = clock.time("write: Plan::to_bytes (packages and unit sets → JSON text)", || value.to_bytes());
        clock.time("write: std::fs::write", || std::fs::write(std::env::temp_dir().join("crateplan-bench-phases.json"), &bytes).unwrap());
        clock.time("exit: drop the plan", || drop(value));
        clock.time("exit: drop the loaded workspace", || drop(loaded));
        total.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    println!("| phase (median of {runs} in-process runs) | ms | calls per run |");
    println!("|---|---:|---:|");
    for phase in clock.order.clone() {
        let v = clock.times.get_mut(phase).unwrap();
        let calls = v.len() / runs;
        // per run: sum of the calls of one run, median over runs
        let mut per_run: Vec<f64> = v.chunks(calls).map(|c| c.iter().sum()).collect();
        println!("| {phase} | {:.1} | {calls} |", median(&mut per_run));
    }
    println!("| everything above (each stage twice: alone, then as one) | {:.1} | 1 |", median(&mut total));
}
