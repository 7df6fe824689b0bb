//! One writer at a time: our writers (separate processes) and kubectl share one lock
//! convention, and nothing is lost.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use clustercert_kubeconfig::lock::{lock, lock_file_of, side_file_of};
use clustercert_kubeconfig::{
    update_file, update_file_with, FileOptions, KubeconfigError, MergeOptions,
};
use common::{aliased, names, parse_file};

const CHILD_PATH: &str = "CCE_TEST_WRITER_PATH";
const CHILD_ALIAS: &str = "CCE_TEST_WRITER_ALIAS";
const CHILD_TIMEOUT_MS: &str = "CCE_TEST_WRITER_TIMEOUT_MS";

/// Not a test on its own: the body of a writer process. The tests below run this test
/// binary again, filtered to this function, with the file and alias in the environment.
#[test]
fn child_writer() {
    let (Some(path), Some(alias)) = (
        std::env::var_os(CHILD_PATH),
        std::env::var(CHILD_ALIAS).ok(),
    ) else {
        return;
    };
    let millis = std::env::var(CHILD_TIMEOUT_MS)
        .ok()
        .and_then(|v| v.parse().ok());
    let options = FileOptions {
        lock_timeout: Duration::from_millis(millis.unwrap_or(60_000)),
    };
    update_file_with(
        Path::new(&path),
        &aliased(&alias),
        &MergeOptions::default(),
        &options,
    )
    .unwrap_or_else(|e| panic!("writer {alias}: {e}"));
}

fn spawn_writer(path: &Path, alias: &str) -> std::process::Child {
    spawn_writer_waiting(path, alias, Duration::from_secs(60))
}

fn spawn_writer_waiting(path: &Path, alias: &str, timeout: Duration) -> std::process::Child {
    Command::new(std::env::current_exe().expect("the test binary"))
        .env(CHILD_TIMEOUT_MS, timeout.as_millis().to_string())
        .args(["--exact", "child_writer", "--test-threads=1", "--quiet"])
        .env(CHILD_PATH, path)
        .env(CHILD_ALIAS, alias)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("a writer process starts")
}

#[test]
fn sixteen_writer_processes_lose_nothing_ten_times() {
    let dir = tempfile::tempdir().expect("temp dir");
    for round in 0..10 {
        let path = dir.path().join(format!("config-{round}"));
        std::fs::write(&path, "apiVersion: v1\nkind: Config\nclusters: []\n").expect("writable");
        let writers: Vec<_> = (0..16)
            .map(|i| spawn_writer(&path, &format!("writer-{i}")))
            .collect();
        for (i, writer) in writers.into_iter().enumerate() {
            let output = writer.wait_with_output().expect("the writer ends");
            assert!(
                output.status.success(),
                "round {round}, writer {i}: {}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let doc = parse_file(&path);
        for list in ["clusters", "users", "contexts"] {
            let mut found = names(&doc, list);
            found.sort();
            let mut wanted: Vec<String> = (0..16).map(|i| format!("writer-{i}")).collect();
            wanted.sort();
            assert_eq!(found, wanted, "round {round}: every {list} entry survives");
        }
        assert!(!lock_file_of(&path).exists(), "the lock file is removed");
    }
}

#[test]
fn a_lock_file_left_by_a_dead_writer_of_ours_is_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    // What a writer that was killed leaves behind: our marker, nobody holding the side lock.
    std::fs::write(lock_file_of(&path), "cce-kubeconfig lock, pid 999999\n").expect("writable");
    let started = Instant::now();
    update_file(&path, &aliased("a"), &MergeOptions::default())
        .expect("the stale lock is no obstacle");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "no waiting for it"
    );
    assert!(!lock_file_of(&path).exists());
    assert_eq!(names(&parse_file(&path), "contexts"), ["a"]);
}

#[test]
fn kubectls_lock_is_waited_for_with_a_bound_and_never_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, "apiVersion: v1\nkind: Config\n").expect("writable");
    let before = std::fs::read(&path).expect("readable");
    // client-go's lock: an empty file created exclusively.
    let kubectl_lock = lock_file_of(&path);
    std::fs::write(&kubectl_lock, "").expect("writable");
    let options = FileOptions {
        lock_timeout: Duration::from_millis(300),
    };
    let started = Instant::now();
    let err = update_file_with(&path, &aliased("a"), &MergeOptions::default(), &options)
        .expect_err("kubectl holds the lock");
    let waited = started.elapsed();
    assert!(matches!(err, KubeconfigError::Locked { .. }), "{err:?}");
    let line = err.to_string();
    assert!(
        line.contains(&kubectl_lock.display().to_string()) && !line.contains('\n'),
        "{line}"
    );
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert!(
        kubectl_lock.exists(),
        "a lock that is not ours is never removed"
    );
    assert_eq!(
        std::fs::read(&path).expect("readable"),
        before,
        "the file is untouched"
    );

    // Released while we wait: we go on.
    let release = {
        let kubectl_lock = kubectl_lock.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            std::fs::remove_file(kubectl_lock).expect("removable");
        })
    };
    let options = FileOptions {
        lock_timeout: Duration::from_secs(10),
    };
    update_file_with(&path, &aliased("a"), &MergeOptions::default(), &options)
        .expect("the lock was released");
    release.join().expect("the releasing thread");
    assert_eq!(names(&parse_file(&path), "contexts"), ["a"]);
}

#[test]
fn a_live_lock_of_ours_is_waited_for_not_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    let held = lock(&[&path], Duration::from_secs(1)).expect("locks");
    assert!(lock_file_of(&path).exists());
    assert!(side_file_of(&path).exists());
    let options = FileOptions {
        lock_timeout: Duration::from_millis(200),
    };
    // Another process: the side lock is per open file, so a thread would do, but a process
    // is what happens in life.
    let output = spawn_writer_waiting(&path, "b", Duration::from_millis(200))
        .wait_with_output()
        .expect("ends");
    assert!(!output.status.success(), "the writer waits then fails");
    let said = String::from_utf8_lossy(&output.stdout) + String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("cannot lock the kubeconfig"), "{said}");
    let err = update_file_with(&path, &aliased("a"), &MergeOptions::default(), &options)
        .expect_err("held");
    assert!(matches!(err, KubeconfigError::Locked { .. }), "{err:?}");
    assert!(lock_file_of(&path).exists(), "still held");
    drop(held);
    assert!(!lock_file_of(&path).exists(), "released");
    update_file_with(&path, &aliased("a"), &MergeOptions::default(), &options).expect("free now");
}

#[test]
fn kubectl_fails_loudly_on_our_lock() {
    let Some(kubectl) = clustercert_test_support::kubectl() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    update_file(&path, &aliased("a"), &MergeOptions::default()).expect("writes");
    let before = std::fs::read(&path).expect("readable");
    let held = lock(&[&path], Duration::from_secs(1)).expect("locks");
    let run = kubectl.run(&path, &["config", "set-context", "k", "--namespace=n"]);
    drop(held);
    assert!(!run.ok, "kubectl must not write while we hold the lock");
    assert!(
        run.stderr.contains(".lock"),
        "kubectl names the lock: {}",
        run.stderr
    );
    assert_eq!(std::fs::read(&path).expect("readable"), before);
}

/// Our writer and `kubectl config set-context` in two loops on one file. What must hold:
///
/// - every context kubectl wrote survives: our writer reads the file under the lock and keeps
///   what it did not write;
/// - each context of ours survives unless a kubectl run that succeeded overlapped our write.
///   kubectl reads the file *before* it takes the lock, and then deletes whatever is in the
///   file but was not in its first read (client-go's `ModifyConfig`): an entry written by
///   anyone in between, another kubectl included, is removed by kubectl. That loss is
///   kubectl's, and the test tells it from ours by the times: a loss with no overlapping
///   kubectl run would be ours, and fails the test;
/// - a last write of ours, after both loops, keeps everything that survived.
#[test]
fn our_writer_and_kubectl_set_context_in_a_loop_keep_both_sides() {
    let Some(kubectl) = clustercert_test_support::kubectl() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, "apiVersion: v1\nkind: Config\n").expect("writable");
    const ROUNDS: usize = 40;
    let kubectl_side = {
        let path = path.clone();
        std::thread::spawn(move || {
            let mut written = Vec::new();
            let mut loud_failures = 0;
            for i in 0..ROUNDS {
                let name = format!("kubectl-{i}");
                let started = Instant::now();
                let run = kubectl.run(&path, &["config", "set-context", &name, "--namespace=ns"]);
                if run.ok {
                    written.push((name, started, Instant::now()));
                } else {
                    // Failing is allowed only loudly, on the lock.
                    assert!(
                        run.stderr.contains(".lock"),
                        "kubectl failed otherwise: {}",
                        run.stderr
                    );
                    loud_failures += 1;
                }
            }
            (written, loud_failures)
        })
    };
    let mut ours = Vec::new();
    for i in 0..ROUNDS {
        // Paced, so that our writes fall before, during and after kubectl's runs.
        std::thread::sleep(Duration::from_millis((i as u64 * 7) % 31));
        let name = format!("ours-{i}");
        let started = Instant::now();
        update_file(&path, &aliased(&name), &MergeOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        ours.push((name, started, Instant::now()));
    }
    let (kubectl_written, loud_failures) = kubectl_side.join().expect("the kubectl loop");
    let contexts = names(&parse_file(&path), "contexts");
    for (name, _, _) in &kubectl_written {
        assert!(
            contexts.contains(name),
            "kubectl's {name} survives our writer: {contexts:?}"
        );
    }
    let mut lost_to_kubectl = 0;
    for (name, started, ended) in &ours {
        if contexts.contains(name) {
            continue;
        }
        let overlapping = kubectl_written
            .iter()
            .filter(|(_, k_started, k_ended)| k_started < ended && k_ended > started)
            .map(|(k, _, _)| k.as_str())
            .collect::<Vec<_>>();
        assert!(
            !overlapping.is_empty(),
            "{name} is lost and no kubectl run overlapped its write: {contexts:?}"
        );
        lost_to_kubectl += 1;
    }
    update_file(&path, &aliased("ours-last"), &MergeOptions::default()).expect("writes");
    let after = names(&parse_file(&path), "contexts");
    for name in contexts.iter().chain(["ours-last".to_owned()].iter()) {
        assert!(
            after.contains(name),
            "{name} survives the last write: {after:?}"
        );
    }
    eprintln!(
        "kubectl wrote {} contexts and failed loudly {loud_failures} times; \
         {lost_to_kubectl} of our {ROUNDS} were removed by an overlapping kubectl",
        kubectl_written.len()
    );
}

/// A side lock file that is a link (dangling or not) would make the writer create or lock a
/// file elsewhere: it is refused, nothing is created at its target, the kubeconfig is kept.
#[cfg(unix)]
#[test]
fn a_side_lock_file_that_is_a_link_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    let target = dir.path().join("elsewhere");
    std::os::unix::fs::symlink(&target, side_file_of(&path)).expect("link");
    let err = update_file(&path, &aliased("a"), &MergeOptions::default()).expect_err("refused");
    assert!(err.to_string().contains("symbolic link"), "{err}");
    assert!(!target.exists(), "nothing created through the link");
    assert!(!path.exists());
}
