//! The `customer-sync` function: wiring only; the logic is `shared::customer::handlers::sync`.

use std::process::ExitCode;

use shared::customer::handlers::sync;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::customer::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    shared::runtime::run(|event| sync::handle(ctx, event)).await
}
