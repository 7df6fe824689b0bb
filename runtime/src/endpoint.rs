//! Endpoints: any explicit URL ([`normalize_endpoint`]), or a region's, resolved as the
//! official Huawei Cloud SDK resolves it ([`RegionTemplate::resolve`]: the override variable,
//! then the regions file with the cargo feature `regions-file`, then the spec's servers,
//! [`RegionServer`], each with the regions it serves). A region may resolve to several
//! endpoints, which the transport tries in turn. This module knows no service: the servers,
//! variable prefix and profile key are the specs'.

use super::error::Error;

/// One server of a spec's `servers` list, for [`RegionTemplate::with_servers`]: a URL with
/// `{region}` in it, and the regions it serves (the `enum` of its `region` variable; empty
/// for any region).
///
/// ```
/// use clustercert_runtime::endpoint::RegionServer;
///
/// const EU: RegionServer = RegionServer::new("https://cce.{region}.myhuaweicloud.eu", &["eu-west-101"]);
/// assert_eq!(EU.url(), "https://cce.{region}.myhuaweicloud.eu");
/// assert_eq!(EU.regions(), ["eu-west-101"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionServer {
    url: &'static str,
    regions: &'static [&'static str],
}

impl RegionServer {
    /// A server: `url` with `{region}` where the region id goes, serving `regions` (empty:
    /// any region).
    #[must_use]
    pub const fn new(url: &'static str, regions: &'static [&'static str]) -> Self {
        RegionServer { url, regions }
    }

    /// The URL template, `{region}` in it.
    #[must_use]
    pub const fn url(&self) -> &'static str {
        self.url
    }

    /// The regions this server serves; empty for any region.
    #[must_use]
    pub const fn regions(&self) -> &'static [&'static str] {
        self.regions
    }
}

/// How a region id becomes endpoints, as a spec describes it and as the official Huawei
/// Cloud SDK resolves it. A generated `Client::builder()` passes its spec's template to
/// [`ClientBuilder::region_template`](crate::ClientBuilder::region_template), so that
/// [`ClientBuilder::region`](crate::ClientBuilder::region) works. [`resolve`](Self::resolve)
/// tries, in order:
///
/// 1. the environment variable named by the prefix and the region id (upper-cased, `-` as
///    `_`): a comma-separated list of endpoints;
/// 2. with the cargo feature `regions-file` and a [profile key](Self::profile_key), the
///    regions file (`$HUAWEICLOUD_SDK_REGIONS_FILE`, else `~/.huaweicloud/regions.yaml`);
/// 3. the spec's servers: the first that lists the region, else the first that lists none
///    (it serves any region), with the region id in its URL.
///
/// ```
/// use clustercert_runtime::endpoint::{RegionServer, RegionTemplate};
///
/// const SERVERS: &[RegionServer] = &[
///     RegionServer::new("https://cce.{region}.myhuaweicloud.com", &["cn-north-4", "la-north-2"]),
///     RegionServer::new("https://cce.{region}.myhuaweicloud.eu", &["eu-west-101"]),
/// ];
/// let cce = RegionTemplate::with_servers(SERVERS, Some("HUAWEICLOUD_SDK_REGION_CCE_"));
/// let no_env = |_: &str| None;
/// assert_eq!(cce.resolve("cn-north-4", no_env).unwrap(), ["https://cce.cn-north-4.myhuaweicloud.com"]);
/// assert_eq!(cce.resolve("eu-west-101", no_env).unwrap(), ["https://cce.eu-west-101.myhuaweicloud.eu"]);
/// let env = |name: &str| {
///     (name == "HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4").then(|| "http://127.0.0.1:8080/, http://127.0.0.1:8081".to_owned())
/// };
/// assert_eq!(cce.resolve("cn-north-4", env).unwrap(), ["http://127.0.0.1:8080", "http://127.0.0.1:8081"]);
/// let unknown = cce.resolve("xx-1", no_env).unwrap_err().to_string();
/// assert!(unknown.contains("cn-north-4, eu-west-101, la-north-2"), "{unknown}");
/// assert!(cce.resolve("cn north", no_env).is_err());
///
/// // One server for any region.
/// let open = RegionTemplate::new("https://api.{region}.example.com", None);
/// assert_eq!(open.resolve("xx-1", no_env).unwrap(), ["https://api.xx-1.example.com"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegionTemplate {
    servers: Servers,
    env_prefix: Option<&'static str>,
    profile_key: Option<&'static str>,
}

/// The servers of a template: [`RegionTemplate::new`]'s one, or [`RegionTemplate::with_servers`]'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Servers {
    One(RegionServer),
    Table(&'static [RegionServer]),
}

/// The environment variable naming the regions file.
pub const REGIONS_FILE_ENV: &str = "HUAWEICLOUD_SDK_REGIONS_FILE";

impl RegionTemplate {
    /// A template of one server for any region: `url` with `{region}` where the region id
    /// goes, and the prefix of the variable that overrides it, if any.
    #[must_use]
    pub const fn new(url: &'static str, env_prefix: Option<&'static str>) -> Self {
        RegionTemplate {
            servers: Servers::One(RegionServer::new(url, &[])),
            env_prefix,
            profile_key: None,
        }
    }

    /// A template of several servers, each for the regions it lists (one that lists none
    /// serves any region), and the prefix of the variable that overrides them, if any. A
    /// region goes to the first server that lists it, else to the first that lists none.
    #[must_use]
    pub const fn with_servers(
        servers: &'static [RegionServer],
        env_prefix: Option<&'static str>,
    ) -> Self {
        RegionTemplate {
            servers: Servers::Table(servers),
            env_prefix,
            profile_key: None,
        }
    }

    /// Reads the regions file too, under `key` (the service's name, matched in any case,
    /// for example `CCE`), after the environment variable and before the servers. Without
    /// the cargo feature `regions-file` the key is kept but no file is read.
    #[must_use]
    pub const fn profile_key(mut self, key: &'static str) -> Self {
        self.profile_key = Some(key);
        self
    }

    /// The first server's URL template, `{region}` in it (empty without servers).
    #[must_use]
    pub const fn url(&self) -> &'static str {
        match self.servers {
            Servers::One(one) => one.url,
            Servers::Table([first, ..]) => first.url,
            Servers::Table([]) => "",
        }
    }

    /// The servers: one for any region for [`RegionTemplate::new`], else those given.
    #[must_use]
    pub fn servers(&self) -> &[RegionServer] {
        match &self.servers {
            Servers::One(one) => std::slice::from_ref(one),
            Servers::Table(table) => table,
        }
    }

    /// The regions the servers list, sorted, without repeats; empty when a server takes
    /// any region.
    #[must_use]
    pub fn known_regions(&self) -> Vec<&'static str> {
        let servers = self.servers();
        if servers.iter().any(|s| s.regions.is_empty()) {
            return Vec::new();
        }
        let mut regions: Vec<&'static str> = servers
            .iter()
            .flat_map(|s| s.regions.iter().copied())
            .collect();
        regions.sort_unstable();
        regions.dedup();
        regions
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

    /// The endpoints of `region`, at least one, in the order they are to be tried; `lookup`
    /// reads an environment variable (`|name| std::env::var(name).ok()` for the process's).
    /// In order: the variable of [`env_var`](Self::env_var) when set and not blank (a
    /// comma-separated list, each entry trimmed); the regions file, with the cargo feature
    /// `regions-file` and a [profile key](Self::profile_key); the first server that lists
    /// the region; the first server that lists none. A region id is lower-case letters,
    /// digits and `-`.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`], one line, for a region id of other characters; a variable
    /// with an empty entry or an entry that is not an endpoint URL (naming the variable; see
    /// [`normalize_endpoint`]); a regions file that cannot be read or is not of the expected
    /// shape (naming the file); a region no server serves (listing the known regions and how
    /// to reach another); or a server whose URL does not give an endpoint.
    pub fn resolve(
        &self,
        region: &str,
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Vec<String>, Error> {
        let valid = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid {
            return Err(Error::InvalidInput(format!(
                "region id {region:?} is not lower-case letters, digits and '-'"
            )));
        }
        let var = self.env_var(region);
        if let Some(var) = &var {
            if let Some(list) = lookup(var).filter(|v| !v.trim().is_empty()) {
                return endpoint_list(&list)
                    .map_err(|e| Error::InvalidInput(format!("{var}: {e}")));
            }
        }
        let file = self.regions_file(&lookup);
        if let (Some(key), Some(path)) = (self.profile_key, &file) {
            if let Some(endpoints) = regions_file::endpoints(path, key, region)? {
                return Ok(endpoints);
            }
        }
        let servers = self.servers();
        let server = servers
            .iter()
            .find(|s| !s.regions.is_empty() && s.regions.contains(&region))
            .or_else(|| servers.iter().find(|s| s.regions.is_empty()));
        let Some(server) = server else {
            return Err(self.unknown_region(region, var.as_deref(), file.as_deref()));
        };
        normalize_endpoint(&server.url.replace("{region}", region))
            .map(|url| vec![url])
            .map_err(|e| Error::InvalidInput(format!("region template {:?}: {e}", server.url)))
    }

    /// The regions file to read, when this template reads one and a path can be found.
    fn regions_file(&self, lookup: &impl Fn(&str) -> Option<String>) -> Option<std::path::PathBuf> {
        if self.profile_key.is_none() || !cfg!(feature = "regions-file") {
            return None;
        }
        regions_file_path(lookup)
    }

    /// The error for a region no server serves: the known regions, and how to reach another.
    fn unknown_region(
        &self,
        region: &str,
        var: Option<&str>,
        file: Option<&std::path::Path>,
    ) -> Error {
        let known = self.known_regions();
        let mut ways = Vec::new();
        if let Some(var) = var {
            ways.push(format!("set {var} to its endpoint(s)"));
        }
        if let (Some(key), Some(file)) = (self.profile_key, file) {
            ways.push(format!(
                "list it under {key} in the regions file {}",
                file.display()
            ));
        }
        // The ways out come before the list, so that a display that cuts long lines keeps them.
        let ways = match ways.as_slice() {
            [] => "give an endpoint".to_owned(),
            some => format!("{}, or give an endpoint", some.join(", ")),
        };
        Error::InvalidInput(match known.len() {
            0 => format!("region {region:?}: this client knows no regions; to use it, {ways}"),
            1 => format!(
                "region {region:?} is not the one region this client knows; to use it, {ways}; known: {}",
                known[0]
            ),
            n => format!(
                "region {region:?} is not among the {n} regions this client knows; to use it, {ways}; known: {}",
                known.join(", ")
            ),
        })
    }
}

/// The regions file's path: `$HUAWEICLOUD_SDK_REGIONS_FILE` when set and not empty, else
/// `.huaweicloud/regions.yaml` in `$HOME` (or `%USERPROFILE%`); `None` when neither is set.
///
/// ```
/// use clustercert_runtime::endpoint::regions_file_path;
///
/// let env = |name: &str| (name == "HOME").then(|| "/home/me".to_owned());
/// assert_eq!(regions_file_path(env).unwrap(), std::path::Path::new("/home/me/.huaweicloud/regions.yaml"));
/// assert_eq!(regions_file_path(|_: &str| None), None);
/// ```
pub fn regions_file_path(lookup: impl Fn(&str) -> Option<String>) -> Option<std::path::PathBuf> {
    let set = |name: &str| lookup(name).filter(|v| !v.is_empty());
    if let Some(path) = set(REGIONS_FILE_ENV) {
        return Some(path.into());
    }
    let home = set("HOME").or_else(|| set("USERPROFILE"))?;
    Some(
        std::path::Path::new(&home)
            .join(".huaweicloud")
            .join("regions.yaml"),
    )
}

/// A comma-separated list of endpoints, each trimmed and checked with [`normalize_endpoint`].
fn endpoint_list(list: &str) -> Result<Vec<String>, String> {
    list.split(',')
        .enumerate()
        .map(|(index, entry)| match entry.trim() {
            "" => Err(format!(
                "entry {} of the comma-separated list is empty",
                index + 1
            )),
            entry => normalize_endpoint(entry),
        })
        .collect()
}

#[cfg(not(feature = "regions-file"))]
mod regions_file {
    use super::Error;

    /// Without the feature no file is read (and no path is ever given).
    pub(super) fn endpoints(
        _path: &std::path::Path,
        _key: &str,
        _region: &str,
    ) -> Result<Option<Vec<String>>, Error> {
        Ok(None)
    }
}

#[cfg(feature = "regions-file")]
mod regions_file;
#[cfg(feature = "regions-file")]
pub use regions_file::MAX_REGIONS_FILE_BYTES;

/// Checks an endpoint URL (`http` or `https`, a host, no query or fragment, no user info)
/// and returns it without a trailing `/`, ready for paths to be appended. An error shows the
/// endpoint as [`shown_endpoint`] does: without user info, query or fragment, which may hold
/// a password or a token.
pub fn normalize_endpoint(endpoint: &str) -> Result<String, String> {
    endpoint_problem(endpoint)
        .map_err(|why| format!("endpoint {:?}: {why}", shown_endpoint(endpoint)))
}

/// [`normalize_endpoint`], its error saying what is wrong without showing the endpoint.
fn endpoint_problem(endpoint: &str) -> Result<String, String> {
    let url = url::Url::parse(endpoint).map_err(|e| e.to_string())?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("scheme must be http or https".to_owned());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("no host".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry user info".to_owned());
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
            ["https://api.example.com/eu-1/v1"]
        );
        assert!(!asked.get());
    }

    #[test]
    fn blank_overrides_are_ignored_and_bad_region_ids_refused() {
        let blank = |_: &str| Some("  ".to_owned());
        assert_eq!(
            CCE.resolve("cn-north-4", blank).unwrap(),
            ["https://cce.cn-north-4.myhuaweicloud.com"]
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

    /// A table of CCE's shape (the spec's has 32 regions on `.com`): regions on `.com`, and
    /// `eu-west-101` on `.eu`.
    const COM: &[&str] = &["ap-southeast-1", "cn-east-3", "cn-north-4"];
    const SERVERS: &[RegionServer] = &[
        RegionServer::new("https://cce.{region}.myhuaweicloud.com", COM),
        RegionServer::new("https://cce.{region}.myhuaweicloud.eu", &["eu-west-101"]),
    ];
    const TABLE: RegionTemplate =
        RegionTemplate::with_servers(SERVERS, Some("HUAWEICLOUD_SDK_REGION_CCE_"));
    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_servers_decide_the_endpoint() {
        assert_eq!(
            TABLE.resolve("eu-west-101", no_env).unwrap(),
            ["https://cce.eu-west-101.myhuaweicloud.eu"]
        );
        for region in COM {
            assert_eq!(
                TABLE.resolve(region, no_env).unwrap(),
                [format!("https://cce.{region}.myhuaweicloud.com")]
            );
        }
        assert_eq!(TABLE.url(), "https://cce.{region}.myhuaweicloud.com");
        assert_eq!(TABLE.known_regions().len(), 4);
    }

    #[test]
    fn a_region_goes_to_the_first_server_listing_it_else_to_an_open_one() {
        const OPEN_LAST: &[RegionServer] = &[
            RegionServer::new("https://a.{region}.example.com", &["r-1"]),
            RegionServer::new("https://any.{region}.example.com", &[]),
            RegionServer::new("https://b.{region}.example.com", &["r-1", "r-2"]),
        ];
        let t = RegionTemplate::with_servers(OPEN_LAST, None);
        assert_eq!(
            t.resolve("r-1", no_env).unwrap(),
            ["https://a.r-1.example.com"]
        );
        // Listed by a later server: that one, before the open server.
        assert_eq!(
            t.resolve("r-2", no_env).unwrap(),
            ["https://b.r-2.example.com"]
        );
        assert_eq!(
            t.resolve("r-9", no_env).unwrap(),
            ["https://any.r-9.example.com"]
        );
        // With an open server there is no list of known regions.
        assert!(t.known_regions().is_empty());
        assert_eq!(
            RegionTemplate::new("https://x.{region}.example.com", None).servers(),
            [RegionServer::new("https://x.{region}.example.com", &[])]
        );
    }

    #[test]
    fn an_unknown_region_lists_every_known_one_and_the_ways_out() {
        let err = TABLE.resolve("xx-west-1", no_env).unwrap_err().to_string();
        let mut all: Vec<&str> = COM.to_vec();
        all.push("eu-west-101");
        all.sort_unstable();
        let expected = format!(
            "invalid input: region \"xx-west-1\" is not among the 4 regions this client knows; to use it, set HUAWEICLOUD_SDK_REGION_CCE_XX_WEST_1 to its endpoint(s), or give an endpoint; known: {}",
            all.join(", ")
        );
        assert_eq!(err, expected);
        // With a profile key, the regions file is a way too, when the feature reads it.
        let home = |name: &str| (name == "HOME").then(|| "/nonexistent-home".to_owned());
        let err = TABLE
            .profile_key("CCE")
            .resolve("xx-west-1", home)
            .unwrap_err()
            .to_string();
        let file = std::path::Path::new("/nonexistent-home/.huaweicloud/regions.yaml");
        let with_file = format!(
            "; to use it, set HUAWEICLOUD_SDK_REGION_CCE_XX_WEST_1 to its endpoint(s), list it under CCE in the regions file {}, or give an endpoint; known: ",
            file.display()
        );
        assert_eq!(
            err.contains(&with_file),
            cfg!(feature = "regions-file"),
            "{err}"
        );
        // Without a prefix or a regions file: only an endpoint.
        let bare = RegionTemplate::with_servers(SERVERS, None);
        let err = bare.resolve("xx-west-1", no_env).unwrap_err().to_string();
        assert!(
            err.contains("; to use it, give an endpoint; known: ap-southeast-1, "),
            "{err}"
        );
        // No servers at all.
        let none = RegionTemplate::with_servers(&[], None);
        let err = none.resolve("r-1", no_env).unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid input: region \"r-1\": this client knows no regions; to use it, give an endpoint"
        );
    }

    #[test]
    fn the_variable_comes_first_and_may_list_several_endpoints() {
        let env = |name: &str| {
            (name == "HUAWEICLOUD_SDK_REGION_CCE_XX_WEST_1").then(|| {
                " http://10.0.0.1:8080/ ,https://b.example.com/base,http://[::1]:1".to_owned()
            })
        };
        // Even for a region the servers do not know, as the SDK does.
        assert_eq!(
            TABLE.resolve("xx-west-1", env).unwrap(),
            [
                "http://10.0.0.1:8080",
                "https://b.example.com/base",
                "http://[::1]:1"
            ]
        );
        let env = |_: &str| Some("http://10.0.0.1".to_owned());
        assert_eq!(
            TABLE.resolve("eu-west-101", env).unwrap(),
            ["http://10.0.0.1"]
        );
    }

    #[test]
    fn an_empty_entry_in_the_variable_is_refused_naming_it() {
        for (value, entry) in [
            ("http://a,,http://b", 2),
            ("http://a,", 2),
            (",http://a", 1),
            ("http://a, ,http://b", 2),
        ] {
            let env = |_: &str| Some(value.to_owned());
            let err = TABLE.resolve("cn-north-4", env).unwrap_err().to_string();
            assert_eq!(
                err,
                format!("invalid input: HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4: entry {entry} of the comma-separated list is empty"),
                "{value}"
            );
        }
        let env = |_: &str| Some(format!("http://a,http://u:{PASSWORD}@b"));
        let err = TABLE.resolve("cn-north-4", env).unwrap_err().to_string();
        assert!(!err.contains(PASSWORD), "{err}");
        assert!(
            err.contains("HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4: endpoint \"http://b\""),
            "{err}"
        );
    }

    #[test]
    fn regions_file_path_from_its_variable_then_home_then_userprofile() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let yaml = std::path::Path::new(".huaweicloud").join("regions.yaml");
        assert_eq!(
            regions_file_path(env(&[(REGIONS_FILE_ENV, "/etc/r.yaml"), ("HOME", "/h")])),
            Some("/etc/r.yaml".into())
        );
        assert_eq!(
            regions_file_path(env(&[(REGIONS_FILE_ENV, ""), ("HOME", "/h")])),
            Some(std::path::Path::new("/h").join(&yaml))
        );
        assert_eq!(
            regions_file_path(env(&[("HOME", ""), ("USERPROFILE", "C:\\Users\\me")])),
            Some(std::path::Path::new("C:\\Users\\me").join(&yaml))
        );
        assert_eq!(regions_file_path(env(&[])), None);
    }

    #[test]
    fn a_template_without_a_profile_key_reads_no_regions_file() {
        let asked = std::cell::RefCell::new(Vec::new());
        let lookup = |name: &str| {
            asked.borrow_mut().push(name.to_owned());
            None
        };
        TABLE.resolve("cn-north-4", lookup).unwrap();
        assert_eq!(*asked.borrow(), ["HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4"]);
        asked.borrow_mut().clear();
        TABLE
            .profile_key("CCE")
            .resolve("cn-north-4", lookup)
            .unwrap();
        if cfg!(feature = "regions-file") {
            assert_eq!(
                *asked.borrow(),
                [
                    "HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4",
                    REGIONS_FILE_ENV,
                    "HOME",
                    "USERPROFILE"
                ]
            );
        } else {
            assert_eq!(*asked.borrow(), ["HUAWEICLOUD_SDK_REGION_CCE_CN_NORTH_4"]);
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
