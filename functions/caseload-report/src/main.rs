//! The `caseload-report` function behind API Gateway: wiring only; the logic is
//! `shared::handlers::reports`.

use std::process::ExitCode;

use shared::api::routes::Route;
use shared::handlers::reports;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    let deadline = reports::deadline_from_env();
    shared::runtime::run_http(move |request| {
        reports::handle(ctx, Route::Caseload, deadline, request)
    })
    .await
}
