//! Cargo's per-unit LTO decision (`compiler::lto::generate`): which units run LTO, and which
//! only need bitcode, object code or both — it depends on the units that link them.

use crate::resolve::graph::Graph;
use crate::resolve::profiles;
use crate::resolve::units::{Mode, UnitGraph};

/// How rustc is asked for LTO in one unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lto {
    /// `-C lto` (`None`) or `-C lto=<x>`.
    Run(Option<String>),
    /// `-C lto=off -C embed-bitcode=no`.
    Off,
    /// `-C linker-plugin-lto`: only bitcode is needed.
    OnlyBitcode,
    /// Nothing: object code with bitcode embedded.
    ObjectAndBitcode,
    /// `-C embed-bitcode=no`.
    OnlyObject,
}

impl Lto {
    /// As the plan writes it (docs/plan-schema.md).
    pub(crate) fn to_plan_string(&self) -> std::borrow::Cow<'static, str> {
        match self {
            Lto::Run(None) => "run".into(),
            Lto::Run(Some(x)) => format!("run:{x}").into(),
            Lto::Off => "off".into(),
            Lto::OnlyBitcode => "only-bitcode".into(),
            Lto::ObjectAndBitcode => "object-and-bitcode".into(),
            Lto::OnlyObject => "only-object".into(),
        }
    }
}

fn can_lto(crate_type: &str) -> bool {
    matches!(crate_type, "bin" | "staticlib" | "cdylib")
}

fn is_dynamic(crate_type: &str) -> bool {
    matches!(crate_type, "dylib" | "cdylib" | "proc-macro")
}

fn needs_object(crate_types: &[&str]) -> bool {
    crate_types.iter().any(|t| can_lto(t) || is_dynamic(t))
}

fn lto_when_needs_object(crate_types: &[&str]) -> Lto {
    if crate_types.iter().all(|t| *t == "dylib") { Lto::OnlyObject } else { Lto::ObjectAndBitcode }
}

/// The LTO decision of every unit of `units`, by unit index.
pub fn generate(graph: &Graph, units: &UnitGraph) -> Vec<Lto> {
    // Without LTO in any profile every unit only needs object code (what `calculate` finds, too,
    // after visiting every path of the graph).
    if units.profiles.iter().all(|p| p.lto == profiles::Lto::Bool(false)) {
        return vec![Lto::OnlyObject; units.units.len()];
    }
    let mut map: Vec<Option<Lto>> = vec![None; units.units.len()];
    for &root in &units.roots {
        let u = &units.units[root];
        let target = &graph.package(u.node).targets[u.target];
        let root_lto = match &units.profiles[u.profile as usize].lto {
            profiles::Lto::Bool(false) => Lto::OnlyObject,
            profiles::Lto::Off => Lto::Off,
            _ => {
                let types: Vec<&str> = target.crate_types.iter().map(String::as_str).collect();
                if target.for_host() {
                    Lto::OnlyObject
                } else if needs_object(&types) {
                    lto_when_needs_object(&types)
                } else {
                    Lto::OnlyBitcode
                }
            }
        };
        calculate(graph, units, &mut map, root, root_lto);
    }
    map.into_iter().map(|l| l.unwrap_or(Lto::OnlyObject)).collect()
}

fn calculate(graph: &Graph, units: &UnitGraph, map: &mut [Option<Lto>], unit: usize, parent_lto: Lto) {
    let u = &units.units[unit];
    let target = &graph.package(u.node).targets[u.target];
    let bin = ["bin"];
    let types: Vec<&str> = match u.mode {
        Mode::Test | Mode::Doctest => bin.to_vec(),
        _ => target.crate_types.iter().map(String::as_str).collect(),
    };
    let lto = if target.for_host() {
        Lto::OnlyObject
    } else if types.iter().all(|t| can_lto(t)) {
        match &units.profiles[u.profile as usize].lto {
            profiles::Lto::Named(s) => Lto::Run(Some(s.clone())),
            profiles::Lto::Off => Lto::Off,
            profiles::Lto::Bool(true) => Lto::Run(None),
            profiles::Lto::Bool(false) => Lto::OnlyObject,
        }
    } else {
        match (&parent_lto, needs_object(&types)) {
            (Lto::Run(_), false) => Lto::OnlyBitcode,
            (Lto::Run(_), true) | (Lto::OnlyBitcode, true) => lto_when_needs_object(&types),
            (Lto::Off, _) => Lto::Off,
            _ => parent_lto,
        }
    };
    let merged = match map[unit].take() {
        None => lto,
        Some(previous) => {
            let result = match (&lto, &previous) {
                (Lto::OnlyBitcode, Lto::OnlyBitcode) => Lto::OnlyBitcode,
                (Lto::OnlyObject, Lto::OnlyObject) => Lto::OnlyObject,
                (Lto::Run(s), _) | (_, Lto::Run(s)) => Lto::Run(s.clone()),
                (Lto::Off, _) | (_, Lto::Off) => Lto::Off,
                (Lto::ObjectAndBitcode, _) | (_, Lto::ObjectAndBitcode) => Lto::ObjectAndBitcode,
                (Lto::OnlyObject, Lto::OnlyBitcode) | (Lto::OnlyBitcode, Lto::OnlyObject) => Lto::ObjectAndBitcode,
            };
            if result == previous {
                map[unit] = Some(previous);
                return;
            }
            result
        }
    };
    map[unit] = Some(merged.clone());
    for d in &units.deps[unit] {
        calculate(graph, units, map, d.unit, merged.clone());
    }
}
