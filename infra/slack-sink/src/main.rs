//! `slack-sink`: a local Slack incoming-webhook receiver on 127.0.0.1.
//!
//! The first line on stdout is the base URL; post to `<base>/services/...` (any path). Logs go
//! to stderr. Stops on SIGTERM/SIGINT.

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use slack_sink::SinkConfig;

#[derive(Debug, Parser)]
#[command(
    name = "slack-sink",
    about = "A local Slack incoming-webhook receiver that records messages"
)]
struct Args {
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Retry-After of the 429 answers, in seconds.
    #[arg(long, value_name = "S", default_value_t = 1)]
    retry_after: u64,
    /// Delay before each webhook answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    latency_ms: u64,
    /// The next webhook posts answer STATUS (400..=599), TIMES of them (default 1); repeatable,
    /// in order: `--fail 429 --fail 500:2`.
    #[arg(long, value_name = "STATUS[:TIMES]", value_parser = parse_fail)]
    fail: Vec<(u16, usize)>,
}

fn parse_fail(raw: &str) -> Result<(u16, usize), String> {
    let (status, times) = raw.split_once(':').unwrap_or((raw, "1"));
    let status: u16 = status
        .parse()
        .map_err(|_| format!("{status:?} is not a status"))?;
    if !(400..=599).contains(&status) {
        return Err(format!("{status} is not an error status (400..=599)"));
    }
    let times = times
        .parse()
        .map_err(|_| format!("{times:?} is not a count"))?;
    Ok((status, times))
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
    let config = SinkConfig {
        retry_after_seconds: args.retry_after,
        latency: Duration::from_millis(args.latency_ms),
        fail_next: args
            .fail
            .iter()
            .flat_map(|&(status, times)| std::iter::repeat_n(status, times))
            .collect(),
    };
    let sink = slack_sink::start(config, args.port)
        .await
        .context("cannot bind the sink's port")?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{}", sink.base_url)?;
    stdout.flush()?;
    wait_for_stop_signal().await?;
    tracing::info!("stopping");
    sink.shutdown().await;
    Ok(())
}

async fn wait_for_stop_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        _ = term.recv() => {}
        r = tokio::signal::ctrl_c() => r?,
    }
    Ok(())
}
