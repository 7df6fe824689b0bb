//! `cce-kubeconfig`: fetch a CCE cluster certificate and merge it into a kubeconfig.
//! Run `cce-kubeconfig --help` for the flags and examples.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser as _;
use clustercert_cli::{one_line, run, run_credential, Cli, CredentialCli};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "credential")
    {
        return credential().await;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version.
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            // clap's message (`error: …` and, for missing arguments, their list) ends at
            // the first blank line; the usage after it is what --help shows.
            let text = e.to_string();
            let message: Vec<&str> = text
                .lines()
                .map(str::trim)
                .take_while(|line| !line.is_empty())
                .collect();
            eprintln!("cce-kubeconfig: {} (see --help)", message.join(" "));
            return ExitCode::from(2);
        }
    };
    let mut stdout = std::io::stdout().lock();
    let mut stderr = std::io::stderr();
    match run(cli, &mut stdout, &mut stderr).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("cce-kubeconfig: error: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}

/// `cce-kubeconfig credential …`, as kubectl runs it: the ExecCredential on stdout, or one
/// line on stderr and a non-zero exit.
async fn credential() -> ExitCode {
    let args = std::env::args_os()
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, a)| a);
    let cli = match CredentialCli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default().trim();
            eprintln!("cce-kubeconfig credential: {first} (see --help)");
            return ExitCode::from(2);
        }
    };
    // Written whole at the end, so a failure leaves nothing on stdout.
    let mut out = Vec::new();
    match run_credential(cli, &mut out).await {
        Ok(()) => {
            use std::io::Write as _;
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(&out)
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("cce-kubeconfig credential: error: {}", one_line(&err));
            ExitCode::FAILURE
        }
    }
}
