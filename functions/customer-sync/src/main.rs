//! The `customer-sync` function: wiring only; the logic is `shared::customer::handlers::sync`.

fn main() {}
