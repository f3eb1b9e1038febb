//! `customer-sync`'s event, the window it reads and its summary (CUSTOMER-SYNC.md §4).

pub mod sync;
