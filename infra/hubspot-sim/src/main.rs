//! `hubspot-sim`: serve a fixture or a generated book's HubSpot portal on 127.0.0.1.
//!
//! The first line on stdout is the base URL; logs go to stderr. Stops on SIGTERM/SIGINT.

use std::collections::BTreeSet;

use anyhow::Context;
use clap::Parser;
use hubspot_sim::{HubSpotFixture, SimConfig};
use sim_kit::{CommonArgs, Source};

#[derive(Debug, Parser)]
#[command(
    name = "hubspot-sim",
    about = "A local server that behaves like HubSpot's CRM APIs as the engagement ranker uses them"
)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// Private-app access token clients must send.
    #[arg(
        long,
        value_name = "T",
        default_value = "sim-token",
        hide_default_value = true
    )]
    token: String,
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sim_kit::init_tracing();
    let args = Args::parse();
    let common = &args.common;
    let mut fixture = match common.source() {
        Source::Fixture(path) => HubSpotFixture::from_file(path)?,
        Source::Book {
            customers,
            seed,
            as_of,
        } => ranker_book::generate(customers, seed, as_of).hubspot,
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
    if let Some(path) = &common.dump {
        fixture.to_file(path)?;
        tracing::info!(path = %path.display(), "portal written");
    }
    let config = SimConfig {
        token: args.token,
        latency: common.latency(),
        error_rate: common.error_rate,
        seed: common.seed.unwrap_or(0),
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
    let sim = hubspot_sim::start(fixture, config, common.port)
        .await
        .context("cannot start the simulator")?;
    let stop = sim_kit::stop_signal()?;
    sim_kit::announce(&sim.base_url)?;
    stop.await;
    tracing::info!("stopping");
    sim.shutdown().await;
    Ok(())
}
