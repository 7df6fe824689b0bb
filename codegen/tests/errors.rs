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
fn all_of_names_the_property() {
    let spec = with_schema(
        "type: object\nproperties:\n  bar:\n    allOf:\n      - type: string\n      - type: string",
    );
    assert_eq!(
        error_of(&spec),
        "#/components/schemas/Foo/properties/bar: allOf is not supported"
    );
}

#[test]
fn all_of_other_than_one_ref_is_refused() {
    let property = |all_of: &str| {
        let mut spec = with_schema(&format!("type: object\nproperties:\n  bar:\n{all_of}"));
        spec.push_str("    Bar:\n      type: string\n");
        spec
    };
    let refused = "#/components/schemas/Foo/properties/bar: allOf is not supported";
    // Two `$ref`s: a real composition.
    assert_eq!(
        error_of(&property(
            "    allOf:\n      - $ref: '#/components/schemas/Bar'\n      - $ref: '#/components/schemas/Bar'"
        )),
        refused
    );
    // One inline schema, not a `$ref`.
    assert_eq!(
        error_of(&property("    allOf:\n      - type: string")),
        refused
    );
    // A `$ref` together with keywords that change the type.
    let message = error_of(&property(
        "    type: object\n    properties: { extra: { type: string } }\n    allOf:\n      - $ref: '#/components/schemas/Bar'",
    ));
    assert!(
        message.starts_with("#/components/schemas/Foo/properties/bar: "),
        "{message}"
    );
    assert!(message.contains("allOf"), "{message}");
    // The one `$ref` must resolve.
    assert_eq!(
        error_of(&property("    allOf:\n      - $ref: '#/components/schemas/Nope'")),
        "#/components/schemas/Foo/properties/bar/allOf/0: `$ref` #/components/schemas/Nope does not resolve"
    );
}

#[test]
fn any_of_and_not_are_refused() {
    assert_eq!(
        error_of(&with_schema("anyOf:\n  - type: string\n  - type: integer")),
        "#/components/schemas/Foo: anyOf is not supported"
    );
    assert_eq!(
        error_of(&with_schema("not:\n  type: string")),
        "#/components/schemas/Foo: not is not supported"
    );
}

#[test]
fn one_of_with_non_integer_alternatives_is_refused() {
    let message = error_of(&with_schema("oneOf:\n  - type: string\n  - type: integer"));
    assert_eq!(
        message,
        "#/components/schemas/Foo/oneOf/0: only integer alternatives (enum or minimum/maximum) are supported in oneOf"
    );
}

#[test]
fn string_constraints_are_refused() {
    assert_eq!(
        error_of(&with_schema("type: string\nmaxLength: 64\nenum: [a]")),
        "#/components/schemas/Foo: minLength/maxLength together with enum, x-sensitive or format password is not supported"
    );
    assert_eq!(
        error_of(&with_schema("type: string\nminLength: 5\nmaxLength: 4")),
        "#/components/schemas/Foo: minLength 5 is above maxLength 4"
    );
    assert_eq!(
        error_of(&with_schema("type: string\npattern: '^a'")),
        "#/components/schemas/Foo: pattern is not supported"
    );
}

#[test]
fn nullable_parameters_null_only_enums_and_array_bounds_are_refused() {
    let op = |schema: &str| {
        with_operation(
            "/things",
            &format!("operationId: GetThings\nparameters:\n  - {{ name: q, in: query, schema: {schema} }}\n{OK_RESPONSE}"),
        )
    };
    let refused = "#/paths/~1things/get/parameters/0/schema: nullable is not supported for parameters: a path, query or header cannot carry null";
    assert_eq!(error_of(&op("{ type: string, nullable: true }")), refused);
    assert_eq!(
        error_of(&op(
            "{ type: array, items: { type: string, nullable: true } }"
        )),
        refused
    );
    assert_eq!(
        error_of(&with_schema("type: string\nnullable: true\nenum: [null]")),
        "#/components/schemas/Foo: an enum needs a value besides null"
    );
    assert_eq!(
        error_of(&with_schema("type: integer\nnullable: true\nenum: [null]")),
        "#/components/schemas/Foo: an enum needs a value besides null"
    );
    assert_eq!(
        error_of(&with_schema("type: string\nenum: [a, null]")),
        "#/components/schemas/Foo: null in enum is not supported"
    );
    assert_eq!(
        error_of(&with_schema(
            "type: object\nproperties:\n  list:\n    type: array\n    maxItems: 3\n    items:\n      type: string"
        )),
        "#/components/schemas/Foo/properties/list: minItems/maxItems/uniqueItems is not supported"
    );
}

#[test]
fn number_bounds_and_properties_with_additional_properties_are_refused() {
    assert_eq!(
        error_of(&with_schema("type: number\nminimum: 0.5")),
        "#/components/schemas/Foo: constraints on numbers (minimum, maximum, multipleOf, enum) are not supported"
    );
    assert_eq!(
        error_of(&with_schema(
            "type: object\nadditionalProperties: true\nproperties:\n  a:\n    type: string"
        )),
        "#/components/schemas/Foo: properties together with additionalProperties are not supported"
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
    assert_eq!(
        error_of(&with_schema("type: string\nminimum: 1")),
        "#/components/schemas/Foo: this combination of keywords is not supported: type, minimum"
    );
}

#[test]
fn clashing_type_names_are_refused() {
    let spec = "openapi: 3.0.3\ninfo: { title: T, version: '1' }\npaths: {}\ncomponents:\n  schemas:\n    FooBar:\n      type: string\n    Foo:\n      type: object\n      properties:\n        bar:\n          type: string\n          enum: [a]\n";
    assert_eq!(
        error_of(spec),
        "#/components/schemas/Foo/properties/bar: the type name `FooBar` is already generated for #/components/schemas/FooBar"
    );
    let reserved = "openapi: 3.0.3\ninfo: { title: T, version: '1' }\npaths: {}\ncomponents:\n  schemas:\n    Client:\n      type: string\n";
    assert_eq!(
        error_of(reserved),
        "#/components/schemas/Client: the type name `Client` is reserved by the generated code"
    );
}

#[test]
fn operations_need_an_id_and_a_success_response() {
    assert_eq!(
        error_of(&with_operation("/a", OK_RESPONSE)),
        "#/paths/~1a/get: an operation needs an operationId"
    );
    assert_eq!(
        error_of(&with_operation(
            "/a",
            "operationId: A\nresponses:\n  '404':\n    description: no"
        )),
        "#/paths/~1a/get/responses: an operation needs a 2XX response"
    );
}

#[test]
fn path_parameters_must_match_the_template() {
    assert_eq!(
        error_of(&with_operation(
            "/a/{id}",
            &format!("operationId: A\n{OK_RESPONSE}")
        )),
        "#/paths/~1a~1{id}/get: path parameter `id` is not declared"
    );
}

#[test]
fn cookie_and_object_parameters_are_refused() {
    let cookie = format!(
        "operationId: A\nparameters:\n  - name: c\n    in: cookie\n    schema:\n      type: string\n{OK_RESPONSE}"
    );
    assert_eq!(
        error_of(&with_operation("/a", &cookie)),
        "#/paths/~1a/get/parameters/0: cookie parameters are not supported"
    );
    let object = format!(
        "operationId: A\nparameters:\n  - name: q\n    in: query\n    schema:\n      type: object\n{OK_RESPONSE}"
    );
    assert_eq!(
        error_of(&with_operation("/a", &object)),
        "#/paths/~1a/get/parameters/0/schema: a parameter must be a string, boolean, number, integer or enum (or an array of those in the query; a secret only in a header)"
    );
}

#[test]
fn non_json_bodies_are_refused() {
    let op = "operationId: A\nresponses:\n  '200':\n    description: ok\n    content:\n      text/plain:\n        schema:\n          type: string";
    assert_eq!(
        error_of(&with_operation("/a", op)),
        "#/paths/~1a/get/responses/200/content/text~1plain: media type `text/plain` is not supported; only JSON is"
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
fn callbacks_servers_and_matrix_paths_are_refused() {
    let callbacks = format!(
        "operationId: A\ncallbacks:\n  done:\n    '{{$request.body#/url}}':\n      post:\n        responses:\n          '200':\n            description: ok\n{OK_RESPONSE}"
    );
    assert_eq!(
        error_of(&with_operation("/a", &callbacks)),
        "#/paths/~1a/get/callbacks: callbacks are not supported"
    );
    let servers = format!("operationId: A\nservers:\n  - url: https://other\n{OK_RESPONSE}");
    assert_eq!(
        error_of(&with_operation("/a", &servers)),
        "#/paths/~1a/get/servers: servers per operation are not supported; the client's endpoint applies to all"
    );
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
fn method_names_may_not_clash_with_raw_methods_or_the_clients_own() {
    let raw_clash = "openapi: 3.0.3\ninfo: { title: T, version: '1' }\npaths:\n  /a:\n    get:\n      operationId: Foo\n      responses: { '200': { description: ok } }\n  /b:\n    get:\n      operationId: FooRaw\n      responses: { '200': { description: ok } }\n";
    assert_eq!(
        error_of(raw_clash),
        "#/paths/~1b/get: the method name `foo_raw` is already generated for #/paths/~1a/get"
    );
    assert_eq!(
        error_of(&with_operation(
            "/a",
            &format!("operationId: builder\n{OK_RESPONSE}")
        )),
        "#/paths/~1a/get: the method name `builder` is reserved by the generated client"
    );
}
