//! Dev-only helpers shared by the workspace's tests.
//!
//! [`kubectl`] finds kubectl and runs it on a kubeconfig. Without kubectl a test is skipped
//! (said on stderr, which the test harness shows); with `CI=true` it fails instead, because
//! CI installs kubectl. [`run_isolated`] runs a binary under test with nothing of the
//! caller's environment, and [`assert_one_line_error`] checks how it failed. [`stub`] is a
//! local HTTP server that counts requests and answers each with a chosen status and body;
//! [`parse_file`], [`names`] and [`item`] look into a kubeconfig's YAML. [`tool`] finds
//! another program a test needs (xmllint, actionlint) with the same skip-or-fail rule.

#![forbid(unsafe_code)]

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_yaml::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A kubectl binary.
#[derive(Debug, Clone)]
pub struct Kubectl {
    path: PathBuf,
}

/// What one kubectl run did.
#[derive(Debug, Clone)]
pub struct Run {
    /// Whether it exited with status 0.
    pub ok: bool,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            ok: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// kubectl from `PATH` (or `/usr/bin`). `None` when missing, after saying `SKIPPED` on
/// stderr; a panic when missing and `CI=true`.
pub fn kubectl() -> Option<Kubectl> {
    let path = std::env::var_os("PATH");
    match find(path.as_deref()) {
        Some(path) => Some(Kubectl { path }),
        None => {
            let ci = std::env::var("CI").ok();
            if let Err(message) = skip_or_fail(ci.as_deref()) {
                panic!("{message}");
            }
            None
        }
    }
}

/// The first `kubectl` file in the folders of `path` (a `PATH` value), then `/usr/bin`.
pub fn find(path: Option<&OsStr>) -> Option<PathBuf> {
    path.into_iter()
        .flat_map(|paths| std::env::split_paths(paths).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/bin")])
        .map(|dir| dir.join("kubectl"))
        .find(|candidate| candidate.is_file())
}

/// The first file named `name` in the folders of `PATH`. `None` when missing, after saying
/// `SKIPPED` on stderr; a panic when missing and `CI=true` (`install` says how CI gets it).
pub fn tool(name: &str, install: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|p| p.is_file());
    if found.is_none() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "{name} is missing ({install})"
        );
        eprintln!("SKIPPED: {name} is not installed");
    }
    found
}

/// What to do when kubectl is missing, given the value of `CI`: say `SKIPPED` on stderr and
/// return `Ok`, or, when `ci` is `true`, return the reason to fail.
pub fn skip_or_fail(ci: Option<&str>) -> Result<(), String> {
    const MISSING: &str = "kubectl not found on PATH or in /usr/bin";
    if ci == Some("true") {
        return Err(format!("{MISSING}, and CI=true: CI must install kubectl"));
    }
    eprintln!("SKIPPED: {MISSING}");
    Ok(())
}

impl Kubectl {
    /// The binary's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A command running kubectl on the kubeconfig `config` (`--kubeconfig`, with
    /// `KUBECONFIG` removed from its environment).
    pub fn command(&self, config: &Path) -> Command {
        let mut command = Command::new(&self.path);
        command
            .arg("--kubeconfig")
            .arg(config)
            .env_remove("KUBECONFIG");
        command
    }

    /// Runs kubectl on `config` with `args` and waits for it.
    pub fn run(&self, config: &Path, args: &[&str]) -> Run {
        self.command(config)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.path.display()))
            .into()
    }

    /// `kubectl config view --raw -o json` of `config`, parsed; panics when kubectl refuses.
    pub fn view_json(&self, config: &Path) -> String {
        let run = self.run(config, &["config", "view", "--raw", "-o", "json"]);
        assert!(
            run.ok,
            "kubectl config view refused {}: {}",
            config.display(),
            run.stderr
        );
        run.stdout
    }
}

/// A local TCP port that nothing listens on (bound, then released): kubectl pointed there
/// builds its TLS configuration, then fails to connect.
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free local port")
        .port()
}

/// What one run of a binary under test did.
#[derive(Debug, Clone)]
pub struct Exit {
    /// Its exit code (`None` when a signal ended it).
    pub code: Option<i32>,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// Runs `bin` with `args` and only the environment `env`, plus `HOME=home` (so nothing outside
/// the test's folder can be read or written) and `CCE_METADATA_ENDPOINT` on a closed local
/// port (so a credential chain never reaches the real 169.254.169.254: it looks there, fails
/// at once and moves on). Awaits it without blocking the test's runtime, which may be serving
/// the requests the binary makes.
pub async fn run_isolated(bin: &str, home: &Path, env: &[(&str, &str)], args: &[&str]) -> Exit {
    let output = tokio::process::Command::new(bin)
        .env_clear()
        .env("HOME", home)
        .env("CCE_METADATA_ENDPOINT", "http://127.0.0.1:1")
        .envs(env.iter().copied())
        .args(args)
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {bin}: {e}"));
    Exit {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Asserts that a run failed with exit code 1 and exactly one line on stderr, starting
/// `<program>: error:` and containing `says`.
pub fn assert_one_line_error(exit: &Exit, program: &str, says: &str) {
    assert_eq!(
        exit.code,
        Some(1),
        "must fail with code 1: {} {}",
        exit.stdout,
        exit.stderr
    );
    let lines: Vec<&str> = exit.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line: {:?}", exit.stderr);
    let prefix = format!("{program}: error:");
    assert!(lines[0].starts_with(&prefix), "{:?}", lines[0]);
    assert!(
        lines[0].contains(says),
        "{:?} should say {says:?}",
        lines[0]
    );
}

/// A local HTTP server on 127.0.0.1 that reads each request whole (its head, then the body by
/// `Content-Length`), counts it, and answers with the status and JSON body of the moment.
#[derive(Debug)]
pub struct Stub {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    requests: Arc<AtomicUsize>,
    answer: Arc<Mutex<(u16, String)>>,
}

impl Stub {
    /// Answers the next requests with `status` and `body`.
    pub fn serve(&self, status: u16, body: String) {
        *self.answer.lock().expect("not poisoned") = (status, body);
    }

    /// How many whole requests it has answered.
    pub fn count(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Starts a [`Stub`] answering every request with `status` and `body` (until [`Stub::serve`]).
pub async fn stub(status: u16, body: String) -> Stub {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = Arc::new(AtomicUsize::new(0));
    let answer = Arc::new(Mutex::new((status, body)));
    let (counter, shared) = (requests.clone(), answer.clone());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let (counter, shared) = (counter.clone(), shared.clone());
            tokio::spawn(async move {
                if !read_request(&mut socket).await {
                    return;
                }
                counter.fetch_add(1, Ordering::SeqCst);
                let (status, body) = shared.lock().expect("not poisoned").clone();
                let response = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    Stub {
        url,
        requests,
        answer,
    }
}

/// Reads one request: the head, then the body by `Content-Length` (or until the peer stops
/// sending). `false` when the connection ends or fails before the head is complete.
async fn read_request(socket: &mut tokio::net::TcpStream) -> bool {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        let Ok(n) = socket.read(&mut buf).await else {
            return false;
        };
        if n == 0 {
            return false;
        }
        seen.extend_from_slice(&buf[..n]);
        if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&seen[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while seen.len() < head_end + length {
        match socket.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return false,
        }
    }
    true
}

/// The YAML document in the file at `path`; panics when unreadable or not YAML.
pub fn parse_file(path: &Path) -> Value {
    serde_yaml::from_str(&std::fs::read_to_string(path).expect("readable")).expect("YAML")
}

/// The names of the entries of the list `list` (`clusters`, `users`, `contexts`) of `doc`,
/// in order; panics when `list` is not a list or an entry has no name.
pub fn names(doc: &Value, list: &str) -> Vec<String> {
    doc[list]
        .as_sequence()
        .expect("a list")
        .iter()
        .map(|item| item["name"].as_str().expect("named").to_owned())
        .collect()
}

/// The entry named `name` of the list `list` of `doc`; panics when there is none.
pub fn item<'a>(doc: &'a Value, list: &str, name: &str) -> &'a Value {
    doc[list]
        .as_sequence()
        .expect("a list")
        .iter()
        .find(|item| item["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no {list} entry named {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_kubectl_skips_only_outside_ci() {
        assert!(skip_or_fail(None).is_ok());
        assert!(skip_or_fail(Some("false")).is_ok());
        let err = skip_or_fail(Some("true")).expect_err("CI=true must fail");
        assert!(err.contains("kubectl not found"), "{err}");
    }

    #[test]
    fn kubectl_is_found_in_a_path_folder() {
        let dir = std::env::temp_dir().join(format!("ts-find-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kubectl"), "").unwrap();
        let found = find(Some(dir.as_os_str()));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found, Some(dir.join("kubectl")));
    }
}
