//! Generates Rust types and a client from an OpenAPI 3.0 description.
//!
//! The path is spec → model → tokens → files: [`openapiv3`] parses the document, `build`
//! answers every question about it in a small intermediate model ([`mod@model`]), `emit` turns the
//! model into tokens with `quote!`, and `prettyplease` formats them. Nothing here knows about
//! any one operation.
//!
//! The source is split by concern: `build/` (schemas, string, integer, number and array
//! rules, operations, responses and their status labels, derivable traits and boxing,
//! names), `emit/` (types,
//! client, doc examples, crate files), and [`Error`] on its own. Every decision about the
//! spec, including which traits a type derives, is made in `build` and recorded in the model;
//! `emit` only writes it down.
//!
//! ```
//! let spec = clustercert_codegen::parse_spec(r#"
//! openapi: 3.0.3
//! info: { title: Pets, version: "1" }
//! paths:
//!   /pets/{id}:
//!     get:
//!       operationId: GetPet
//!       parameters:
//!         - { name: id, in: path, required: true, schema: { type: string } }
//!       responses:
//!         '200':
//!           description: The pet.
//!           content:
//!             application/json:
//!               schema: { type: object, properties: { name: { type: string } } }
//! "#)?;
//! let files = clustercert_codegen::generate(&spec, &clustercert_codegen::Options::default())?;
//! let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
//! assert_eq!(names, ["mod.rs", "types.rs", "client.rs"]);
//! assert!(files[1].contents.contains("pub struct GetPetResponseBody200"));
//! # Ok::<(), clustercert_codegen::Error>(())
//! ```
//!
//! # Three ways to use it
//!
//! - `cargo xtask codegen` (this workspace's `generated/`): [`generate_crate`] writes a whole
//!   crate that is checked in, so every change to the client is a reviewed diff.
//! - `cargo xtask codegen --spec S --out D`: the same for any spec, a standalone crate that
//!   names the runtime by a relative path, a version or git.
//! - A consumer's `build.rs`: [`BuildScript`] writes one file into `OUT_DIR` to `include!`,
//!   reruns when the spec changes, and stops the build on a refused spec with one line naming
//!   the file and the JSON pointer (`spec.yaml#/paths/~1a/get: …`). Nothing is checked in;
//!   `examples/build-rs-client` in this workspace does it.
//!
//! # What it supports, and the rules it follows
//!
//! OpenAPI 3.0 as public API descriptions use it (measured on the APIs.guru directory with
//! `cargo xtask corpus`). What it cannot express stops generation with an [`Error`] naming the
//! construct and where it is, as a JSON pointer (`#/paths/~1a/post/requestBody/content/
//! multipart~1form-data: request bodies of media type … are not supported`). Constraints it
//! accepts without checking are listed under **Not checked** below; nothing else is dropped.
//!
//! **Schemas.** A component schema becomes a type named in UpperCamelCase; an inline schema
//! that needs a type of its own (object with properties, string enum, constrained integer,
//! number, string or array) is named after where it is: parent type + property
//! (`Kubeconfig` + `apiVersion` → `KubeconfigApiVersion`), `…Item` for array items, `…Value`
//! for map values, `<Operation>RequestBody`, `<Operation>ResponseBody<status>`,
//! `<Operation><Parameter>`. A name that is taken (two schemas with one UpperCamelCase name,
//! `Foo` and `foo`) or reserved (`Client`, `Option`, `Result`, `String`, `Vec`, `Box`, …)
//! gets the first free suffix `2`, `3`, … in spec order, so the first schema keeps the plain
//! name.
//! - `type: object` with `properties`: a struct deriving `Debug, Clone, PartialEq, Serialize,
//!   Deserialize`, plus `Eq` and `Hash` when every field allows. Required properties are plain
//!   fields; optional ones are `Option<T>` with `#[serde(default, skip_serializing_if =
//!   "Option::is_none")]`. Unknown fields are tolerated, unless `additionalProperties: false`
//!   (then `deny_unknown_fields`). Beside `additionalProperties: true` or a schema, the other
//!   properties land in a `#[serde(flatten)] additional_properties` map. Without `type`,
//!   `properties`, `required` or `additionalProperties` make the schema an object; a
//!   `required` name without a property is tolerated (it constrains no field).
//! - `type: object` without properties: `serde_json::Map<String, serde_json::Value>` (free
//!   form: `additionalProperties` absent or `true`), or `BTreeMap<String, T>`
//!   (`additionalProperties: {schema}`).
//! - `type: array`: `Vec<T>`. With `minItems` (above 0), `maxItems` or `uniqueItems: true`, a
//!   validated newtype over `Vec<T>` (private field, `TryFrom<Vec<T>>`, `new`, `RULE`,
//!   `as_slice`, `iter`, `len`, `is_empty`, `into_inner`, `From<Newtype> for Vec<T>`,
//!   `AsRef<[T]>`, `IntoIterator`, serde through `try_from`/`into`; `Debug, Clone,
//!   PartialEq`, and `Eq`/`Hash` when the items allow), named like any inline type
//!   (`Tags`, `PointTags`, items `PointTagsItem`). Rule `must have 1 to 10 items, none
//!   repeated`; the error names the count (`invalid Tags: 0 items (…)`) or the repeated
//!   item (`item 2 equals item 0`). Items are equal when they are equal as Rust values
//!   (`PartialEq`: `1` and `1.0` in a `serde_json::Value` differ, `0.0` and `-0.0` in an
//!   `f64` do not). The count is checked first; then items that are `Eq + Hash` go through a
//!   hash set (linear), others (floats, JSON values, secrets) are compared pairwise, which is
//!   quadratic: bounded by `maxItems`, unbounded without it (10,000 such items take about 50
//!   million comparisons). Such arrays work wherever an array does: fields, bodies,
//!   responses, nested arrays, query parameters (`iter()` writes the items as a `Vec`'s),
//!   and over items that are `$ref`s or newtypes. Refused with their location: `minItems`
//!   above `maxItems`, and `uniqueItems: true` with a `minItems` above the number of distinct
//!   values the items can take (an `enum`'s values, also behind a `$ref`; a boolean's 2; one
//!   more when they allow `null`), which no array meets. In a `multipart/form-data` body,
//!   an array of files (`format: binary` items) with such counts is the same newtype over
//!   `Vec<Vec<u8>>` (without them, `Vec<Vec<u8>>`), and an array of values is checked as
//!   anywhere else.
//! - `type: string`: `String`. Formats other than `password` (`date-time`, `byte`, …) stay
//!   `String`. `format: password` or `x-sensitive: true` gives the runtime's `SecretString`,
//!   whose `Debug` is redacted. With `enum`: a Rust enum (variants in UpperCamelCase,
//!   `vpc-router` → `VpcRouter`; `#[serde(rename)]` only where the wire value differs from the
//!   variant), with `ALL`, `as_str`, `Display` and `FromStr`. With `minLength`/`maxLength`: a
//!   validated newtype like the integer ones below (`TryFrom<String>`, `TryFrom<&str>`, `new`,
//!   `as_str`, `RULE`, `From<Newtype> for String`, `Display`, `FromStr`; lengths counted in
//!   characters; rule `must be 1 to 64 characters long`; beside `enum` or a secret, lengths
//!   are not checked). A `pattern` is checked too (`must be at least 2 characters long and
//!   match the pattern ab+`), read as JSON Schema reads it: ECMA-262, unanchored (a match
//!   anywhere counts), `\d` and `\w` ASCII. It is compiled once, on first use
//!   (`std::sync::LazyLock`), by the `regex` crate, which the generated `Cargo.toml` then
//!   depends on (`default-features = false, features = ["std", "unicode"]`: no literal
//!   optimisations, a smaller build; matching stays linear in the text). A module from
//!   [`generate`] or [`BuildScript`] needs the consumer to depend on `regex` the same way
//!   when the spec has such patterns (`BuildScript` prints a `cargo:warning` naming the
//!   dependency line when it does). The generator compiles each pattern with the same
//!   crate; one it cannot read (look-around, back-references, `\c`) is accepted and not
//!   checked, and the type's or field's docs say so and why; a spec is never refused for a
//!   pattern. `regex` rather than `regex-lite`: the full Unicode classes (`\p{L}`) that
//!   specs use, and `regex` is already in this workspace's lock file.
//! - `type: integer`: `i32` for `format: int32` (and `int8`, `int16`, `uint8`, `uint16`), else
//!   `i64` (`int64`, `uint32`, unknown formats; a `uint64` above `i64::MAX` does not parse). With `minimum`/`maximum`
//!   (`exclusiveMinimum`/`exclusiveMaximum` honoured), `enum`, or a `oneOf` whose alternatives
//!   are each an integer `enum` or a `minimum`/`maximum` range, a validated newtype: private
//!   field, `TryFrom<i64>` (and `TryFrom<i32>` for int32), `new`, `get`, `RULE`, `From<Newtype>`
//!   for the inner integer, `Display`, `FromStr`, and serde through `try_from`/`into`, so a
//!   forbidden value can never be held or deserialized. A refused value gives the runtime's
//!   `ConstraintError { type_name, value, rule }`, the rule worded from the spec: `must be -1,
//!   or from 1 to 1825`. A `multipleOf` is checked exactly (`value % m == 0`) beside the
//!   bounds (`must be from 1 to 100 and a multiple of 5`), or alone (`must be a multiple of
//!   5`); an enum keeps only its multiples. `multipleOf: 1` (or `1.0`) allows every integer
//!   and adds no rule. A `multipleOf` that is 0 or below, not a whole number (`0.5` on an
//!   integer), or that no value of the range or enum satisfies is refused with its location.
//! - `type: number`: `f64` (`f32` for `format: float`; unknown formats are `f64`). With
//!   `minimum`/`maximum` (`exclusiveMinimum`/`exclusiveMaximum` as OpenAPI 3.0 booleans; one
//!   without its bound constrains nothing), `enum` or `multipleOf`, a validated newtype like
//!   the integer ones (`TryFrom<f64>`, and `TryFrom<f32>` for float, `new`, `get`, `RULE`,
//!   `Display`, `FromStr`, serde through `try_from`; `PartialEq`/`PartialOrd` but not
//!   `Eq`/`Hash`). `NaN` and infinities are always refused. Rules are worded like the
//!   integer ones (`must be from 0 to 1`, `must be above 0 and below 1`, `must be one of
//!   0.5, 1`; whole numbers without `.0`). For `format: float` every comparison is made on
//!   `f32`s (the value and the spec's numbers rounded to `f32`, so `maximum: 0.1` allows the
//!   `f32` written `0.1`; a bound beyond the largest `f32` constrains nothing a float can
//!   hold). An `enum` compares exactly (`==`) with the values as parsed, and keeps only the
//!   values its bounds and `multipleOf` allow. Binary floats cannot hold most decimal steps,
//!   so `multipleOf` tolerates rounding: `value` is a multiple of `m` when `value / m` is
//!   within `max(1e-9, 4 ulps)` of a whole number (ulps of the held type, `f32` for float):
//!   `0.07` is a multiple of `0.01` though `0.07 / 0.01` is `7.000000000000001`, `0.005` is
//!   not. Values within a billionth of a step of a multiple (also of 0) count as multiples,
//!   and so does every value above about 2^53 steps, where an `f64` has no fractional steps
//!   left. The error shows the value as Rust writes it (`invalid Amount: 0.005 (must be a
//!   multiple of 0.01)`). Refused with their location: a `multipleOf` of 0 or below, a bound
//!   or enum value that is not finite, and a rule no number satisfies (`minimum` above
//!   `maximum`, equal bounds with one exclusive, a narrow range without a multiple, an enum
//!   none of whose values the bounds allow).
//! - `type: boolean`: `bool`. A schema with no keywords, or with only a `format` and no
//!   `type` (a format constrains no type): `serde_json::Value`.
//! - Keywords that do not apply to the stated type are ignored, as in JSON Schema (`type:
//!   number` with `minLength` is a number); without `type`, one is inferred when the
//!   type-specific keywords (or the `enum` values) all belong to one type. An `enum` whose
//!   values do not match a string type is read as text.
//! - `$ref` to `#/components/schemas/…`: that type. A component that is only a `$ref`, or a
//!   schema that is only an array, map or scalar, becomes a `type` alias. A local `$ref` to
//!   anywhere else in the document (`#/paths/~1a/get/responses/200/headers/x`,
//!   `#/components/schemas/A/properties/b`, percent-escapes decoded) is replaced by a copy of
//!   its target before anything else is read, so the copy is typed where it is used; a cycle
//!   through such pointers is refused at the `$ref`.
//! - `allOf` with exactly one item, a `$ref` (optionally beside `description`, `nullable` or
//!   documentation-only keywords), is that `$ref`: the way OpenAPI 3.0 puts a description
//!   next to a `$ref`. The sibling `description` is the field's doc (else, as for a plain
//!   `$ref`, the referenced schema's first paragraph). The same holds for one `$ref` beside
//!   documentation-only items (`allOf: [$ref, {description: …}]`).
//! - Any other `allOf`: its members (inline, by `$ref`, nested `allOf`s, and the keywords
//!   beside `allOf`) merge into one struct, properties in member order, `required` joined. A
//!   property two members define differently gets one definition a value of both satisfies:
//!   when the two are alike but for documentation and `nullable`, the one that does not allow
//!   `null` (only both allowing it allows it); when one is empty (`{}`, or only `nullable`),
//!   the other; when one is a `$ref` and the other an inline copy of its target, the `$ref`.
//!   Otherwise (say `type: integer` against `type: string`) the property is relaxed to
//!   `serde_json::Value`, and its doc says which `allOf` defined it differently. An `allOf`
//!   with a member that is not an object (`allOf: [{type: string}, {description: …}]`) is
//!   that member's type when all its members that are not documentation-only say the same,
//!   else `serde_json::Value`.
//! - `nullable: true`: JSON `null` is allowed, and the type is wrapped in `Option`, once.
//!   An optional nullable property is `Option<T>` with `default, skip_serializing_if`, like any
//!   optional property: `null` and absence both read as `None`, so a round trip turns `null`
//!   into absence. A required nullable property is `Option<T>` with `#[serde(default)]` and is
//!   always serialized (`null` for `None`); absence is tolerated on input and reads as `None`.
//!   Enums and validated newtypes work the same way (the newtype's rule applies to non-null
//!   values; a `null` among an enum's values makes the enum nullable as `nullable: true`
//!   does, and some other value is needed). A nullable component is generated as its non-null type, and every
//!   `$ref` to it (also through an alias or a one-`$ref` `allOf`) is an `Option`. A nullable
//!   array item or map value gives `Vec<Option<T>>` / `BTreeMap<String, Option<T>>`.
//!   `nullable` on a schema with no keywords changes nothing (`serde_json::Value` holds
//!   `null`).
//! - A struct that contains itself through fields that are not collections gets those fields
//!   boxed (`Option<Box<T>>` when nullable).
//! - `oneOf` other than integer rules, `anyOf` and `not`: `serde_json::Value` for now (the
//!   value is kept whole; typed enums with data are not generated yet). `discriminator` does
//!   not change the types.
//!   Documentation-only keywords (`example`, `title`, `default`, `readOnly`, `writeOnly`,
//!   `deprecated`, `externalDocs`, other `x-` extensions) do not change the types.
//!
//! **Names.** Field and method names are snake_case of the wire name (`current-context` →
//! `current_context`, `apiVersion` → `api_version`); `#[serde(rename)]` only where the wire
//! name is not the Rust name. Keywords become raw identifiers (`r#type`); `self`, `super`,
//! `crate` and `Self` get a trailing `_`; a name starting with a digit gets an `n` prefix
//! (`V` for types and variants). When two wire names map to the same Rust name, a wire name
//! that already is its Rust name keeps it and the others get the first free suffix `_2`, `_3`,
//! … in spec order (`error_code`, `errorCode` → `error_code`, `error_code_2`), and the field's
//! doc says so. A property's `x-rust-name: some_name` extension chooses its field name instead
//! (a snake_case identifier that no other property takes; otherwise generation stops). Header
//! names lose a leading `X-` (`X-Request-Id` → `request_id`).
//!
//! **Docs.** Descriptions and summaries become doc comments; the module docs come from
//! `info`. Indentation is dropped and bare code fences become `text`, so rustdoc never
//! compiles prose as a doctest. A crate from [`generate_crate`] also gets, in its crate docs,
//! the list of operations (summary, method, path), and doctests that compile: per operation
//! a `no_run` call whose request is built from the spec's examples (a parameter's `example`,
//! `examples` or schema `example`; the body's media-type `example`, first `examples` entry or
//! schema `example`, deserialized with `serde_json`), made-up values of the right shape where
//! the spec has none; per validated newtype, a value just outside its rule and the message it
//! gets (`invalid ValidityDays: 1826 (must be -1, or from 1 to 1825)`). The endpoint in the
//! examples is the first absolute server URL with its variables at their defaults.
//!
//! **Not checked.** Accepted, kept in the spec's docs, and not enforced by the types:
//! a `pattern` the `regex` crate cannot read (above), `minProperties`/`maxProperties`,
//! `enum` on booleans, lengths and patterns beside an `enum` or on a secret; the members of
//! an `allOf`
//! property relaxed to `serde_json::Value` (above); the alternatives of a parameter's
//! `oneOf`/`anyOf` of scalars (below).
//!
//! **Operations.** `CreateFoo` (the `operationId` in UpperCamelCase) gives the method
//! `create_foo`, `create_foo_raw`, `CreateFooRequest` and `CreateFooResponse`. Without an
//! `operationId`, the name comes from the method and the path: `GET /pets/{id}/toys` →
//! `GetPetsByIdToys` (`/` alone is `root`). When any of those four names is taken (by an
//! earlier operation, a `_raw` method, or the client's `builder`, `transport`, `from`, `clone`,
//! `fmt`), the first free suffix `2`, `3`, … in spec order (`FooRaw` after `Foo` gives
//! `foo_raw2`).
//! - Parameters (path item's, overridden by the operation's) become request fields: path
//!   parameters first, then query, then header, each in spec order; `Option` when not
//!   required. Strings, booleans, numbers, integers, enums and validated newtypes are
//!   written as text; a `oneOf`/`anyOf` whose alternatives are all such scalars (an id or a
//!   name) is a `String`, and the field's doc lists the alternatives. In the query, an array
//!   of those gives one pair per item, or one pair of the items joined by `,` (`form`), ` `
//!   (`spaceDelimited`) or `|` (`pipeDelimited`) with `explode: false`. Other values are
//!   written from their JSON form (`serde_json::to_value`), with keys fixed from the schema
//!   when the code is generated (where the schema names them) and the values written by the runtime's `forms` module
//!   (`param_json`, `query_pairs`, `query_members`, `joined`):
//!   - `style: form` (the default) with `explode`: one pair per property of the object
//!     (`size=20&cursor=x`); a property that is an object, or an array item that is one, as
//!     JSON text; an array of objects, one pair of JSON text per item.
//!   - `style: form` with `explode: false`, and objects in headers (`style: simple`): one
//!     value, `k,v,k,v` (`k=v,k=v` with `explode` in a header), nested values as JSON.
//!   - `style: deepObject`: `name[prop]=v`, nested objects `name[a][b]=v`, arrays
//!     `name[prop][]=v` per item (`name[]=v` for a top-level array, as Stripe and Rails
//!     read it); each `oneOf`/`anyOf` alternative contributes its keys (an integer
//!     alternative is `name=v` itself).
//!   - An object whose keys the spec does not name (`additionalProperties`, or no
//!     `properties`: a free-form map) is sent by its members, keyed when the request is
//!     made (`forms::query_members`): `k=v` per member with `form` and `explode`,
//!     `metadata[k]=v` (nested `metadata[k][j]=v`, arrays `metadata[k][]=v`) with
//!     `deepObject`, inside a deep object too (`filter[labels][k]=v`); `metadata=k,v,k,v`
//!     with `form` without `explode`. Fixed keys are borrowed, members' keys owned.
//!
//!   A nullable parameter is its non-null type (a URL or header cannot carry `null`, and
//!   `null` members are not sent); `allowReserved` values are percent-encoded like the
//!   others; a `{name}` of the path template that no parameter declares is a required
//!   `String` (its doc says so); a secret (`x-sensitive`, `format: password`) only in a header, never in a URL,
//!   not even inside an array. Objects in a path segment are refused. Path parameters go
//!   through `encode_path_segment`, so `/`, `?` and `#` stay inside their segment. Header
//!   parameters named `Content-Type`, `Accept` or `Authorization` are ignored, as OpenAPI 3.0
//!   says; a header named like an `apiKey` security scheme's header (`X-Auth-Token`) is
//!   supplied by the runtime's authentication, and the method's doc says so. A parameter
//!   with `content` (a JSON media type) instead of `schema` is sent as JSON text, in the
//!   query or a header. Cookie parameters, other `content` parameters and path styles other
//!   than `simple` are not supported. `callbacks` (requests the server makes to the caller) are ignored: nothing
//!   a client sends. Per-path or per-operation `servers` are named in the method's docs; the
//!   client's endpoint is used.
//! - Regions: every server whose absolute URL uses a declared `region` variable (its other
//!   variables at their defaults) serves the regions of that variable's `enum`, or any
//!   region without one; `Client::builder()` hands them to the runtime as a
//!   `RegionTemplate`, so `.region("cn-north-4")` gives the endpoint, and its docs say which
//!   server serves which regions. One such server without an enum is
//!   `RegionTemplate::new(url, prefix)`; otherwise the servers are a `const` table, each
//!   server's regions sorted, for `RegionTemplate::with_servers`: `https` servers first,
//!   then `http` ones, each in spec order (the AWS descriptions list a plain-HTTP copy of a
//!   server first; its regions go to the `https` one). A region two servers list goes to
//!   the first in that order (the docs name the servers that lost regions so), and a region
//!   no server lists to the first server without an enum, else it is refused; an `https`
//!   server without an enum serves every region, so `http` servers then serve none. Vendor
//!   extensions of the first such server in spec order: `x-region-env-prefix: HUAWEICLOUD_SDK_REGION_CCE_`
//!   (upper-case letters, digits, `_`) names the environment variable that overrides a
//!   region's endpoint (the prefix, then the region id upper-cased with `-` as `_`);
//!   `x-region-profile-key: CCE` (ASCII letters, digits, `_`) is the service's key in a
//!   regions file, read through the generated crate's feature `regions-file` (off by
//!   default: it adds a YAML parser). Refused at generation: an enum value that is not lower-case letters, digits
//!   and `-`, a default outside its enum, an empty enum, an extension on a server that is
//!   not such a server, or on a later one with another value. Without such a server,
//!   `.region(…)` is refused when the client is built (the error and `builder()`'s docs say
//!   why).
//! - The request body, when there is one, is the field `body` (an `Option` when not
//!   required). Of several media types, the first JSON one (`application/json`, `…+json`) is
//!   used, else the first text one (`text/*`, `application/xml`, `…+xml`,
//!   `application/x-www-form-urlencoded`: a `String`, the form already encoded), else the
//!   first `multipart/form-data` one, else the first other one (`Vec<u8>`); a non-JSON body
//!   is sent with its `Content-Type`.
//! - A `multipart/form-data` body is a struct, `<Operation>RequestBody` (the component
//!   itself when it is a `$ref` to one without binaries), whose `format: binary` properties
//!   are `Vec<u8>` (arrays of them `Vec<Vec<u8>>`, or a validated newtype over it with
//!   `minItems`, `maxItems` or `uniqueItems`); without a schema, or with a free-form
//!   one, it is a JSON map. The client writes it (RFC 7578, with the runtime's
//!   `forms::MultipartForm`) one part per field, in field order: bytes as a file part
//!   (`filename` the field's name, `application/octet-stream`), strings, numbers and
//!   booleans as text parts, an array as one part per item, an object as a part holding JSON (`application/json`); `None` and `null` send no part; the
//!   `encoding` object is not read. The boundary is the first of `form-boundary`,
//!   `form-boundary-1`, … that no part contains, so a form always gives the same bytes. Other
//!   `multipart/…` types, and a form whose schema is not an object, are refused. A required
//!   nullable body is an `Option` sent
//!   as `null` when `None`; an optional nullable one is a single `Option` (`None` sends no
//!   body). A nullable response body is an `Option` too.
//! - The success response (`2xx` or `2XX`) is a struct: `status`, one `Option<String>` per
//!   documented response header, and `body` when the response has content (chosen like a
//!   request body's: parsed JSON, a `String`, or `Vec<u8>`). An operation that documents no
//!   2XX response succeeds on any 2XX, without a body. Several
//!   success statuses with the same headers and body share the struct; different ones give an
//!   enum with one variant (and struct) per status, boxed when it has a body. Every other status goes to the runtime's
//!   `RawResponse::into_error`; error responses' `$ref`s are checked but their bodies are the
//!   runtime's business.
//!
//! **Client.** `Client` wraps the runtime's `Transport` (`From<Transport>`,
//! `Client::builder()`, `Client::transport()`) with two `async fn`s per operation:
//! `<method>_raw(&Request) -> Result<RawResponse, Error>` builds the `OperationRequest` (path
//! template, parameter checks, query, headers, JSON body) and calls `Transport::send`,
//! returning the response unread whatever its status; `<method>(&Request)` calls it and
//! interprets the status as above. So a raw call (a conformance check, a status the spec does
//! not list) sends exactly what the typed call sends. Generated code reaches the runtime through [`Options::runtime`].
//!
//! **Output.** Files are deterministic: types and operations in spec order. Every file starts
//! with a line saying which command wrote it.

#![forbid(unsafe_code)]

use std::fmt;

pub use openapiv3;

mod build;
mod build_script;
mod emit;
mod error;
pub mod model;
mod refs;

pub use build_script::{generate_file, BuildScript};
pub use error::Error;

/// How to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Path of the runtime crate in the generated code (`clustercert_runtime`).
    pub runtime: String,
    /// The spec's name in the header line and the docs, for example `spec/openapi.yaml`.
    pub source: String,
    /// The command named in the header line.
    pub command: String,
}

impl Default for Options {
    /// For the checked-in `clustercert` crate.
    fn default() -> Self {
        Options {
            runtime: "clustercert_runtime".to_owned(),
            source: "spec/openapi.yaml".to_owned(),
            command: "cargo xtask codegen".to_owned(),
        }
    }
}

/// Where a generated crate's `Cargo.toml` finds `clustercert-runtime`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A path relative to the generated crate's folder (`../runtime`). Never absolute, so the
    /// output is the same on every machine.
    Path(String),
    /// A version requirement on a registry (`0.1`).
    Version(String),
    /// A git repository, optionally at a revision.
    Git {
        /// The repository URL.
        url: String,
        /// A commit, tag or branch.
        rev: Option<String>,
    },
}

/// What goes into a generated crate's `Cargo.toml`.
#[derive(Debug, Clone)]
pub struct CrateOptions {
    /// The package name (`clustercert`).
    pub name: String,
    /// The package version.
    pub version: String,
    /// Where the runtime comes from.
    pub runtime: RuntimeSource,
    /// Whether the crate is its own workspace (an empty `[workspace]` table), so it builds
    /// where it was written even inside another workspace's folder.
    pub standalone: bool,
}

impl Options {
    /// The first line of every emitted file.
    pub fn header(&self) -> String {
        format!(
            "// @generated by `{}` from {}. Do not edit by hand.",
            self.command, self.source
        )
    }
}

/// One file to write: a path relative to the output folder, and its contents.
#[derive(Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Relative path, `/`-separated.
    pub path: String,
    /// The file's text.
    pub contents: String,
}

impl fmt::Debug for GeneratedFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GeneratedFile")
            .field("path", &self.path)
            .field("bytes", &self.contents.len())
            .finish()
    }
}

/// Parses a YAML or JSON OpenAPI document.
///
/// JSON (text starting with `{`) is read with `serde_json`, which is much faster on large
/// documents than the YAML reader. A document whose `openapi` is not `3.0.x` is refused at
/// `#/openapi`.
pub fn parse_spec(text: &str) -> Result<openapiv3::OpenAPI, Error> {
    let not_openapi = |e: &dyn fmt::Display| Error {
        location: "#".to_owned(),
        message: format!("not an OpenAPI 3.0 document: {e}"),
    };
    /// Only the version, read first so a 3.1 document is named as such.
    #[derive(serde::Deserialize)]
    struct Version {
        openapi: Option<serde_json::Value>,
    }
    let json = text.trim_start().starts_with('{');
    let version: Option<Version> = if json {
        serde_json::from_str(text).ok()
    } else {
        serde_yaml::from_str(text).ok()
    };
    if let Some(serde_json::Value::String(version)) = version.and_then(|v| v.openapi) {
        if !version.starts_with("3.0") {
            return Err(Error {
                location: "#/openapi".to_owned(),
                message: format!("version `{version}` is not supported; OpenAPI 3.0.x is"),
            });
        }
    }
    if !json && mentions_non_finite(text) {
        // openapiv3 panics on a schema bound that is not finite; refuse it first.
        let document: serde_yaml::Value =
            serde_yaml::from_str(text).map_err(|e| not_openapi(&e))?;
        if let Some(location) = non_finite_bound(&document, "#") {
            return Err(Error {
                location,
                message: "a bound or multipleOf that is not a finite number (.inf, .nan) is not supported".to_owned(),
            });
        }
    }
    if mentions_empty_enum(text) {
        // An empty `enum` reads as none (any value); a region server's is refused.
        empty_region_enum(text, json)?;
    }
    if refs::may_need_inlining(text) {
        // References outside `#/components` are copied in first (see `refs`).
        // (A `serde_yaml::Value`, read from JSON by `serde_json`, keeps the maps' order.)
        let mut document: serde_yaml::Value = if json {
            serde_json::from_str(text).map_err(|e| not_openapi(&e))?
        } else {
            serde_yaml::from_str(text).map_err(|e| not_openapi(&e))?
        };
        refs::inline_local_refs(&mut document)?;
        return serde_yaml::from_value(document).map_err(|e| not_openapi(&e));
    }
    if json {
        serde_json::from_str(text).map_err(|e| not_openapi(&e))
    } else {
        serde_yaml::from_str(text).map_err(|e| not_openapi(&e))
    }
}

/// Whether the text may hold an empty `enum` (`enum: []`, `"enum":[]`): a cheap scan, so
/// only such documents are read twice.
fn mentions_empty_enum(text: &str) -> bool {
    text.match_indices("enum").any(|(at, _)| {
        let rest = text[at + 4..].trim_start_matches(['"', '\'']).trim_start();
        rest.strip_prefix(':')
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('['))
            .is_some_and(|rest| rest.trim_start().starts_with(']'))
    })
}

/// Refuses a server whose URL has `{region}` and whose `region` variable has an empty
/// `enum`: it would list no region, yet `openapiv3` reads it as no enum (any region).
fn empty_region_enum(text: &str, json: bool) -> Result<(), Error> {
    #[derive(serde::Deserialize)]
    struct Document {
        #[serde(default)]
        servers: Vec<Server>,
    }
    #[derive(serde::Deserialize)]
    struct Server {
        #[serde(default)]
        url: String,
        #[serde(default)]
        variables: std::collections::HashMap<String, Variable>,
    }
    #[derive(serde::Deserialize)]
    struct Variable {
        #[serde(rename = "enum")]
        enumeration: Option<Vec<serde::de::IgnoredAny>>,
    }
    // A document this cannot read is left to the full read, which says what is wrong.
    let document: Option<Document> = if json {
        serde_json::from_str(text).ok()
    } else {
        serde_yaml::from_str(text).ok()
    };
    for (index, server) in document.into_iter().flat_map(|d| d.servers).enumerate() {
        let empty = server
            .variables
            .get("region")
            .is_some_and(|v| v.enumeration.as_ref().is_some_and(Vec::is_empty));
        if empty && server.url.contains("{region}") {
            return Err(Error {
                location: format!("#/servers/{index}/variables/region/enum"),
                message:
                    "is empty: it lists no region; leave `enum` out for a server of any region"
                        .to_owned(),
            });
        }
    }
    Ok(())
}

/// Whether YAML text may hold a float that is not finite (`.inf`, `.nan`, any case): a
/// cheap scan, so only such documents are read twice.
fn mentions_non_finite(text: &str) -> bool {
    text.as_bytes().windows(4).any(|w| {
        w[0] == b'.' && (w[1..].eq_ignore_ascii_case(b"inf") || w[1..].eq_ignore_ascii_case(b"nan"))
    })
}

/// The JSON pointer of the first `minimum`, `maximum` or `multipleOf` whose value is a
/// float that is not finite.
fn non_finite_bound(value: &serde_yaml::Value, pointer: &str) -> Option<String> {
    match value {
        serde_yaml::Value::Mapping(map) => map.iter().find_map(|(key, member)| {
            let key = match key {
                serde_yaml::Value::String(key) => key.clone(),
                other => serde_yaml::to_string(other).ok()?.trim_end().to_owned(),
            };
            let here = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
            let bound = matches!(key.as_str(), "minimum" | "maximum" | "multipleOf");
            match member {
                serde_yaml::Value::Number(n)
                    if bound && !n.as_f64().is_some_and(f64::is_finite) =>
                {
                    Some(here)
                }
                _ => non_finite_bound(member, &here),
            }
        }),
        serde_yaml::Value::Sequence(items) => items
            .iter()
            .enumerate()
            .find_map(|(index, item)| non_finite_bound(item, &format!("{pointer}/{index}"))),
        serde_yaml::Value::Tagged(tagged) => non_finite_bound(&tagged.value, pointer),
        _ => None,
    }
}

/// Builds the intermediate model of a spec, without emitting code.
pub fn model(spec: &openapiv3::OpenAPI) -> Result<model::Api, Error> {
    build::build(spec)
}

/// Generates the modules of a spec: `mod.rs`, `types.rs` and `client.rs`, for a folder that
/// is a module of a crate which also has the runtime.
pub fn generate(spec: &openapiv3::OpenAPI, options: &Options) -> Result<Vec<GeneratedFile>, Error> {
    let runtime = runtime_path(options)?;
    let api = build::build(spec)?;
    let emitter = emit::Emitter::new(&api, &runtime, None);
    let header = options.header();
    Ok(vec![
        GeneratedFile {
            path: "mod.rs".to_owned(),
            contents: emit::format_file(&header, emitter.module(&options.source), "mod.rs")?,
        },
        GeneratedFile {
            path: "types.rs".to_owned(),
            contents: emit::format_file(&header, emitter.types(&options.source), "types.rs")?,
        },
        GeneratedFile {
            path: "client.rs".to_owned(),
            contents: emit::format_file(&header, emitter.client(&options.source), "client.rs")?,
        },
    ])
}

/// Generates a whole crate: `Cargo.toml`, `src/lib.rs` (crate docs from the spec's `info`,
/// the modules, and re-exports of the runtime items users need), `src/types.rs` and
/// `src/client.rs`. The same function writes the workspace's `generated/` and a crate for any
/// other spec; the crate depends on `clustercert-runtime` (from [`CrateOptions::runtime`]),
/// `serde` and `serde_json`, never on an absolute path.
pub fn generate_crate(
    spec: &openapiv3::OpenAPI,
    options: &Options,
    crate_options: &CrateOptions,
) -> Result<Vec<GeneratedFile>, Error> {
    runtime_path(options)?;
    let api = build::build(spec)?;
    let root = Some(crate_options.name.replace('-', "_"));
    let header = options.header();
    let cargo_toml = emit::crate_files::cargo_toml(&api, options, crate_options)?;
    // The three modules are written on threads of their own (token streams are not `Send`,
    // so each thread has its own emitter): formatting dominates on large specs.
    let source = options.source.as_str();
    let file = |name: &'static str| {
        let runtime = runtime_path(options)?;
        let emitter = emit::Emitter::new(&api, &runtime, root.clone());
        let tokens = match name {
            "types.rs" => emitter.types(source),
            "client.rs" => emitter.client(source),
            _ => emitter.crate_root(source),
        };
        emit::format_file(&header, tokens, name)
    };
    let (lib_rs, types_rs, client_rs) = std::thread::scope(|scope| {
        let types = scope.spawn(|| file("types.rs"));
        let client = scope.spawn(|| file("client.rs"));
        let lib = file("lib.rs");
        (lib, joined(types.join()), joined(client.join()))
    });
    Ok(vec![
        GeneratedFile {
            path: "Cargo.toml".to_owned(),
            contents: cargo_toml,
        },
        GeneratedFile {
            path: "src/lib.rs".to_owned(),
            contents: lib_rs?,
        },
        GeneratedFile {
            path: "src/types.rs".to_owned(),
            contents: types_rs?,
        },
        GeneratedFile {
            path: "src/client.rs".to_owned(),
            contents: client_rs?,
        },
    ])
}

/// A writer thread's result; a panic in it becomes an [`Error`] (it is a bug, reported as
/// one line rather than a second panic).
fn joined(result: std::thread::Result<Result<String, Error>>) -> Result<String, Error> {
    result.unwrap_or_else(|_| {
        Err(Error {
            location: "#".to_owned(),
            message: "internal: writing a module panicked".to_owned(),
        })
    })
}

fn runtime_path(options: &Options) -> Result<syn::Path, Error> {
    syn::parse_str(&options.runtime).map_err(|e| Error {
        location: "options.runtime".to_owned(),
        message: format!("`{}` is not a path: {e}", options.runtime),
    })
}
