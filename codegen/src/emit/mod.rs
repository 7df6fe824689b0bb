//! Model → tokens → formatted files. Every piece of emitted code is written with `quote!`.
//!
//! By concern: this module (the emitter, type references, docs, `mod.rs`/`lib.rs`, formatting),
//! [`types`] (structs, enums, validated newtypes), [`client`] (the `Client`, requests,
//! responses, methods), [`examples`] (doc examples) and [`crate_files`] (`Cargo.toml`).

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::build::names::ident;
use crate::model::{Api, TypeDef, TypeRef};
use crate::Error;

mod client;
pub mod crate_files;
mod examples;
mod types;

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

/// Emits the modules of an API; `runtime` is the path of the runtime module.
pub struct Emitter<'a> {
    api: &'a Api,
    rt: TokenStream,
    /// The path users name the generated items by (`clustercert`), for doc examples; `None`
    /// writes none (the modules of [`crate::generate`] do not know their crate).
    doc_root: Option<String>,
    types_by_name: HashMap<&'a str, &'a TypeDef>,
}

impl<'a> Emitter<'a> {
    /// An emitter for `api`, with generated code calling the runtime at `runtime`.
    pub fn new(api: &'a Api, runtime: &syn::Path, doc_root: Option<String>) -> Self {
        Emitter {
            api,
            rt: quote! { #runtime },
            doc_root,
            types_by_name: api
                .types
                .iter()
                .map(|def| (def.name.as_str(), def))
                .collect(),
        }
    }

    pub(super) fn ty(&self, ty: &TypeRef) -> TokenStream {
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
            TypeRef::Bytes => quote! { Vec<u8> },
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

    /// `pub use types::*;`, unless the spec has no schemas (an empty glob would warn).
    fn types_glob(&self) -> Option<TokenStream> {
        (!self.api.types.is_empty()).then(|| quote! { pub use types::*; })
    }

    /// One file for `include!` from a build script: the two modules inline (an included file
    /// may not start with inner attributes), everything in them re-exported, and the runtime
    /// as `runtime`.
    pub fn included(&self, source: &str) -> TokenStream {
        let rt = &self.rt;
        let types_glob = self.types_glob();
        let types = self.types(source);
        let client = self.client(source);
        quote! {
            pub mod types { #types }
            pub mod client { #client }
            pub use client::*;
            #types_glob
            pub use #rt as runtime;
        }
    }

    /// A generated crate's `lib.rs`: crate docs from `info`, the two modules, everything in
    /// them at the root, and the runtime items a caller needs, so the crate alone is enough
    /// to call the API.
    pub fn crate_root(&self, source: &str) -> TokenStream {
        let rt = &self.rt;
        let types_glob = self.types_glob();
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
            #types_glob
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
