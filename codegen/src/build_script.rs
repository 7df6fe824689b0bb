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
        let contents = generate_file(&spec, &options).map_err(located)?;
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
    let runtime: syn::Path = syn::parse_str(&options.runtime).map_err(|e| Error {
        location: "options.runtime".to_owned(),
        message: format!("`{}` is not a path: {e}", options.runtime),
    })?;
    let api = build::build(spec)?;
    let emitter = emit::Emitter::new(&api, &runtime, None);
    emit::format_file(
        &options.header(),
        emitter.included(&options.source),
        "client.rs",
    )
}
