//! The `customer-sync` function: wiring only; the logic is `shared::customers::handlers::sync`.

use std::process::ExitCode;

use shared::customers::handlers::sync;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::customers::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    shared::runtime::run(|event| sync::handle(ctx, event)).await
}
