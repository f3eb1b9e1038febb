//! The `new-participants-report` function behind API Gateway: wiring only; the logic is
//! `shared::coaching::handlers::reports`.

use std::process::ExitCode;

use shared::coaching::api::routes::Route;
use shared::coaching::handlers::reports;

#[tokio::main]
async fn main() -> ExitCode {
    let Some((_, ctx)) = shared::coaching::handlers::start().await else {
        return ExitCode::FAILURE;
    };
    let deadline = reports::deadline_from_env();
    shared::runtime::run_http(move |request| {
        reports::handle(ctx, Route::NewParticipants, deadline, request)
    })
    .await
}
