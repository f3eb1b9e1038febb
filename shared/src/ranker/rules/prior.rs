//! Last week's rank, parsed from the stored `"X out of N"` (ENGAGEMENT-RANKER.md §7): the
//! movers' baseline. Anything else (missing, `n/a`, `26/150`, `#12`, 0 or X > N) is "new".

use serde::Serialize;

/// A parsed prior rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PriorRank {
    pub rank: usize,
    pub out_of: usize,
}

/// `"26 out of 150"` (case and spacing free) → `26 of 150`; `None` when unparsable.
pub fn parse_prior_rank(raw: Option<&str>) -> Option<PriorRank> {
    let words: Vec<String> = raw?.split_whitespace().map(str::to_lowercase).collect();
    let [rank, out, of, n] = words.as_slice() else {
        return None;
    };
    if out != "out" || of != "of" {
        return None;
    }
    let number = |s: &str| -> Option<usize> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (rank, out_of) = (number(rank)?, number(n)?);
    (rank >= 1 && rank <= out_of).then_some(PriorRank { rank, out_of })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prior_ranks() {
        let p = |rank, out_of| Some(PriorRank { rank, out_of });
        for (raw, want) in [
            (Some("26 out of 150"), p(26, 150)),
            (Some("  1   OUT OF 1 "), p(1, 1)),
            (Some("150 out of 150"), p(150, 150)),
            (Some("151 out of 150"), None),
            (Some("0 out of 150"), None),
            (Some("26/150"), None),
            (Some("#12"), None),
            (Some("n/a"), None),
            (Some(""), None),
            (Some("26 out of"), None),
            (Some("-3 out of 150"), None),
            (Some("2.5 out of 150"), None),
            (Some("twenty out of 150"), None),
            (None, None),
        ] {
            assert_eq!(parse_prior_rank(raw), want, "{raw:?}");
        }
    }
}
