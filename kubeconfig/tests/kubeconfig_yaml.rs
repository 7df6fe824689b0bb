//! What kubectl reads back is what we meant: strings written by a merge read back as the
//! same strings in YAML 1.1 (kubectl) and YAML 1.2 (serde_yaml), and unrelated values keep
//! their types.

mod common;

use clustercert_kubeconfig::yaml::is_plain_safe;
use clustercert_kubeconfig::{merge, update_file, MergeOptions, Secrets};
use common::aliased;
use proptest::prelude::*;
use serde_json::{json, Value as Json};

/// Every kind of word YAML 1.1 or 1.2 reads as something other than a string, and some
/// neighbours that are strings.
const WORDS: &[&str] = &[
    "y",
    "Y",
    "yes",
    "Yes",
    "YES",
    "n",
    "N",
    "no",
    "No",
    "NO",
    "on",
    "On",
    "ON",
    "off",
    "Off",
    "OFF",
    "true",
    "True",
    "TRUE",
    "false",
    "False",
    "FALSE",
    "null",
    "Null",
    "NULL",
    "~",
    "",
    "1_000",
    "0x1F",
    "0o17",
    "0b101",
    "017",
    "1:20",
    "190:20:30",
    "1e3",
    "1.5e-3",
    "1.0",
    ".inf",
    "-.inf",
    "+.INF",
    ".nan",
    ".NaN",
    "2001-12-14",
    "2001-12-14t21:59:43.10-05:00",
    "2001-12-14 21:59:43.10 -5",
    "<<",
    "=",
    "-",
    "- a",
    "? a",
    ": a",
    "a: b",
    "a #b",
    "#c",
    "!tag",
    "&anchor",
    "*alias",
    "%YAML",
    "@at",
    "`tick",
    "|",
    ">",
    "'",
    "\"",
    "[a]",
    "{a: b}",
    " lead",
    "trail ",
    "two\nlines",
    "tab\there",
    "\u{feff}bom",
    "nel\u{85}x",
    "ls\u{2028}x",
    "é",
    "😀",
    "123",
    "-1",
    "+1",
    "0",
    "yesno",
    "onion",
    "nullable",
    "truex",
    "1.28",
    "10.0.0.1",
    "https://10.0.0.1:5443",
];

#[test]
fn each_word_reads_back_in_kubectl_and_in_yaml_1_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    // An existing file holding each word as an unrelated context's namespace and a
    // cluster's extension value; our entries are named after the words.
    let contexts: Vec<Json> = WORDS
        .iter()
        .enumerate()
        .map(|(i, w)| json!({"name": format!("ctx-{i}"), "context": {"cluster": "c", "user": "u", "namespace": w}}))
        .collect();
    let existing = json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443",
            "extensions": [{"name": "words", "extension": {"words": WORDS, "count": 3, "ratio": 1.5, "flag": true}}]}}],
        "users": [{"name": "u", "user": {"token": "t"}}],
        "contexts": contexts,
    });
    std::fs::write(&path, yaml_text(&existing)).expect("writable");
    for word in WORDS
        .iter()
        .filter(|w| clustercert_kubeconfig::check_alias(w).is_ok())
    {
        update_file(&path, &aliased(word), &MergeOptions::default())
            .unwrap_or_else(|e| panic!("{word:?}: {e}"));
    }
    let text = std::fs::read_to_string(&path).expect("readable");

    // YAML 1.2.
    let back: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML 1.2 reads it");
    let back: Json = serde_json::to_value(&back).expect("JSON-shaped");
    check_view(&back, "serde_yaml");

    // YAML 1.1: kubectl.
    let Some(kubectl) = clustercert_test_support::kubectl() else {
        return;
    };
    let view: Json = serde_json::from_str(&kubectl.view_json(&path)).expect("kubectl prints JSON");
    check_view(&view, "kubectl");
}

fn check_view(view: &Json, reader: &str) {
    let contexts = view["contexts"].as_array().expect("contexts");
    for (i, word) in WORDS.iter().enumerate() {
        let name = format!("ctx-{i}");
        let context = contexts
            .iter()
            .find(|c| c["name"] == json!(name))
            .unwrap_or_else(|| panic!("{reader}: {name} is kept"));
        // kubectl leaves an empty namespace out of its view.
        let namespace = context["context"]
            .get("namespace")
            .cloned()
            .unwrap_or(json!(""));
        assert_eq!(namespace, json!(word), "{reader}: namespace of {name}");
        if clustercert_kubeconfig::check_alias(word).is_ok() {
            let ours = contexts.iter().find(|c| c["name"] == json!(word));
            let ours = ours.unwrap_or_else(|| panic!("{reader}: context {word:?} is there"));
            assert_eq!(ours["context"]["cluster"], json!(word), "{reader}");
            assert_eq!(ours["context"]["user"], json!(word), "{reader}");
        }
    }
    // An unrelated extension keeps its values and types (kubectl shows extensions only
    // when it knows them, so this is checked where the reader keeps them).
    if reader == "serde_yaml" {
        let extension = &view["clusters"][0]["cluster"]["extensions"][0]["extension"];
        assert_eq!(extension["words"], json!(WORDS));
        assert_eq!(extension["count"], json!(3));
        assert_eq!(extension["ratio"], json!(1.5));
        assert_eq!(extension["flag"], json!(true));
    }
}

/// YAML 1.1's resolver for plain scalars (the regular expressions of yaml.org/type, as
/// go-yaml applies them, plus its numeric parsing of anything that starts like a number):
/// an independent judge of the writer's plain strings.
fn yaml_1_1_reads_as_string(s: &str) -> bool {
    use regex::Regex;
    let patterns = [
        r"^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
        r"^(~|null|Null|NULL|)$",
        r"^[-+]?(0b[0-1_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$",
        r"^([-+]?([0-9][0-9_]*)?\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$",
        r"^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?",
        r"^(<<|=)$",
        // go-yaml hands anything that starts like a number to strconv.
        r"^[-+.0-9]",
    ];
    !patterns.iter().any(|p| Regex::new(p).unwrap().is_match(s))
}

#[test]
fn every_plain_string_is_a_string_in_yaml_1_1() {
    for word in WORDS {
        if is_plain_safe(word) {
            assert!(yaml_1_1_reads_as_string(word), "{word:?} written plain");
        }
    }
}

/// Strings that reach every rule: YAML's indicators, digits, the special words, controls,
/// line breaks of YAML 1.1, and any Unicode.
fn tricky_string() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(WORDS).prop_map(str::to_owned),
        "[-+.0-9:_xobeE]{0,8}",
        "[a-zA-Z0-9 :#'\"\\-?!&*%@`|>,\\[\\]{}=<~\t\n\\\\]{0,12}",
        any::<String>(),
    ]
}

/// JSON as YAML reads it exactly: every character outside printable ASCII escaped (`\u`,
/// `\U`), since YAML 1.1 takes raw U+0085, U+2028 and U+2029 for line breaks.
fn yaml_text(value: &Json) -> String {
    let json = serde_json::to_string(value).expect("JSON");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c as u32 {
            0x20..=0x7e => out.push(c),
            n if n <= 0xffff => out.push_str(&format!("\\u{n:04X}")),
            n => out.push_str(&format!("\\U{n:08X}")),
        }
    }
    out
}

fn kubeconfig_with(strings: &[String]) -> Json {
    let contexts: Vec<Json> = strings
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"name": format!("ctx-{i}"), "context": {"cluster": s, "user": s, "namespace": s}}))
        .collect();
    json!({
        "apiVersion": "v1", "kind": "Config",
        "preferences": {"extensions": [{"name": "x", "extension": {"values": strings}}]},
        "clusters": [{"name": "c", "cluster": {"server": "https://127.0.0.1:6443"}}],
        "contexts": contexts,
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_strings_read_back_equal_after_a_merge(strings in proptest::collection::vec(tricky_string(), 1..12)) {
        let existing = kubeconfig_with(&strings);
        let merged = merge(&yaml_text(&existing), &aliased("ours"), &MergeOptions::default())
            .expect("merges");
        let text = merged.to_yaml(Secrets::Show).expect("renders");
        let back: serde_yaml::Value = serde_yaml::from_str(&text).expect("reads back");
        let back = serde_json::to_value(&back).unwrap();
        for key in ["clusters", "preferences"] {
            prop_assert_eq!(&back[key].as_array().map(|a| a[0].clone()).unwrap_or_else(|| back[key].clone()),
                &existing[key].as_array().map(|a| a[0].clone()).unwrap_or_else(|| existing[key].clone()));
        }
        let contexts = back["contexts"].as_array().unwrap();
        prop_assert_eq!(&contexts[..strings.len()], existing["contexts"].as_array().unwrap().as_slice());
        for s in &strings {
            if is_plain_safe(s) {
                prop_assert!(yaml_1_1_reads_as_string(s), "{:?} written plain", s);
            }
        }
    }
}

#[test]
fn kubectl_reads_random_strings_as_written() {
    let Some(kubectl) = clustercert_test_support::kubectl() else {
        return;
    };
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strings: Vec<String> = (0..600)
        .map(|_| tricky_string().new_tree(&mut runner).unwrap().current())
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, yaml_text(&kubeconfig_with(&strings))).unwrap();
    update_file(&path, &aliased("ours"), &MergeOptions::default()).expect("merges");
    let view: Json = serde_json::from_str(&kubectl.view_json(&path)).expect("JSON");
    let contexts = view["contexts"].as_array().expect("contexts");
    for (i, s) in strings.iter().enumerate() {
        let name = json!(format!("ctx-{i}"));
        let context = contexts.iter().find(|c| c["name"] == name).expect("kept");
        for field in ["cluster", "user", "namespace"] {
            let got = context["context"].get(field).cloned().unwrap_or(json!(""));
            assert_eq!(got, json!(s), "ctx-{i}.{field}");
        }
    }
}

/// A file kubectl wrote or a person edited, with YAML 1.1's merge keys (`<<: *anchor`): kubectl
/// reads the merged values, so after a merge it must read the same ones.
const WITH_MERGE_KEYS: &str = "\
apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: &base
    server: https://a.example:6443
    insecure-skip-tls-verify: true
- name: b
  cluster:
    <<: *base
    server: https://b.example:6443
users:
- name: u
  user: {token: t}
contexts:
- name: b
  context: {cluster: b, user: u}
current-context: b
";

#[test]
fn merge_keys_keep_what_kubectl_reads() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("config");
    std::fs::write(&path, WITH_MERGE_KEYS).expect("writable");
    let before = clustercert_test_support::kubectl().map(|k| k.view_json(&path));
    update_file(&path, &aliased("ours"), &MergeOptions::default()).expect("merges");
    let text = std::fs::read_to_string(&path).expect("readable");
    let back: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let cluster_b = &back["clusters"][1]["cluster"];
    assert_eq!(
        cluster_b["server"].as_str(),
        Some("https://b.example:6443"),
        "{text}"
    );
    assert_eq!(
        cluster_b["insecure-skip-tls-verify"].as_bool(),
        Some(true),
        "{text}"
    );
    assert!(cluster_b.get("<<").is_none(), "no literal `<<` key: {text}");

    let Some(kubectl) = clustercert_test_support::kubectl() else {
        return;
    };
    let view = |text: &str| -> Json {
        let mut view: Json = serde_json::from_str(text).expect("JSON");
        view["clusters"] = json!(view["clusters"].as_array().unwrap()[..2]);
        view
    };
    let after = kubectl.view_json(&path);
    assert_eq!(view(&after)["clusters"], view(&before.unwrap())["clusters"]);
}

#[test]
fn a_binary_value_is_refused_not_rewritten() {
    // kubectl decodes `!!binary`; a reader that drops the tag would write the base64 text
    // back as the value. The file is refused, before any certificate, and left as it was.
    for tag in ["!!binary", "!<tag:yaml.org,2002:binary>"] {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("config");
        let text = format!(
            "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: {tag} YWJj\n"
        );
        std::fs::write(&path, &text).expect("writable");
        let err = clustercert_kubeconfig::check_file(&path).expect_err("refused");
        assert!(err.to_string().contains("binary"), "{err}");
        update_file(&path, &aliased("ours"), &MergeOptions::default()).expect_err("refused");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
    // The word in a string or a comment is no tag.
    let text = "apiVersion: v1\nkind: Config\nusers:\n- name: u # !!binary\n  user:\n    token: \"!!binary YWJj\"\n";
    clustercert_kubeconfig::check(text).expect("a string, not a tag");
}
