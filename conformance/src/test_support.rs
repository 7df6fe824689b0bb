//! Helpers the unit tests of several modules share.

/// Asserts that `{:#}` (as the binary prints errors) shows the error's cause exactly once.
pub(crate) fn assert_cause_shown_once<E>(err: E)
where
    E: std::error::Error + Send + Sync + 'static,
{
    let cause = err.source().expect("the error has a cause").to_string();
    let rendered = format!("{:#}", anyhow::Error::new(err));
    assert_eq!(rendered.matches(&cause).count(), 1, "{rendered}");
}
