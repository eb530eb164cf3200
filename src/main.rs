//! The `crateplan` command line.

// mimalloc instead of the system allocator: a plan makes many small allocations, which mimalloc
// serves faster than glibc's malloc does (BENCHMARKS.md, "Generator").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crateplan::generate::{self, Options, PackageSelection};
use crateplan::explain;
use crateplan::output::{check, diff, write};
use crateplan::resolve::units::Intent;
use crateplan::{Error, Result};

/// Build plans for Nix from Cargo.lock and Cargo.toml files: no network, no cargo.
#[derive(Parser)]
#[command(name = "crateplan", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write the build plan (or cargo's unit graph) of a workspace.
    Generate(GenerateArgs),
    /// Check that a committed plan matches Cargo.lock and the manifests (exit 1 if stale).
    Check(CheckArgs),
    /// Why a package (or, with --feature, one of its features) is built for one target.
    Explain(ExplainArgs),
    /// What changes in the build between two plans (exit 0 either way).
    Diff(DiffArgs),
}

/// `explain` takes generate's flags (one --target); `--format` is `text` or `json` here.
#[derive(Args)]
struct ExplainArgs {
    /// The package, as `-p` takes it: `name`, `name@version`.
    spec: String,
    /// Explain this feature of the package instead.
    #[arg(long, value_name = "FEATURE")]
    feature: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    generate: GenerateArgs,
}

/// `diff OLD NEW` compares two plans; `diff --old-lockfile FILE [generate's flags]` plans the
/// workspace twice, with FILE and with its Cargo.lock, and compares those plans.
#[derive(Args)]
struct DiffArgs {
    /// The plan before the change.
    #[arg(required_unless_present = "old_lockfile", conflicts_with = "old_lockfile", requires = "new")]
    old: Option<PathBuf>,
    /// The plan after the change.
    new: Option<PathBuf>,
    /// Compare the workspace planned with this lockfile (e.g. `git show HEAD~1:Cargo.lock >
    /// old.lock`) to it planned with its own Cargo.lock, instead of two plan files.
    #[arg(long, value_name = "FILE", requires = "targets")]
    old_lockfile: Option<PathBuf>,
    #[command(flatten)]
    workspace: WorkspaceArgs,
    /// `text` or `json`.
    #[arg(long, value_enum, default_value = "text")]
    format: DiffFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    Text,
    Json,
}

#[derive(Args)]
struct CheckArgs {
    /// The workspace's Cargo.toml.
    #[arg(long, default_value = "Cargo.toml", value_name = "PATH")]
    manifest_path: PathBuf,
    /// The plan to check, relative to the workspace root unless absolute.
    #[arg(long, default_value = "Cargo.plan.json", value_name = "FILE")]
    plan: PathBuf,
}

#[derive(Clone, Copy, PartialEq, ValueEnum)]
enum Format {
    /// The plan the Nix side reads (docs/plan-schema.md).
    Plan,
    /// Cargo's `--unit-graph` JSON, for one target.
    UnitGraph,
}

/// How `generate` writes: the workspace flags, then the output's.
#[derive(Args, Clone)]
#[command(mut_arg("targets", |a| a.required(true)))]
struct GenerateArgs {
    #[command(flatten)]
    workspace: WorkspaceArgs,
    /// With --format unit-graph: the units of `cargo test --no-run` instead of `cargo build`.
    #[arg(long)]
    tests: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "plan")]
    format: Format,
    /// Write to FILE instead of standard output (written whole, or not at all).
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

/// The workspace, selection, targets and profile to plan (`generate`, `explain`, `diff`).
#[derive(Args, Clone)]
struct WorkspaceArgs {
    /// The workspace's (or a member's) Cargo.toml.
    #[arg(long, default_value = "Cargo.toml", value_name = "PATH")]
    manifest_path: PathBuf,
    /// A target triple to plan for (repeatable).
    #[arg(long = "target", value_name = "TRIPLE")]
    targets: Vec<String>,
    /// The build machine's triple (default: the one crateplan runs on).
    #[arg(long, value_name = "TRIPLE")]
    host: Option<String>,
    /// Features to activate (comma- or space-separated; repeatable).
    #[arg(short = 'F', long, value_name = "FEATURES")]
    features: Vec<String>,
    /// Activate all features of the selected packages.
    #[arg(long)]
    all_features: bool,
    /// Do not activate the `default` feature.
    #[arg(long)]
    no_default_features: bool,
    /// Plan only these members (repeatable).
    #[arg(short = 'p', long = "package", value_name = "MEMBER", conflicts_with = "workspace")]
    packages: Vec<String>,
    /// Plan all members.
    #[arg(long)]
    workspace: bool,
    /// With --workspace: leave out these members (names or globs; repeatable).
    #[arg(long, value_name = "SPEC", requires = "workspace")]
    exclude: Vec<String>,
    /// Plan with the `release` profile, as `cargo build --release` (same as `--profile release`).
    #[arg(long, conflicts_with = "profile")]
    release: bool,
    /// Plan with this cargo profile, as `cargo build --profile NAME` (default: `dev`, and `test`
    /// for the units of `cargo test`).
    #[arg(long, value_name = "NAME")]
    profile: Option<String>,
    /// Directories holding dependency sources: `cargo vendor` output, `.crate` files, git
    /// checkouts named by revision, or a CARGO_HOME (default: $CARGO_HOME's caches).
    #[arg(long = "sources", value_name = "DIR")]
    sources: Vec<PathBuf>,
    /// A JSON array of the path packages' file names (relative to the workspace root, `../`
    /// first outside it), used for target discovery instead of the disk.
    #[arg(long, value_name = "FILE")]
    file_list: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate(args) => run_generate(args),
        Command::Check(args) => run_check(args),
        Command::Explain(args) => run_explain(args),
        Command::Diff(args) => run_diff(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}

impl WorkspaceArgs {
    /// The options `generate`, `explain` and `diff` load the workspace with.
    fn options(&self) -> Options {
        let args = self.clone();
        Options {
            manifest_path: args.manifest_path,
            targets: args.targets,
            host: args.host,
            features: args.features,
            all_features: args.all_features,
            no_default_features: args.no_default_features,
            packages: if args.workspace {
                PackageSelection::Workspace { exclude: args.exclude }
            } else if args.packages.is_empty() {
                PackageSelection::Default
            } else {
                PackageSelection::Packages(args.packages)
            },
            sources: args.sources,
            file_list: args.file_list,
            profile: if args.release { Some("release".to_string()) } else { args.profile },
            lockfile: None,
        }
    }
}

fn run_generate(args: GenerateArgs) -> Result<()> {
    let opts = args.workspace.options();
    let loaded = generate::load(&opts)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    // The process ends after writing: freeing the data piece by piece would only cost time (a few
    // ms for a large workspace), so none of it is dropped.
    let loaded = std::mem::ManuallyDrop::new(loaded);
    match args.format {
        Format::Plan => {
            let plan = std::mem::ManuallyDrop::new(loaded.plan(&opts)?);
            write::write_output(args.output.as_deref(), |w| plan.write_to(w))
        }
        Format::UnitGraph => {
            let [triple] = opts.targets.as_slice() else {
                return Err(Error::new("--format unit-graph describes one target: pass exactly one --target"));
            };
            let graph = loaded.unit_graph(triple, if args.tests { Intent::Test } else { Intent::Build })?;
            write::write_output(args.output.as_deref(), |w| w.write_all(&graph))
        }
    }
}

fn run_check(args: CheckArgs) -> Result<()> {
    let plan_path = check::check(&args.manifest_path, &args.plan)?;
    println!("{}: up to date", plan_path.display());
    Ok(())
}

fn run_explain(args: ExplainArgs) -> Result<()> {
    let opts = args.generate.workspace.options();
    let [triple] = opts.targets.as_slice() else {
        return Err(Error::new("explain describes one target: pass exactly one --target"));
    };
    if args.generate.format != Format::Plan {
        return Err(Error::new("explain writes text, or JSON with --json; drop --format"));
    }
    let loaded = generate::load(&opts)?;
    let intent = if args.generate.tests { Intent::Test } else { Intent::Build };
    let q = explain::Question { spec: &args.spec, feature: args.feature.as_deref(), triple, intent };
    let answer = explain::explain(&loaded, &q)?;
    let text = if args.json { format!("{answer:#}\n") } else { explain::to_text(&answer) };
    write::write_output(args.generate.output.as_deref(), |w| w.write_all(text.as_bytes()))
}

fn run_diff(args: DiffArgs) -> Result<()> {
    let (old, new) = match (&args.old, &args.new, &args.old_lockfile) {
        (Some(old), Some(new), None) => (diff::read_plan(old)?, diff::read_plan(new)?),
        (None, None, Some(old_lockfile)) => {
            if !old_lockfile.exists() {
                let file = old_lockfile.display();
                return Err(Error::new(format!("{file}: no such lockfile; write one with `git show REV:Cargo.lock > {file}`")));
            }
            let new = args.workspace.options();
            let old = Options { lockfile: Some(old_lockfile.clone()), ..new.clone() };
            (plan_value(&old)?, plan_value(&new)?)
        }
        _ => return Err(Error::new("diff compares two plans, or --old-lockfile FILE with the workspace's Cargo.lock: pass one of them")),
    };
    let d = diff::diff(&old, &new);
    let text = match args.format {
        DiffFormat::Json => format!("{d:#}\n"),
        DiffFormat::Text => diff::to_text(&d),
    };
    write::write_output(None, |w| w.write_all(text.as_bytes()))
}

/// The plan `generate` writes for `opts`, as the JSON `diff` reads.
fn plan_value(opts: &Options) -> Result<serde_json::Value> {
    let loaded = generate::load(opts)?;
    serde_json::from_slice(&loaded.plan(opts)?.to_bytes()).map_err(|e| Error::new(format!("the plan is not JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap's own checks of the flags (names, `requires`, `conflicts_with`), which release builds skip.
    #[test]
    fn command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
