//! Writing export objects to S3.
