//! The `session-sync` function: wiring only; the logic is `shared::coaching::handlers::session_sync`.

use std::process::ExitCode;

use shared::coaching::handlers::session_sync;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::coaching::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    shared::runtime::run(|event| session_sync::handle(ctx, event)).await
}
