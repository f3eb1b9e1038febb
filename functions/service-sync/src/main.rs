//! The `service-sync` function: wiring only; the logic is `shared::service::handlers::sync`.

use std::process::ExitCode;

use shared::service::handlers::sync;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::service::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    shared::runtime::run(|event| sync::handle(ctx, event)).await
}
