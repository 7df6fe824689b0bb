//! `cce-kubeconfig`: fetch a CCE cluster certificate and merge it into a kubeconfig.
//! Run `cce-kubeconfig --help` for the flags and examples.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::Parser as _;
use clustercert_cli::{one_line, run, Cli};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
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
