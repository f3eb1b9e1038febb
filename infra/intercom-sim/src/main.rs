//! `intercom-sim`: serve a fixture or a generated workspace on 127.0.0.1.
//!
//! The first line on stdout is the base URL; logs go to stderr. Stops on SIGTERM/SIGINT.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{ArgGroup, Parser};
use intercom_sim::{CompactWorkspace, SimConfig, SupportWorkload, Workspace};

/// The simulator builds and drops a JSON value per object it answers; mimalloc keeps that from
/// costing the CPU the job under test (sharing the machine in a benchmark) needs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "intercom-sim",
    about = "A local server that behaves like Intercom's REST API"
)]
#[command(group(
    ArgGroup::new("source")
        .required(true)
        .multiple(true)
        .args(["fixture", "generate", "support_conversations", "customers"])
))]
struct Args {
    /// Serve this fixture (JSON: {"admins","contacts","conversations","data_attributes"}).
    #[arg(long, value_name = "FILE")]
    fixture: Option<PathBuf>,
    /// Generate a coaching workspace with this many members.
    #[arg(long, value_name = "MEMBERS", requires_all = ["seed", "as_of"], conflicts_with = "fixture")]
    generate: Option<usize>,
    /// Generate this many customer-support conversations (alone, or added after the coaching
    /// workspace of --generate; its own random stream, so the coaching data stays the same).
    #[arg(long, value_name = "N", requires_all = ["seed", "as_of"], conflicts_with = "fixture")]
    support_conversations: Option<usize>,
    /// Support conversations start within this many days up to --as-of.
    #[arg(long, value_name = "DAYS", default_value_t = 90, value_parser = clap::value_parser!(u32).range(1..))]
    support_days: u32,
    /// Seed of the generated workspace.
    /// The customer-sync workload: N contacts with Stripe attributes (see `generate_customers`).
    #[arg(long, value_name = "N", requires_all = ["seed", "as_of"], conflicts_with = "fixture")]
    customers: Option<usize>,
    /// Support conversations of the customer-sync workload (default 10 per contact).
    #[arg(long, value_name = "N", requires = "customers")]
    customer_conversations: Option<usize>,
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Day the generated history ends (YYYY-MM-DD, America/New_York).
    #[arg(long, value_name = "DATE")]
    as_of: Option<NaiveDate>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Access token clients must send.
    #[arg(
        long,
        value_name = "T",
        default_value = "sim-token",
        hide_default_value = true
    )]
    token: String,
    /// Workspace time zone (IANA), used by date filters in search.
    #[arg(long, value_name = "TZ", default_value = "America/New_York")]
    workspace_timezone: chrono_tz::Tz,
    /// Delay before each answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// Requests allowed per 10-second window.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    rate_limit: u32,
    /// Share of requests answered with an injected 5xx (0..1).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    error_rate: f64,
    /// Also write the served workspace to this fixture file.
    #[arg(long, value_name = "FILE")]
    dump: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let args = Args::parse();
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.error_rate),
        "--error-rate must be between 0 and 1"
    );
    // Built compactly as it is generated (a 100,000-member workspace never exists as values);
    // the support and customer workloads follow the coaching one as `Workspace::merge` adds
    // them.
    let mut workspace = CompactWorkspace::new();
    match (&args.fixture, args.seed, args.as_of) {
        (Some(path), ..) => workspace.add(Workspace::from_file(path)?),
        (None, Some(seed), Some(as_of)) => {
            if let Some(members) = args.generate {
                workspace.add_generated(members, seed, as_of);
            }
            if let Some(conversations) = args.support_conversations {
                let workload = SupportWorkload {
                    conversations,
                    days: args.support_days,
                };
                workspace.add_support(&workload, seed, as_of);
            }
            if let Some(contacts) = args.customers {
                let workload = intercom_sim::CustomerWorkload {
                    contacts,
                    conversations: args.customer_conversations.unwrap_or(contacts * 10),
                };
                workspace.add_customers(&workload, seed, as_of);
            }
        }
        _ => anyhow::bail!(
            "give --fixture FILE, or --generate MEMBERS, --support-conversations N and/or \
             --customers N with --seed S --as-of DATE"
        ),
    };
    tracing::info!(
        admins = workspace.admin_count(),
        contacts = workspace.contact_count(),
        conversations = workspace.conversation_count(),
        "workspace ready"
    );
    if let Some(path) = &args.dump {
        workspace.to_file(path)?;
        tracing::info!(path = %path.display(), "workspace written");
    }
    let config = SimConfig {
        token: args.token,
        workspace_tz: args.workspace_timezone,
        latency: Duration::from_millis(args.latency_ms),
        rate_limit: args.rate_limit,
        error_rate: args.error_rate,
        seed: args.seed.unwrap_or(0),
        ..SimConfig::default()
    };
    let sim = intercom_sim::start(workspace, config, args.port)
        .await
        .context("cannot bind the simulator's port")?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", sim.base_url)?;
    stdout.flush()?;
    wait_for_stop_signal().await?;
    tracing::info!("stopping");
    // Exit without freeing a large workspace piece by piece: that can take seconds.
    std::mem::forget(sim);
    std::process::exit(0)
}

async fn wait_for_stop_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    Ok(())
}
