//! Pure business rules of RULES.md.
