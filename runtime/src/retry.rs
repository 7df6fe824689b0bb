//! [`RetryPolicy`]: which failures are retried, bounded exponential backoff with jitter, and
//! `Retry-After`.
//!
//! An operation may not be idempotent: the certificate operation mints a new certificate
//! every time a request reaches CCE, and the official SDKs retry nothing by default. So by
//! default the transport retries only what provably did not reach the operation
//! ([`RetryClass::Safe`]):
//!
//! - a failed connection (nothing was sent);
//! - `429 Too Many Requests` (the gateway's rate limit refused it before the service saw it);
//! - `503 Service Unavailable` with a `Retry-After` (the service says it refused the request
//!   and when to come back).
//!
//! A failure after the request was sent ([`RetryClass::Ambiguous`]: `502`, `504`, a `503`
//! without `Retry-After`, a timeout or a broken connection while waiting for or reading the
//! answer) may have done the work anyway; it is retried only with
//! [`RetryPolicy::retry_ambiguous`]. Nothing else is retried. The transport waits what
//! `Retry-After` says when the response has one (but at most
//! [`RetryPolicy::max_retry_after`], 60 s by default), else the policy's backoff (see
//! [`wait_before_retry`]); and it never waits past the call's total timeout.

use std::time::{Duration, SystemTime};

use http::StatusCode;

use crate::error::TransportErrorKind;

/// Whether a failed attempt may be retried, and on what grounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// The request provably did not reach the operation: retried by default.
    Safe,
    /// The request may have reached the operation: retried only when the policy says
    /// [`RetryPolicy::retry_ambiguous`].
    Ambiguous,
    /// Retrying would not help (or the answer is final): never retried.
    Never,
}

/// The class of an answer's status; `has_retry_after` says whether it carried a readable
/// `Retry-After`.
///
/// ```
/// use clustercert_runtime::http::StatusCode;
/// use clustercert_runtime::retry::{classify_status, RetryClass};
/// assert_eq!(classify_status(StatusCode::TOO_MANY_REQUESTS, false), RetryClass::Safe);
/// assert_eq!(classify_status(StatusCode::SERVICE_UNAVAILABLE, true), RetryClass::Safe);
/// assert_eq!(classify_status(StatusCode::SERVICE_UNAVAILABLE, false), RetryClass::Ambiguous);
/// assert_eq!(classify_status(StatusCode::BAD_GATEWAY, true), RetryClass::Ambiguous);
/// assert_eq!(classify_status(StatusCode::INTERNAL_SERVER_ERROR, true), RetryClass::Never);
/// ```
pub fn classify_status(status: StatusCode, has_retry_after: bool) -> RetryClass {
    match status.as_u16() {
        429 => RetryClass::Safe,
        503 if has_retry_after => RetryClass::Safe,
        502..=504 => RetryClass::Ambiguous,
        _ => RetryClass::Never,
    }
}

/// The class of a transport failure: a failed connection sent nothing; any other failure
/// (a timeout, a connection broken while sending or reading) may have reached the server.
pub fn classify_transport(kind: TransportErrorKind) -> RetryClass {
    match kind {
        TransportErrorKind::Connect => RetryClass::Safe,
        _ => RetryClass::Ambiguous,
    }
}

/// How often and how long to wait between attempts.
///
/// ```
/// use std::time::Duration;
/// use clustercert_runtime::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .max_retries(5)
///     .initial_backoff(Duration::from_millis(100))
///     .max_backoff(Duration::from_secs(2));
/// let wait = policy.backoff(2); // the third retry: about 400 ms, jittered
/// assert!(wait >= Duration::from_millis(200) && wait <= Duration::from_millis(400));
/// // A server that asks for a day gets the cap instead.
/// assert_eq!(policy.wait(0, Some(Duration::from_secs(86_400))), Duration::from_secs(60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    retry_ambiguous: bool,
}

/// The default longest wait a `Retry-After` can ask for: 60 s.
pub const DEFAULT_MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

impl Default for RetryPolicy {
    /// Three retries of [`RetryClass::Safe`] failures only, starting at 200 ms and doubling,
    /// at most 5 s apart; a `Retry-After` is obeyed up to 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: DEFAULT_MAX_RETRY_AFTER,
            retry_ambiguous: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// How many times to retry after the first attempt.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry (before jitter).
    pub fn initial_backoff(mut self, wait: Duration) -> Self {
        self.initial_backoff = wait;
        self
    }

    /// The longest wait between two attempts (before jitter), when `Retry-After` does not say.
    pub fn max_backoff(mut self, wait: Duration) -> Self {
        self.max_backoff = wait;
        self
    }

    /// The longest wait a response's `Retry-After` can impose (default 60 s): a longer one
    /// is cut to this, so that a server (or a proxy) cannot park a call for a day, even
    /// without a total timeout.
    pub fn max_retry_after(mut self, wait: Duration) -> Self {
        self.max_retry_after = wait;
        self
    }

    /// Also retry failures that may have reached the operation ([`RetryClass::Ambiguous`]:
    /// `502`, `504`, `503` without `Retry-After`, a timeout or a broken connection after the
    /// request was sent). Off by default: for an operation that is not idempotent, such as
    /// one that mints a certificate on every call, a retry may do the work twice (two
    /// certificates, both valid). Turn it on for idempotent operations, or when a duplicate
    /// is harmless.
    pub fn retry_ambiguous(mut self, retry: bool) -> Self {
        self.retry_ambiguous = retry;
        self
    }

    /// The configured number of retries.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// Whether [`RetryClass::Ambiguous`] failures are retried.
    pub fn retries_ambiguous(&self) -> bool {
        self.retry_ambiguous
    }

    /// Whether a failure of this class may be retried under this policy (retries left
    /// aside).
    ///
    /// ```
    /// use clustercert_runtime::retry::{RetryClass, RetryPolicy};
    /// assert!(RetryPolicy::default().allows(RetryClass::Safe));
    /// assert!(!RetryPolicy::default().allows(RetryClass::Ambiguous));
    /// assert!(RetryPolicy::default().retry_ambiguous(true).allows(RetryClass::Ambiguous));
    /// assert!(!RetryPolicy::default().retry_ambiguous(true).allows(RetryClass::Never));
    /// ```
    pub fn allows(&self, class: RetryClass) -> bool {
        match class {
            RetryClass::Safe => true,
            RetryClass::Ambiguous => self.retry_ambiguous,
            RetryClass::Never => false,
        }
    }

    /// The configured cap on a `Retry-After` wait.
    pub fn retry_after_cap(&self) -> Duration {
        self.max_retry_after
    }

    /// The wait before retry number `retry` (0 for the first), given the response's
    /// `Retry-After` when it had one: see [`wait_before_retry`].
    pub fn wait(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(_) => wait_before_retry(retry_after, Duration::ZERO, self.max_retry_after),
            None => wait_before_retry(None, self.backoff(retry), self.max_retry_after),
        }
    }

    /// The wait before retry number `retry` (0 for the first): `initial × 2^retry`, at most
    /// `max_backoff`, then jittered uniformly into its upper half so that clients that failed
    /// together do not retry together.
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.min(31));
        let base = self
            .initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff);
        let half = base / 2;
        let nanos = u64::try_from(half.as_nanos()).unwrap_or(u64::MAX);
        half + Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// The wait before a retry: what `Retry-After` asked for, at most `cap`, when the response
/// had one; else `backoff`.
///
/// ```
/// use std::time::Duration;
/// use clustercert_runtime::retry::wait_before_retry;
/// let (backoff, cap) = (Duration::from_millis(300), Duration::from_secs(60));
/// assert_eq!(wait_before_retry(Some(Duration::from_secs(2)), backoff, cap), Duration::from_secs(2));
/// assert_eq!(wait_before_retry(None, backoff, cap), backoff);
/// assert_eq!(wait_before_retry(Some(Duration::from_secs(86_400)), backoff, cap), cap);
/// ```
pub fn wait_before_retry(
    retry_after: Option<Duration>,
    backoff: Duration,
    cap: Duration,
) -> Duration {
    match retry_after {
        Some(asked) => asked.min(cap),
        None => backoff,
    }
}

/// Reads a `Retry-After` value: whole seconds, or an HTTP date (a date in the past means no
/// wait). `None` when it is neither.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use clustercert_runtime::retry::parse_retry_after;
/// assert_eq!(parse_retry_after("2", SystemTime::now()), Some(Duration::from_secs(2)));
/// assert_eq!(parse_retry_after("soon", SystemTime::now()), None);
/// ```
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = crate::date::parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_jitters_within_the_upper_half() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(1000));
        for (retry, base) in [
            (0, 100),
            (1, 200),
            (2, 400),
            (3, 800),
            (4, 1000),
            (40, 1000),
        ] {
            for _ in 0..50 {
                let wait = p.backoff(retry);
                assert!(
                    wait >= Duration::from_millis(base / 2) && wait <= Duration::from_millis(base),
                    "retry {retry}: {wait:?}"
                );
            }
        }
    }

    #[test]
    fn the_wait_is_retry_after_when_present_else_the_backoff_and_never_past_the_cap() {
        let backoff = Duration::from_millis(300);
        let cap = Duration::from_secs(60);
        assert_eq!(
            wait_before_retry(Some(Duration::from_secs(7)), backoff, cap),
            Duration::from_secs(7)
        );
        assert_eq!(
            wait_before_retry(Some(Duration::ZERO), backoff, cap),
            Duration::ZERO
        );
        assert_eq!(wait_before_retry(None, backoff, cap), backoff);
        assert_eq!(
            wait_before_retry(Some(Duration::from_secs(86_400)), backoff, cap),
            cap
        );
        assert_eq!(wait_before_retry(Some(Duration::MAX), backoff, cap), cap);
        // The largest `Retry-After` the parser accepts is cut to the cap too.
        let huge = parse_retry_after("18446744073709551615", SystemTime::now());
        assert_eq!(wait_before_retry(huge, backoff, cap), cap);
    }

    #[test]
    fn the_policy_caps_retry_after_with_its_configured_cap() {
        let p = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(100));
        assert_eq!(p.retry_after_cap(), DEFAULT_MAX_RETRY_AFTER);
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(86_400))),
            DEFAULT_MAX_RETRY_AFTER
        );
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        let wait = p.wait(0, None);
        assert!(
            wait >= Duration::from_millis(50) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
        let p = p.max_retry_after(Duration::from_secs(5));
        assert_eq!(
            p.wait(2, Some(Duration::from_secs(86_400))),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn none_has_no_retries() {
        assert_eq!(RetryPolicy::none().retries(), 0);
        assert_eq!(RetryPolicy::default().retries(), 3);
        assert!(!RetryPolicy::default().retries_ambiguous());
    }

    #[test]
    fn classes_of_statuses_and_transport_failures() {
        for (code, with, without) in [
            (429, RetryClass::Safe, RetryClass::Safe),
            (503, RetryClass::Safe, RetryClass::Ambiguous),
            (502, RetryClass::Ambiguous, RetryClass::Ambiguous),
            (504, RetryClass::Ambiguous, RetryClass::Ambiguous),
            (500, RetryClass::Never, RetryClass::Never),
            (400, RetryClass::Never, RetryClass::Never),
            (307, RetryClass::Never, RetryClass::Never),
            (200, RetryClass::Never, RetryClass::Never),
        ] {
            let status = StatusCode::from_u16(code).unwrap();
            assert_eq!(classify_status(status, true), with, "{code}");
            assert_eq!(classify_status(status, false), without, "{code}");
        }
        assert_eq!(
            classify_transport(TransportErrorKind::Connect),
            RetryClass::Safe
        );
        assert_eq!(
            classify_transport(TransportErrorKind::Timeout),
            RetryClass::Ambiguous
        );
        assert_eq!(
            classify_transport(TransportErrorKind::Other),
            RetryClass::Ambiguous
        );
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        // 2023-11-14 22:13:20 UTC is `now`.
        let later = "Tue, 14 Nov 2023 22:13:50 GMT";
        assert_eq!(parse_retry_after(later, now), Some(Duration::from_secs(30)));
        let earlier = "Tue, 14 Nov 2023 22:12:50 GMT";
        assert_eq!(parse_retry_after(earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("", now), None);
    }
}
