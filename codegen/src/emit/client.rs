//! The client: `Client`, and per operation its request and response types and its two
//! methods (typed, and `_raw`).

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{code_doc_attrs, doc_attrs, inner_docs, paragraphs, Emitter};
use crate::build::names::ident;
use crate::model::{
    Body, MediaFormat, Operation, Param, ParamIn, PartKind, RegionEndpoint, Structured, Success,
    SuccessResponse, TypeDef, TypeKind, TypeRef,
};

impl Emitter<'_> {
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
        let (builder_docs, builder_body) = self.builder();
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
                #builder_docs
                #[must_use]
                pub fn builder() -> #rt::ClientBuilder<Client> {
                    #builder_body
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
            Success::Single(response) => self.response_struct(&op.id, response),
            Success::Several(responses) => {
                let name = ident(&op.response_name);
                let doc = format!(" Response of `{}`: one variant per success status.", op.id);
                let variants: Vec<(proc_macro2::Ident, proc_macro2::Ident)> = responses
                    .iter()
                    .map(|r| (format_ident!("Status{}", r.label), ident(&r.type_name)))
                    .collect();
                let variant_defs = variants.iter().zip(responses).map(|((variant, inner), r)| {
                    let doc = format!(" Status {}.", r.label);
                    // A body makes a variant large; boxing keeps the enum small.
                    if r.body.is_some() {
                        quote! { #[doc = #doc] #variant(Box<#inner>), }
                    } else {
                        quote! { #[doc = #doc] #variant(#inner), }
                    }
                });
                let structs = responses.iter().map(|r| self.response_struct(&op.id, r));
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

    fn response_struct(&self, id: &str, response: &SuccessResponse) -> TokenStream {
        let name = &response.type_name;
        let doc = paragraphs(&[
            Some(&format!(
                "Response of `{id}` with status {}.",
                response.labels.join(" or ")
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
        let servers_note = (!op.servers.is_empty()).then(|| {
            let listed: Vec<String> = op.servers.iter().map(|url| format!("`{url}`")).collect();
            format!(
                "The spec serves this operation from {};\nthe client sends it to its own endpoint, so build a client with that endpoint for it.",
                listed.join(", ")
            )
        });
        let doc = paragraphs(&[
            op.summary.as_deref(),
            op.description.as_deref(),
            Some(&format!("`{} {}`", op.http_method, op.path)),
            auth_note.as_deref(),
            servers_note.as_deref(),
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
            lines.extend(super::examples::operation(
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
            Some(body) => match (body.format, body.required) {
                (MediaFormat::Json, true) => quote! { Some(#rt::json_body(&request.body)?) },
                (MediaFormat::Json, false) => {
                    quote! { request.body.as_ref().map(#rt::json_body).transpose()? }
                }
                (MediaFormat::Text, true) => quote! { Some(request.body.clone().into_bytes()) },
                (MediaFormat::Text, false) => {
                    quote! { request.body.as_ref().map(|text| text.clone().into_bytes()) }
                }
                (MediaFormat::Bytes, true) => quote! { Some(request.body.clone()) },
                (MediaFormat::Bytes, false) => quote! { request.body.clone() },
                (MediaFormat::Multipart, _) if body_is_option(body) => {
                    quote! { form.map(|(_, body)| body) }
                }
                (MediaFormat::Multipart, _) => quote! { Some(body) },
            },
        };
        // A body that is not JSON says what it is; the runtime's default is JSON. A form's
        // `Content-Type` carries the boundary its body was written with.
        let (header_stmts, headers) = match &op.body {
            Some(body) if body.format == MediaFormat::Multipart => {
                let form = self.form(body);
                let has_headers = op.params.iter().any(|p| p.location == ParamIn::Header);
                let headers_so_far = if has_headers {
                    quote! { let mut headers = headers; }
                } else if body_is_option(body) {
                    quote! { let mut headers = Vec::new(); }
                } else {
                    quote! { let headers = Vec::from([("Content-Type", content_type)]); }
                };
                let push = if !has_headers && !body_is_option(body) {
                    TokenStream::new()
                } else if body_is_option(body) {
                    quote! {
                        if let Some((content_type, _)) = &form {
                            headers.push(("Content-Type", content_type.clone()));
                        }
                    }
                } else {
                    quote! { headers.push(("Content-Type", content_type)); }
                };
                (
                    quote! {
                        #header_stmts
                        #form
                        #headers_so_far
                        #push
                    },
                    quote! { headers },
                )
            }
            Some(body) if body.format != MediaFormat::Json => {
                let media_type = &body.media_type;
                let content_type = quote! { ("Content-Type", String::from(#media_type)) };
                if op.params.iter().any(|p| p.location == ParamIn::Header) {
                    (
                        quote! {
                            #header_stmts
                            let mut headers = headers;
                            headers.push(#content_type);
                        },
                        headers,
                    )
                } else {
                    (header_stmts, quote! { headers: Vec::from([#content_type]) })
                }
            }
            _ => (header_stmts, headers),
        };
        let id = &op.id;
        let http_method = format_ident!("{}", op.http_method);
        let arms = match &op.success {
            Success::Single(response) => {
                let pattern = status_pattern(response);
                let value = self.response_value(response);
                vec![quote! { #pattern => Ok(#value), }]
            }
            Success::Several(responses) => responses
                .iter()
                .map(|response| {
                    let pattern = status_pattern(response);
                    let variant = format_ident!("Status{}", response.label);
                    let value = self.response_value(response);
                    if response.body.is_some() {
                        quote! { #pattern => Ok(#response_name::#variant(Box::new(#value))), }
                    } else {
                        quote! { #pattern => Ok(#response_name::#variant(#value)), }
                    }
                })
                .collect(),
        };
        let raw_name = format_ident!("{}_raw", op.method_name);
        // An operation without parameters or a body does not read its (empty) request.
        let unused =
            (op.params.is_empty() && op.body.is_none()).then(|| quote! { let _ = request; });
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
                #unused
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

    /// The statements that write a multipart body: `let (content_type, body) = …;` for a
    /// body that is always there, else `let form = …;` (an `Option` of the two).
    fn form(&self, body: &Body) -> TokenStream {
        let rt = &self.rt;
        let parts: Vec<TokenStream> = if body.parts.is_empty() {
            // A free-form map: one part per entry.
            vec![quote! {
                for (name, value) in body {
                    form.value(name, value)?;
                }
            }]
        } else {
            body.parts
                .iter()
                .map(|part| {
                    let field = ident(&part.field);
                    let wire = &part.wire;
                    let write = |value: TokenStream| match part.kind {
                        PartKind::Value => quote! { form.value(#wire, #value)?; },
                        PartKind::File => quote! { form.file(#wire, #value); },
                        PartKind::Files => quote! {
                            for file in #value {
                                form.file(#wire, file);
                            }
                        },
                        PartKind::Entries => quote! {
                            for (name, value) in #value {
                                form.value(name, value)?;
                            }
                        },
                    };
                    if part.optional {
                        let stmt = write(quote! { value });
                        quote! {
                            if let Some(value) = &body.#field {
                                #stmt
                            }
                        }
                    } else {
                        write(quote! { &body.#field })
                    }
                })
                .collect()
        };
        if body_is_option(body) {
            quote! {
                let form = match &request.body {
                    Some(body) => {
                        let mut form = #rt::forms::MultipartForm::new();
                        #( #parts )*
                        Some(form.finish())
                    }
                    None => None,
                };
            }
        } else {
            quote! {
                let (content_type, body) = {
                    let body = &request.body;
                    let mut form = #rt::forms::MultipartForm::new();
                    #( #parts )*
                    form.finish()
                };
            }
        }
    }

    fn response_value(&self, response: &SuccessResponse) -> TokenStream {
        let name = ident(&response.type_name);
        let headers = response.headers.iter().map(|(field, wire, _)| {
            let field = ident(field);
            quote! { #field: raw.header(#wire), }
        });
        let body = response.body.as_ref().map(|_| match response.body_format {
            MediaFormat::Json => quote! { body: raw.json()?, },
            MediaFormat::Text => quote! { body: String::from_utf8_lossy(&raw.body).into_owned(), },
            MediaFormat::Bytes | MediaFormat::Multipart => quote! { body: raw.body.to_vec(), },
        });
        quote! {
            #name {
                status: raw.status,
                #( #headers )*
                #body
            }
        }
    }

    /// `Client::builder()`'s docs and body: with the spec's region template when it has one,
    /// so that `.region(id)` works; without, the docs say why `.region` is refused. One server
    /// for any region is `RegionTemplate::new`; otherwise the servers are a `const` table (a
    /// `const fn` call is not promoted to `'static` inside `&[…]`) for `with_servers`.
    fn builder(&self) -> (TokenStream, TokenStream) {
        let rt = &self.rt;
        let lead =
            "Starts a builder: endpoint, credentials and the rest of the transport's settings.";
        let Some(region) = &self.api.region else {
            let docs = doc_attrs(Some(&format!(
                "{lead}\n\nNo server of the spec has an absolute URL with a `{{region}}` variable,\n\
                 so there is no region template: give `.endpoint(url)`; `.region(id)` is\n\
                 refused when the client is built."
            )));
            return (docs, quote! { #rt::ClientBuilder::new() });
        };
        let prefix = match &region.env_prefix {
            Some(prefix) => {
                let literal = Literal::string(prefix);
                quote! { Some(#literal) }
            }
            None => quote! { None },
        };
        let profile_key = region.profile_key.as_deref().map(|key| {
            let literal = Literal::string(key);
            quote! { .profile_key(#literal) }
        });
        let (template, table) = match region.servers.as_slice() {
            [one] if one.regions.is_empty() => {
                let url = Literal::string(&one.url);
                (
                    quote! { #rt::endpoint::RegionTemplate::new(#url, #prefix) #profile_key },
                    TokenStream::new(),
                )
            }
            servers => {
                let rows = servers.iter().map(|server| {
                    let url = Literal::string(&server.url);
                    let regions = server.regions.iter().map(|r| Literal::string(r));
                    quote! { #rt::endpoint::RegionServer::new(#url, &[ #( #regions ),* ]), }
                });
                (
                    quote! { template },
                    quote! {
                        const REGION_SERVERS: &[#rt::endpoint::RegionServer] = &[ #( #rows )* ];
                        let template =
                            #rt::endpoint::RegionTemplate::with_servers(REGION_SERVERS, #prefix)
                                #profile_key;
                    },
                )
            }
        };
        let docs = doc_attrs(Some(&format!("{lead}\n\n{}", region_doc(region))));
        let body = quote! {
            #table
            #rt::ClientBuilder::new().region_template(#template)
        };
        (docs, body)
    }

    /// The path: a literal, or `format!` of the segments, each parameter first bound to a local
    /// through `path_parameter` (encoded, borrowed when nothing needs it; empty, `.` and `..`
    /// refused).
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
                let operation = Literal::string(&op.id);
                let wire_name = Literal::string(wire);
                // `path_parameter` borrows its value when nothing needs encoding, so a
                // non-string's text is bound first (the local it shadows lives on).
                bindings.push(if param.ty == TypeRef::String {
                    quote! {
                        let #local = #rt::path_parameter(#operation, #wire_name, &request.#field)?;
                    }
                } else {
                    quote! {
                        let #local = request.#field.to_string();
                        let #local = #rt::path_parameter(#operation, #wire_name, &#local)?;
                    }
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
        let rt = &self.rt;
        let var = format_ident!("{}", var);
        let params: Vec<&Param> = op.params.iter().filter(|p| p.location == place).collect();
        if params.is_empty() {
            return (TokenStream::new(), quote! { #var: Vec::new() });
        }
        let mut initial = Vec::new();
        let mut later = Vec::new();
        // A query key is a `Cow` (borrowed here: the spec names it); a header name is a
        // `&'static str`.
        let query = place == ParamIn::Query;
        for param in params {
            let wire = &param.wire;
            let key = if query {
                quote! { ::std::borrow::Cow::Borrowed(#wire) }
            } else {
                quote! { #wire }
            };
            let field = ident(&param.name);
            let text = |value: TokenStream, ty: &TypeRef| match ty {
                TypeRef::String => quote! { #value.clone() },
                TypeRef::Secret => quote! { #value.expose_secret().to_owned() },
                _ => quote! { #value.to_string() },
            };
            if let Some(structured) = &param.structured {
                // `scoped`: the statements stand in the method's body, so a local of their own
                // goes in a block of its own (it could shadow a path parameter's local).
                let write = |value: TokenStream, scoped: bool| match structured {
                    Structured::Keys { keys, deep } => {
                        let (members, fixed): (Vec<_>, Vec<_>) =
                            keys.iter().partition(|k| k.members);
                        let has_fixed = !fixed.is_empty();
                        let has_members = !members.is_empty();
                        let fixed = fixed.iter().map(|k| {
                            let (key, pointer, json) = (&k.key, &k.pointer, k.json);
                            quote! { (#key, #pointer, #json) }
                        });
                        let members = members.iter().map(|k| {
                            let (key, pointer) = (&k.key, &k.pointer);
                            quote! {
                                #rt::forms::query_members(&mut #var, #key, #pointer, #deep, &json);
                            }
                        });
                        if !has_members {
                            return quote! {
                                #rt::forms::query_pairs(
                                    &mut #var,
                                    &[ #( #fixed ),* ],
                                    &#rt::forms::param_json(#wire, #value)?,
                                );
                            };
                        }
                        let fixed = has_fixed.then(|| {
                            quote! { #rt::forms::query_pairs(&mut #var, &[ #( #fixed ),* ], &json); }
                        });
                        let stmts = quote! {
                            let json = #rt::forms::param_json(#wire, #value)?;
                            #fixed
                            #( #members )*
                        };
                        if scoped {
                            quote! { { #stmts } }
                        } else {
                            stmts
                        }
                    }
                    Structured::Joined { explode } => quote! {
                        #var.push((
                            #key,
                            #rt::forms::joined(&#rt::forms::param_json(#wire, #value)?, #explode),
                        ));
                    },
                    Structured::Json => quote! {
                        #var.push((#key, #rt::forms::param_json(#wire, #value)?.to_string()));
                    },
                };
                later.push(if param.required {
                    write(quote! { &request.#field }, true)
                } else {
                    let stmt = write(quote! { value }, false);
                    quote! {
                        if let Some(value) = &request.#field {
                            #stmt
                        }
                    }
                });
                continue;
            }
            // An array: a `Vec<T>` or a validated array newtype (both have `iter()`).
            let array_item = match &param.ty {
                TypeRef::Vec(item) => Some(&**item),
                TypeRef::Named(name) => match self.types_by_name.get(name.as_str()) {
                    Some(TypeDef {
                        kind: TypeKind::Array(rule),
                        ..
                    }) => Some(&rule.items),
                    _ => None,
                },
                _ => None,
            };
            match (array_item, &param.ty, param.required) {
                (Some(item), _, required) => {
                    let item_text = text(quote! { value }, item);
                    let item_fn = if *item == TypeRef::String {
                        quote! { String::clone }
                    } else {
                        quote! { ToString::to_string }
                    };
                    let source = if required {
                        quote! { request.#field }
                    } else {
                        quote! { values }
                    };
                    let delimiter = param.delimiter.to_string();
                    let stmt = if param.explode {
                        quote! { #var.extend(#source.iter().map(|value| (#key, #item_text))); }
                    } else {
                        quote! {
                            #var.push((
                                #key,
                                #source.iter().map(#item_fn).collect::<Vec<_>>().join(#delimiter),
                            ));
                        }
                    };
                    later.push(if required {
                        stmt
                    } else {
                        quote! { if let Some(values) = &request.#field { #stmt } }
                    });
                }
                (None, ty, true) => {
                    let value = text(quote! { request.#field }, ty);
                    initial.push(quote! { (#key, #value) });
                }
                (None, ty, false) => {
                    let value = text(quote! { value }, ty);
                    later.push(quote! {
                        if let Some(value) = &request.#field {
                            #var.push((#key, #value));
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
        let pair = if query {
            quote! { #rt::forms::QueryPair }
        } else {
            quote! { (&'static str, String) }
        };
        let binding = if later.is_empty() {
            quote! { let #var: Vec<#pair> = #init; }
        } else {
            quote! { let mut #var: Vec<#pair> = #init; }
        };
        (quote! { #binding #( #later )* }, quote! { #var })
    }
}

/// Whether the request's `body` field is an `Option` (optional, or nullable).
fn body_is_option(body: &Body) -> bool {
    !body.required || matches!(body.ty, TypeRef::Nullable(_))
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

/// How `.region(id)` becomes an endpoint, for `Client::builder()`'s docs.
fn region_doc(region: &RegionEndpoint) -> String {
    let env = region.env_prefix.as_deref().map(|prefix| {
        format!(
            "the environment variable `{prefix}{{REGION_ID}}`\n\
             (the region id upper-cased, `-` as `_`)"
        )
    });
    let file = region.profile_key.as_deref().map(|key| {
        format!(
            "the `{key}` entries of a regions file\n(crate feature `regions-file`, off by default)"
        )
    });
    if let [one] = region.servers.as_slice() {
        if one.regions.is_empty() {
            let unless = match (&env, &file) {
                (Some(env), Some(file)) => {
                    format!(",\nunless {env}, or else {file}, names another")
                }
                (Some(only), None) | (None, Some(only)) => {
                    format!(",\nunless {only} names another")
                }
                (None, None) => String::new(),
            };
            let mut text = format!("`.region(id)` makes the endpoint `{}`{unless}.", one.url);
            text.push_str(&shadowed_doc(region, "this server"));
            return text;
        }
    }
    let listed: Vec<String> = region
        .servers
        .iter()
        .map(|server| format!("`{}` for {}", server.url, regions_phrase(&server.regions)))
        .collect();
    let open = region.servers.iter().any(|s| s.regions.is_empty());
    let mut text = format!(
        "`.region(id)` makes the endpoint from the spec's servers:\n{}",
        listed.join(",\n")
    );
    text.push_str(if open {
        "."
    } else {
        ";\nany other region id is refused."
    });
    text.push_str(&shadowed_doc(region, "a server above"));
    let overrides = match (&env, &file) {
        (Some(env), Some(file)) => Some(format!("{env}, then {file},")),
        (Some(only), None) | (None, Some(only)) => Some(only.clone()),
        (None, None) => None,
    };
    if let Some(overrides) = overrides {
        text.push_str(&format!(
            "\n\nBefore those, {overrides} may name the endpoints of any region id."
        ));
    }
    text
}

/// The docs' line naming the servers that lost regions to `server` (empty when none did).
fn shadowed_doc(region: &RegionEndpoint, server: &str) -> String {
    let shadowed: Vec<String> = region
        .shadowed
        .iter()
        .map(|url| format!("`{url}`"))
        .collect();
    let Some((last, rest)) = shadowed.split_last() else {
        return String::new();
    };
    let (named, verb) = if rest.is_empty() {
        (last.clone(), "lists")
    } else {
        (format!("{} and {last}", rest.join(", ")), "list")
    };
    format!(
        "\n{named}\nalso {verb} regions of {server}, which serves them\n\
         (`https` servers come first, then spec order)."
    )
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``, or `` 4 regions (`a` … `d`) ``, or
/// `any other region` for none.
fn regions_phrase(regions: &[String]) -> String {
    let quoted: Vec<String> = regions.iter().map(|r| format!("`{r}`")).collect();
    match quoted.as_slice() {
        [] => "any other region".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] if quoted.len() <= 3 => format!("{} and {last}", rest.join(", ")),
        [first, .., last] => format!("{} regions ({first} … {last})", quoted.len()),
    }
}
