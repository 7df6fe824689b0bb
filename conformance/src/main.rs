//! `clustercert-conformance`: runs the conformance cases and the mock target, validates one
//! response, or checks the real API.
//!
//! - `clustercert-conformance [run] [--cases DIR] [--no-mock] [--record DIR]`: every case in
//!   `conformance/cases/`, then the in-process mock for durations -1, 1, 30 and 1825 on an
//!   internal and an external cluster; a table, then `N passed, N failed`. Exit 1 on a failure.
//! - `clustercert-conformance validate --response FILE [--duration N]`: a JSON body or a case
//!   file; every finding, exit 1 when invalid.
//! - `clustercert-conformance live [--duration N] [--record DIR]`: the real API, with
//!   credentials from the environment; skips (exit 0) with a clear message when they are absent.
//! - `clustercert-conformance mint --days N [--external] [--not-before YYYY-MM-DD]`: prints a
//!   synthetic kubeconfig with real certificates (how the valid cases were made).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use clustercert_conformance::case::{self, Case};
use clustercert_conformance::finding::{Report, DEFAULT_FINDINGS_PER_CHECK};
use clustercert_conformance::fixtures::{MintOptions, Minted};
use clustercert_conformance::runner::{
    check_case_into, mismatches, render_findings, render_table, run_cases, CaseResult,
};
use clustercert_conformance::schema::Validators;
use clustercert_conformance::target;

#[derive(Debug, Parser)]
#[command(
    name = "clustercert-conformance",
    about = "Conformance suite for CCE CreateKubernetesClusterCert",
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
    Run(RunArgs),
    /// Validate one response: a bare JSON body (a 200 response) or a case file.
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
    },
    /// Check the real API (credentials from the environment).
    Live {
        /// The validity to request, in days (-1 = 1825).
        #[arg(long, default_value_t = 1, allow_negative_numbers = true)]
        duration: i64,
        /// Save the exchange as a redacted case under DIR.
        #[arg(long)]
        record: Option<PathBuf>,
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

#[derive(Debug, Args)]
struct RunArgs {
    /// The cases folder.
    #[arg(long, default_value_os_t = case::default_cases_dir())]
    cases: PathBuf,
    /// Skip the in-process mock target.
    #[arg(long)]
    no_mock: bool,
    /// Save what the mock target received as redacted cases under DIR.
    #[arg(long)]
    record: Option<PathBuf>,
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
        }) => validate(&response, duration, max_findings),
        Some(Command::Live { duration, record }) => live(duration, record.as_deref()),
        Some(Command::Mint {
            days,
            external,
            not_before,
        }) => mint(days, external, &not_before),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let validators = Validators::builtin()?;
    let cases = case::load_dir(&args.cases)?;
    let mut rows = run_cases(&cases, validators);
    if !args.no_mock {
        rows.extend(
            runtime()?.block_on(target::run_mock_target(validators, args.record.as_deref()))?,
        );
    }
    print!("{}", render_table(&rows));
    Ok(if rows.iter().all(|r| r.passed()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn validate(file: &Path, duration: Option<i64>, max_findings: usize) -> anyhow::Result<ExitCode> {
    let mut case = {
        let text = std::fs::read_to_string(file)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
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
    print!("{}", render_findings(&result));
    if case.expect.is_some() {
        let differences = mismatches(case.expect.as_ref(), &result);
        if differences.is_empty() {
            println!("the case's expectation is met");
        } else {
            println!("the case's expectation is not met:");
            for difference in differences {
                println!("  - {difference}");
            }
        }
    }
    Ok(match result.verdict {
        case::Verdict::Valid => ExitCode::SUCCESS,
        case::Verdict::Invalid => ExitCode::FAILURE,
    })
}

fn live(duration: i64, record: Option<&Path>) -> anyhow::Result<ExitCode> {
    let settings = match target::live_settings(|name| std::env::var(name).ok()) {
        Ok(settings) => settings,
        Err(reason) => {
            println!("{reason}");
            println!("Set these to run against the real API:");
            for (name, what) in target::LIVE_ENV {
                println!("  {name:<32} {what}");
            }
            return Ok(ExitCode::SUCCESS);
        }
    };
    let validators = Validators::builtin()?;
    let row = runtime()?.block_on(target::run_live_target(
        &settings, duration, validators, record,
    ))?;
    print!("{}", render_findings(&row.result));
    print!("{}", render_table(std::slice::from_ref(&row)));
    Ok(if row.passed() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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
    println!(
        "{}",
        serde_json::to_string_pretty(&minted.kubeconfig(external))?
    );
    Ok(ExitCode::SUCCESS)
}
