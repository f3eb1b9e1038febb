//! Money as exact fractions of a cent, rounded half-even once at the end (CUSTOMER-SYNC.md §2:
//! "computed in integer cents, rounded half-even once at the end").
//!
//! Intercom's Stripe app sends dollars as JSON floats (`49.99`); they are read from their
//! shortest decimal text, so `49.99` is exactly 4,999 cents and `33.333` exactly 3,333.3 cents,
//! never a binary approximation.

use serde_json::Value;

/// An exact amount in cents: `num / den`, `den > 0`, kept reduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExactCents {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl ExactCents {
    pub const ZERO: Self = Self { num: 0, den: 1 };

    /// A whole number of cents.
    pub fn whole(cents: i64) -> Self {
        Self {
            num: i128::from(cents),
            den: 1,
        }
    }

    /// `num / den` cents; `den` must not be 0.
    pub fn ratio(num: i128, den: i128) -> Self {
        assert!(den != 0, "a zero denominator");
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        let g = gcd(num, den);
        Self {
            num: num / g,
            den: den / g,
        }
    }

    /// `self × num / den`.
    pub fn times(self, num: i128, den: i128) -> Self {
        Self::ratio(self.num * num, self.den * den)
    }

    /// `self + other`, exactly.
    pub fn plus(self, other: Self) -> Self {
        Self::ratio(
            self.num * other.den + other.num * self.den,
            self.den * other.den,
        )
    }

    pub fn is_negative(self) -> bool {
        self.num < 0
    }

    pub fn is_positive(self) -> bool {
        self.num > 0
    }

    /// Rounded half-even to whole cents.
    pub fn round_half_even(self) -> i64 {
        let q = self.num.div_euclid(self.den);
        let r = self.num.rem_euclid(self.den);
        let twice = 2 * r;
        let rounded = match twice.cmp(&self.den) {
            std::cmp::Ordering::Less => q,
            std::cmp::Ordering::Greater => q + 1,
            std::cmp::Ordering::Equal => {
                if q % 2 == 0 {
                    q
                } else {
                    q + 1
                }
            }
        };
        i64::try_from(rounded).unwrap_or(if rounded < 0 { i64::MIN } else { i64::MAX })
    }
}

/// Dollars (major units) given as a JSON number or a numeric string, as exact cents.
///
/// Errors: not a number, not finite, or more than 12 digits before the point.
pub fn dollars(value: &Value) -> Result<ExactCents, String> {
    let text = match value {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        other => return Err(format!("is {}, not a number of dollars", kind(other))),
    };
    let (mantissa, scale) =
        decimal(&text).ok_or_else(|| format!("{text:?} is not a number of dollars"))?;
    // dollars × 100 = cents: mantissa × 100 / 10^scale.
    Ok(ExactCents::ratio(mantissa * 100, 10i128.pow(scale)))
}

/// `digits` as (mantissa, scale): `-12.50` → (-1250, 2), `1e3` → (1000, 0).
fn decimal(text: &str) -> Option<(i128, u32)> {
    let (base, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i32>().ok()?),
        None => (text, 0),
    };
    let (neg, digits) = match base.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, base.strip_prefix('+').unwrap_or(base)),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || int.trim_start_matches('0').len() > 12
        || frac.len() > 12
    {
        return None;
    }
    let mut mantissa: i128 = format!("{int}{frac}").parse().ok()?;
    let mut scale = frac.len() as i32 - exp;
    if !(-6..=18).contains(&scale) {
        return None;
    }
    while scale < 0 {
        mantissa *= 10;
        scale += 1;
    }
    Some((if neg { -mantissa } else { mantissa }, scale as u32))
}

/// Whole cents from a JSON integer (Stripe's amounts), e.g. `4999`; `4999.0` is accepted.
///
/// Errors: a fraction of a cent, text, or anything not a number.
pub fn cents(value: &Value) -> Result<i64, String> {
    match value {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9e15)
                    .map(|f| f as i64)
            })
            .ok_or_else(|| format!("{n} is not a whole number of cents")),
        other => Err(format!("is {}, not a whole number of cents", kind(other))),
    }
}

/// Cents as dollars with two decimals, for messages and alert rows: `-1250` → `-12.50`.
pub fn format_dollars(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// JSON kind names for messages.
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn half_even() {
        for (num, den, want) in [
            (5, 2, 2),
            (7, 2, 4),
            (-5, 2, -2),
            (-7, 2, -4),
            (1, 3, 0),
            (2, 3, 1),
            (-1, 3, 0),
            (4999, 1, 4999),
            (499_900, 12, 41_658), // 41,658.33…
            (125, 10, 12),         // 12.5 → 12
            (135, 10, 14),         // 13.5 → 14
        ] {
            assert_eq!(
                ExactCents::ratio(num, den).round_half_even(),
                want,
                "{num}/{den}"
            );
        }
    }

    #[test]
    fn dollars_are_read_from_their_decimal_text() {
        let c = |v: Value| dollars(&v).unwrap();
        assert_eq!(c(json!(49.99)).round_half_even(), 4999);
        assert_eq!(c(json!(0.1)).plus(c(json!(0.2))), c(json!(0.3)));
        assert_eq!(c(json!(33.333)), ExactCents::ratio(33_333, 10));
        assert_eq!(c(json!(1500)).round_half_even(), 150_000, "no cents guess");
        assert_eq!(c(json!("12.5")).round_half_even(), 1250);
        assert_eq!(c(json!(1e3)).round_half_even(), 100_000);
        assert!(c(json!(-3)).is_negative());
        for bad in [
            json!("abc"),
            json!(true),
            json!(null),
            json!([1]),
            json!("1.2.3"),
        ] {
            assert!(dollars(&bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn cents_are_whole() {
        assert_eq!(cents(&json!(4999)), Ok(4999));
        assert_eq!(cents(&json!(4999.0)), Ok(4999));
        assert!(cents(&json!(49.99)).is_err());
        assert!(cents(&json!("4999")).is_err());
    }

    #[test]
    fn formats() {
        assert_eq!(format_dollars(61_250), "612.50");
        assert_eq!(format_dollars(-5), "-0.05");
        assert_eq!(format_dollars(0), "0.00");
    }

    proptest! {
        /// Rounding an exact whole number changes nothing; rounding stays within half a cent.
        #[test]
        fn rounding_is_within_half_a_cent(num in -10_000_000i128..10_000_000, den in 1i128..10_000) {
            let r = ExactCents::ratio(num, den).round_half_even() as i128;
            prop_assert!((r * den - num).abs() * 2 <= den);
            prop_assert_eq!(ExactCents::whole(num as i64).round_half_even() as i128, num);
        }

        /// Any two-decimal dollar figure reads as its exact cents.
        #[test]
        fn two_decimal_dollars(cents_in in 0i64..100_000_000) {
            let text = format_dollars(cents_in);
            let v: Value = serde_json::from_str(&text).unwrap();
            prop_assert_eq!(dollars(&v).unwrap(), ExactCents::whole(cents_in));
        }
    }
}
