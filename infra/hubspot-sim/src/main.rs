//! `hubspot-sim`: serve a fixture or a generated book's HubSpot portal on 127.0.0.1.
//!
//! The first line on stdout is the base URL; logs go to stderr. Stops on SIGTERM/SIGINT.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{ArgGroup, Parser};
use hubspot_sim::{HubSpotFixture, SimConfig};

#[derive(Debug, Parser)]
#[command(
    name = "hubspot-sim",
    about = "A local server that behaves like HubSpot's CRM APIs as the engagement ranker uses them"
)]
#[command(group(ArgGroup::new("source").required(true).args(["fixture", "generate"])))]
struct Args {
    /// Serve this fixture (JSON: {"contacts","companies","associations","properties"}).
    #[arg(long, value_name = "FILE")]
    fixture: Option<PathBuf>,
    /// Generate a book with this many paying customers (ranker-book) and serve its HubSpot side.
    #[arg(
        long,
        visible_alias = "generate-book",
        value_name = "N",
        requires = "seed"
    )]
    generate: Option<usize>,
    /// Seed of the generated book.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Day the generated book ends (YYYY-MM-DD, America/New_York; default today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Private-app access token clients must send.
    #[arg(
        long,
        value_name = "T",
        default_value = "sim-token",
        hide_default_value = true
    )]
    token: String,
    /// Delay before each answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// Share of requests answered with an injected 5xx (0..1).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    error_rate: f64,
    /// Requests allowed per rolling 10 seconds outside search.
    #[arg(long, value_name = "N", default_value_t = 100)]
    rate_limit: u32,
    /// Search requests allowed per rolling second.
    #[arg(long, value_name = "N", default_value_t = 5)]
    search_rate_limit: u32,
    /// Requests allowed per day (America/New_York).
    #[arg(long, value_name = "N", default_value_t = 250_000)]
    daily_limit: u64,
    /// Company ids whose batch updates fail (comma-separated): a 207 with a per-record error.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    fail_company_updates: Vec<String>,
    /// Fail only the first N update attempts of each of those companies (default: all).
    #[arg(long, value_name = "N")]
    fail_update_attempts: Option<u32>,
    /// Remove this company property definition before serving (repeatable), e.g. to see a
    /// job refuse to write when one of its properties is missing.
    #[arg(long, value_name = "NAME")]
    drop_property: Vec<String>,
    /// Serve associations v4 `toObjectId` as JSON numbers instead of strings.
    #[arg(long)]
    numeric_association_ids: bool,
    /// Also write the served portal to this fixture file.
    #[arg(long, value_name = "FILE")]
    dump: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sim_kit::init_tracing();
    let args = Args::parse();
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.error_rate),
        "--error-rate must be between 0 and 1"
    );
    let mut fixture = match (&args.fixture, args.generate, args.seed) {
        (Some(path), ..) => HubSpotFixture::from_file(path)?,
        (None, Some(customers), Some(seed)) => {
            let as_of = args.as_of.unwrap_or_else(today_in_new_york);
            ranker_book::generate(customers, seed, as_of).hubspot
        }
        _ => anyhow::bail!("give --fixture FILE, or --generate N --seed S [--as-of DATE]"),
    };
    for name in &args.drop_property {
        let before = fixture.properties.len();
        fixture
            .properties
            .retain(|p| p.get("name").and_then(|n| n.as_str()) != Some(name.as_str()));
        anyhow::ensure!(
            fixture.properties.len() < before,
            "--drop-property {name}: no such property"
        );
    }
    tracing::info!(
        contacts = fixture.contacts.len(),
        companies = fixture.companies.len(),
        associations = fixture.associations.len(),
        properties = fixture.properties.len(),
        "portal ready"
    );
    if let Some(path) = &args.dump {
        fixture.to_file(path)?;
        tracing::info!(path = %path.display(), "portal written");
    }
    let config = SimConfig {
        token: args.token,
        latency: Duration::from_millis(args.latency_ms),
        error_rate: args.error_rate,
        seed: args.seed.unwrap_or(0),
        ten_second_limit: args.rate_limit,
        search_per_second: args.search_rate_limit,
        daily_limit: args.daily_limit,
        failing_company_updates: args
            .fail_company_updates
            .into_iter()
            .collect::<BTreeSet<_>>(),
        failing_update_attempts: args.fail_update_attempts,
        numeric_association_ids: args.numeric_association_ids,
        ..SimConfig::default()
    };
    let sim = hubspot_sim::start(fixture, config, args.port)
        .await
        .context("cannot start the simulator")?;
    let stop = sim_kit::stop_signal()?;
    sim_kit::announce(&sim.base_url)?;
    stop.await;
    tracing::info!("stopping");
    sim.shutdown().await;
    Ok(())
}

fn today_in_new_york() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive()
}
