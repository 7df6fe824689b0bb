//! Validating the documented response with the compiled validator, against parsing the same
//! bytes with `serde_json` alone. Run with `cargo bench -p clustercert-conformance`; after
//! criterion's figures it prints validations per second and the ratio to a bare parse
//! (`-- --ratio-only` prints those figures alone).

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Instant;

use clustercert_conformance::case::{self, Case};
use clustercert_conformance::schema::{CompiledSchema, Validators};
use criterion::Criterion;
use serde_json::Value;

/// The documented example's body, as bytes (from its committed case).
fn documented_body() -> Vec<u8> {
    let file = case::default_cases_dir()
        .join("documented-example")
        .join(case::CASE_FILE);
    let case = Case::load(&file).expect("the documented example case loads");
    let body = case
        .response
        .and_then(|r| r.body)
        .expect("the case has a body");
    serde_json::to_vec_pretty(&body).expect("serializes")
}

fn schema() -> &'static CompiledSchema {
    Validators::builtin()
        .expect("the spec compiles")
        .response(200)
        .expect("200 is documented")
}

fn parse(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).expect("valid JSON")
}

fn benches(c: &mut Criterion) {
    let bytes = documented_body();
    let schema = schema();
    let value = parse(&bytes);
    assert!(
        schema.validate(&value).is_empty(),
        "the documented body is schema-valid"
    );

    let mut group = c.benchmark_group("documented_response");
    group.bench_function("serde_json_parse", |b| b.iter(|| parse(black_box(&bytes))));
    group.bench_function("validate_parsed", |b| {
        b.iter(|| schema.validate(black_box(&value)))
    });
    group.bench_function("is_valid_parsed", |b| {
        b.iter(|| schema.is_valid(black_box(&value)))
    });
    group.bench_function("parse_and_validate", |b| {
        b.iter(|| schema.validate(&parse(black_box(&bytes))))
    });
    group.finish();
}

/// Times `f` over `rounds` calls and returns calls per second.
fn per_second(rounds: u32, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    for _ in 0..rounds {
        f();
    }
    f64::from(rounds) / start.elapsed().as_secs_f64()
}

/// The figures the issue asks for, measured in the same run: validations per second, and how
/// many bare parses fit in the time of one validation.
fn report_ratio() {
    let bytes = documented_body();
    let schema = schema();
    let value = parse(&bytes);
    let rounds = 50_000;
    // Warm up both paths first.
    per_second(rounds / 10, || drop(black_box(parse(black_box(&bytes)))));
    per_second(rounds / 10, || {
        drop(black_box(schema.validate(black_box(&value))))
    });
    let parses = per_second(rounds, || drop(black_box(parse(black_box(&bytes)))));
    let validations = per_second(rounds, || {
        drop(black_box(schema.validate(black_box(&value))))
    });
    let both = per_second(rounds, || {
        drop(black_box(schema.validate(&parse(black_box(&bytes)))))
    });
    println!();
    println!(
        "documented response, {} bytes, {rounds} rounds each:",
        bytes.len()
    );
    println!("  serde_json parse only      {parses:>12.0} /s");
    println!("  validate (parsed value)    {validations:>12.0} /s");
    println!("  parse + validate           {both:>12.0} /s");
    println!(
        "  ratio: one validation costs {:.2} parses; parse + validate is {:.2}x a bare parse",
        parses / validations,
        parses / both
    );
}

fn main() {
    // `--ratio-only`: the figures alone, without criterion (scripts/vs-python.sh reads them).
    if std::env::args().any(|arg| arg == "--ratio-only") {
        report_ratio();
        return;
    }
    let mut criterion = Criterion::default().configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    if std::env::args().any(|arg| arg == "--bench") {
        report_ratio();
    }
}
