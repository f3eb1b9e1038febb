//! The jobs of RULES.md §5–8: event parsing, pure plans, summaries.
