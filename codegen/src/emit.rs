//! Model → tokens → formatted files. Every piece of emitted code is written with `quote!`.

use std::collections::HashMap;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::model::{
    Api, IntegerAlternative, IntegerRule, LengthRule, Operation, Param, ParamIn, Success,
    SuccessResponse, TypeDef, TypeKind, TypeRef, Variant,
};
use crate::names::ident;
use crate::Error;

/// Turns doc text into `#[doc]` attributes, one per line.
///
/// Lines are trimmed at the start so an indented line never becomes a Markdown code block, and
/// a bare code fence becomes ```` ```text ```` so rustdoc does not compile the block as a test.
fn doc_lines(text: &str) -> Vec<String> {
    text.trim()
        .lines()
        .map(|line| {
            let line = line.trim();
            if line == "```" {
                " ```text".to_owned()
            } else if line.is_empty() {
                String::new()
            } else {
                format!(" {line}")
            }
        })
        .collect()
}

fn doc_attrs(text: Option<&str>) -> TokenStream {
    let lines = text.map(doc_lines).unwrap_or_default();
    quote! { #( #[doc = #lines] )* }
}

/// Doc attributes for code lines, kept as they are (indentation matters in examples).
fn code_doc_attrs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|line| {
        if line.is_empty() {
            String::new()
        } else {
            format!(" {line}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

fn inner_docs(text: &str) -> TokenStream {
    let lines = doc_lines(text);
    quote! { #( #![doc = #lines] )* }
}

/// Joins doc paragraphs, skipping missing ones.
fn paragraphs(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|p| p.trim())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// What a type allows deriving beyond `PartialEq`.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Traits {
    eq: bool,
    hash: bool,
}

/// Emits the modules of an API; `runtime` is the path of the runtime module.
pub struct Emitter<'a> {
    api: &'a Api,
    rt: TokenStream,
    traits: HashMap<String, Traits>,
    /// The path users name the generated items by (`clustercert`), for doc examples; `None`
    /// writes none (the modules of [`crate::generate`] do not know their crate).
    doc_root: Option<String>,
    types_by_name: HashMap<&'a str, &'a TypeDef>,
}

impl<'a> Emitter<'a> {
    /// An emitter for `api`, with generated code calling the runtime at `runtime`.
    pub fn new(api: &'a Api, runtime: &syn::Path, doc_root: Option<String>) -> Self {
        let mut emitter = Emitter {
            api,
            rt: quote! { #runtime },
            traits: HashMap::new(),
            doc_root,
            types_by_name: api
                .types
                .iter()
                .map(|def| (def.name.as_str(), def))
                .collect(),
        };
        emitter.traits = emitter.compute_traits();
        emitter
    }

    /// Which types can derive `Eq` and `Hash`: start from "all can" and remove until stable,
    /// so cycles between types settle.
    fn compute_traits(&self) -> HashMap<String, Traits> {
        let mut traits: HashMap<String, Traits> = self
            .api
            .types
            .iter()
            .map(|def| {
                (
                    def.name.clone(),
                    Traits {
                        eq: true,
                        hash: true,
                    },
                )
            })
            .collect();
        loop {
            let mut changed = false;
            for def in &self.api.types {
                let now = match &def.kind {
                    TypeKind::Struct { fields, .. } => fields.iter().fold(
                        Traits {
                            eq: true,
                            hash: true,
                        },
                        |acc, f| {
                            let t = ref_traits(&f.ty, &traits);
                            Traits {
                                eq: acc.eq && t.eq,
                                hash: acc.hash && t.hash,
                            }
                        },
                    ),
                    TypeKind::Alias(target) => ref_traits(target, &traits),
                    TypeKind::Enum { .. } | TypeKind::Integer(_) | TypeKind::Text(_) => Traits {
                        eq: true,
                        hash: true,
                    },
                };
                if traits.get(&def.name) != Some(&now) {
                    traits.insert(def.name.clone(), now);
                    changed = true;
                }
            }
            if !changed {
                return traits;
            }
        }
    }

    fn ty(&self, ty: &TypeRef) -> TokenStream {
        let rt = &self.rt;
        match ty {
            TypeRef::String => quote! { String },
            TypeRef::Secret => quote! { #rt::SecretString },
            TypeRef::Bool => quote! { bool },
            TypeRef::I32 => quote! { i32 },
            TypeRef::I64 => quote! { i64 },
            TypeRef::F32 => quote! { f32 },
            TypeRef::F64 => quote! { f64 },
            TypeRef::Json => quote! { serde_json::Value },
            TypeRef::JsonMap => quote! { serde_json::Map<String, serde_json::Value> },
            TypeRef::Named(name) => {
                let name = ident(name);
                quote! { #name }
            }
            TypeRef::Vec(item) => {
                let item = self.ty(item);
                quote! { Vec<#item> }
            }
            TypeRef::Map(value) => {
                let value = self.ty(value);
                quote! { std::collections::BTreeMap<String, #value> }
            }
            TypeRef::Boxed(inner) => {
                let inner = self.ty(inner);
                quote! { Box<#inner> }
            }
            TypeRef::Nullable(inner) => {
                let inner = self.ty(inner);
                quote! { Option<#inner> }
            }
        }
    }

    /// `mod.rs` (or a standalone crate's `lib.rs` body): module docs and the two modules.
    pub fn module(&self, source: &str) -> TokenStream {
        let text = paragraphs(&[
            Some(&format!(
                "{} (version {}): types and operations generated from `{source}`.",
                self.api.title, self.api.version
            )),
            self.api.description.as_deref(),
        ]);
        let docs = inner_docs(&text);
        quote! {
            #docs
            pub mod client;
            pub mod types;
        }
    }

    /// A generated crate's `lib.rs`: crate docs from `info`, the two modules, everything in
    /// them at the root, and the runtime items a caller needs, so the crate alone is enough
    /// to call the API.
    pub fn crate_root(&self, source: &str) -> TokenStream {
        let rt = &self.rt;
        let text = paragraphs(&[
            Some(&format!(
                "{} (version {}): a client generated from `{source}`.",
                self.api.title, self.api.version
            )),
            self.api.description.as_deref(),
            Some(
                "The types and the `Client` are generated; authentication, signing, retries, \
                 errors and secrets come from the runtime, re-exported here as [`runtime`].",
            ),
            Some(&self.operation_list()),
        ]);
        let docs = inner_docs(&text);
        quote! {
            #docs
            #![forbid(unsafe_code)]
            pub mod client;
            pub mod types;
            pub use client::*;
            pub use types::*;
            pub use #rt as runtime;
            pub use #rt::{ClientBuilder, ConstraintError, Credentials, Error, RetryPolicy, SecretString};
        }
    }

    /// `# Operations`: one line per operation, its summary (or the first sentence of its
    /// description), linked to the method, whose docs hold an example.
    fn operation_list(&self) -> String {
        let mut text = String::from(
            "# Operations\n\nEach method's docs show a call built from the spec's examples.\n",
        );
        for op in &self.api.operations {
            let about = op
                .summary
                .as_deref()
                .or(op.description.as_deref())
                .and_then(|t| t.trim().lines().next())
                .map(|line| format!(": {}", line.trim()))
                .unwrap_or_default();
            text.push_str(&format!(
                "\n- [`Client::{}`] (`{} {}`){about}",
                op.method_name, op.http_method, op.path
            ));
        }
        text
    }

    pub fn types(&self, source: &str) -> TokenStream {
        let docs = inner_docs(&format!("Schemas of `{source}`."));
        let items = self.api.types.iter().map(|def| self.type_def(def));
        quote! {
            #docs
            #( #items )*
        }
    }

    fn derives(&self, name: &str) -> TokenStream {
        let traits = self.traits.get(name).copied().unwrap_or(Traits {
            eq: false,
            hash: false,
        });
        let eq = traits.eq.then(|| quote! { Eq, });
        let hash = (traits.eq && traits.hash).then(|| quote! { Hash, });
        quote! { #[derive(Debug, Clone, PartialEq, #eq #hash serde::Serialize, serde::Deserialize)] }
    }

    fn type_def(&self, def: &TypeDef) -> TokenStream {
        let docs = doc_attrs(def.doc.as_deref());
        let refusal = self
            .doc_root
            .as_deref()
            .and_then(|root| crate::examples::refusal(root, def))
            .map(|lines| {
                let mut all = vec![String::new()];
                all.extend(lines);
                code_doc_attrs(&all)
            });
        let name = ident(&def.name);
        match &def.kind {
            TypeKind::Struct {
                fields,
                deny_unknown,
            } => {
                let derives = self.derives(&def.name);
                let deny = deny_unknown.then(|| quote! { #[serde(deny_unknown_fields)] });
                let fields = fields.iter().map(|field| {
                    let docs = doc_attrs(field.doc.as_deref());
                    let field_name = ident(&field.name);
                    let ty = self.ty(&field.ty);
                    let rename = (field.wire != field.name).then(|| {
                        let wire = &field.wire;
                        quote! { rename = #wire, }
                    });
                    let nullable = matches!(field.ty, TypeRef::Nullable(_));
                    if field.required && nullable {
                        // Always serialized (`null` for `None`); absence reads as `None` too.
                        quote! { #docs #[serde(#rename default)] pub #field_name: #ty, }
                    } else if field.required {
                        let serde = rename.map(|rename| quote! { #[serde(#rename)] });
                        quote! { #docs #serde pub #field_name: #ty, }
                    } else {
                        // Optional (nullable or not): one `Option`; `null` and absence both
                        // read as `None`, which is written as absence.
                        let ty = self.ty(field.ty.non_null());
                        quote! {
                            #docs
                            #[serde(#rename default, skip_serializing_if = "Option::is_none")]
                            pub #field_name: Option<#ty>,
                        }
                    }
                });
                quote! {
                    #docs
                    #derives
                    #deny
                    pub struct #name { #( #fields )* }
                }
            }
            TypeKind::Alias(target) => {
                let target = self.ty(target);
                quote! { #docs pub type #name = #target; }
            }
            TypeKind::Enum { variants } => self.string_enum(&def.name, docs, variants),
            TypeKind::Integer(rule) => self.integer(&def.name, docs, rule, refusal),
            TypeKind::Text(rule) => self.text(&def.name, docs, rule, refusal),
        }
    }

    fn string_enum(&self, type_name: &str, docs: TokenStream, variants: &[Variant]) -> TokenStream {
        let rt = &self.rt;
        let name = ident(type_name);
        let count = Literal::usize_unsuffixed(variants.len());
        let idents: Vec<_> = variants.iter().map(|v| ident(&v.name)).collect();
        let wires: Vec<&str> = variants.iter().map(|v| v.wire.as_str()).collect();
        let defs = variants.iter().map(|v| {
            let variant = ident(&v.name);
            let doc = format!(" `{}`", v.wire);
            let wire = &v.wire;
            let rename = (v.wire != v.name).then(|| quote! { #[serde(rename = #wire)] });
            quote! { #[doc = #doc] #rename #variant, }
        });
        let listed: Vec<String> = wires.iter().map(|w| format!("`{w}`")).collect();
        let rule = format!("must be one of {}", listed.join(", "));
        quote! {
            #docs
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
            pub enum #name { #( #defs )* }

            impl #name {
                /// Every value, in the order of the spec.
                pub const ALL: [#name; #count] = [ #( #name::#idents ),* ];

                /// The value on the wire.
                #[must_use]
                pub fn as_str(self) -> &'static str {
                    match self { #( #name::#idents => #wires, )* }
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }

            impl std::str::FromStr for #name {
                type Err = #rt::ConstraintError;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    Self::ALL
                        .into_iter()
                        .find(|candidate| candidate.as_str() == value)
                        .ok_or_else(|| #rt::ConstraintError {
                            type_name: #type_name,
                            value: value.to_owned(),
                            rule: #rule,
                        })
                }
            }
        }
    }

    fn integer(
        &self,
        type_name: &str,
        docs: TokenStream,
        rule: &IntegerRule,
        example: Option<TokenStream>,
    ) -> TokenStream {
        let rt = &self.rt;
        let name = ident(type_name);
        let inner = if rule.int32 {
            quote! { i32 }
        } else {
            quote! { i64 }
        };
        let inner_name = if rule.int32 { "i32" } else { "i64" };
        let rule_text = rule.describe();
        let checks = rule
            .alternatives
            .iter()
            .map(|alternative| match alternative {
                IntegerAlternative::Values(values) => {
                    let literals: Vec<TokenStream> =
                        values.iter().map(|v| int_literal(*v)).collect();
                    match literals.as_slice() {
                        [one] => quote! { value == #one },
                        many => quote! { [#( #many ),*].contains(&value) },
                    }
                }
                IntegerAlternative::Range(Some(min), Some(max)) => {
                    let (min, max) = (int_literal(*min), int_literal(*max));
                    quote! { (#min..=#max).contains(&value) }
                }
                IntegerAlternative::Range(Some(min), None) => {
                    let min = int_literal(*min);
                    quote! { value >= #min }
                }
                IntegerAlternative::Range(None, Some(max)) => {
                    let max = int_literal(*max);
                    quote! { value <= #max }
                }
                IntegerAlternative::Range(None, None) => quote! { true },
            });
        let from_inner = rule.int32.then(|| {
            quote! {
                impl TryFrom<i32> for #name {
                    type Error = #rt::ConstraintError;

                    fn try_from(value: i32) -> Result<Self, Self::Error> {
                        Self::try_from(i64::from(value))
                    }
                }
            }
        });
        let convert = if rule.int32 {
            quote! { i32::try_from(value).ok() }
        } else {
            quote! { Some(value) }
        };
        let holds = format!(" Holds only allowed values: it {rule_text}.");
        let separator = (!docs.is_empty()).then(|| quote! { #[doc = ""] });
        quote! {
            #docs
            #separator
            #[doc = #holds]
            #example
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
            #[serde(try_from = "i64", into = #inner_name)]
            pub struct #name(#inner);

            impl #name {
                /// The rule every value satisfies, in words.
                pub const RULE: &'static str = #rule_text;

                /// Checks a value against [`Self::RULE`].
                ///
                /// # Errors
                ///
                /// A `ConstraintError` naming the value and the rule, when the value breaks it.
                pub fn new(value: i64) -> Result<Self, #rt::ConstraintError> {
                    Self::try_from(value)
                }

                /// The value.
                #[must_use]
                pub fn get(self) -> #inner {
                    self.0
                }
            }

            impl TryFrom<i64> for #name {
                type Error = #rt::ConstraintError;

                fn try_from(value: i64) -> Result<Self, Self::Error> {
                    let allowed = #( #checks )||*;
                    match #convert {
                        Some(inner) if allowed => Ok(#name(inner)),
                        _ => Err(#rt::ConstraintError {
                            type_name: #type_name,
                            value: value.to_string(),
                            rule: Self::RULE,
                        }),
                    }
                }
            }

            #from_inner

            impl From<#name> for #inner {
                fn from(value: #name) -> #inner {
                    value.0
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    std::fmt::Display::fmt(&self.0, f)
                }
            }

            impl std::str::FromStr for #name {
                type Err = #rt::ConstraintError;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    match value.trim().parse::<i64>() {
                        Ok(number) => Self::try_from(number),
                        Err(_) => Err(#rt::ConstraintError {
                            type_name: #type_name,
                            value: value.to_owned(),
                            rule: Self::RULE,
                        }),
                    }
                }
            }
        }
    }

    fn text(
        &self,
        type_name: &str,
        docs: TokenStream,
        rule: &LengthRule,
        example: Option<TokenStream>,
    ) -> TokenStream {
        let rt = &self.rt;
        let name = ident(type_name);
        let rule_text = rule.describe();
        let holds = format!(" Holds only allowed values: it {rule_text}.");
        let separator = (!docs.is_empty()).then(|| quote! { #[doc = ""] });
        let mut checks = Vec::new();
        match (rule.min.filter(|min| *min > 0), rule.max) {
            (Some(min), Some(max)) => {
                let (min, max) = (
                    Literal::usize_unsuffixed(min),
                    Literal::usize_unsuffixed(max),
                );
                checks.push(quote! { (#min..=#max).contains(&length) });
            }
            (Some(min), None) => {
                let min = Literal::usize_unsuffixed(min);
                checks.push(quote! { length >= #min });
            }
            (None, Some(max)) => {
                let max = Literal::usize_unsuffixed(max);
                checks.push(quote! { length <= #max });
            }
            (None, None) => {}
        }
        let (count, allowed) = if checks.is_empty() {
            (TokenStream::new(), quote! { true })
        } else {
            (
                quote! { let length = value.chars().count(); },
                quote! { #( #checks )&&* },
            )
        };
        quote! {
            #docs
            #separator
            #[doc = #holds]
            #example
            #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
            #[serde(try_from = "String", into = "String")]
            pub struct #name(String);

            impl #name {
                /// The rule every value satisfies, in words.
                pub const RULE: &'static str = #rule_text;

                /// Checks a value against [`Self::RULE`].
                ///
                /// # Errors
                ///
                /// A `ConstraintError` naming the value and the rule, when the value breaks it.
                pub fn new(value: impl Into<String>) -> Result<Self, #rt::ConstraintError> {
                    Self::try_from(value.into())
                }

                /// The value.
                #[must_use]
                pub fn as_str(&self) -> &str {
                    &self.0
                }
            }

            impl TryFrom<String> for #name {
                type Error = #rt::ConstraintError;

                fn try_from(value: String) -> Result<Self, Self::Error> {
                    #count
                    if #allowed {
                        Ok(#name(value))
                    } else {
                        Err(#rt::ConstraintError {
                            type_name: #type_name,
                            value,
                            rule: Self::RULE,
                        })
                    }
                }
            }

            impl TryFrom<&str> for #name {
                type Error = #rt::ConstraintError;

                fn try_from(value: &str) -> Result<Self, Self::Error> {
                    Self::try_from(value.to_owned())
                }
            }

            impl From<#name> for String {
                fn from(value: #name) -> String {
                    value.0
                }
            }

            impl AsRef<str> for #name {
                fn as_ref(&self) -> &str {
                    &self.0
                }
            }

            impl std::fmt::Display for #name {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(&self.0)
                }
            }

            impl std::str::FromStr for #name {
                type Err = #rt::ConstraintError;

                fn from_str(value: &str) -> Result<Self, Self::Err> {
                    Self::try_from(value)
                }
            }
        }
    }

    /// `client.rs`: the `Client`, and per operation its request and response types and method.
    pub fn client(&self, source: &str) -> TokenStream {
        let rt = &self.rt;
        let module_docs = inner_docs(&format!("Operations of `{source}`."));
        let client_doc = doc_attrs(Some(&format!(
            "A client for the operations of {}.\nCheap to clone.",
            self.api.title
        )));
        let uses_types = self.api.operations.iter().any(|op| self.mentions_types(op));
        let import = uses_types.then(|| quote! { use super::types::*; });
        let items = self
            .api
            .operations
            .iter()
            .map(|op| self.operation_types(op));
        let methods = self.api.operations.iter().map(|op| self.method(op));
        quote! {
            #module_docs
            #import

            #client_doc
            #[derive(Debug, Clone)]
            pub struct Client {
                transport: #rt::Transport,
            }

            impl From<#rt::Transport> for Client {
                fn from(transport: #rt::Transport) -> Self {
                    Client { transport }
                }
            }

            impl Client {
                /// Starts a builder: endpoint, credentials and the rest of the transport's settings.
                #[must_use]
                pub fn builder() -> #rt::ClientBuilder<Client> {
                    #rt::ClientBuilder::new()
                }

                /// The transport requests go through.
                #[must_use]
                pub fn transport(&self) -> &#rt::Transport {
                    &self.transport
                }

                #( #methods )*
            }

            #( #items )*
        }
    }

    fn mentions_types(&self, op: &Operation) -> bool {
        fn named(ty: &TypeRef) -> bool {
            match ty {
                TypeRef::Named(_) => true,
                TypeRef::Vec(inner)
                | TypeRef::Map(inner)
                | TypeRef::Boxed(inner)
                | TypeRef::Nullable(inner) => named(inner),
                _ => false,
            }
        }
        let responses = match &op.success {
            Success::Single(one) => std::slice::from_ref(one),
            Success::Several(many) => many.as_slice(),
        };
        op.params.iter().any(|p| named(&p.ty))
            || op.body.iter().any(|b| named(&b.ty))
            || responses.iter().any(|r| r.body.iter().any(named))
    }

    fn operation_types(&self, op: &Operation) -> TokenStream {
        let request_name = ident(&op.request_name);
        let request_doc = format!(" Request of `{}`.", op.id);
        let params = op.params.iter().map(|p| {
            let docs = doc_attrs(p.doc.as_deref());
            let name = ident(&p.name);
            let ty = self.ty(&p.ty);
            let ty = if p.required {
                ty
            } else {
                quote! { Option<#ty> }
            };
            quote! { #docs pub #name: #ty, }
        });
        let body = op.body.as_ref().map(|body| {
            let docs = doc_attrs(body.doc.as_deref());
            let ty = if body.required {
                // A nullable body is `Option<T>`, sent as `null` when `None`.
                self.ty(&body.ty)
            } else {
                // Optional (and perhaps nullable): `None` sends no body.
                let ty = self.ty(body.ty.non_null());
                quote! { Option<#ty> }
            };
            quote! { #docs pub body: #ty, }
        });
        let responses = match &op.success {
            Success::Single(response) => self.response_struct(&op.response_name, &op.id, response),
            Success::Several(responses) => {
                let name = ident(&op.response_name);
                let doc = format!(" Response of `{}`: one variant per success status.", op.id);
                let variants: Vec<(proc_macro2::Ident, proc_macro2::Ident)> = responses
                    .iter()
                    .map(|r| {
                        let suffix = status_suffix(r);
                        (
                            format_ident!("Status{}", suffix),
                            format_ident!("{}{}", op.response_name, suffix),
                        )
                    })
                    .collect();
                let variant_defs = variants.iter().zip(responses).map(|((variant, inner), r)| {
                    let doc = format!(" Status {}.", status_suffix(r));
                    // A body makes a variant large; boxing keeps the enum small.
                    if r.body.is_some() {
                        quote! { #[doc = #doc] #variant(Box<#inner>), }
                    } else {
                        quote! { #[doc = #doc] #variant(#inner), }
                    }
                });
                let structs = responses.iter().map(|r| {
                    self.response_struct(
                        &format!("{}{}", op.response_name, status_suffix(r)),
                        &op.id,
                        r,
                    )
                });
                quote! {
                    #[doc = #doc]
                    #[derive(Debug, Clone, PartialEq)]
                    pub enum #name { #( #variant_defs )* }
                    #( #structs )*
                }
            }
        };
        quote! {
            #[doc = #request_doc]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #request_name {
                #( #params )*
                #body
            }

            #responses
        }
    }

    fn response_struct(&self, name: &str, id: &str, response: &SuccessResponse) -> TokenStream {
        let statuses: Vec<String> = response.statuses.iter().map(|s| status_text(*s)).collect();
        let doc = paragraphs(&[
            Some(&format!(
                "Response of `{id}` with status {}.",
                statuses.join(" or ")
            )),
            response.doc.as_deref(),
        ]);
        let docs = doc_attrs(Some(&doc));
        let name = ident(name);
        let rt = &self.rt;
        let headers = response.headers.iter().map(|(field, wire, doc)| {
            let field = ident(field);
            let text = paragraphs(&[doc.as_deref(), Some(&format!("The `{wire}` header."))]);
            let docs = doc_attrs(Some(&text));
            quote! { #docs pub #field: Option<String>, }
        });
        let body = response.body.as_ref().map(|body| {
            let ty = self.ty(body);
            quote! {
                /// The parsed body.
                pub body: #ty,
            }
        });
        quote! {
            #docs
            #[derive(Debug, Clone, PartialEq)]
            pub struct #name {
                /// The HTTP status.
                pub status: #rt::http::StatusCode,
                #( #headers )*
                #body
            }
        }
    }

    fn method(&self, op: &Operation) -> TokenStream {
        let rt = &self.rt;
        let method_name = ident(&op.method_name);
        let request_name = ident(&op.request_name);
        let response_name = ident(&op.response_name);
        let auth_note = (!op.auth_headers.is_empty()).then(|| {
            let listed: Vec<String> = op
                .auth_headers
                .iter()
                .map(|(header, scheme)| format!("`{header}` (security scheme `{scheme}`)"))
                .collect();
            format!(
                "The header {} is not a request field:\nthe runtime's authentication sends it.",
                listed.join(", ")
            )
        });
        let doc = paragraphs(&[
            op.summary.as_deref(),
            op.description.as_deref(),
            Some(&format!("`{} {}`", op.http_method, op.path)),
            auth_note.as_deref(),
            Some(&format!(
                "[`Self::{}_raw`]\nsends the same request and returns the response unread.",
                op.method_name
            )),
            Some(
                "# Errors\n\nAny status the spec does not list as a success, a response that does not\n\
                 match the spec, and failures to send or authenticate, as the runtime's `Error`.",
            ),
        ]);
        let docs = doc_attrs(Some(&doc));
        let example = self.doc_root.as_deref().map(|root| {
            let mut lines = vec![String::new()];
            lines.extend(crate::examples::operation(
                root,
                self.api.server.as_deref(),
                &self.types_by_name,
                op,
            ));
            code_doc_attrs(&lines)
        });
        let docs = quote! { #docs #example };

        let (path_bindings, path) = self.path_expr(op);
        let (query_stmts, query) = self.pairs(op, ParamIn::Query, "query");
        let (header_stmts, headers) = self.pairs(op, ParamIn::Header, "headers");
        let body = match &op.body {
            None => quote! { None },
            Some(body) if body.required => quote! { Some(#rt::json_body(&request.body)?) },
            Some(_) => quote! { request.body.as_ref().map(#rt::json_body).transpose()? },
        };
        let id = &op.id;
        let http_method = format_ident!("{}", op.http_method);
        let arms = match &op.success {
            Success::Single(response) => {
                let pattern = status_pattern(response);
                let value = self.response_value(&op.response_name, response);
                vec![quote! { #pattern => Ok(#value), }]
            }
            Success::Several(responses) => responses
                .iter()
                .map(|response| {
                    let pattern = status_pattern(response);
                    let suffix = status_suffix(response);
                    let variant = format_ident!("Status{}", suffix);
                    let value =
                        self.response_value(&format!("{}{}", op.response_name, suffix), response);
                    if response.body.is_some() {
                        quote! { #pattern => Ok(#response_name::#variant(Box::new(#value))), }
                    } else {
                        quote! { #pattern => Ok(#response_name::#variant(#value)), }
                    }
                })
                .collect(),
        };
        let raw_name = format_ident!("{}_raw", op.method_name);
        let raw_doc = doc_attrs(Some(&paragraphs(&[
            Some(&format!(
                "The raw form of [`Self::{}`]:\n\
                 it sends exactly the same request (same path template, parameter checks and\n\
                 body) and returns the response as it came, whatever its status: nothing is\n\
                 parsed and no status is turned into an error.",
                op.method_name
            )),
            Some(&format!("`{} {}`", op.http_method, op.path)),
            Some(
                "# Errors\n\nInvalid input (an empty path parameter, a body that does not serialize)\n\
                 and failures to send or authenticate, as the runtime's `Error`.",
            ),
        ])));
        quote! {
            #docs
            pub async fn #method_name(
                &self,
                request: &#request_name,
            ) -> Result<#response_name, #rt::Error> {
                let raw = self.#raw_name(request).await?;
                match raw.status.as_u16() {
                    #( #arms )*
                    _ => Err(raw.into_error()),
                }
            }

            #raw_doc
            pub async fn #raw_name(
                &self,
                request: &#request_name,
            ) -> Result<#rt::RawResponse, #rt::Error> {
                #path_bindings
                let path = #path;
                #query_stmts
                #header_stmts
                self.transport
                    .send(#rt::OperationRequest {
                        operation: #id,
                        method: #rt::http::Method::#http_method,
                        path,
                        #query,
                        #headers,
                        body: #body,
                    })
                    .await
            }
        }
    }

    fn response_value(&self, name: &str, response: &SuccessResponse) -> TokenStream {
        let name = ident(name);
        let headers = response.headers.iter().map(|(field, wire, _)| {
            let field = ident(field);
            quote! { #field: raw.header(#wire), }
        });
        let body = response
            .body
            .as_ref()
            .map(|_| quote! { body: raw.json()?, });
        quote! {
            #name {
                status: raw.status,
                #( #headers )*
                #body
            }
        }
    }

    /// The path: a literal, or `format!` of the segments, each parameter first bound to a local
    /// through `path_parameter` (encoded; empty, `.` and `..` refused).
    fn path_expr(&self, op: &Operation) -> (TokenStream, TokenStream) {
        let rt = &self.rt;
        let mut template = String::new();
        let mut bindings = Vec::new();
        let mut rest = op.path.as_str();
        while let Some(start) = rest.find('{') {
            template.push_str(&rest[..start].replace('{', "{{").replace('}', "}}"));
            let after = &rest[start + 1..];
            let end = after.find('}').unwrap_or(after.len());
            let wire = &after[..end];
            if let Some(param) = op
                .params
                .iter()
                .find(|p| p.location == ParamIn::Path && p.wire == wire)
            {
                let field = ident(&param.name);
                // A keyword field (`r#type`) cannot be named inside a format string.
                let local_name = if field.to_string().starts_with("r#") {
                    format!("{}_", param.name)
                } else {
                    param.name.clone()
                };
                let local = format_ident!("{}", local_name);
                let value = if param.ty == TypeRef::String {
                    quote! { &request.#field }
                } else {
                    quote! { &request.#field.to_string() }
                };
                let operation = Literal::string(&op.id);
                let wire_name = Literal::string(wire);
                bindings.push(quote! {
                    let #local = #rt::path_parameter(#operation, #wire_name, #value)?;
                });
                template.push_str(&format!("{{{local_name}}}"));
            }
            rest = after.get(end + 1..).unwrap_or("");
        }
        template.push_str(&rest.replace('{', "{{").replace('}', "}}"));
        if bindings.is_empty() {
            let literal = Literal::string(&op.path);
            (TokenStream::new(), quote! { String::from(#literal) })
        } else {
            (quote! { #( #bindings )* }, quote! { format!(#template) })
        }
    }

    /// Query or header pairs: returns the statements that build the list, and the expression
    /// for the field of `OperationRequest`.
    fn pairs(&self, op: &Operation, place: ParamIn, var: &str) -> (TokenStream, TokenStream) {
        let var = format_ident!("{}", var);
        let params: Vec<&Param> = op.params.iter().filter(|p| p.location == place).collect();
        if params.is_empty() {
            return (TokenStream::new(), quote! { #var: Vec::new() });
        }
        let mut initial = Vec::new();
        let mut later = Vec::new();
        for param in params {
            let wire = &param.wire;
            let field = ident(&param.name);
            let text = |value: TokenStream, ty: &TypeRef| match ty {
                TypeRef::String => quote! { #value.clone() },
                TypeRef::Secret => quote! { #value.expose_secret().to_owned() },
                _ => quote! { #value.to_string() },
            };
            match (&param.ty, param.required) {
                (TypeRef::Vec(item), required) => {
                    let item_text = text(quote! { value }, item);
                    let item_fn = if **item == TypeRef::String {
                        quote! { String::clone }
                    } else {
                        quote! { ToString::to_string }
                    };
                    let source = if required {
                        quote! { request.#field }
                    } else {
                        quote! { values }
                    };
                    let stmt = if param.explode {
                        quote! { #var.extend(#source.iter().map(|value| (#wire, #item_text))); }
                    } else {
                        quote! {
                            #var.push((
                                #wire,
                                #source.iter().map(#item_fn).collect::<Vec<_>>().join(","),
                            ));
                        }
                    };
                    later.push(if required {
                        stmt
                    } else {
                        quote! { if let Some(values) = &request.#field { #stmt } }
                    });
                }
                (ty, true) => {
                    let value = text(quote! { request.#field }, ty);
                    initial.push(quote! { (#wire, #value) });
                }
                (ty, false) => {
                    let value = text(quote! { value }, ty);
                    later.push(quote! {
                        if let Some(value) = &request.#field {
                            #var.push((#wire, #value));
                        }
                    });
                }
            }
        }
        let init = if initial.is_empty() {
            quote! { Vec::new() }
        } else {
            quote! { Vec::from([ #( #initial ),* ]) }
        };
        let binding = if later.is_empty() {
            quote! { let #var: Vec<(&'static str, String)> = #init; }
        } else {
            quote! { let mut #var: Vec<(&'static str, String)> = #init; }
        };
        (quote! { #binding #( #later )* }, quote! { #var })
    }
}

fn ref_traits(ty: &TypeRef, known: &HashMap<String, Traits>) -> Traits {
    match ty {
        TypeRef::String | TypeRef::Bool | TypeRef::I32 | TypeRef::I64 => Traits {
            eq: true,
            hash: true,
        },
        TypeRef::F32 | TypeRef::F64 | TypeRef::Secret => Traits {
            eq: false,
            hash: false,
        },
        // `serde_json` values are `Eq`; `Hash` only in recent versions, so not relied on.
        TypeRef::Json | TypeRef::JsonMap => Traits {
            eq: true,
            hash: false,
        },
        TypeRef::Named(name) => known.get(name).copied().unwrap_or(Traits {
            eq: false,
            hash: false,
        }),
        TypeRef::Vec(inner)
        | TypeRef::Map(inner)
        | TypeRef::Boxed(inner)
        | TypeRef::Nullable(inner) => ref_traits(inner, known),
    }
}

/// An integer literal, with a separate minus sign so every `i64` is representable.
fn int_literal(value: i64) -> TokenStream {
    let magnitude = Literal::u64_unsuffixed(value.unsigned_abs());
    if value < 0 {
        quote! { -#magnitude }
    } else {
        quote! { #magnitude }
    }
}

fn status_text((low, high): (u16, u16)) -> String {
    if low == high {
        low.to_string()
    } else {
        format!("{}XX", low / 100)
    }
}

fn status_suffix(response: &SuccessResponse) -> String {
    let texts: Vec<String> = response.statuses.iter().map(|s| status_text(*s)).collect();
    texts.join("Or")
}

fn status_pattern(response: &SuccessResponse) -> TokenStream {
    let patterns = response.statuses.iter().map(|&(low, high)| {
        if low == high {
            let code = Literal::u16_unsuffixed(low);
            quote! { #code }
        } else {
            let (low, high) = (Literal::u16_unsuffixed(low), Literal::u16_unsuffixed(high));
            quote! { #low..=#high }
        }
    });
    quote! { #( #patterns )|* }
}

/// Parses tokens as a file and pretty-prints them after the header line.
pub fn format_file(header: &str, tokens: TokenStream, what: &str) -> Result<String, Error> {
    let file: syn::File = syn::parse2(tokens).map_err(|e| Error {
        location: what.to_owned(),
        message: format!("internal: emitted code does not parse: {e}"),
    })?;
    Ok(format!(
        "{header}\n{}",
        space_items(&prettyplease::unparse(&file))
    ))
}

/// Puts a blank line between items (prettyplease prints them back to back): after the module
/// docs, and after an item's last line when another item follows at the same indentation.
fn space_items(code: &str) -> String {
    const ITEM_STARTS: &[&str] = &[
        "///", "#[", "pub ", "impl", "fn ", "async fn", "const ", "type ", "use ", "mod ",
        "struct ", "enum ",
    ];
    let lines: Vec<&str> = code.lines().collect();
    let mut out = String::with_capacity(code.len() + code.len() / 10);
    for (index, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        let Some(next) = lines.get(index + 1) else {
            continue;
        };
        let indent = |l: &str| l.len() - l.trim_start().len();
        let (this, following) = (line.trim(), next.trim());
        let one_line_item = this.ends_with(';')
            && (indent(line) == 0
                || ["pub const ", "const ", "type "]
                    .iter()
                    .any(|s| this.starts_with(s)));
        let ends_item =
            !this.starts_with("//") && (matches!(this, "}" | "};" | "];") || one_line_item);
        let module_docs_end = this.starts_with("//!") && !following.starts_with("//!");
        let starts_item = ITEM_STARTS.iter().any(|s| following.starts_with(s));
        if module_docs_end || (ends_item && indent(line) == indent(next) && starts_item) {
            out.push('\n');
        }
    }
    out
}
