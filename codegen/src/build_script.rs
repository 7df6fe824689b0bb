//! Generation from a consumer's `build.rs`: the spec → one Rust file in `OUT_DIR`, to
//! `include!`, with nothing checked in.

use std::path::{Path, PathBuf};

use crate::{build, emit, Error, Options};

/// Generates a client from a build script.
///
/// Reads the spec, writes one file (`client.rs` by default) into `OUT_DIR` holding the modules
/// `types` and `client` and `pub use` of both (plus `runtime`, the runtime crate), and prints
/// `cargo:rerun-if-changed` for the spec. The crate needs `clustercert-runtime`, `serde`
/// (with `derive`) and `serde_json` as dependencies, and this crate as a build dependency.
///
/// ```no_run
/// // In build.rs, `fn main`:
/// clustercert_codegen::BuildScript::new("spec/openapi.yaml").run();
/// ```
///
/// ```ignore
/// // src/lib.rs
/// include!(concat!(env!("OUT_DIR"), "/client.rs"));
/// ```
///
/// A refused spec fails the build with one line naming the file and the JSON pointer:
/// `spec/openapi.yaml#/components/schemas/Foo: not is not supported`.
#[derive(Debug, Clone)]
pub struct BuildScript {
    spec: PathBuf,
    runtime: String,
    out_dir: Option<PathBuf>,
    file_name: String,
}

impl BuildScript {
    /// A generator for the spec at `spec` (YAML or JSON), a path relative to the package
    /// root as build scripts run there.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        BuildScript {
            spec: spec.into(),
            runtime: Options::default().runtime,
            out_dir: None,
            file_name: "client.rs".to_owned(),
        }
    }

    /// The path generated code names the runtime crate by (default `clustercert_runtime`;
    /// another name when the dependency is renamed in `Cargo.toml`).
    #[must_use]
    pub fn runtime(mut self, path: impl Into<String>) -> Self {
        self.runtime = path.into();
        self
    }

    /// Where to write (default: the `OUT_DIR` cargo gives the build script).
    #[must_use]
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The file's name in the output folder (default `client.rs`), for a crate that generates
    /// from several specs.
    #[must_use]
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// Generates and writes the file, returning its path; prints `cargo:rerun-if-changed` for
    /// the spec first, so an edit to a refused spec reruns the build.
    ///
    /// # Errors
    ///
    /// The spec cannot be read or is refused (the location is `<spec>#<JSON pointer>`), or
    /// the file cannot be written.
    pub fn generate(&self) -> Result<PathBuf, Error> {
        println!("cargo:rerun-if-changed={}", self.spec.display());
        let shown = self.spec.display().to_string();
        let text = std::fs::read_to_string(&self.spec).map_err(|e| Error {
            location: shown.clone(),
            message: format!("cannot read the spec: {e}"),
        })?;
        let located = |e: Error| Error {
            location: format!("{shown}{}", e.location),
            message: e.message,
        };
        let spec = crate::parse_spec(&text).map_err(located)?;
        let options = Options {
            runtime: self.runtime.clone(),
            source: file_name_of(&self.spec),
            command: "clustercert_codegen::BuildScript".to_owned(),
        };
        let (contents, needs_regex) = generate_file_and_needs(&spec, &options).map_err(located)?;
        if needs_regex && !manifest_names_regex() {
            // Cargo cannot be told to add a dependency from here; say which one, before the
            // compiler says `regex` is missing.
            println!("cargo:warning={}", regex_warning(&shown));
        }
        let dir = match &self.out_dir {
            Some(dir) => dir.clone(),
            None => std::env::var_os("OUT_DIR")
                .map(PathBuf::from)
                .ok_or_else(|| Error {
                    location: "OUT_DIR".to_owned(),
                    message: "not set: call this from a build script, or give out_dir".to_owned(),
                })?,
        };
        let path = dir.join(&self.file_name);
        std::fs::write(&path, contents).map_err(|e| Error {
            location: path.display().to_string(),
            message: format!("cannot write: {e}"),
        })?;
        Ok(path)
    }

    /// [`Self::generate`] for `fn main` of a build script: on an error, reports it to cargo
    /// (`cargo::error=`) and exits with status 1, so the build stops with that one line.
    pub fn run(&self) {
        if let Err(error) = self.generate() {
            println!("cargo::error={error}");
            eprintln!("error: {error}");
            std::process::exit(1);
        }
    }
}

/// Whether the package being built already names `regex` in its `Cargo.toml` (a line that
/// starts with `regex` or `[dependencies.regex]`, inherited or not). A build script cannot
/// see resolved dependencies, so this only spares the warning; it decides nothing else.
fn manifest_names_regex() -> bool {
    let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") else {
        return false;
    };
    let Ok(manifest) = std::fs::read_to_string(std::path::Path::new(&dir).join("Cargo.toml"))
    else {
        return false;
    };
    manifest_text_names_regex(&manifest)
}

fn manifest_text_names_regex(manifest: &str) -> bool {
    manifest.lines().map(str::trim_start).any(|line| {
        line.starts_with("[dependencies.regex]")
            || line
                .strip_prefix("regex")
                .is_some_and(|rest| rest.trim_start().starts_with(['=', '.']))
    })
}

/// The one-line warning of a build script whose generated client checks patterns.
fn regex_warning(spec: &str) -> String {
    format!(
        "{spec}: the generated client checks string patterns with the `regex` crate; the \
         crate that includes it needs `{}` in [dependencies]",
        crate::emit::crate_files::REGEX_DEPENDENCY
    )
}

/// The spec's file name, for the header line (never a full path: the output must not depend
/// on where the checkout lives).
fn file_name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One file for `include!`: the modules `types` and `client` inline (an included file may
/// not start with inner attributes) and the `pub use`s of a crate root.
pub fn generate_file(spec: &openapiv3::OpenAPI, options: &Options) -> Result<String, Error> {
    generate_file_and_needs(spec, options).map(|(file, _)| file)
}

/// [`generate_file`], and whether the file checks a `pattern` (so its crate needs `regex`).
fn generate_file_and_needs(
    spec: &openapiv3::OpenAPI,
    options: &Options,
) -> Result<(String, bool), Error> {
    let runtime: syn::Path = syn::parse_str(&options.runtime).map_err(|e| Error {
        location: "options.runtime".to_owned(),
        message: format!("`{}` is not a path: {e}", options.runtime),
    })?;
    let api = build::build(spec)?;
    let emitter = emit::Emitter::new(&api, &runtime, None);
    let file = emit::format_file(
        &options.header(),
        emitter.included(&options.source),
        "client.rs",
    )?;
    Ok((file, crate::emit::crate_files::checks_patterns(&api)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_that_names_regex_is_seen() {
        assert!(manifest_text_names_regex(
            "[dependencies]\nregex = { version = \"1\" }\n"
        ));
        assert!(manifest_text_names_regex(
            "[dependencies]\n  regex.workspace = true\n"
        ));
        assert!(manifest_text_names_regex(
            "[dependencies.regex]\nversion = \"1\"\n"
        ));
        assert!(!manifest_text_names_regex(
            "[dependencies]\nregex-lite = \"0.1\"\n"
        ));
        assert!(!manifest_text_names_regex("[package]\nname = \"x\"\n"));
    }

    #[test]
    fn the_regex_warning_is_one_line_naming_the_spec_and_the_dependency() {
        let warning = regex_warning("api/spec.yaml");
        assert!(!warning.contains('\n'), "{warning}");
        assert!(warning.starts_with("api/spec.yaml: "), "{warning}");
        assert!(
            warning.ends_with(&format!(
                "needs `{}` in [dependencies]",
                crate::emit::crate_files::REGEX_DEPENDENCY
            )),
            "{warning}"
        );
    }
}
