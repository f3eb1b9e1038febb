//! The service-performance jobs: each job's event, window and summary, pure (SERVICE-PERFORMANCE.md
//! §6). The I/O is in [`crate::service::handlers`].

pub mod sync;
