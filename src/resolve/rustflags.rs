//! The extra rustc arguments of `.cargo/config.toml` for one target, as cargo picks them with
//! `--target` given: `[target.<triple>] rustflags` and every matching
//! `[target.'cfg(…)'] rustflags` together, else `[build] rustflags`. The `--cfg` among them count
//! in cfg evaluation — of `[target.'cfg(…)']` dependencies and of the config's own
//! `[target.'cfg(…)']` keys, until that gives the same flags again. Host units get none.
//! (cargo's `RUSTFLAGS` and `CARGO_ENCODED_RUSTFLAGS` environment variables are not read: a
//! plan is made from the workspace alone.)

use crate::load::config::Config;
use crate::manifest::platform::Platform;
use crate::resolve::platform::TargetInfo;

/// The rustflags of the target units of `target`, and the target's facts with their `--cfg`
/// added.
pub fn for_target(config: &Config, target: &TargetInfo) -> (Vec<String>, TargetInfo) {
    if config.build_rustflags.is_none() && config.target_rustflags.is_empty() {
        return (Vec::new(), target.clone());
    }
    // First without cfg keys (cargo asks rustc for the cfg with these flags), then with the cfg
    // that gives, until the flags stay the same (cargo stops after a few rounds, too).
    let mut flags = pick(config, target, None);
    let mut info = target.with_cfgs(&flags);
    for _ in 0..3 {
        let next = pick(config, target, Some(&info));
        if next == flags {
            break;
        }
        flags = next;
        info = target.with_cfgs(&flags);
    }
    (flags, info)
}

fn pick(config: &Config, target: &TargetInfo, cfg: Option<&TargetInfo>) -> Vec<String> {
    let mut flags = Vec::new();
    if let Some(f) = config.target_rustflags.get(target.triple.as_str()) {
        flags.extend(f.iter().cloned());
    }
    if let Some(info) = cfg {
        for (key, f) in &config.target_rustflags {
            if key.starts_with("cfg(") && Platform::parse(key).is_ok_and(|p| info.matches(&p)) {
                flags.extend(f.iter().cloned());
            }
        }
    }
    if flags.is_empty() {
        flags = config.build_rustflags.clone().unwrap_or_default();
    }
    flags
}

/// The `--cfg` values among rustc arguments (`--cfg X` and `--cfg=X`).
pub(crate) fn cfgs(flags: &[String]) -> Vec<&str> {
    let mut out = Vec::new();
    let mut it = flags.iter();
    while let Some(f) = it.next() {
        if f == "--cfg" {
            if let Some(v) = it.next() {
                out.push(v.as_str());
            }
        } else if let Some(v) = f.strip_prefix("--cfg=") {
            out.push(v);
        }
    }
    out
}
