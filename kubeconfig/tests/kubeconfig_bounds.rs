//! Bounded work on hostile files: size cap before reading whole, nesting refused in linear
//! time, and a large merge that stays fast. Timings are printed (run with `--nocapture`,
//! in release for the figures that matter); the bounds asserted hold for debug builds too.

mod common;

use std::time::{Duration, Instant};

use clustercert_kubeconfig::{
    merge, read_existing, update_file, KubeconfigError, MergeOptions, Secrets, MAX_FILE_SIZE,
};
use common::{aliased, names, parse_file};

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let out = f();
    let elapsed = started.elapsed();
    eprintln!("{what}: {elapsed:?}");
    (out, elapsed)
}

fn assert_malformed(result: Result<impl std::fmt::Debug, KubeconfigError>, says: &str) {
    match result {
        Err(KubeconfigError::Malformed { reason, .. }) => {
            assert!(reason.contains(says), "{reason}")
        }
        other => panic!("expected Malformed ({says}), got {other:?}"),
    }
}

#[test]
fn a_megabyte_of_nesting_is_refused_in_linear_time() {
    let entry = aliased("a");
    for (name, text) in [
        ("1 MB of [", "[".repeat(1 << 20)),
        ("1 MB of {", "{".repeat(1 << 20)),
        (
            "1 MB of [ after a key",
            format!("clusters: {}", "[".repeat(1 << 20)),
        ),
        (
            "1 MB of [] pairs nested",
            format!("{}{}", "[".repeat(1 << 19), "]".repeat(1 << 19)),
        ),
    ] {
        let (result, elapsed) = timed(name, || merge(&text, &entry, &MergeOptions::default()));
        assert_malformed(result, "nests more than 64 levels deep");
        assert!(elapsed < Duration::from_secs(1), "{name}: {elapsed:?}");
    }
    // Block nesting has no brackets; the parser's own depth limit refuses it, also fast.
    let text = "- ".repeat(1 << 19) + "x\n";
    let (result, elapsed) = timed("1 MB of '- '", || {
        merge(&text, &entry, &MergeOptions::default())
    });
    assert!(result.is_err());
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    // Brackets inside quotes are text: a megabyte of them merges.
    let text = format!("preferences: {{x: '{}'}}\n", "[".repeat(1 << 20));
    let (result, elapsed) = timed("1 MB of [ in quotes", || {
        merge(&text, &entry, &MergeOptions::default())
    });
    result.expect("quoted brackets are a string");
    assert!(elapsed < Duration::from_secs(5), "{elapsed:?}");
}

#[test]
fn ten_thousand_contexts_merge_quickly_and_completely() {
    let mut text = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "- name: c{i}\n  cluster: {{server: 'https://10.0.{}.{}:6443'}}\n",
            i / 256,
            i % 256
        ));
    }
    text.push_str("users:\n");
    for i in 0..10_000 {
        text.push_str(&format!("- name: u{i}\n  user: {{token: t{i}}}\n"));
    }
    text.push_str("contexts:\n");
    for i in 0..10_000 {
        text.push_str(&format!(
            "- name: x{i}\n  context: {{cluster: c{i}, user: u{i}, namespace: 'on'}}\n"
        ));
    }
    let entry = aliased("new");
    let (merged, elapsed) = timed("10k-context merge (parse + merge)", || {
        merge(&text, &entry, &MergeOptions::default()).expect("merges")
    });
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");
    let (yaml, _) = timed("10k-context render", || {
        merged.to_yaml(Secrets::Show).expect("renders")
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, &text).expect("writable");
    let (update, elapsed) = timed("10k-context update_file (lock, read, merge, write)", || {
        update_file(&path, &entry, &MergeOptions::default()).expect("writes")
    });
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    assert!(!update.replaced);
    let doc = parse_file(&path);
    assert_eq!(names(&doc, "contexts").len(), 10_001);
    assert_eq!(
        doc["contexts"][9_999]["context"]["namespace"].as_str(),
        Some("on")
    );
    assert!(yaml.contains("namespace: \"on\""));
    eprintln!(
        "10k-context file: {} bytes in, {} bytes out",
        text.len(),
        yaml.len()
    );
}

#[test]
fn a_file_above_the_cap_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    // Sparse: the size says it all, nothing is read.
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(MAX_FILE_SIZE + 1))
        .expect("a sparse file");
    let (result, elapsed) = timed("32 MiB + 1 refused", || read_existing(&path));
    assert_malformed(result, "larger than 32 MiB");
    assert!(elapsed < Duration::from_millis(500), "{elapsed:?}");
    std::fs::File::create(&path)
        .and_then(|f| f.set_len(MAX_FILE_SIZE))
        .expect("a sparse file");
    assert!(read_existing(&path).is_ok(), "exactly the cap is read");
}

#[cfg(unix)]
#[test]
fn links_to_devices_end_at_once() {
    let dir = tempfile::tempdir().expect("temp dir");
    for device in ["/dev/zero", "/dev/full", "/dev/urandom"] {
        let link = dir.path().join(device.trim_start_matches("/dev/"));
        std::os::unix::fs::symlink(device, &link).expect("a link");
        let (result, elapsed) = timed(device, || read_existing(&link));
        assert!(
            matches!(result, Err(KubeconfigError::NotAFile { .. })),
            "{result:?}"
        );
        assert!(elapsed < Duration::from_millis(500));
        let err = update_file(&link, &aliased("a"), &MergeOptions::default()).expect_err("refused");
        assert!(matches!(err, KubeconfigError::NotAFile { .. }), "{err:?}");
    }
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(
        &path,
        "\u{feff}apiVersion: v1\nkind: Config\ncontexts: []\n",
    )
    .expect("writable");
    update_file(&path, &aliased("a"), &MergeOptions::default()).expect("a BOM is fine");
    assert_eq!(names(&parse_file(&path), "contexts"), ["a"]);
}

/// Aliases written out in full: a 1.3 MB file whose one anchor is reused 99 times is 133 MB
/// once expanded. It is refused, quickly and before that much is built, rather than written
/// as a file larger than the size cap (which the next run would refuse to read).
#[test]
fn aliases_that_expand_past_the_size_cap_are_refused_quickly() {
    let mut lines = vec![
        "apiVersion: v1".to_owned(),
        "kind: Config".to_owned(),
        "preferences:".to_owned(),
        "  extensions:".to_owned(),
        "  - name: x".to_owned(),
        "    extension:".to_owned(),
        "      base: &b".to_owned(),
    ];
    lines.extend((0..20_000).map(|i| format!("        k{i}: {}", "v".repeat(50))));
    lines.extend((0..99).map(|i| format!("      r{i}: *b")));
    let text = lines.join("\n");
    let (result, elapsed) = timed("1.3 MB expanding to 133 MB", || {
        merge(&text, &aliased("a"), &MergeOptions::default())
    });
    assert_malformed(result, "expanded");
    assert!(elapsed < Duration::from_secs(20), "{elapsed:?}");

    // One CA shared by 1,000 clusters through an alias (2.7 MB expanded) is fine.
    let ca = "Q".repeat(2_700);
    let mut shared = format!("apiVersion: v1\nkind: Config\nclusters:\n- name: c0\n  cluster: &ca {{server: https://a:6443, certificate-authority-data: {ca}}}\n");
    for i in 1..1_000 {
        shared.push_str(&format!("- name: c{i}\n  cluster: *ca\n"));
    }
    merge(&shared, &aliased("a"), &MergeOptions::default()).expect("merges");

    // A few aliases, as people write them, are fine.
    let small = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user: &u {token: t}\n- name: v\n  user: *u\n";
    merge(small, &aliased("a"), &MergeOptions::default()).expect("merges");
}
