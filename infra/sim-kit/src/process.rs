//! What a simulator binary does around serving: logs on stderr, the base URL as the first
//! line on stdout, and a clean stop on SIGTERM or SIGINT.

use std::io::Write;

/// Logs to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
}

/// Prints the base URL as a line on stdout and flushes it, so a parent process can read it.
pub fn announce(base_url: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout();
    writeln!(stdout, "{base_url}")?;
    stdout.flush()
}

/// Installs SIGTERM and SIGINT handlers now and returns what resolves on either. Install it
/// before [`announce`]: a parent that stops the simulator as soon as it has read the URL
/// must not find the default handler (which kills the process with no exit code).
pub fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}
