//! The `session-sync` function: wiring only; the logic is `shared::handlers::session_sync`.

use std::process::ExitCode;

use shared::handlers::session_sync;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    shared::runtime::run(|event| session_sync::handle(ctx, event)).await
}
