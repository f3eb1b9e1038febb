//! Score, rank and tier (ENGAGEMENT-RANKER.md §5).
//!
//! `score = 4·new_patients + 3·appointments + 2·tasks + 1·calls`. Rank by score descending; ties
//! by new patients, appointments, tasks, calls (each descending), then HubSpot company id
//! ascending as a number; ranks 1..N. `k = ceil(0.3·N)`: ranks 1..k are `Top 30%`, ranks
//! N−k+1..N `Bottom 30%` unless already Top, the rest `Middle 40%`.

use std::cmp::Ordering;

use serde::Serialize;

use super::metrics::WeeklyMetrics;

/// The score's weights: new patients, appointments, tasks, calls.
pub const WEIGHTS: [u64; 4] = [4, 3, 2, 1];

/// A tier, written as its label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Tier {
    #[serde(rename = "Top 30%")]
    Top,
    #[serde(rename = "Middle 40%")]
    Middle,
    #[serde(rename = "Bottom 30%")]
    Bottom,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Top, Tier::Middle, Tier::Bottom];

    /// The label written to HubSpot: `Top 30%`, `Middle 40%`, `Bottom 30%`.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Top => "Top 30%",
            Tier::Middle => "Middle 40%",
            Tier::Bottom => "Bottom 30%",
        }
    }
}

/// The week's score of `m`.
pub fn score(m: &WeeklyMetrics) -> u64 {
    WEIGHTS[0] * m.new_patients
        + WEIGHTS[1] * m.appointments
        + WEIGHTS[2] * m.tasks
        + WEIGHTS[3] * m.calls
}

/// `ceil(0.3·n)`, in integers.
pub fn tier_size(n: usize) -> usize {
    (3 * n).div_ceil(10)
}

/// The tier of `rank` (1-based) among `n`.
pub fn tier(rank: usize, n: usize) -> Tier {
    let k = tier_size(n);
    if rank <= k {
        Tier::Top
    } else if rank + k > n {
        Tier::Bottom
    } else {
        Tier::Middle
    }
}

/// One ranked company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Ranked {
    pub company_id: String,
    pub metrics: WeeklyMetrics,
    pub score: u64,
    /// 1..=N.
    pub rank: usize,
    pub tier: Tier,
}

/// Compares HubSpot ids as numbers (ids of different lengths are not ordered as text);
/// anything not a plain number sorts after the numbers, as text.
pub fn compare_ids(a: &str, b: &str) -> Ordering {
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match (numeric(a), numeric(b)) {
        (true, true) => {
            let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
            a.len().cmp(&b.len()).then_with(|| a.cmp(b))
        }
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

/// Ranks `companies` (company id, the week's metrics) and gives each its tier.
pub fn rank(companies: Vec<(String, WeeklyMetrics)>) -> Vec<Ranked> {
    let mut scored: Vec<(u64, String, WeeklyMetrics)> = companies
        .into_iter()
        .map(|(id, m)| (score(&m), id, m))
        .collect();
    scored.sort_by(|(sa, ia, a), (sb, ib, b)| {
        sb.cmp(sa)
            .then(b.new_patients.cmp(&a.new_patients))
            .then(b.appointments.cmp(&a.appointments))
            .then(b.tasks.cmp(&a.tasks))
            .then(b.calls.cmp(&a.calls))
            .then_with(|| compare_ids(ia, ib))
    });
    let n = scored.len();
    scored
        .into_iter()
        .enumerate()
        .map(|(i, (score, company_id, metrics))| Ranked {
            company_id,
            metrics,
            score,
            rank: i + 1,
            tier: tier(i + 1, n),
        })
        .collect()
}

/// The rank as written to HubSpot: `"26 out of 150"`.
pub fn rank_text(rank: usize, n: usize) -> String {
    format!("{rank} out of {n}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(new_patients: u64, appointments: u64, tasks: u64, calls: u64) -> WeeklyMetrics {
        WeeklyMetrics {
            new_patients,
            appointments,
            tasks,
            calls,
        }
    }

    #[test]
    fn the_score_weighs_four_three_two_one() {
        assert_eq!(score(&m(2, 10, 3, 40)), 8 + 30 + 6 + 40);
        assert_eq!(score(&m(0, 0, 0, 0)), 0);
    }

    /// T, M, B per rank, hand-written from k = ceil(0.3 N).
    #[test]
    fn tiers_for_small_books() {
        for (n, want) in [
            (1, "T"),
            (2, "TB"),
            (3, "TMB"),
            (4, "TTBB"),
            (5, "TTMBB"),
            (6, "TTMMBB"),
            (7, "TTTMBBB"),
            (8, "TTTMMBBB"),
            (9, "TTTMMMBBB"),
            (10, "TTTMMMMBBB"),
            (11, "TTTTMMMBBBB"),
            (12, "TTTTMMMMBBBB"),
        ] {
            let got: String = (1..=n)
                .map(|r| match tier(r, n) {
                    Tier::Top => 'T',
                    Tier::Middle => 'M',
                    Tier::Bottom => 'B',
                })
                .collect();
            assert_eq!(got, want, "N = {n}");
        }
    }

    #[test]
    fn tiers_for_150_and_250() {
        assert_eq!(tier_size(150), 45);
        assert_eq!((tier(45, 150), tier(46, 150)), (Tier::Top, Tier::Middle));
        assert_eq!(
            (tier(105, 150), tier(106, 150)),
            (Tier::Middle, Tier::Bottom)
        );
        assert_eq!(tier_size(250), 75);
        assert_eq!((tier(75, 250), tier(76, 250)), (Tier::Top, Tier::Middle));
        assert_eq!(
            (tier(175, 250), tier(176, 250)),
            (Tier::Middle, Tier::Bottom)
        );
        assert_eq!(tier(250, 250), Tier::Bottom);
    }

    #[test]
    fn ties_break_by_metric_then_numeric_id() {
        let ranked = rank(vec![
            // Score 30 each, decided by new patients, then appointments, then tasks, then calls.
            ("5".into(), m(0, 10, 0, 0)),
            ("4".into(), m(0, 0, 15, 0)),
            ("3".into(), m(0, 0, 0, 30)),
            ("2".into(), m(3, 6, 0, 0)),
            // Identical metrics: the numerically lower id first (text order would say "100" < "99").
            ("100".into(), m(1, 2, 3, 4)),
            ("99".into(), m(1, 2, 3, 4)),
            // The score comes first: more calls than anyone, lower score.
            ("1".into(), m(0, 0, 0, 29)),
        ]);
        let order: Vec<(&str, u64, usize)> = ranked
            .iter()
            .map(|r| (r.company_id.as_str(), r.score, r.rank))
            .collect();
        assert_eq!(
            order,
            [
                ("2", 30, 1),
                ("5", 30, 2),
                ("4", 30, 3),
                ("3", 30, 4),
                ("1", 29, 5),
                ("99", 20, 6),
                ("100", 20, 7)
            ]
        );
        assert_eq!(rank_text(6, 7), "6 out of 7");
    }

    #[test]
    fn ids_compare_as_numbers() {
        assert_eq!(compare_ids("99", "100"), Ordering::Less);
        assert_eq!(compare_ids("0100", "100"), Ordering::Equal);
        assert_eq!(compare_ids("12345678901", "9"), Ordering::Greater);
        assert_eq!(compare_ids("abc", "9"), Ordering::Greater);
    }

    proptest! {
        #[test]
        fn a_rank_never_contradicts_the_score(
            metrics in proptest::collection::vec((0u64..20, 0u64..50, 0u64..20, 0u64..100), 1..60)
        ) {
            let n = metrics.len();
            let ranked = rank(metrics.iter().enumerate()
                .map(|(i, (a, b, c, d))| ((i * 7 + 1).to_string(), m(*a, *b, *c, *d)))
                .collect());
            prop_assert_eq!(ranked.len(), n);
            for (i, r) in ranked.iter().enumerate() {
                prop_assert_eq!(r.rank, i + 1);
                prop_assert_eq!(r.score, score(&r.metrics));
                prop_assert_eq!(r.tier, tier(r.rank, n));
            }
            for w in ranked.windows(2) {
                prop_assert!(w[0].score >= w[1].score, "sorted by score");
                prop_assert!(w[0].tier <= w[1].tier, "tiers descend with rank");
            }
            let tops = ranked.iter().filter(|r| r.tier == Tier::Top).count();
            prop_assert_eq!(tops, tier_size(n));
            let bottoms = ranked.iter().filter(|r| r.tier == Tier::Bottom).count();
            prop_assert_eq!(bottoms, tier_size(n).min(n - tier_size(n)));
        }
    }
}
