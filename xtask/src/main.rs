//! Project automation.
//!
//! - `cargo xtask codegen` rewrites `generated/src/generated/` from `spec/openapi.yaml`;
//!   `--check` only compares and fails naming the stale file; `--spec PATH --out DIR` writes a
//!   standalone crate from any spec.
//!
//!   The generator emits prettyplease's formatting; every `.rs` file then goes through
//!   `rustfmt`, so the checked-in code also passes `cargo fmt --check`. One function,
//!   `ensure_file_contents`, decides freshness for every file.
//! - `cargo xtask conformance [ARGS..]` and `cargo xtask mock [ARGS..]` run the conformance
//!   suite and the mock server of `clustercert-conformance`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

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
        /// Generate from this spec instead (with --out).
        #[arg(long, requires = "out")]
        spec: Option<PathBuf>,
        /// Write a standalone crate into this folder (depends on `clustercert` for the runtime).
        #[arg(long)]
        out: Option<PathBuf>,
    },
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
        Task::Codegen { check, spec, out } => codegen(check, spec, out).map(|()| ExitCode::SUCCESS),
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

/// The files of the checked-in generated module, with their full paths.
fn checked_in_files() -> Result<Vec<(PathBuf, String)>> {
    let root = root();
    let spec = read_spec(&root.join("spec/openapi.yaml"))?;
    let files = clustercert_codegen::generate(&spec, &clustercert_codegen::Options::default())
        .context("in spec/openapi.yaml")?;
    let dir = root.join("generated/src/generated");
    files
        .into_iter()
        .map(|file| Ok((dir.join(&file.path), rustfmt(&file.path, &file.contents)?)))
        .collect()
}

fn codegen(check: bool, spec: Option<PathBuf>, out: Option<PathBuf>) -> Result<()> {
    if let Some(out) = out {
        let spec_path = spec.unwrap_or_else(|| root().join("spec/openapi.yaml"));
        return standalone(&spec_path, &out, check);
    }
    let files = checked_in_files()?;
    let mut stale = Vec::new();
    for (path, contents) in &files {
        if let Err(error) = ensure_file_contents(path, contents, check) {
            stale.push(error);
        }
    }
    if !stale.is_empty() {
        for error in &stale {
            eprintln!("{error}");
        }
        bail!("{} generated file(s) are stale", stale.len());
    }
    // A file the generator no longer writes would be compiled in (or confuse readers).
    let dir = root().join("generated/src/generated");
    let expected: Vec<&PathBuf> = files.iter().map(|(path, _)| path).collect();
    for entry in std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") && !expected.contains(&&path) {
            bail!(
                "{} is not generated any more; delete it and run `cargo xtask codegen`",
                path.display()
            );
        }
    }
    Ok(())
}

/// `--spec PATH --out DIR`: a crate that builds on its own, using `clustercert`'s runtime.
fn standalone(spec_path: &Path, out: &Path, check: bool) -> Result<()> {
    let spec = read_spec(spec_path)?;
    let crate_name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "generated-client".to_owned());
    let crate_name: String = crate_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let options = clustercert_codegen::Options {
        runtime: "clustercert::runtime".to_owned(),
        source: spec_path.display().to_string(),
        command: "cargo xtask codegen --out".to_owned(),
    };
    let files = clustercert_codegen::generate_crate(
        &spec,
        &options,
        &crate_name,
        &root().join("generated"),
    )
    .with_context(|| format!("in {}", spec_path.display()))?;
    for file in files {
        let contents = rustfmt(&file.path, &file.contents)?;
        ensure_file_contents(&out.join(&file.path), &contents, check)?;
    }
    Ok(())
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
        if let Err(error) = codegen(true, None, None) {
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
    fn out_writes_a_crate_that_check_then_finds_fresh_or_stale() {
        let dir = tempfile::tempdir().expect("temp dir");
        let out = dir.path().join("cce-client");
        let spec = root().join("spec/openapi.yaml");
        standalone(&spec, &out, false).expect("generate");
        let manifest = std::fs::read_to_string(out.join("Cargo.toml")).expect("Cargo.toml");
        assert!(manifest.contains("name = \"cce-client\""), "{manifest}");
        assert!(manifest.contains("[workspace]"), "{manifest}");
        let runtime = root().join("generated");
        assert!(
            manifest.contains(&format!(
                "clustercert = {{ path = \"{}\" }}",
                runtime.display()
            )),
            "{manifest}"
        );
        let lib = std::fs::read_to_string(out.join("src/lib.rs")).expect("lib.rs");
        assert!(lib.contains("pub use client::*;"), "{lib}");
        let client = std::fs::read_to_string(out.join("src/client.rs")).expect("client.rs");
        assert!(client.contains("clustercert::runtime::Transport"));
        standalone(&spec, &out, true).expect("fresh right after generating");
        std::fs::write(out.join("src/types.rs"), "// edited by hand\n").expect("edit");
        let error = standalone(&spec, &out, true).expect_err("stale after an edit");
        assert!(error.to_string().contains("types.rs"), "{error}");
    }

    #[test]
    fn generating_twice_gives_identical_bytes() {
        let first = checked_in_files().expect("generate");
        let second = checked_in_files().expect("generate");
        assert_eq!(first, second);
        assert!(first.iter().all(|(_, contents)| contents
            .starts_with("// @generated by `cargo xtask codegen` from spec/openapi.yaml.")));
    }
}
