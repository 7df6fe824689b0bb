//! Every committed case meets its expectation, fails for the right reason when its
//! expectation is flipped, and its normalized result matches its reviewed insta snapshot.

#![forbid(unsafe_code)]

use clustercert_conformance::case::{self, Case, ExpectedFinding, Verdict};
use clustercert_conformance::runner::{mismatches, run_case, run_cases, CaseResult};
use clustercert_conformance::schema::Validators;

fn cases() -> Vec<(String, Case)> {
    case::load_dir(&case::default_cases_dir()).expect("the cases load")
}

fn validators() -> &'static Validators {
    Validators::builtin().expect("the spec compiles")
}

#[test]
fn every_case_meets_its_expectation() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} cases", cases.len());
    let failures: Vec<String> = run_cases(&cases, validators())
        .into_iter()
        .filter(|row| !row.passed())
        .map(|row| format!("{}: {:?}", row.name, row.mismatches))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn flipped_expectations_fail_for_the_right_reason() {
    for (name, case) in cases() {
        let result = run_case(&case, validators());
        let expect = case
            .expect
            .clone()
            .expect("every committed case has an expectation");

        // The verdict flipped: the mismatch names the verdict.
        let mut flipped = expect.clone();
        flipped.verdict = match expect.verdict {
            Verdict::Valid => Verdict::Invalid,
            Verdict::Invalid => Verdict::Valid,
        };
        let found = mismatches(Some(&flipped), &result);
        assert!(
            found.iter().any(|m| m.starts_with("verdict: expected")),
            "{name}: {found:?}"
        );

        // Each expected violation dropped: the mismatch names exactly that check and path.
        for (index, violation) in expect.violations.iter().enumerate() {
            let mut fewer = expect.clone();
            fewer.violations.remove(index);
            let found = mismatches(Some(&fewer), &result);
            let wanted = format!(
                "unexpected violation {} at {}:",
                violation.check, violation.path
            );
            assert!(
                found.iter().any(|m| m.starts_with(&wanted)),
                "{name}: {found:?}"
            );
        }

        // A violation that is not there: the mismatch says it was not found.
        let mut more = expect.clone();
        more.violations.push(ExpectedFinding {
            check: "kubeconfig.kind".into(),
            path: "/nowhere".into(),
        });
        let found = mismatches(Some(&more), &result);
        assert!(
            found.contains(&"expected violation kubeconfig.kind at /nowhere was not found".into()),
            "{name}: {found:?}"
        );
    }
}

#[test]
fn the_documented_example_is_named_masked_not_crashed_or_passed() {
    let cases = cases();
    let (_, case) = cases
        .iter()
        .find(|(name, _)| name == "documented-example")
        .expect("the documented example is a case");
    let result = run_case(case, validators());
    assert_eq!(result.verdict, Verdict::Invalid);
    let masked: Vec<&str> = result
        .findings
        .iter()
        .filter(|f| f.check == "cert.masked")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(masked.len(), 3);
    assert!(masked.iter().all(|m| m.contains("masked placeholder")));
    // Schema and kubeconfig checks found nothing else: only the masks are wrong.
    assert_eq!(result.findings.len(), 3);
}

fn snapshot_text(result: &CaseResult) -> String {
    serde_json::to_string(result).expect("results serialize")
}

#[test]
fn case_results_match_their_snapshots() {
    for (name, case) in cases() {
        let result = run_case(&case, validators());
        let text = snapshot_text(&result);
        // No certificate or key data can reach a snapshot (base64 of "-----" is "LS0tLS").
        assert!(
            !text.contains("LS0tLS") && !text.contains("BEGIN"),
            "{name}"
        );
        insta::assert_yaml_snapshot!(format!("case-{name}"), result);
    }
}
