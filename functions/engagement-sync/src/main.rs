//! The `engagement-sync` function: wiring only; the logic is `shared::coaching::handlers::engagement_sync`.

use std::process::ExitCode;

use shared::coaching::handlers::engagement_sync;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::coaching::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    shared::runtime::run(|event| engagement_sync::handle(ctx, event)).await
}
