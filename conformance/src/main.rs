//! `clustercert-conformance`: runs the conformance cases and the mock target, validates one
//! response, checks the real API, or prints the schemas it derived from the spec.
//!
//! - `clustercert-conformance [run] [--cases DIR] [--no-mock] [--record DIR]`: every case in
//!   `conformance/cases/`, then the in-process mock for durations -1, 1, 30 and 1825 on an
//!   internal and an external cluster; a table, then `N passed, N failed`.
//! - `clustercert-conformance validate --response FILE [--duration N]`: a JSON body or a case
//!   file; every finding.
//! - `clustercert-conformance live [--duration N] [--record DIR]`: the real API, with
//!   credentials from the environment.
//! - `clustercert-conformance schema request | schema response --status N`: the JSON Schema
//!   the suite derived from the spec.
//! - `clustercert-conformance mint --days N [--external] [--not-before YYYY-MM-DD]`: prints a
//!   synthetic kubeconfig with real certificates (how the valid cases were made).
//!
//! `run`, `validate` and `live` take `--report junit=PATH`, `--report json=PATH` (several at
//! once), `--verbose` and `--color`; with `GITHUB_ACTIONS=true` they also print annotations
//! and append a summary to `$GITHUB_STEP_SUMMARY`. Exit codes: see [`EXIT_CODES`].

#![forbid(unsafe_code)]

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clustercert_conformance::case::{self, Case};
use clustercert_conformance::finding::{Report, DEFAULT_FINDINGS_PER_CHECK};
use clustercert_conformance::fixtures::{MintOptions, Minted};
use clustercert_conformance::report::{self, github, ReportSpec, RunInfo};
use clustercert_conformance::runner::{
    check_case_into, mismatches, render_findings, render_table_with, run_cases_in, terminal_safe,
    use_color, CaseResult, Row, TableStyle, Target,
};
use clustercert_conformance::schema::Validators;
use clustercert_conformance::target;

/// The exit codes, as `--help` shows them.
const EXIT_CODES: &str = "\
Exit codes:
  0  every expectation is met (validate: the response is valid)
  1  an expectation is not met (a FAIL row; validate: the response is invalid)
  2  usage or setup error (bad flags, unreadable files, a report or --record folder that
     cannot be written, a path given to two reports; all checked before anything runs)
  3  live only: skipped, nothing was checked (credentials or settings are not set)";

/// `live` without its settings: skipped, a code of its own so CI cannot take it for a pass.
const EXIT_SKIPPED: u8 = 3;

#[derive(Debug, Parser)]
#[command(
    name = "clustercert-conformance",
    about = "Conformance suite for CCE CreateKubernetesClusterCert",
    after_help = EXIT_CODES,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run every case and the mock target (the default).
    #[command(after_help = EXIT_CODES)]
    Run(RunArgs),
    /// Validate one response: a bare JSON body (a 200 response) or a case file.
    #[command(after_help = EXIT_CODES)]
    Validate {
        /// The file.
        #[arg(long)]
        response: PathBuf,
        /// The requested validity in days (-1 = 1825), for the certificate period check.
        #[arg(long, allow_negative_numbers = true)]
        duration: Option<i64>,
        /// Findings listed per check; the rest are counted.
        #[arg(long, default_value_t = DEFAULT_FINDINGS_PER_CHECK, value_name = "N")]
        max_findings: usize,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Check the real API (credentials from the environment).
    #[command(after_help = EXIT_CODES)]
    Live {
        /// The validity to request, in days (-1 = 1825).
        #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
        duration: i64,
        /// Save the exchange, redacted, as a case under DIR (named with the time, so DIR
        /// keeps a history that `run --cases DIR` replays); drift from the latest earlier
        /// recording there shows as findings.
        #[arg(long, value_name = "DIR")]
        record: Option<PathBuf>,
        #[command(flatten)]
        output: OutputArgs,
    },
    /// Print the JSON Schema (draft 4) the suite derived from the spec.
    Schema {
        #[command(subcommand)]
        what: SchemaWhat,
    },
    /// Print a synthetic kubeconfig with real certificates.
    Mint {
        /// Validity of the client certificate in days.
        #[arg(long, default_value_t = 30)]
        days: i64,
        /// Add an externalCluster (a cluster with a public IP).
        #[arg(long)]
        external: bool,
        /// Start of the validity, YYYY-MM-DD (00:00 UTC).
        #[arg(long, default_value = "2026-01-01")]
        not_before: String,
    },
}

#[derive(Debug, Subcommand)]
enum SchemaWhat {
    /// The request body's schema.
    Request,
    /// The body schema of one documented response status.
    Response {
        /// The HTTP status, for example 200 or 400.
        #[arg(long)]
        status: u16,
    },
}

#[derive(Debug, Args)]
struct RunArgs {
    /// The cases folder.
    #[arg(long, default_value_os_t = case::default_cases_dir())]
    cases: PathBuf,
    /// Skip the in-process mock target.
    #[arg(long)]
    no_mock: bool,
    /// Save what the mock target received as redacted cases under DIR.
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorMode {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
struct OutputArgs {
    /// Write a report: junit=PATH (JUnit XML) or json=PATH (JSON, "format": 1). Repeat for
    /// several.
    #[arg(long = "report", value_name = "FORMAT=PATH")]
    reports: Vec<ReportSpec>,
    /// List every finding under its row (failing rows always list theirs).
    #[arg(long, short)]
    verbose: bool,
    /// Colour the table: auto (only on a terminal, and not when NO_COLOR is set), always,
    /// never.
    #[arg(long, value_enum, default_value = "auto")]
    color: ColorMode,
}

impl OutputArgs {
    fn style(&self) -> TableStyle {
        let mode = match self.color {
            ColorMode::Auto => "auto",
            ColorMode::Always => "always",
            ColorMode::Never => "never",
        };
        let no_color = std::env::var("NO_COLOR").ok();
        TableStyle {
            verbose: self.verbose,
            color: use_color(mode, std::io::stdout().is_terminal(), no_color.as_deref()),
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let outcome = match cli.command {
        None => run(&cli.run),
        Some(Command::Run(args)) => run(&args),
        Some(Command::Validate {
            response,
            duration,
            max_findings,
            output,
        }) => validate(&response, duration, max_findings, &output),
        Some(Command::Live {
            duration,
            record,
            output,
        }) => live(duration, record.as_deref(), &output),
        Some(Command::Schema { what }) => schema(&what),
        Some(Command::Mint {
            days,
            external,
            not_before,
        }) => mint(days, external, &not_before),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            // One line, whatever the cause holds (a path or a server's message with a line
            // break must not start a line a CI runner would read as a command).
            eprintln!("error: {}", terminal_safe(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// Prints to standard output. A reader that went away (`| head`) is not an error: the rest
/// of the output is dropped and the command still ends with its own exit code.
fn say(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(anyhow::anyhow!("cannot write to standard output: {e}"))
        }
        _ => Ok(()),
    }
}

/// Fails early when a report (or the GitHub step summary) could not be written at the end.
fn prepare(output: &OutputArgs) -> anyhow::Result<()> {
    let summary = github::step_summary(|name| std::env::var(name).ok());
    report::prepare(&output.reports, summary.as_deref())?;
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// Reports, GitHub output and the table; the exit code of the rows.
fn finish(
    rows: &[Row],
    command: &str,
    output: &OutputArgs,
    table: bool,
) -> anyhow::Result<ExitCode> {
    let info = RunInfo { command };
    report::write_all(&output.reports, rows, info)?;
    if github::enabled(|name| std::env::var(name).ok()) {
        github::emit(rows, info, |name| std::env::var(name).ok())?;
    }
    if table {
        say(&render_table_with(rows, output.style()))?;
    }
    Ok(if rows.iter().any(Row::failed) {
        ExitCode::FAILURE
    } else if !rows.is_empty() && rows.iter().all(|r| r.skipped.is_some()) {
        ExitCode::from(EXIT_SKIPPED)
    } else {
        ExitCode::SUCCESS
    })
}

fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    prepare(&args.output)?;
    if let Some(dir) = &args.record {
        clustercert_conformance::record::prepare_dir(dir)?;
    }
    let validators = Validators::builtin()?;
    let cases = case::load_dir(&args.cases)?;
    let mut rows = run_cases_in(&cases, validators, Some(&args.cases));
    if !args.no_mock {
        rows.extend(
            runtime()?.block_on(target::run_mock_target(validators, args.record.as_deref()))?,
        );
    }
    finish(&rows, "run", &args.output, true)
}

fn validate(
    file: &Path,
    duration: Option<i64>,
    max_findings: usize,
    output: &OutputArgs,
) -> anyhow::Result<ExitCode> {
    prepare(output)?;
    let started = Instant::now();
    let mut case = {
        let text = case::read_text(file)?;
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{} is not JSON: {e}", file.display()))?;
        let is_case = value.get("description").is_some()
            && (value.get("response").is_some() || value.get("request").is_some());
        if is_case {
            drop(value);
            Case::from_json(&text, &file.display().to_string())?
        } else {
            drop(text);
            Case::from_response_body(value, None)
        }
    };
    if duration.is_some() {
        case.duration = duration;
    }
    let mut report = Report::with_limit(max_findings);
    check_case_into(&case, Validators::builtin()?, &mut report);
    let result = CaseResult::from_report(report);
    say(&render_findings(&result))?;
    if case.expect.is_some() {
        let differences = mismatches(case.expect.as_ref(), &result);
        if differences.is_empty() {
            say("the case's expectation is met\n")?;
        } else {
            let mut text = String::from("the case's expectation is not met:\n");
            for difference in differences {
                text.push_str(&format!("  - {}\n", terminal_safe(&difference)));
            }
            say(&text)?;
        }
    }
    // `validate` asks whether the response is valid: its row fails on any error finding.
    let unmet = target::target_mismatches(&result, &case, false);
    let mut row = Row::new(Target::Validate, file.display().to_string(), result, unmet);
    row.file = Some(file.to_path_buf());
    row.elapsed = started.elapsed();
    finish(std::slice::from_ref(&row), "validate", output, false)
}

fn live(duration: i64, record: Option<&Path>, output: &OutputArgs) -> anyhow::Result<ExitCode> {
    prepare(output)?;
    if let Some(dir) = record {
        clustercert_conformance::record::prepare_dir(dir)?;
    }
    let settings = match target::live_settings(|name| std::env::var(name).ok()) {
        Ok(settings) => settings,
        Err(reason) => {
            let mut text = format!("{reason}\nSet these to run against the real API:\n");
            for (name, what) in target::LIVE_ENV {
                text.push_str(&format!("  {name:<32} {what}\n"));
            }
            say(&text)?;
            let row = Row::skipped(Target::Live, format!("live/duration={duration}"), reason);
            return finish(std::slice::from_ref(&row), "live", output, false);
        }
    };
    let runtime = runtime()?;
    let lookup = |name: &str| std::env::var(name).ok();
    let credentials =
        match runtime.block_on(target::live_credentials(&settings.project_id, lookup))? {
            Ok(credentials) => credentials,
            Err(reason) => {
                say(&format!("{}\n", terminal_safe(&reason)))?;
                let row = Row::skipped(Target::Live, format!("live/duration={duration}"), reason);
                return finish(std::slice::from_ref(&row), "live", output, false);
            }
        };
    let validators = Validators::builtin()?;
    let row = runtime.block_on(target::run_live_target(
        &settings,
        credentials,
        duration,
        validators,
        record,
    ))?;
    say(&render_findings(&row.result))?;
    finish(std::slice::from_ref(&row), "live", output, true)
}

fn schema(what: &SchemaWhat) -> anyhow::Result<ExitCode> {
    let validators = Validators::builtin()?;
    let compiled = match what {
        SchemaWhat::Request => &validators.request,
        SchemaWhat::Response { status } => validators.response(*status).ok_or_else(|| {
            let documented: Vec<String> = validators
                .documented_statuses()
                .iter()
                .map(u16::to_string)
                .collect();
            anyhow::anyhow!(
                "status {status} is not documented (documented: {})",
                documented.join(", ")
            )
        })?,
    };
    say(&(serde_json::to_string_pretty(&compiled.schema)? + "\n"))?;
    Ok(ExitCode::SUCCESS)
}

fn mint(days: i64, external: bool, not_before: &str) -> anyhow::Result<ExitCode> {
    let mut parts = not_before.splitn(3, '-').map(str::parse::<i32>);
    let (Some(Ok(year)), Some(Ok(month)), Some(Ok(day))) =
        (parts.next(), parts.next(), parts.next())
    else {
        anyhow::bail!("--not-before must be YYYY-MM-DD");
    };
    let minted = Minted::new(&MintOptions {
        days,
        not_before: (year, u8::try_from(month)?, u8::try_from(day)?),
        backdate_secs: 0,
    })?;
    say(&(serde_json::to_string_pretty(&minted.kubeconfig(external))? + "\n"))?;
    Ok(ExitCode::SUCCESS)
}
