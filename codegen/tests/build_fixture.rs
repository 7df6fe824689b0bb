//! Generates the `petstore-like` fixture as a standalone crate (what
//! `cargo xtask codegen --spec … --out …` writes), builds it with cargo, and runs a test of
//! the generated client against a local server inside it.

use std::path::Path;
use std::process::Command;

use clustercert_codegen::{generate_crate, parse_spec, CrateOptions, Options, RuntimeSource};

#[test]
fn petstore_like_fixture_builds_and_works_as_a_standalone_crate() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec_path = manifest_dir.join("tests/fixtures/petstore-like.yaml");
    let text = std::fs::read_to_string(&spec_path).expect("fixture");
    let spec = parse_spec(&text).expect("fixture parses");
    let options = Options {
        source: "tests/fixtures/petstore-like.yaml".to_owned(),
        command: "cargo xtask codegen --out".to_owned(),
        ..Options::default()
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // The runtime by a path relative to the crate's folder: up to `/`, then down.
    let runtime_crate = manifest_dir
        .parent()
        .expect("workspace root")
        .join("runtime");
    let up = "../".repeat(dir.path().components().count() - 1);
    let down = runtime_crate.strip_prefix("/").expect("absolute");
    let crate_options = CrateOptions {
        name: "petstore-like".to_owned(),
        version: "0.1.0".to_owned(),
        runtime: RuntimeSource::Path(format!("{up}{}", down.display())),
        standalone: true,
    };
    let files = generate_crate(&spec, &options, &crate_options).expect("generates");
    assert!(!files[0]
        .contents
        .contains(&*manifest_dir.display().to_string()));
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        ["Cargo.toml", "src/lib.rs", "src/types.rs", "src/client.rs"]
    );

    for file in &files {
        let path = dir.path().join(&file.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &file.contents).expect("write");
    }
    // The client test needs a server and an async runtime.
    let mut manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).expect("manifest");
    manifest.push_str(
        "\n[dev-dependencies]\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\"] }\n\
         axum = { version = \"0.8\", default-features = false, features = [\"http1\", \"tokio\"] }\n\
         url = \"2\"\n",
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("manifest");
    std::fs::create_dir_all(dir.path().join("tests")).expect("mkdir tests");
    std::fs::copy(
        manifest_dir.join("tests/fixtures/petstore_like_client.rs"),
        dir.path().join("tests/client.rs"),
    )
    .expect("copy client test");
    // The workspace's lock file pins the versions already in the local registry cache, so
    // the offline build resolves.
    let lock = manifest_dir.join("../Cargo.lock");
    std::fs::copy(&lock, dir.path().join("Cargo.lock")).expect("copy Cargo.lock");

    // A target dir of its own, so this build never waits on the workspace's build lock.
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target_dir)
        .args(["build", "--offline", "--quiet"])
        .output()
        .expect("run cargo");
    assert!(
        output.status.success(),
        "cargo build of the generated crate failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target_dir)
        .args(["test", "--offline", "--quiet"])
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the generated crate's client test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("6 passed"), "{stdout}");

    // The doc examples (one per operation, one per validated newtype) compile and pass.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target_dir)
        .args(["test", "--offline", "--doc", "--", "--format", "terse"])
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the generated crate's doc examples failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // 5 operations and 8 validated newtypes.
    assert!(stdout.contains("13 passed"), "{stdout}");
}

/// The `real-world-shapes` fixture (names from method and path, merged `allOf`, flattened
/// maps, text and byte bodies, …) compiles as a crate, without warnings.
#[test]
fn real_world_shapes_fixture_compiles_without_warnings() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(manifest_dir.join("tests/fixtures/real-world-shapes.yaml"))
        .expect("fixture");
    let spec = parse_spec(&text).expect("fixture parses");
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime_crate = manifest_dir.parent().expect("root").join("runtime");
    let up = "../".repeat(dir.path().components().count() - 1);
    let down = runtime_crate.strip_prefix("/").expect("absolute");
    let crate_options = CrateOptions {
        name: "real-world-shapes".to_owned(),
        version: "0.1.0".to_owned(),
        runtime: RuntimeSource::Path(format!("{up}{}", down.display())),
        standalone: true,
    };
    let files = generate_crate(&spec, &Options::default(), &crate_options).expect("generates");
    for file in &files {
        let path = dir.path().join(&file.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &file.contents).expect("write");
    }
    std::fs::copy(
        manifest_dir.join("../Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .expect("copy Cargo.lock");
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target_dir)
        .args(["check", "--offline", "--message-format", "short"])
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo check failed:\n{stderr}");
    assert!(
        !stderr
            .lines()
            .any(|l| l.contains("src/") && l.contains("warning")),
        "warnings in generated code:\n{stderr}"
    );
}

/// The `corpus-shapes` fixture (multipart bodies, object query parameters, reconciled
/// `allOf`s, references outside `#/components`) compiles as a crate without warnings, and
/// its client puts on the wire what the crate docs say (a test run against a local server).
#[test]
fn corpus_shapes_fixture_compiles_without_warnings_and_sends_what_the_docs_say() {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(manifest_dir.join("tests/fixtures/corpus-shapes.yaml"))
        .expect("fixture");
    let spec = parse_spec(&text).expect("fixture parses");
    let dir = tempfile::tempdir().expect("temp dir");
    let runtime_crate = manifest_dir.parent().expect("root").join("runtime");
    let up = "../".repeat(dir.path().components().count() - 1);
    let down = runtime_crate.strip_prefix("/").expect("absolute");
    let crate_options = CrateOptions {
        name: "corpus-shapes".to_owned(),
        version: "0.1.0".to_owned(),
        runtime: RuntimeSource::Path(format!("{up}{}", down.display())),
        standalone: true,
    };
    let files = generate_crate(&spec, &Options::default(), &crate_options).expect("generates");
    for file in &files {
        let path = dir.path().join(&file.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &file.contents).expect("write");
    }
    let mut manifest = std::fs::read_to_string(dir.path().join("Cargo.toml")).expect("manifest");
    manifest.push_str(
        "\n[dev-dependencies]\n\
         tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\"] }\n\
         axum = { version = \"0.8\", default-features = false, features = [\"http1\", \"tokio\"] }\n\
         url = \"2\"\n",
    );
    std::fs::write(dir.path().join("Cargo.toml"), manifest).expect("manifest");
    std::fs::create_dir_all(dir.path().join("tests")).expect("mkdir tests");
    std::fs::copy(
        manifest_dir.join("tests/fixtures/corpus_shapes_client.rs"),
        dir.path().join("tests/client.rs"),
    )
    .expect("copy client test");
    std::fs::copy(
        manifest_dir.join("../Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .expect("copy Cargo.lock");
    let target_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture-build");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target_dir)
        .args(["check", "--offline", "--message-format", "short"])
        .output()
        .expect("run cargo");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo check failed:\n{stderr}");
    assert!(
        !stderr
            .lines()
            .any(|l| l.contains("src/") && l.contains("warning")),
        "warnings in generated code:\n{stderr}"
    );
    let output = Command::new(&cargo)
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", &target_dir)
        .args(["test", "--offline", "--quiet", "--test", "client"])
        .output()
        .expect("run cargo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the generated crate's client test failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("2 passed"), "{stdout}");
}
