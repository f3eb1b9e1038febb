//! Referral → Eligible Programs (RULES.md §7).

use crate::coaching::config::Config;

/// The `Eligible Programs` value for a `Referral` value: exact match on the configured mapping
/// (default `Counter Health` → `Smart Access`); `None` when the referral is not a key.
pub fn eligible_programs<'a>(referral: &str, config: &'a Config) -> Option<&'a str> {
    config.referral_programs.get(referral).map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_match_only() {
        let cfg = Config::default();
        assert_eq!(
            eligible_programs("Counter Health", &cfg),
            Some("Smart Access")
        );
        for other in ["counter health", "Counter Health ", "Counter", "", "Other"] {
            assert_eq!(eligible_programs(other, &cfg), None, "{other:?}");
        }
        let mut cfg = Config::default();
        cfg.referral_programs.insert("Acme".into(), "Plan B".into());
        assert_eq!(eligible_programs("Acme", &cfg), Some("Plan B"));
    }
}
