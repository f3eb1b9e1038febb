//! The `session-sync` function: wiring only; the logic is `shared::handlers::session_sync`.

use std::process::ExitCode;

use shared::handlers::{session_sync, AppContext};

#[tokio::main]
async fn main() -> ExitCode {
    shared::runtime::init_logging();
    let sdk = shared::aws_sdk_config().await;
    let ctx = match AppContext::from_env(&sdk).await {
        Ok(ctx) => ctx,
        Err(error) => {
            tracing::error!(%error, "cannot start: configuration");
            return ExitCode::FAILURE;
        }
    };
    shared::runtime::run(|event| session_sync::handle(&ctx, event)).await
}
