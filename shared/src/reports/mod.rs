//! The four coaching reports of RULES.md §9, pure over sessions, contacts and admins.

pub mod billing;
pub mod caseload;
pub mod csv_rows;
pub mod model;
pub mod new_participants;
pub mod sessions;

#[cfg(test)]
pub(crate) mod testing;

/// A report row that also has a flat CSV form (RFC 4180 cells; arrays joined with "; ").
pub trait TabularRow: serde::Serialize {
    /// The CSV header, in column order.
    const CSV_HEADER: &'static [&'static str];
    /// The row's cells, one per header column, unescaped (the writer quotes and neutralises).
    fn csv_record(&self) -> Vec<String>;
}
