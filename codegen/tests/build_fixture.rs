//! Generates fixtures as standalone crates (what `cargo xtask codegen --spec … --out …`
//! writes), builds them with cargo, and runs tests of the generated clients against a local
//! server inside them.

use std::path::Path;
use std::process::{Command, Output};

use clustercert_codegen::{
    generate_crate, parse_spec, CrateOptions, GeneratedFile, Options, RuntimeSource,
};

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The parsed fixture `tests/fixtures/<name>.yaml`.
fn fixture(name: &str) -> openapiv3::OpenAPI {
    let path = manifest_dir().join(format!("tests/fixtures/{name}.yaml"));
    let text = std::fs::read_to_string(path).expect("fixture");
    parse_spec(&text).expect("fixture parses")
}

/// Options for a standalone crate `name` in `dir` that names the workspace's runtime by a
/// path relative to `dir`: up to `/`, then down.
fn crate_options(name: &str, dir: &Path) -> CrateOptions {
    let runtime_crate = manifest_dir()
        .parent()
        .expect("workspace root")
        .join("runtime");
    let up = "../".repeat(dir.components().count() - 1);
    let down = runtime_crate.strip_prefix("/").expect("absolute");
    CrateOptions {
        name: name.to_owned(),
        version: "0.1.0".to_owned(),
        runtime: RuntimeSource::Path(format!("{up}{}", down.display())),
        standalone: true,
    }
}

/// Writes the generated files into `dir`, with the workspace's lock file, which pins the
/// versions already in the local registry cache, so the offline build resolves.
fn write_crate(dir: &Path, files: &[GeneratedFile]) {
    for file in files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &file.contents).expect("write");
    }
    std::fs::copy(manifest_dir().join("../Cargo.lock"), dir.join("Cargo.lock"))
        .expect("copy Cargo.lock");
}

/// Adds `tests/fixtures/<client_test>` as the crate's `tests/client.rs`, with what it needs:
/// a server and an async runtime.
fn add_client_test(dir: &Path, client_test: &str) {
    let mut manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("manifest");
    manifest.push_str(
        "\n[dev-dependencies]\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\"] }\n\
         axum = { version = \"0.8\", default-features = false, features = [\"http1\", \"tokio\"] }\n\
         url = \"2\"\n",
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).expect("manifest");
    std::fs::create_dir_all(dir.join("tests")).expect("mkdir tests");
    std::fs::copy(
        manifest_dir().join("tests/fixtures").join(client_test),
        dir.join("tests/client.rs"),
    )
    .expect("copy client test");
    // The server and request record every client test shares, as its `mod support`.
    std::fs::create_dir_all(dir.join("tests/support")).expect("mkdir tests/support");
    std::fs::copy(
        manifest_dir().join("tests/fixtures/client_support.rs"),
        dir.join("tests/support/mod.rs"),
    )
    .expect("copy client support");
}

/// Runs cargo with `args` in `dir`, offline, in a target dir of its own, so these builds never
/// wait on the workspace's build lock.
fn cargo(dir: &Path, args: &[&str]) -> Output {
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target_dir)
        .arg(args[0])
        .arg("--offline")
        .args(&args[1..])
        .output()
        .expect("run cargo")
}

/// `cargo check` succeeds with no warning in the generated sources (cargo names them
/// `src/…`, relative to the crate; the runtime's own, by an absolute path, are its business).
fn assert_checks_without_warnings(dir: &Path) {
    let output = cargo(dir, &["check", "--message-format", "short"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo check failed:\n{stderr}");
    assert!(
        !stderr
            .lines()
            .any(|l| l.starts_with("src/") && l.contains("warning")),
        "warnings in generated code:\n{stderr}"
    );
}

/// Runs `cargo test` with `args` and returns its standard output, after asserting success.
fn passing_tests(dir: &Path, args: &[&str], what: &str) -> String {
    let output = cargo(dir, &[&["test"], args].concat());
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{what} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn petstore_like_fixture_builds_and_works_as_a_standalone_crate() {
    let spec = fixture("petstore-like");
    let options = Options {
        source: "tests/fixtures/petstore-like.yaml".to_owned(),
        command: "cargo xtask codegen --out".to_owned(),
        ..Options::default()
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let crate_options = crate_options("petstore-like", dir.path());
    let files = generate_crate(&spec, &options, &crate_options).expect("generates");
    assert!(!files[0]
        .contents
        .contains(&*manifest_dir().display().to_string()));
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["Cargo.toml", "src/lib.rs", "src/types.rs", "src/client.rs"]
    );
    write_crate(dir.path(), &files);
    add_client_test(dir.path(), "petstore_like_client.rs");

    let output = cargo(dir.path(), &["build", "--quiet"]);
    assert!(
        output.status.success(),
        "cargo build of the generated crate failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = passing_tests(
        dir.path(),
        &["--quiet"],
        "the generated crate's client test",
    );
    assert!(stdout.contains("6 passed"), "{stdout}");

    // The doc examples (one per operation, one per validated newtype) compile and pass.
    let stdout = passing_tests(
        dir.path(),
        &["--doc", "--", "--format", "terse"],
        "the generated crate's doc examples",
    );
    // 5 operations and 8 validated newtypes.
    assert!(stdout.contains("13 passed"), "{stdout}");
}

/// The `real-world-shapes` fixture (names from method and path, merged `allOf`, flattened
/// maps, text and byte bodies, …) compiles as a crate, without warnings.
#[test]
fn real_world_shapes_fixture_compiles_without_warnings() {
    let spec = fixture("real-world-shapes");
    let dir = tempfile::tempdir().expect("temp dir");
    let crate_options = crate_options("real-world-shapes", dir.path());
    let files = generate_crate(&spec, &Options::default(), &crate_options).expect("generates");
    write_crate(dir.path(), &files);
    assert_checks_without_warnings(dir.path());
}

/// The `corpus-shapes` fixture (multipart bodies, object query parameters, reconciled
/// `allOf`s, references outside `#/components`) compiles as a crate without warnings, and
/// its client puts on the wire what the crate docs say (a test run against a local server).
#[test]
fn corpus_shapes_fixture_compiles_without_warnings_and_sends_what_the_docs_say() {
    let spec = fixture("corpus-shapes");
    let dir = tempfile::tempdir().expect("temp dir");
    let crate_options = crate_options("corpus-shapes", dir.path());
    let files = generate_crate(&spec, &Options::default(), &crate_options).expect("generates");
    write_crate(dir.path(), &files);
    add_client_test(dir.path(), "corpus_shapes_client.rs");
    assert_checks_without_warnings(dir.path());
    let stdout = passing_tests(
        dir.path(),
        &["--quiet", "--test", "client"],
        "the generated crate's client test",
    );
    assert!(stdout.contains("8 passed"), "{stdout}");
}

/// The `regions` fixture (AWS-shaped servers: most regions on one URL, the China ones on
/// another, a shadowed HTTP copy) compiles without warnings (also with the regions file's
/// feature, which is off by default), and its client resolves each region as the docs say.
#[test]
fn regions_fixture_resolves_each_region_to_its_server() {
    let spec = fixture("regions");
    let dir = tempfile::tempdir().expect("temp dir");
    let crate_options = crate_options("regions", dir.path());
    let files = generate_crate(&spec, &Options::default(), &crate_options).expect("generates");
    assert!(
        files[0].contents.contains(
            "[features]\n\
             # The region endpoints of a regions file (`x-region-profile-key` in the spec), as\n\
             # the official SDK reads them; off by default (it adds a YAML parser).\n\
             regions-file = [\"clustercert-runtime/regions-file\"]\n"
        ),
        "{}",
        files[0].contents
    );
    write_crate(dir.path(), &files);
    add_client_test(dir.path(), "regions_client.rs");
    assert_checks_without_warnings(dir.path());
    let stdout = passing_tests(
        dir.path(),
        &["--quiet", "--features", "regions-file", "--test", "client"],
        "the generated crate's client test",
    );
    assert!(stdout.contains("1 passed"), "{stdout}");
}
