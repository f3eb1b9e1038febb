//! `yobi-sim`: serve a fixture or a generated book's Yobi account on 127.0.0.1.
//!
//! The first line on stdout is the base URL; logs go to stderr. Stops on SIGTERM/SIGINT.

use std::collections::BTreeSet;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Parser;
use sim_kit::{CommonArgs, Source};
use yobi_sim::{Endpoint, FieldNames, Metric, SimConfig, YobiFixture, YobiUser};

#[derive(Debug, Parser)]
#[command(
    name = "yobi-sim",
    about = "A local server that behaves like Yobi's admin API as the engagement ranker uses it"
)]
struct Args {
    #[command(flatten)]
    common: CommonArgs,
    /// The New York date rolling periods end on (default: --as-of when generating, else today).
    #[arg(long, value_name = "DATE")]
    today: Option<NaiveDate>,
    /// A bearer token accepted without login that never expires (for trying it with curl).
    #[arg(long, value_name = "T")]
    token: Option<String>,
    /// Another admin login, EMAIL:PASSWORD (repeatable).
    #[arg(long, value_name = "EMAIL:PASSWORD")]
    user: Vec<String>,
    /// Seconds a login token stays valid (fractions allowed).
    #[arg(long, value_name = "SECONDS", default_value_t = 3600.0)]
    token_lifetime: f64,
    /// All field names of one API version: primary (tenant_id, tenant_name, results.results,
    /// appointment_count, new_patients) or alternate (id, name, results.tenants,
    /// total_appointments, new_patient_appointments); the flags below override single names.
    #[arg(long, value_name = "SET", default_value = "primary", value_parser = ["primary", "alternate"])]
    field_names: String,
    #[arg(long, value_name = "NAME", value_parser = ["tenant_id", "id"])]
    tenant_id_field: Option<String>,
    #[arg(long, value_name = "NAME", value_parser = ["tenant_name", "name"])]
    tenant_name_field: Option<String>,
    /// The key of the list inside `results`.
    #[arg(long, value_name = "NAME", value_parser = ["results", "tenants"])]
    list_key: Option<String>,
    #[arg(long, value_name = "NAME", value_parser = ["appointment_count", "total_appointments"])]
    appointments_field: Option<String>,
    #[arg(long, value_name = "NAME", value_parser = ["new_patients", "new_patient_appointments"])]
    new_patients_field: Option<String>,
    /// Endpoints that give only rolling totals, no daily buckets (appointments, calls, tasks, or all).
    #[arg(long, value_name = "ENDPOINTS", value_delimiter = ',')]
    rolling_totals_only: Vec<String>,
    /// Leave a count out of its endpoint (new_patients, appointments, tasks, calls; repeatable).
    #[arg(long, value_name = "FIELD")]
    omit_field: Vec<Metric>,
    /// Answer 404 for an endpoint (appointments, calls, tasks; repeatable).
    #[arg(long, value_name = "ENDPOINT")]
    omit_endpoint: Vec<Endpoint>,
    /// Serve no by-user breakdown of calls and tasks.
    #[arg(long)]
    no_user_breakdown: bool,
    /// Requests allowed per rolling second (default: unlimited).
    #[arg(long, value_name = "N")]
    rate_limit: Option<u32>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sim_kit::init_tracing();
    let args = Args::parse();
    let common = &args.common;
    anyhow::ensure!(
        args.token_lifetime.is_finite() && args.token_lifetime > 0.0,
        "--token-lifetime must be a positive number of seconds"
    );
    let (mut fixture, generated_as_of) = match common.source() {
        Source::Fixture(path) => (YobiFixture::from_file(path)?, None),
        Source::Book {
            customers,
            seed,
            as_of,
        } => (
            ranker_book::generate(customers, seed, as_of).yobi,
            Some(as_of),
        ),
    };
    for user in &args.user {
        let (email, password) = user
            .split_once(':')
            .context("--user takes EMAIL:PASSWORD")?;
        fixture.users.push(YobiUser {
            email: email.to_owned(),
            password: password.to_owned(),
        });
    }
    tracing::info!(
        tenants = fixture.tenants.len(),
        buckets = fixture.daily.len(),
        users = fixture.users.len(),
        "account ready"
    );
    if let Some(path) = &common.dump {
        fixture.to_file(path)?;
        tracing::info!(path = %path.display(), "account written");
    }
    let config = SimConfig {
        token_lifetime: Duration::from_secs_f64(args.token_lifetime),
        static_token: args.token.clone(),
        today: args.today.or(generated_as_of),
        fields: field_names(&args),
        rolling_only: rolling_only(&args.rolling_totals_only)?,
        omit: args.omit_field.iter().copied().collect(),
        disabled: args.omit_endpoint.iter().copied().collect(),
        no_user_breakdown: args.no_user_breakdown,
        latency: common.latency(),
        requests_per_second: args.rate_limit,
        error_rate: common.error_rate,
        seed: common.seed.unwrap_or(0),
    };
    let sim = yobi_sim::start(fixture, config, common.port)
        .await
        .context("cannot start the simulator")?;
    let stop = sim_kit::stop_signal()?;
    sim_kit::announce(&sim.base_url)?;
    stop.await;
    tracing::info!("stopping");
    sim.shutdown().await;
    Ok(())
}

fn field_names(args: &Args) -> FieldNames {
    let mut f = if args.field_names == "alternate" {
        FieldNames::alternate()
    } else {
        FieldNames::primary()
    };
    let set = |slot: &mut String, v: &Option<String>| {
        if let Some(v) = v {
            slot.clone_from(v);
        }
    };
    set(&mut f.tenant_id, &args.tenant_id_field);
    set(&mut f.tenant_name, &args.tenant_name_field);
    set(&mut f.list, &args.list_key);
    set(&mut f.appointments, &args.appointments_field);
    set(&mut f.new_patients, &args.new_patients_field);
    f
}

fn rolling_only(names: &[String]) -> anyhow::Result<BTreeSet<Endpoint>> {
    if names.iter().any(|n| n == "all") {
        return Ok(Endpoint::ALL.into_iter().collect());
    }
    names
        .iter()
        .map(|n| n.parse::<Endpoint>().map_err(anyhow::Error::msg))
        .collect()
}
