//! The command line every simulator binary shares (ENGAGEMENT-RANKER.md §9):
//! `(--fixture FILE | --generate N --seed S [--as-of DATE]) [--port N] [--latency-ms MS]
//! [--error-rate P] [--dump FILE]`.

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;

/// Flags every simulator binary takes; `#[command(flatten)]` them into its own.
#[derive(Debug, Clone, clap::Args)]
pub struct CommonArgs {
    /// Serve this fixture file.
    #[arg(long, value_name = "FILE", required_unless_present = "generate")]
    pub fixture: Option<PathBuf>,
    /// Generate a book with this many paying customers (ranker-book) and serve this
    /// simulator's side of it.
    #[arg(
        long,
        visible_alias = "generate-book",
        value_name = "N",
        requires = "seed",
        conflicts_with = "fixture"
    )]
    pub generate: Option<usize>,
    /// Seed of the generated book (and of injected errors).
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,
    /// Day the generated book ends (YYYY-MM-DD, America/New_York; default today).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<NaiveDate>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Delay before each answer, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests answered with an injected 5xx (0..1).
    #[arg(long, value_name = "P", default_value_t = 0.0, value_parser = share)]
    pub error_rate: f64,
    /// Also write the served fixture to this file.
    #[arg(long, value_name = "FILE")]
    pub dump: Option<PathBuf>,
}

/// What to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Fixture(PathBuf),
    Book {
        customers: usize,
        seed: u64,
        as_of: NaiveDate,
    },
}

impl CommonArgs {
    pub fn source(&self) -> Source {
        match (&self.fixture, self.generate) {
            (Some(path), _) => Source::Fixture(path.clone()),
            (None, customers) => Source::Book {
                customers: customers.unwrap_or(0),
                seed: self.seed.unwrap_or(0),
                as_of: self.as_of.unwrap_or_else(today_in_new_york),
            },
        }
    }

    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms)
    }
}

/// Today's date in New York.
pub fn today_in_new_york() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::America::New_York)
        .date_naive()
}

fn share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("{s} is not a share between 0 and 1")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        common: CommonArgs,
    }

    fn parse(args: &[&str]) -> Result<CommonArgs, clap::Error> {
        Cli::try_parse_from(std::iter::once("sim").chain(args.iter().copied())).map(|c| c.common)
    }

    #[test]
    fn a_fixture_or_a_seeded_book() {
        let f = parse(&["--fixture", "f.json"]).unwrap();
        assert_eq!(f.source(), Source::Fixture("f.json".into()));
        let b = parse(&[
            "--generate-book",
            "200",
            "--seed",
            "3",
            "--as-of",
            "2025-03-30",
            "--port",
            "0",
            "--latency-ms",
            "5",
            "--error-rate",
            "0.1",
            "--dump",
            "d.json",
        ])
        .unwrap();
        assert_eq!(
            (b.port, b.latency(), b.error_rate),
            (0, Duration::from_millis(5), 0.1)
        );
        let as_of = NaiveDate::from_ymd_opt(2025, 3, 30).unwrap();
        assert_eq!(
            b.source(),
            Source::Book {
                customers: 200,
                seed: 3,
                as_of
            }
        );
        for bad in [
            &[][..],
            &["--generate", "10"],
            &["--fixture", "f.json", "--generate", "10", "--seed", "1"],
            &["--fixture", "f.json", "--error-rate", "1.5"],
            &["--seed", "1"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
