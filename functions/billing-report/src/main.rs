//! The `billing-report` function behind API Gateway: wiring only; the logic is
//! `shared::handlers::reports`.

use std::process::ExitCode;

use shared::api::routes::Route;
use shared::handlers::{reports, AppContext};

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
    // Built once per execution environment and kept for its whole life.
    let ctx: &'static AppContext = Box::leak(Box::new(ctx));
    let deadline = reports::deadline_from_env();
    shared::runtime::run_http(move |request| {
        reports::handle(ctx, Route::Billing, deadline, request)
    })
    .await
}
