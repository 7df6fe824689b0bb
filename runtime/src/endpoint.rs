//! Endpoints: any explicit URL ([`normalize_endpoint`]), or a region's, from a template the
//! generated client takes from its spec ([`RegionTemplate`]: the first server's URL with a
//! `{region}` variable, and the environment variable prefix that overrides it). This module
//! knows no service: the templates are the specs'.

use super::error::Error;

/// A region's endpoint, as a spec describes it: a URL with `{region}` in it, and optionally
/// the prefix of an environment variable that overrides it (the official Huawei Cloud SDK's
/// convention: the prefix, then the region id upper-cased with `-` as `_`). A generated
/// `Client::builder()` passes its spec's template to
/// [`ClientBuilder::region_template`](crate::ClientBuilder::region_template), so that
/// [`ClientBuilder::region`](crate::ClientBuilder::region) works.
///
/// ```
/// use clustercert_runtime::endpoint::RegionTemplate;
///
/// let cce = RegionTemplate::new(
///     "https://cce.{region}.myhuaweicloud.com",
///     Some("HUAWEICLOUD_SDK_REGION_CCE_"),
/// );
/// let no_env = |_: &str| None;
/// assert_eq!(cce.resolve("cn-north-4", no_env).unwrap(), "https://cce.cn-north-4.myhuaweicloud.com");
/// let env = |name: &str| {
///     (name == "HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4").then(|| "http://127.0.0.1:8080/".to_owned())
/// };
/// assert_eq!(cce.resolve("cn-north-4", env).unwrap(), "http://127.0.0.1:8080");
/// assert!(cce.resolve("cn north", no_env).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionTemplate {
    url: &'static str,
    env_prefix: Option<&'static str>,
}

impl RegionTemplate {
    /// A template: `url` with `{region}` where the region id goes, and the prefix of the
    /// variable that overrides it, if any.
    #[must_use]
    pub const fn new(url: &'static str, env_prefix: Option<&'static str>) -> Self {
        RegionTemplate { url, env_prefix }
    }

    /// The URL template, `{region}` in it.
    #[must_use]
    pub const fn url(&self) -> &'static str {
        self.url
    }

    /// The environment variable that overrides `region`'s endpoint: the prefix, then the
    /// region id upper-cased, `-` as `_`; `None` without a prefix.
    ///
    /// ```
    /// use clustercert_runtime::endpoint::RegionTemplate;
    ///
    /// let t = RegionTemplate::new("https://cce.{region}.myhuaweicloud.com", Some("HUAWEICLOUD_SDK_REGION_CCE_"));
    /// assert_eq!(t.env_var("cn-north-4").as_deref(), Some("HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4"));
    /// assert_eq!(RegionTemplate::new("https://{region}.example.com", None).env_var("eu-1"), None);
    /// ```
    #[must_use]
    pub fn env_var(&self, region: &str) -> Option<String> {
        self.env_prefix
            .map(|prefix| format!("{prefix}{}", region.to_ascii_uppercase().replace('-', "_")))
    }

    /// The endpoint of `region`: the override from `lookup` (a variable name to its value)
    /// when the template names a variable and it is set (not blank), else the template with
    /// the region in it. A region id is lower-case letters, digits and `-`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a region id of other characters, an override that is not
    /// an endpoint URL (naming the variable; see [`normalize_endpoint`]), or a template that
    /// does not give one.
    pub fn resolve(
        &self,
        region: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<String, Error> {
        let valid = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(Error::InvalidInput(format!(
                "region id {region:?} is not lower-case letters, digits and '-'"
            )));
        }
        if let Some(var) = self.env_var(region) {
            if let Some(url) = lookup(&var).filter(|v| !v.trim().is_empty()) {
                return normalize_endpoint(url.trim())
                    .map_err(|e| Error::InvalidInput(format!("{var}: {e}")));
            }
        }
        normalize_endpoint(&self.url.replace("{region}", region))
            .map_err(|e| Error::InvalidInput(format!("region template {:?}: {e}", self.url)))
    }
}

/// Checks an endpoint URL (`http` or `https`, a host, no query or fragment, no user info)
/// and returns it without a trailing `/`, ready for paths to be appended. An error shows the
/// endpoint as [`shown_endpoint`] does: without user info, query or fragment, which may hold
/// a password or a token.
pub fn normalize_endpoint(endpoint: &str) -> Result<String, String> {
    let shown = shown_endpoint(endpoint);
    let url = url::Url::parse(endpoint).map_err(|e| format!("endpoint {shown:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("endpoint {shown:?}: scheme must be http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("endpoint {shown:?}: no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "endpoint {shown:?}: must not have a query or fragment"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("endpoint {shown:?}: must not carry user info"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// An endpoint as errors show it: `scheme://host:port/path`, without the user info (which
/// may hold a password), the query or the fragment (which may hold a token). Works on text
/// that is not a valid URL too: everything up to the last `@` of the authority goes.
///
/// ```
/// use clustercert_runtime::endpoint::shown_endpoint;
/// assert_eq!(shown_endpoint("http://user:pass@h:8080/base?token=t#f"), "http://h:8080/base");
/// assert_eq!(shown_endpoint("user:pass@h"), "h");
/// ```
pub fn shown_endpoint(endpoint: &str) -> String {
    let text = endpoint.trim();
    // Query and fragment go first: they end the URL wherever they start.
    let text = match text.find(['?', '#']) {
        Some(end) => &text[..end],
        None => text,
    };
    let is_scheme = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    };
    let (scheme, rest) = match text.find("://") {
        Some(at) if is_scheme(&text[..at]) => (&text[..at + 3], &text[at + 3..]),
        _ => ("", text),
    };
    // The authority ends at the first `/` (or `\`, which URL parsers treat the same).
    let authority_end = rest.find(['/', '\\']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    let host = match authority.rfind('@') {
        Some(at) => &authority[at + 1..],
        None => authority,
    };
    // Without a scheme the text may be `user:pass@host/...` read as anything: drop all that
    // comes before the last `@` anywhere.
    if scheme.is_empty() {
        if let Some(at) = text.rfind('@') {
            return text[at + 1..].to_owned();
        }
    }
    format!("{scheme}{host}{path}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CCE: RegionTemplate = RegionTemplate::new(
        "https://cce.{region}.myhuaweicloud.com",
        Some("HUAWEICLOUD_SDK_REGION_CCE_"),
    );

    #[test]
    fn env_var_name() {
        assert_eq!(
            CCE.env_var("ap-southeast-1").as_deref(),
            Some("HUAWEICLOUD_SDK_REGION_CCE_AP_SOUTHEAST_1")
        );
    }

    #[test]
    fn a_template_without_a_prefix_reads_no_variable() {
        let t = RegionTemplate::new("https://api.example.com/{region}/v1/", None);
        let asked = std::cell::Cell::new(false);
        let lookup = |_: &str| {
            asked.set(true);
            Some("http://elsewhere".to_owned())
        };
        assert_eq!(
            t.resolve("eu-1", lookup).unwrap(),
            "https://api.example.com/eu-1/v1"
        );
        assert!(!asked.get());
    }

    #[test]
    fn blank_overrides_are_ignored_and_bad_region_ids_refused() {
        let blank = |_: &str| Some("  ".to_owned());
        assert_eq!(
            CCE.resolve("cn-north-4", blank).unwrap(),
            "https://cce.cn-north-4.myhuaweicloud.com"
        );
        for bad in ["", "CN-NORTH-4", "cn north", "cn.north", "a/b", "a@b", "ü"] {
            let err = CCE.resolve(bad, |_: &str| None).unwrap_err().to_string();
            assert_eq!(
                err,
                format!(
                    "invalid input: region id {bad:?} is not lower-case letters, digits and '-'"
                )
            );
        }
    }

    #[test]
    fn a_template_that_gives_no_url_says_so() {
        let t = RegionTemplate::new("ftp://{region}.example.com", None);
        let err = t.resolve("eu-1", |_: &str| None).unwrap_err().to_string();
        assert!(
            err.contains("region template \"ftp://{region}.example.com\""),
            "{err}"
        );
    }

    #[test]
    fn explicit_urls() {
        assert_eq!(
            normalize_endpoint("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            normalize_endpoint("https://cce.cn-north-4.myhuaweicloud.com").unwrap(),
            "https://cce.cn-north-4.myhuaweicloud.com"
        );
        assert_eq!(
            normalize_endpoint("https://h:443/base/").unwrap(),
            "https://h/base"
        );
        for bad in [
            "ftp://h",
            "not a url",
            "http://h/?q=1",
            "http://u:p@h",
            "127.0.0.1:80",
        ] {
            assert!(normalize_endpoint(bad).is_err(), "{bad}");
        }
    }

    const PASSWORD: &str = "hunter2-do-not-print";

    #[test]
    fn errors_never_show_user_info_query_or_fragment() {
        for bad in [
            format!("http://user:{PASSWORD}@h"),
            format!("https://user:{PASSWORD}@h:8443/base/"),
            format!("ftp://user:{PASSWORD}@h"),
            format!("http://user:{PASSWORD}@"),
            format!("http://user:{PASSWORD}@h:99999"),
            format!("http://h/?token={PASSWORD}"),
            format!("http://h/#{PASSWORD}"),
            format!("user:{PASSWORD}@h"),
            format!("http:\\\\user:{PASSWORD}@h"),
            format!("http://a@b:{PASSWORD}@h/p"),
        ] {
            let err = normalize_endpoint(&bad).expect_err(&bad);
            assert!(!err.contains(PASSWORD), "{err}");
            assert!(err.starts_with("endpoint "), "{err}");
        }
        let err = normalize_endpoint(&format!("https://user:{PASSWORD}@h:8443/base/")).unwrap_err();
        assert_eq!(
            err,
            "endpoint \"https://h:8443/base/\": must not carry user info"
        );
    }

    #[test]
    fn a_bad_override_does_not_show_its_password() {
        let env = |_: &str| Some(format!("http://admin:{PASSWORD}@127.0.0.1:8080"));
        let err = CCE.resolve("cn-north-4", env).unwrap_err().to_string();
        assert!(!err.contains(PASSWORD), "{err}");
        assert!(
            err.contains("HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4")
                && err.contains("http://127.0.0.1:8080"),
            "{err}"
        );
    }

    #[test]
    fn shown_endpoint_keeps_scheme_host_port_path() {
        for (raw, shown) in [
            ("http://127.0.0.1:8080/base", "http://127.0.0.1:8080/base"),
            ("http://u:p@h:1/a@b", "http://h:1/a@b"),
            ("http://u@h", "http://h"),
            ("https://h?x=1", "https://h"),
            ("not a url", "not a url"),
            ("", ""),
            ("@", ""),
            ("é@ü://", "ü://"),
        ] {
            assert_eq!(shown_endpoint(raw), shown, "{raw}");
        }
    }

    #[test]
    fn bad_override_names_the_variable() {
        let env = |_: &str| Some("ftp://x".to_owned());
        let err = CCE.resolve("cn-north-4", env).unwrap_err().to_string();
        assert!(
            err.contains("HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4"),
            "{err}"
        );
    }
}
