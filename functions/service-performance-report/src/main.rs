//! The `service-performance-report` function behind API Gateway, serving the seven
//! `/API/service/...` routes: wiring only; the logic is `shared::service::handlers::report`.

use std::process::ExitCode;

use shared::service::handlers::report;

#[tokio::main]
async fn main() -> ExitCode {
    // The reports read only Postgres: no Intercom token, so no access to its secret.
    let Some((_, ctx)) = shared::service::handlers::start_without_intercom().await else {
        return ExitCode::FAILURE;
    };
    let deadline = shared::api::deadline_from_env();
    shared::runtime::run_http(move |request| report::handle(ctx, deadline, request)).await
}
