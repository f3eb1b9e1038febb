//! The `report-authorizer` function: the report HTTP API's Lambda authorizer (payload format
//! 2.0, simple responses). Wiring only; the logic is `shared::auth`.

use std::process::ExitCode;

use shared::auth::authorizer;
use shared::auth::ApiKeySource;

#[tokio::main]
async fn main() -> ExitCode {
    shared::runtime::init_logging();
    let sdk = shared::aws_sdk_config().await;
    let keys = match ApiKeySource::from_env(&sdk) {
        Ok(keys) => keys,
        Err(error) => {
            tracing::error!(%error, "cannot start: configuration");
            return ExitCode::FAILURE;
        }
    };
    shared::runtime::run(|event| authorizer::handle(&keys, event)).await
}
