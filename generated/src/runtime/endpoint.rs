//! Endpoints: by region id (`https://cce.{region}.myhuaweicloud.com`, with the official
//! SDK's `HUAWEICLOUD_SDK_REGION_CCE_{REGION_ID}` override) or any explicit URL.

use super::error::Error;

/// The environment variable that overrides a region's CCE endpoint, as the official SDK
/// names it: the region id upper-cased, `-` as `_`.
///
/// ```
/// use clustercert::runtime::endpoint::region_env_var;
/// assert_eq!(region_env_var("cn-north-4"), "HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4");
/// ```
pub fn region_env_var(region: &str) -> String {
    format!(
        "HUAWEICLOUD_SDK_REGION_CCE_{}",
        region.to_ascii_uppercase().replace('-', "_")
    )
}

/// The CCE endpoint of a region: the override from `lookup` (a variable name to its value)
/// when set, else `https://cce.{region}.myhuaweicloud.com`. A region id is lower-case
/// letters, digits and `-`.
///
/// ```
/// use clustercert::runtime::endpoint::resolve_region;
/// let no_env = |_: &str| None;
/// assert_eq!(resolve_region("cn-north-4", no_env).unwrap(), "https://cce.cn-north-4.myhuaweicloud.com");
/// let env = |name: &str| (name == "HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4").then(|| "http://127.0.0.1:8080/".to_owned());
/// assert_eq!(resolve_region("cn-north-4", env).unwrap(), "http://127.0.0.1:8080");
/// assert!(resolve_region("cn north", no_env).is_err());
/// ```
pub fn resolve_region(
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
    let var = region_env_var(region);
    match lookup(&var).filter(|v| !v.trim().is_empty()) {
        Some(url) => {
            normalize_endpoint(url.trim()).map_err(|e| Error::InvalidInput(format!("{var}: {e}")))
        }
        None => Ok(format!("https://cce.{region}.myhuaweicloud.com")),
    }
}

/// Checks an endpoint URL (`http` or `https`, a host, no query or fragment) and returns it
/// without a trailing `/`, ready for paths to be appended.
pub fn normalize_endpoint(endpoint: &str) -> Result<String, String> {
    let url = url::Url::parse(endpoint).map_err(|e| format!("endpoint {endpoint:?}: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "endpoint {endpoint:?}: scheme must be http or https"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("endpoint {endpoint:?}: no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "endpoint {endpoint:?}: must not have a query or fragment"
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("endpoint {endpoint:?}: must not carry user info"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_var_name() {
        assert_eq!(
            region_env_var("ap-southeast-1"),
            "HUAWEICLOUD_SDK_REGION_CCE_AP_SOUTHEAST_1"
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

    #[test]
    fn bad_override_names_the_variable() {
        let env = |_: &str| Some("ftp://x".to_owned());
        let err = resolve_region("cn-north-4", env).unwrap_err().to_string();
        assert!(
            err.contains("HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4"),
            "{err}"
        );
    }
}
