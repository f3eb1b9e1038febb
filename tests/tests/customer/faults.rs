//! Faults end to end: a killed run, Intercom's 5xx and rate limit, a Slack outage.
