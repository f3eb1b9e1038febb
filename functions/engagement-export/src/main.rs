//! The `engagement-export` function: wiring only; the logic is `shared::coaching::handlers::engagement_export`.

use std::process::ExitCode;

use shared::aws::s3::{s3_client, ExportTarget};
use shared::coaching::handlers::engagement_export::{self, ExportDestination};

#[tokio::main]
async fn main() -> ExitCode {
    let Some((sdk, ctx)) = shared::coaching::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    let target = match ExportTarget::from_lookup(|k| std::env::var(k).ok()) {
        Ok(target) => target,
        Err(error) => {
            tracing::error!(%error, "cannot start: configuration");
            return ExitCode::FAILURE;
        }
    };
    let destination = ExportDestination {
        s3: s3_client(&sdk),
        target,
    };
    // Scheduled runs and the on-demand HTTP route arrive here; handle_event tells them apart.
    shared::runtime::run(|event| engagement_export::handle_event(ctx, &destination, event)).await
}
