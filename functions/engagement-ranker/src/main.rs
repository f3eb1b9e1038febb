//! The `engagement-ranker` function (ENGAGEMENT-RANKER.md): wiring only; the logic is
//! `shared::ranker`. Weekly on Sunday 06:00 New York; locally `engagement-ranker --event FILE|-`.

use std::process::ExitCode;

use shared::ranker::handlers::{handle, RankerContext};

#[tokio::main]
async fn main() -> ExitCode {
    shared::runtime::init_logging();
    let sdk = shared::aws_sdk_config().await;
    let ctx = match RankerContext::from_env(&sdk) {
        Ok(ctx) => ctx,
        Err(error) => {
            tracing::error!(%error, "engagement-ranker cannot start");
            return ExitCode::FAILURE;
        }
    };
    shared::runtime::run(|event| handle(&ctx, event)).await
}
