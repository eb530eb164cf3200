use std::collections::BTreeMap;
use std::io::{Read, Write};

use base64::Engine;
use clap::Parser;
use itertools::Itertools;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use sha2::Digest;

/// Prints facts computed with many crates.
#[derive(Parser, Debug)]
#[command(name = "many-crates", version)]
struct Args {
    /// Who to greet.
    #[arg(long, default_value = "world")]
    name: String,
    /// How many numbers to draw.
    #[arg(short, long, default_value_t = 5)]
    count: usize,
}

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Config {
    name: String,
    tags: Vec<String>,
    limits: BTreeMap<String, u32>,
}

#[derive(thiserror::Error, Debug)]
enum AppError {
    #[error("bad version: {0}")]
    Version(#[from] semver::Error),
}

fn parse_version(text: &str) -> Result<semver::Version, AppError> {
    Ok(semver::Version::parse(text)?)
}

async fn sum_in_tasks(n: u64) -> u64 {
    let (tx, mut rx) = tokio::sync::mpsc::channel(16);
    for i in 0..n {
        let tx = tx.clone();
        tokio::spawn(async move { tx.send(i * i).await.unwrap() });
    }
    drop(tx);
    let mut total = 0;
    while let Some(v) = rx.recv().await {
        total += v;
    }
    total
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse_from(["many-crates", "--name", "nix", "-c", "4"]);
    println!("hello, {} ({} numbers)", args.name, args.count);

    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let numbers: Vec<u32> = (0..args.count).map(|_| rng.gen_range(0..100)).collect();
    println!("numbers: {}", numbers.iter().sorted().join(", "));

    let re = regex::Regex::new(r"(?P<k>\w+)=(?P<v>\d+)")?;
    let pairs: Vec<String> = re.captures_iter("a=1 b=22 c=333").map(|c| format!("{}:{}", &c["k"], &c["v"])).collect();
    println!("regex: {}", pairs.join(" "));

    let config: Config = toml::from_str("name = \"demo\"\ntags = [\"x\", \"y\"]\n[limits]\ncpu = 2\nmem = 24\n")?;
    println!("toml -> json: {}", serde_json::to_string(&config)?);

    let digest = sha2::Sha256::digest(b"crateplan");
    println!("sha256: {}", hex::encode(digest));
    println!("base64: {}", base64::engine::general_purpose::STANDARD.encode(b"one derivation per crate"));

    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(&b"abc".repeat(100))?;
    let compressed = encoder.finish()?;
    let mut decoded = String::new();
    flate2::read::GzDecoder::new(&compressed[..]).read_to_string(&mut decoded)?;
    println!("gzip roundtrip: {} bytes back", decoded.len());

    let url = url::Url::parse("https://example.org/a/b?x=1#frag")?.join("../c")?;
    println!("url: {url} host={:?}", url.host_str());

    let id = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_DNS, b"crateplan.example");
    println!("uuid v5: {id}");

    let date = chrono::NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    println!("date: {} is a {:?}", date, chrono::Datelike::weekday(&date));

    let mut map = indexmap::IndexMap::new();
    map.insert("z", 1);
    map.insert("a", 2);
    println!("indexmap keeps order: {:?}", map.keys().collect::<Vec<_>>());

    println!("semver: {}", parse_version("1.2.3-alpha")?);
    println!("semver error: {}", parse_version("nope").unwrap_err());

    let total = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?
        .block_on(sum_in_tasks(10));
    println!("tokio sum of squares: {total}");

    let joined = futures::executor::block_on(async { futures::join!(async { 1 }, async { 2 }) });
    println!("futures join: {joined:?}");
    log::info!("not printed: no logger");
    Ok(())
}
