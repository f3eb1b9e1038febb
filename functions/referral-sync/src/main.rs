//! The `referral-sync` function: wiring only; the logic is `shared::coaching::handlers::referral_sync`.

use std::process::ExitCode;

use shared::coaching::handlers::referral_sync;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::coaching::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    shared::runtime::run(|event| referral_sync::handle(ctx, event)).await
}
