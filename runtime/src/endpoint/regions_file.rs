//! The regions file of the official SDK (cargo feature `regions-file`): YAML mapping each
//! service name (any case) to a list of regions, each `{id, endpoint, endpoints}`.
//!
//! ```yaml
//! CCE:
//!   - id: my-region-1
//!     endpoints: [https://cce.my-region-1.example.com, https://cce-2.my-region-1.example.com]
//!     endpoint: https://cce-3.my-region-1.example.com   # tried after the list
//! ```
//!
//! As the SDK reads it: a missing file is no file; an entry without an `id` or without any
//! endpoint is skipped; when several entries (or several spellings of the service) give a
//! region, the last one counts. Stricter than the SDK: the file must be a regular file of at
//! most [`MAX_REGIONS_FILE_BYTES`], and the service's entries must have the shape above;
//! errors name the file, the service key and the region, never other contents.

use std::path::Path;

use serde_yaml::Value;

use super::{endpoint_problem, Error};
use crate::small_file::{self, Problem};

/// The largest regions file read, in bytes (1 MiB): a real one is a few lines.
pub const MAX_REGIONS_FILE_BYTES: u64 = 1 << 20;

/// The endpoints `path` gives `region` under the service `key`; `None` when there is no file
/// at `path` or it does not give the region.
pub(super) fn endpoints(
    path: &Path,
    key: &str,
    region: &str,
) -> Result<Option<Vec<String>>, Error> {
    let fail = |what: String| Error::InvalidInput(format!("regions file {path:?}: {what}"));
    let Some(text) = read(path).map_err(fail)? else {
        return Ok(None);
    };
    find(&text, key, region).map_err(fail)
}

/// The file's bytes; `None` when nothing is at `path`.
fn read(path: &Path) -> Result<Option<Vec<u8>>, String> {
    match small_file::read(path, MAX_REGIONS_FILE_BYTES) {
        Ok((text, _)) => Ok(Some(text)),
        Err(Problem::Missing) => Ok(None),
        // A link to nothing is a mistake worth saying, not a missing file.
        Err(Problem::DanglingLink) => Err("is a link to a file that does not exist".to_owned()),
        Err(Problem::Directory) => Err("is a directory, not a file".to_owned()),
        Err(Problem::NotRegular) => Err("is not a regular file".to_owned()),
        Err(Problem::TooLarge) => Err(format!(
            "is larger than {MAX_REGIONS_FILE_BYTES} bytes; a regions file is a few lines"
        )),
        Err(Problem::Open(e) | Problem::Read(e)) => Err(format!("cannot be read: {e}")),
    }
}

/// The deepest `[`/`{` nesting a regions file may have. The YAML parser takes time growing
/// with the square of the depth of such nesting (seconds for a few thousand levels), and its
/// reader gives up past 128 levels anyway; a real file has two or three.
const MAX_FLOW_DEPTH: usize = 32;

/// How deep `[` and `{` nest in `text`, counting every bracket (in strings and comments too:
/// an over-count only matters for a file no one writes by hand).
fn flow_depth(text: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for byte in text {
        match byte {
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// The endpoints the file's text gives `region` under `key`.
fn find(text: &[u8], key: &str, region: &str) -> Result<Option<Vec<String>>, String> {
    if flow_depth(text) > MAX_FLOW_DEPTH {
        return Err(format!(
            "nests [ ] or {{ }} deeper than {MAX_FLOW_DEPTH} levels; a regions file needs two"
        ));
    }
    let document: Value =
        serde_yaml::from_slice(text).map_err(|e| format!("is not valid YAML: {e}"))?;
    let services = match document {
        // An empty file lists nothing.
        Value::Null => return Ok(None),
        Value::Mapping(services) => services,
        _ => return Err("is not a mapping of service names to lists of regions".to_owned()),
    };
    let mut found = None;
    for (name, regions) in &services {
        let Some(name) = name.as_str().filter(|n| n.eq_ignore_ascii_case(key)) else {
            continue;
        };
        let regions = match regions {
            Value::Null => continue,
            Value::Sequence(regions) => regions,
            _ => return Err(format!("{name:?} is not a list of regions")),
        };
        for (index, entry) in regions.iter().enumerate() {
            let at = || format!("{name:?} entry {}", index + 1);
            let Value::Mapping(entry) = entry else {
                return Err(format!(
                    "{} is not a mapping (id, endpoint, endpoints)",
                    at()
                ));
            };
            let id = match entry.get("id") {
                None | Some(Value::Null) => continue,
                Some(Value::String(id)) => id,
                Some(_) => return Err(format!("{}: id is not a string", at())),
            };
            if id != region {
                continue;
            }
            let at = || format!("{name:?} region {region:?}");
            let mut urls: Vec<&str> = match entry.get("endpoints") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Sequence(list)) => list
                    .iter()
                    .map(Value::as_str)
                    .collect::<Option<_>>()
                    .ok_or_else(|| format!("{}: endpoints is not a list of URLs", at()))?,
                Some(_) => return Err(format!("{}: endpoints is not a list of URLs", at())),
            };
            match entry.get("endpoint") {
                None | Some(Value::Null) => {}
                Some(Value::String(url)) if url.is_empty() => {}
                Some(Value::String(url)) => urls.push(url),
                Some(_) => return Err(format!("{}: endpoint is not a URL", at())),
            }
            if urls.is_empty() {
                continue;
            }
            let endpoints = urls
                .iter()
                .enumerate()
                .map(|(n, url)| {
                    endpoint_problem(url.trim())
                        .map_err(|why| format!("{}: endpoint {}: {why}", at(), n + 1))
                })
                .collect::<Result<Vec<_>, _>>()?;
            found = Some(endpoints);
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::super::{RegionServer, RegionTemplate, REGIONS_FILE_ENV};
    use super::MAX_REGIONS_FILE_BYTES;

    const SERVERS: &[RegionServer] = &[
        RegionServer::new("https://cce.{region}.myhuaweicloud.com", &["cn-north-4"]),
        RegionServer::new("https://cce.{region}.myhuaweicloud.eu", &["eu-west-101"]),
    ];
    const CCE: RegionTemplate =
        RegionTemplate::with_servers(SERVERS, Some("HUAWEICLOUD_SDK_REGION_CCE_"))
            .profile_key("CCE");

    /// `region` resolved with the regions file at `path` and no other variable.
    fn resolve(path: &Path, region: &str) -> Result<Vec<String>, String> {
        let path = path.to_str().unwrap().to_owned();
        CCE.resolve(region, |name| {
            (name == REGIONS_FILE_ENV).then(|| path.clone())
        })
        .map_err(|e| e.to_string())
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regions.yaml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    const SECRET: &str = "s3cr3t-in-the-file";

    #[test]
    fn endpoints_then_endpoint_under_the_key_in_any_case() {
        let (_dir, path) = file(
            "cce:\n  - id: xx-1\n    endpoint: https://three.example.com/\n    endpoints:\n      - https://one.example.com\n      - ' http://two.example.com:8080 '\n",
        );
        assert_eq!(
            resolve(&path, "xx-1").unwrap(),
            [
                "https://one.example.com",
                "http://two.example.com:8080",
                "https://three.example.com"
            ]
        );
        // Not listed: the servers.
        assert_eq!(
            resolve(&path, "cn-north-4").unwrap(),
            ["https://cce.cn-north-4.myhuaweicloud.com"]
        );
        // The file overrides the servers, and the variable overrides the file.
        let (_dir, path) =
            file("CCE:\n  - id: eu-west-101\n    endpoint: https://eu.example.com\n");
        assert_eq!(
            resolve(&path, "eu-west-101").unwrap(),
            ["https://eu.example.com"]
        );
        let text = path.to_str().unwrap().to_owned();
        let env = |name: &str| match name {
            REGIONS_FILE_ENV => Some(text.clone()),
            "HUAWEICLOUD_SDK_REGION_CCE_EU_WEST_101" => Some("http://env.example.com".to_owned()),
            _ => None,
        };
        assert_eq!(
            CCE.resolve("eu-west-101", env).unwrap(),
            ["http://env.example.com"]
        );
    }

    #[test]
    fn entries_without_id_or_endpoints_are_skipped_and_the_last_entry_counts() {
        let (_dir, path) = file(concat!(
            "OTHER: 42\n",
            "CCE:\n",
            "  - endpoint: https://no-id.example.com\n",
            "  - id: xx-1\n",
            "    endpoint: https://first.example.com\n",
            "  - id: xx-1\n",
            "    endpoints: []\n",
            "    endpoint: ''\n",
            "  - {id: xx-2}\n",
            "Cce:\n",
            "  - id: xx-1\n",
            "    endpoint: https://last.example.com\n",
        ));
        assert_eq!(
            resolve(&path, "xx-1").unwrap(),
            ["https://last.example.com"]
        );
        let err = resolve(&path, "xx-2").unwrap_err();
        assert!(
            err.contains("is not among the 2 regions this client knows"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_or_empty_file_is_no_file() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            resolve(&dir.path().join("absent.yaml"), "cn-north-4").unwrap(),
            ["https://cce.cn-north-4.myhuaweicloud.com"]
        );
        let (_dir, path) = file("");
        assert_eq!(resolve(&path, "cn-north-4").unwrap().len(), 1);
        let (_dir, path) = file("# nothing yet\n");
        assert_eq!(resolve(&path, "cn-north-4").unwrap().len(), 1);
        // The default place, under HOME.
        let home = tempfile::tempdir().unwrap();
        std::fs::create_dir(home.path().join(".huaweicloud")).unwrap();
        std::fs::write(
            home.path().join(".huaweicloud/regions.yaml"),
            "CCE:\n  - id: xx-1\n    endpoint: https://home.example.com\n",
        )
        .unwrap();
        let text = home.path().to_str().unwrap().to_owned();
        let env = |name: &str| (name == "HOME").then(|| text.clone());
        assert_eq!(
            CCE.resolve("xx-1", env).unwrap(),
            ["https://home.example.com"]
        );
    }

    /// The error for `text` in a regions file, checked to name the file and be one line.
    fn error_of(text: &[u8], region: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("regions.yaml");
        std::fs::write(&path, text).unwrap();
        let err = resolve(&path, region).unwrap_err();
        assert!(
            err.starts_with(&format!("invalid input: regions file {path:?}: ")),
            "{err}"
        );
        assert!(!err.contains('\n') && !err.contains(SECRET), "{err}");
        err
    }

    #[test]
    fn wrongly_shaped_files_are_refused_saying_what_is_wrong() {
        let secret_list = format!("- {SECRET}\n");
        for (text, what) in [
            (
                secret_list.as_str(),
                "is not a mapping of service names to lists of regions",
            ),
            ("CCE: [\n", "is not valid YAML"),
            ("CCE: just-a-string\n", "\"CCE\" is not a list of regions"),
            (
                "cce:\n  - just-a-string\n",
                "\"cce\" entry 1 is not a mapping (id, endpoint, endpoints)",
            ),
            ("CCE:\n  - id: [x]\n", "\"CCE\" entry 1: id is not a string"),
            (
                "CCE:\n  - id: xx-1\n    endpoints: https://a.example.com\n",
                "\"CCE\" region \"xx-1\": endpoints is not a list of URLs",
            ),
            (
                "CCE:\n  - id: xx-1\n    endpoints: [1]\n",
                "\"CCE\" region \"xx-1\": endpoints is not a list of URLs",
            ),
            (
                "CCE:\n  - id: xx-1\n    endpoint: {a: 1}\n",
                "\"CCE\" region \"xx-1\": endpoint is not a URL",
            ),
            ("CCE: {}\n---\nCCE: {}\n", "is not valid YAML"),
        ] {
            let err = error_of(text.as_bytes(), "xx-1");
            assert!(err.contains(what), "{text:?}: {err}");
        }
        // Non-UTF-8 text.
        assert!(error_of(b"CCE:\n  - id: \xff\xfe\n", "xx-1").contains("is not valid YAML"));
    }

    #[test]
    fn a_bad_endpoint_in_the_file_is_refused_without_showing_it() {
        for (url, why) in [
            (
                format!("ftp://{SECRET}.example.com"),
                "scheme must be http or https",
            ),
            (
                format!("https://user:{SECRET}@h.example.com"),
                "must not carry user info",
            ),
            (
                format!("https://h.example.com/?token={SECRET}"),
                "must not have a query or fragment",
            ),
            (
                format!("{SECRET} is not a url"),
                "relative URL without a base",
            ),
        ] {
            let text =
                format!("CCE:\n  - id: xx-1\n    endpoints: [https://ok.example.com, '{url}']\n");
            let err = error_of(text.as_bytes(), "xx-1");
            assert!(
                err.ends_with(&format!(": \"CCE\" region \"xx-1\": endpoint 2: {why}")),
                "{err}"
            );
        }
        // Another region's bad endpoint is not judged (the SDK does not read it either).
        let (_dir, path) = file("CCE:\n  - id: other-1\n    endpoint: ftp://x\n  - id: xx-1\n    endpoint: https://ok.example.com\n");
        assert_eq!(resolve(&path, "xx-1").unwrap(), ["https://ok.example.com"]);
    }

    #[test]
    fn hostile_files_are_refused_without_reading_them_whole() {
        // A directory.
        let dir = tempfile::tempdir().unwrap();
        let err = resolve(dir.path(), "xx-1").unwrap_err();
        assert!(err.ends_with(": is a directory, not a file"), "{err}");
        // An endless device, and a link to it.
        let err = resolve(Path::new("/dev/zero"), "xx-1").unwrap_err();
        assert_eq!(
            err,
            "invalid input: regions file \"/dev/zero\": is not a regular file"
        );
        #[cfg(unix)]
        {
            let link = dir.path().join("zero.yaml");
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
            let err = resolve(&link, "xx-1").unwrap_err();
            assert!(err.ends_with(": is not a regular file"), "{err}");
            // A link to nothing is said, not ignored.
            let dangling = dir.path().join("dangling.yaml");
            std::os::unix::fs::symlink(dir.path().join("gone.yaml"), &dangling).unwrap();
            let err = resolve(&dangling, "xx-1").unwrap_err();
            assert!(
                err.ends_with(": is a link to a file that does not exist"),
                "{err}"
            );
            // A link to a good file is read.
            let target = dir.path().join("real.yaml");
            std::fs::write(
                &target,
                "CCE:\n  - id: xx-1\n    endpoint: https://linked.example.com\n",
            )
            .unwrap();
            let good = dir.path().join("good.yaml");
            std::os::unix::fs::symlink(&target, &good).unwrap();
            assert_eq!(
                resolve(&good, "xx-1").unwrap(),
                ["https://linked.example.com"]
            );
            // A FIFO is refused before it is opened (opening would wait for a writer).
            let fifo = dir.path().join("fifo.yaml");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                let err = resolve(&fifo, "xx-1").unwrap_err();
                assert!(err.ends_with(": is not a regular file"), "{err}");
            }
        }
        // A huge file (sparse: no disk is spent), refused by its size.
        let huge = dir.path().join("huge.yaml");
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(1 << 40)
            .unwrap();
        let err = resolve(&huge, "xx-1").unwrap_err();
        assert!(
            err.ends_with(&format!(
                ": is larger than {MAX_REGIONS_FILE_BYTES} bytes; a regions file is a few lines"
            )),
            "{err}"
        );
        // Just over the cap, and just under it (valid YAML: a comment).
        let over = dir.path().join("over.yaml");
        std::fs::write(&over, vec![b'#'; MAX_REGIONS_FILE_BYTES as usize + 1]).unwrap();
        assert!(resolve(&over, "xx-1")
            .unwrap_err()
            .contains("is larger than"));
        let under = dir.path().join("under.yaml");
        std::fs::write(&under, vec![b'#'; MAX_REGIONS_FILE_BYTES as usize]).unwrap();
        assert_eq!(resolve(&under, "cn-north-4").unwrap().len(), 1);
    }

    #[test]
    fn deep_nesting_and_alias_bombs_are_errors_not_crashes() {
        // Refused before parsing, which would take minutes: the parser is quadratic in the
        // depth of flow nesting.
        for deep in [
            format!("CCE: {}{}\n", "[".repeat(500_000), "]".repeat(500_000)),
            "{a: ".repeat(200_000) + &"}".repeat(200_000),
            format!("CCE: {}\n", "[".repeat(33)),
        ] {
            let started = std::time::Instant::now();
            let err = error_of(deep.as_bytes(), "xx-1");
            assert!(
                err.ends_with(": nests [ ] or { } deeper than 32 levels; a regions file needs two"),
                "{err}"
            );
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        }
        // 32 levels are read (and found to be the wrong shape).
        let err = error_of(
            format!("CCE: {}{}\n", "[".repeat(32), "]".repeat(32)).as_bytes(),
            "xx-1",
        );
        assert!(
            err.ends_with("\"CCE\" entry 1 is not a mapping (id, endpoint, endpoints)"),
            "{err}"
        );
        // Block nesting the parser stops at its own limit, quickly.
        let dashes = format!("CCE:\n  {}x\n", "- ".repeat(200_000));
        let err = error_of(dashes.as_bytes(), "xx-1");
        assert!(
            err.contains("is not valid YAML: recursion limit exceeded"),
            "{err}"
        );
        // Each level doubles: 2^30 references of the first.
        let mut bomb = String::from("a0: &a0 [x, x]\n");
        for n in 1..30 {
            bomb.push_str(&format!("a{n}: &a{n} [*a{}, *a{}]\n", n - 1, n - 1));
        }
        bomb.push_str("CCE: *a29\n");
        let err = error_of(bomb.as_bytes(), "xx-1");
        assert!(
            err.contains("is not valid YAML: repetition limit exceeded"),
            "{err}"
        );
    }
}
