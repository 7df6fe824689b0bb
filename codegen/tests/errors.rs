//! Unsupported constructs stop generation with a message that says what and where.

use clustercert_codegen::{generate, parse_spec, Options};

/// A spec with one component schema `Foo` whose YAML (indented under `Foo:`) is `schema`.
fn with_schema(schema: &str) -> String {
    let indented: String = schema.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "openapi: 3.0.3\ninfo: {{ title: T, version: '1' }}\npaths: {{}}\ncomponents:\n  schemas:\n    Foo:\n{indented}"
    )
}

/// A spec with one operation whose YAML (indented under `get:`) is `operation`.
fn with_operation(path: &str, operation: &str) -> String {
    let indented: String = operation.lines().map(|l| format!("      {l}\n")).collect();
    format!(
        "openapi: 3.0.3\ninfo: {{ title: T, version: '1' }}\npaths:\n  {path}:\n    get:\n{indented}"
    )
}

fn error_of(spec: &str) -> String {
    let spec = parse_spec(spec).unwrap_or_else(|e| panic!("fixture does not parse: {e}"));
    match generate(&spec, &Options::default()) {
        Ok(_) => panic!("generation succeeded, but should have failed"),
        Err(error) => error.to_string(),
    }
}

const OK_RESPONSE: &str = "responses:\n  '200':\n    description: ok";

#[test]
fn all_of_unresolved_members_are_refused() {
    let property = |all_of: &str| {
        let mut spec = with_schema(&format!("type: object\nproperties:\n  bar:\n{all_of}"));
        spec.push_str("    Bar:\n      type: object\n      properties: { a: { type: string } }\n");
        spec
    };
    // A member must resolve.
    assert_eq!(
        error_of(&property(
            "    allOf:\n      - $ref: '#/components/schemas/Nope'\n      - type: object"
        )),
        "#/components/schemas/Foo/properties/bar/allOf/0: `$ref` #/components/schemas/Nope does not resolve"
    );
    // The one `$ref` of a documented `$ref` must resolve too.
    assert_eq!(
        error_of(&property("    allOf:\n      - $ref: '#/components/schemas/Nope'")),
        "#/components/schemas/Foo/properties/bar/allOf/0: `$ref` #/components/schemas/Nope does not resolve"
    );
}
#[test]
fn one_of_integer_alternatives_must_be_rules() {
    let message = error_of(&with_schema("oneOf:\n  - type: integer\n  - type: integer"));
    assert_eq!(
        message,
        "#/components/schemas/Foo/oneOf/0: an alternative needs an enum or a bound"
    );
}
#[test]
fn contradictory_string_lengths_are_refused() {
    assert_eq!(
        error_of(&with_schema("type: string\nminLength: 5\nmaxLength: 4")),
        "#/components/schemas/Foo: minLength 5 is above maxLength 4"
    );
}
#[test]
fn null_only_enums_are_refused() {
    assert_eq!(
        error_of(&with_schema("type: string\nnullable: true\nenum: [null]")),
        "#/components/schemas/Foo: an enum needs a value besides null"
    );
    assert_eq!(
        error_of(&with_schema("type: integer\nnullable: true\nenum: [null]")),
        "#/components/schemas/Foo: an enum needs a value besides null"
    );
    // A `null` value without `nullable` makes the enum nullable; `null` alone is no enum.
    assert_eq!(
        error_of(&with_schema("type: string\nenum: [null]")),
        "#/components/schemas/Foo: an enum needs a value besides null"
    );
}
#[test]
fn sensitive_non_strings_and_int32_overflow_are_refused() {
    assert_eq!(
        error_of(&with_schema("type: integer\nx-sensitive: true")),
        "#/components/schemas/Foo: x-sensitive is supported on string schemas without enum only"
    );
    assert_eq!(
        error_of(&with_schema(
            "type: integer\nformat: int32\nmaximum: 3000000000"
        )),
        "#/components/schemas/Foo: a bound or value does not fit format int32"
    );
}

#[test]
fn references_must_resolve_and_stay_in_the_document() {
    assert_eq!(
        error_of(&with_schema(
            "type: object\nproperties:\n  a:\n    $ref: '#/components/schemas/Missing'"
        )),
        "#/components/schemas/Foo/properties/a: `$ref` #/components/schemas/Missing does not resolve"
    );
    assert_eq!(
        error_of(&with_schema(
            "type: object\nproperties:\n  a:\n    $ref: 'other.yaml#/Foo'"
        )),
        "#/components/schemas/Foo/properties/a: `$ref` other.yaml#/Foo is not supported here; expected #/components/schemas/<name>"
    );
}

#[test]
fn unknown_keyword_combinations_name_the_keywords() {
    // Object and array keywords without a type: no one type to infer.
    assert_eq!(
        error_of(&with_schema("properties: { a: { type: string } }\nitems: { type: string }")),
        "#/components/schemas/Foo: this combination of keywords is not supported: properties, items"
    );
}
#[test]
fn path_parameters_must_match_the_template() {
    // Declared but not in the template (an undeclared `{name}` is a string: see generate.rs).
    assert_eq!(
        error_of(&with_operation(
            "/a",
            &format!("operationId: A\nparameters:\n  - name: id\n    in: path\n    required: true\n    schema:\n      type: string\n{OK_RESPONSE}")
        )),
        "#/paths/~1a/get: path parameter `id` is not in the path"
    );
}

#[test]
fn cookie_path_object_and_secret_query_parameters_are_refused() {
    let cookie = format!(
        "operationId: A\nparameters:\n  - name: c\n    in: cookie\n    schema:\n      type: string\n{OK_RESPONSE}"
    );
    assert_eq!(
        error_of(&with_operation("/a", &cookie)),
        "#/paths/~1a/get/parameters/0: cookie parameters are not supported"
    );
    // An object in a path segment has no defined form here.
    let object = format!(
        "operationId: A\nparameters:\n  - name: q\n    in: path\n    required: true\n    schema:\n      type: object\n{OK_RESPONSE}"
    );
    assert_eq!(
        error_of(&with_operation("/a/{q}", &object)),
        "#/paths/~1a~1{q}/get/parameters/0/schema: a parameter must be a string, boolean, number, integer or enum (or an array of those in the query; a secret only in a header)"
    );
    // A secret never goes into a URL, not even inside an object.
    let secret = format!(
        "operationId: A\nparameters:\n  - name: q\n    in: query\n    schema:\n      type: array\n      items: {{ type: string, format: password }}\n{OK_RESPONSE}"
    );
    assert_eq!(
        error_of(&with_operation("/a", &secret)),
        "#/paths/~1a/get/parameters/0/schema: a parameter must be a string, boolean, number, integer or enum (or an array of those in the query; a secret only in a header)"
    );
    // Nor as the members of a free-form map, in any style.
    for style in ["form", "deepObject"] {
        let secret = format!(
            "operationId: A\nparameters:\n  - name: q\n    in: query\n    style: {style}\n    schema:\n      type: object\n      additionalProperties: {{ type: string, format: password }}\n{OK_RESPONSE}"
        );
        assert_eq!(
            error_of(&with_operation("/a", &secret)),
            "#/paths/~1a/get/parameters/0/schema: a parameter must be a string, boolean, number, integer or enum (or an array of those in the query; a secret only in a header)",
            "{style}"
        );
    }
}

#[test]
fn multipart_bodies_other_than_object_forms_are_refused() {
    let op = "operationId: A\nrequestBody:\n  content:\n    multipart/form-data:\n      schema:\n        type: string\nresponses:\n  '200':\n    description: ok";
    assert_eq!(
        error_of(&with_operation("/a", op)),
        "#/paths/~1a/get/requestBody/content/multipart~1form-data/schema: a multipart/form-data body must be an object"
    );
    let mixed = "operationId: A\nrequestBody:\n  content:\n    multipart/mixed:\n      schema:\n        type: object\nresponses:\n  '200':\n    description: ok";
    assert_eq!(
        error_of(&with_operation("/a", mixed)),
        "#/paths/~1a/get/requestBody/content/multipart~1mixed: request bodies of media type `multipart/mixed` are not supported"
    );
}

#[test]
fn circular_references_outside_components_are_refused_at_the_ref() {
    let op = "operationId: A\nresponses:\n  '200':\n    description: ok\n    content:\n      application/json:\n        schema:\n          type: object\n          properties:\n            next:\n              $ref: '#/paths/~1a/get/responses/200/content/application~1json/schema'";
    assert_eq!(
        parse_spec(&with_operation("/a", op)).expect_err("a cycle").to_string(),
        "#/paths/~1a/get/responses/200/content/application~1json/schema/properties/next: `$ref` #/paths/~1a/get/responses/200/content/application~1json/schema is circular (through pointers outside #/components)"
    );
}
#[test]
fn unparsable_documents_are_an_error_too() {
    let error = parse_spec("openapi: 3.0.3\ninfo: 7\n").expect_err("not a spec");
    assert!(
        error
            .to_string()
            .starts_with("#: not an OpenAPI 3.0 document"),
        "{error}"
    );
}

#[test]
fn matrix_paths_are_refused() {
    let matrix = format!(
        "operationId: A\nparameters:\n  - name: id\n    in: path\n    required: true\n    style: matrix\n    schema:\n      type: string\n{OK_RESPONSE}"
    );
    assert_eq!(
        error_of(&with_operation("/a/{id}", &matrix)),
        "#/paths/~1a~1{id}/get/parameters/0: only style simple is supported for path parameters"
    );
}

#[test]
fn x_rust_name_must_be_a_snake_case_identifier() {
    let spec = with_schema(
        "type: object\nproperties:\n  bar:\n    type: string\n    x-rust-name: NotSnake",
    );
    assert_eq!(
        error_of(&spec),
        "#/components/schemas/Foo/properties/bar: x-rust-name `NotSnake` is not a snake_case Rust identifier"
    );
    let keyword =
        with_schema("type: object\nproperties:\n  bar:\n    type: string\n    x-rust-name: fn");
    assert!(error_of(&keyword).contains("x-rust-name `fn` is not a snake_case Rust identifier"));
}

#[test]
fn x_rust_name_may_not_take_another_property_name() {
    let spec = with_schema(
        "type: object\nproperties:\n  code:\n    type: string\n  errorCode:\n    type: string\n    x-rust-name: code",
    );
    assert_eq!(
        error_of(&spec),
        "#/components/schemas/Foo/properties/errorCode: x-rust-name `code` is already the name of another property"
    );
}

#[test]
fn multiple_of_must_be_above_zero_whole_on_integers_and_satisfiable() {
    let cases = [
        ("type: integer\nmultipleOf: 0", "multipleOf must be above 0, not 0"),
        ("type: integer\nmultipleOf: -5", "multipleOf must be above 0, not -5"),
        ("type: number\nmultipleOf: 0", "multipleOf must be above 0, not 0"),
        ("type: number\nmultipleOf: -0.5", "multipleOf must be above 0, not -0.5"),
        (
            "type: integer\nmultipleOf: 0.5",
            "multipleOf 0.5 on an integer is not supported: it must be a whole number above 0 (below 2^53 when written as a float)",
        ),
        (
            "type: integer\nminimum: 1\nmaximum: 4\nmultipleOf: 5",
            "no value from 1 to 4 is a multiple of 5",
        ),
        (
            "type: integer\nexclusiveMinimum: true\nminimum: 0\nexclusiveMaximum: true\nmaximum: 10\nmultipleOf: 10",
            "no value from 1 to 9 is a multiple of 10",
        ),
        (
            "type: integer\nformat: int32\nminimum: 2147483000\nmultipleOf: 1024",
            "no value at or above 2147483000 (format int32) is a multiple of 1024",
        ),
        (
            "type: integer\nenum: [1, 2, 3]\nmultipleOf: 4",
            "no value of the enum [1, 2, 3] is a multiple of 4",
        ),
    ];
    for (schema, message) in cases {
        assert_eq!(
            error_of(&with_schema(schema)),
            format!("#/components/schemas/Foo: {message}"),
            "{schema}"
        );
    }
    assert_eq!(
        error_of(&with_schema("type: integer\nmultipleOf: 1e300")),
        "#/components/schemas/Foo: multipleOf 1e300 on an integer is not supported: it must be a whole number above 0 (below 2^53 when written as a float)"
    );
    // Not finite (YAML only; JSON has no such numbers): refused before openapiv3 reads it.
    for (keyword, value) in [
        ("multipleOf", ".inf"),
        ("minimum", "-.Inf"),
        ("maximum", ".NaN"),
    ] {
        let spec = parse_spec(&with_schema(&format!("type: number\n{keyword}: {value}")));
        assert_eq!(
            spec.map(|_| ()).unwrap_err().to_string(),
            format!("#/components/schemas/Foo/{keyword}: a bound or multipleOf that is not a finite number (.inf, .nan) is not supported")
        );
    }
    // Inline, the error points at the property.
    assert_eq!(
        error_of(&with_schema(
            "type: object\nproperties:\n  n:\n    type: number\n    format: float\n    multipleOf: 0"
        )),
        "#/components/schemas/Foo/properties/n: multipleOf must be above 0, not 0"
    );
}

#[test]
fn number_ranges_and_enums_no_value_satisfies_are_refused() {
    for (schema, message) in [
        ("type: number\nminimum: 2\nmaximum: 1", "no number is from 2 to 1"),
        (
            "type: number\nminimum: 1\nmaximum: 1\nexclusiveMaximum: true",
            "no number is at least 1 and below 1",
        ),
        (
            "type: number\nminimum: 0.1\nmaximum: 0.2\nmultipleOf: 0.25",
            "no number is from 0.1 to 0.2 and a multiple of 0.25",
        ),
        (
            "type: number\nminimum: 0\nexclusiveMinimum: true\nmaximum: 0.25\nexclusiveMaximum: true\nmultipleOf: 0.25",
            "no number is above 0 and below 0.25, and a multiple of 0.25",
        ),
        (
            "type: number\nenum: [1.5, 2.5]\nmaximum: 1",
            "no value of the enum [1.5, 2.5] is at most 1",
        ),
        (
            "type: number\nenum: [0.3]\nmultipleOf: 0.25",
            "no value of the enum [0.3] is a multiple of 0.25",
        ),
        (
            "type: number\nformat: float\nminimum: 1e300",
            "no number (format float) is at least 1e300",
        ),
        ("type: number\nenum: [null]", "an enum needs a value besides null"),
    ] {
        assert_eq!(
            error_of(&with_schema(schema)),
            format!("#/components/schemas/Foo: {message}"),
            "{schema}"
        );
    }
    // Where it is: an inline property.
    assert_eq!(
        error_of(&with_schema(
            "type: object\nproperties:\n  n:\n    type: number\n    minimum: 5\n    maximum: 4"
        )),
        "#/components/schemas/Foo/properties/n: no number is from 5 to 4"
    );
    // A range that holds a multiple is accepted, also a narrow one.
    for schema in [
        "type: number\nminimum: 0.2\nmaximum: 0.3\nmultipleOf: 0.25",
        "type: number\nminimum: 1\nmaximum: 1",
        "type: number\nminimum: -0.01\nmaximum: 0.01\nexclusiveMinimum: true\nexclusiveMaximum: true\nmultipleOf: 0.5",
    ] {
        let spec = parse_spec(&with_schema(schema)).expect("parses");
        assert!(
            generate(&spec, &Options::default()).is_ok(),
            "{schema}"
        );
    }
}

#[test]
fn array_counts_no_array_satisfies_are_refused() {
    assert_eq!(
        error_of(&with_schema(
            "type: array\nitems: { type: string }\nminItems: 3\nmaxItems: 2"
        )),
        "#/components/schemas/Foo: minItems 3 is above maxItems 2"
    );
    assert_eq!(
        error_of(&with_schema(
            "type: object\nproperties:\n  tags:\n    type: array\n    items: { type: string }\n    minItems: 5\n    maxItems: 1"
        )),
        "#/components/schemas/Foo/properties/tags: minItems 5 is above maxItems 1"
    );
}

/// `uniqueItems: true` with more `minItems` than the items have distinct values: no array
/// is valid, so the spec is refused where the array is, saying why.
#[test]
fn unique_items_the_items_cannot_fill_are_refused() {
    assert_eq!(
        error_of(&with_schema(
            "type: object\nproperties:\n  flags:\n    type: array\n    items: { type: boolean }\n    minItems: 3\n    uniqueItems: true"
        )),
        "#/components/schemas/Foo/properties/flags: minItems 3 with uniqueItems: true can never \
         be met: the items can take only 2 distinct values (`false`, `true`)"
    );
    assert_eq!(
        error_of(&with_schema(
            "type: array\nitems: { type: string, enum: [a, b, a] }\nminItems: 3\nuniqueItems: true"
        )),
        "#/components/schemas/Foo: minItems 3 with uniqueItems: true can never be met: the \
         items can take only 2 distinct values (`a`, `b`)"
    );
    // `null` is one more value; an enum behind a `$ref` (and a one-`$ref` `allOf`) counts.
    let mut spec = with_schema(
        "type: array\nitems:\n  allOf: [{ $ref: '#/components/schemas/Level' }]\n  nullable: true\nminItems: 4\nuniqueItems: true",
    );
    spec.push_str(
        "    Level:\n      type: integer\n      enum: [1, 2, 3, 4]\n      multipleOf: 2\n",
    );
    assert_eq!(
        error_of(&spec),
        "#/components/schemas/Foo: minItems 4 with uniqueItems: true can never be met: the \
         items can take only 3 distinct values (`2`, `4`, `null`)"
    );
    // Without `type: array`, the array keywords make it one.
    assert_eq!(
        error_of(&with_schema(
            "items: { enum: [x] }\nminItems: 2\nuniqueItems: true"
        )),
        "#/components/schemas/Foo: minItems 2 with uniqueItems: true can never be met: the \
         items can take only 1 distinct value (`x`)"
    );
    let many: Vec<String> = (0..10).map(|i| format!("v{i}")).collect();
    assert_eq!(
        error_of(&with_schema(&format!(
            "type: array\nitems: {{ type: string, enum: [{}] }}\nminItems: 11\nmaxItems: 20\nuniqueItems: true",
            many.join(", ")
        ))),
        "#/components/schemas/Foo: minItems 11 with uniqueItems: true can never be met: the \
         items can take only 10 distinct values (an enum of 10 values)"
    );
    // Inside an operation too, where the parameter is.
    assert_eq!(
        error_of(&with_operation(
            "/a",
            &format!(
                "parameters:\n  - name: order\n    in: query\n    schema:\n      type: array\n      \
                 items: {{ type: number, enum: [0.5, 1.5] }}\n      minItems: 3\n      uniqueItems: true\n{OK_RESPONSE}"
            )
        )),
        "#/paths/~1a/get/parameters/0/schema: minItems 3 with uniqueItems: true can never be \
         met: the items can take only 2 distinct values (`0.5`, `1.5`)"
    );
    // What the items can fill, or without `uniqueItems`, or items of many values: accepted.
    for schema in [
        "type: array\nitems: { type: boolean }\nminItems: 2\nuniqueItems: true",
        "type: array\nitems: { type: boolean, nullable: true }\nminItems: 3\nuniqueItems: true",
        "type: array\nitems: { type: boolean }\nminItems: 3",
        "type: array\nitems: { type: string }\nminItems: 3\nuniqueItems: true",
        "type: array\nitems: { type: integer, minimum: 0, maximum: 10 }\nminItems: 3\nuniqueItems: true",
    ] {
        let spec = parse_spec(&with_schema(schema)).expect("parses");
        assert!(
            generate(&spec, &Options::default()).is_ok(),
            "{schema}"
        );
    }
}
