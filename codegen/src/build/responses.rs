//! Responses: the success statuses of an operation, their headers and bodies, merged when
//! they answer alike; error responses are only checked (their bodies are the runtime's).

use openapiv3::{Header, ReferenceOr, Response, StatusCode};

use super::names::{distinct, header_snake};
use super::{at, error, resolve, Builder};
use crate::model::{MediaFormat, Success, SuccessResponse, TypeRef};
use crate::Error;

impl Builder<'_> {
    pub(super) fn responses(
        &mut self,
        op: &openapiv3::Operation,
        location: &str,
        base: &str,
    ) -> Result<Success, Error> {
        let responses_location = at(location, "responses");
        let mut success: Vec<SuccessResponse> = Vec::new();
        for (code, response) in &op.responses.responses {
            let code_text = code.to_string();
            let response_location = at(&responses_location, &code_text);
            let response: &Response = resolve(
                self.components,
                response,
                "responses",
                &response_location,
                |c| &c.responses,
            )?;
            let statuses = match code {
                StatusCode::Code(n @ 200..=299) => (*n, *n),
                StatusCode::Range(2) => (200, 299),
                _ => {
                    // Error statuses go to the runtime's error model; check their references.
                    self.check_response_refs(response, &response_location)?;
                    continue;
                }
            };
            let mut headers = Vec::new();
            for (name, header) in &response.headers {
                let header_location = at(&at(&response_location, "headers"), name);
                let header: &Header =
                    resolve(self.components, header, "headers", &header_location, |c| {
                        &c.headers
                    })?;
                if name.eq_ignore_ascii_case("content-type") {
                    continue;
                }
                headers.push((name.clone(), header.description.clone()));
            }
            let wires: Vec<&str> = ["status", "body"]
                .into_iter()
                .chain(headers.iter().map(|(name, _)| name.as_str()))
                .collect();
            let candidates = wires
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if i < 2 {
                        (*w).to_owned()
                    } else {
                        header_snake(w)
                    }
                })
                .collect();
            let names = distinct(&wires, candidates);
            if names[2..].iter().any(|n| n == "status" || n == "body") {
                return Err(error(
                    &response_location,
                    "a response header named `status` or `body` clashes with the response fields",
                ));
            }
            let headers = headers
                .into_iter()
                .zip(names[2..].iter())
                .map(|((wire, doc), name)| (name.clone(), wire, doc))
                .collect();
            let content_location = at(&response_location, "content");
            let (body, body_format) =
                match self.choose_media(&response.content, &content_location, false)? {
                    None => (None, MediaFormat::Json),
                    Some((_, _, MediaFormat::Text)) => (Some(TypeRef::String), MediaFormat::Text),
                    Some((_, _, MediaFormat::Bytes | MediaFormat::Multipart)) => {
                        (Some(TypeRef::Bytes), MediaFormat::Bytes)
                    }
                    Some((media_type, media, MediaFormat::Json)) => {
                        let schema_location = at(&at(&content_location, media_type), "schema");
                        let ty = match &media.schema {
                            None => TypeRef::Json,
                            Some(schema) => self.type_ref(
                                schema,
                                &schema_location,
                                &format!("{base}ResponseBody{}", code_text.to_ascii_uppercase()),
                            )?,
                        };
                        (Some(ty), MediaFormat::Json)
                    }
                };
            success.push(SuccessResponse {
                statuses: vec![statuses],
                labels: Vec::new(),
                label: String::new(),
                type_name: String::new(),
                doc: Some(response.description.clone()).filter(|d| !d.trim().is_empty()),
                headers,
                body,
                body_format,
            });
        }
        if let Some(default) = &op.responses.default {
            let default_location = at(&responses_location, "default");
            let response = resolve(
                self.components,
                default,
                "responses",
                &default_location,
                |c| &c.responses,
            )?;
            self.check_response_refs(response, &default_location)?;
        }
        // Exact codes before ranges, so a `2XX` arm never hides a `201`.
        success.sort_by_key(|s| s.statuses[0].0 != s.statuses[0].1);
        if success.is_empty() {
            // No documented success: any 2XX is one, without headers or a body (the `_raw`
            // method still returns the body as it came).
            success.push(SuccessResponse {
                statuses: vec![(200, 299)],
                labels: Vec::new(),
                label: String::new(),
                type_name: String::new(),
                doc: Some("The spec documents no 2XX response.".to_owned()),
                headers: Vec::new(),
                body: None,
                body_format: MediaFormat::Json,
            });
        }
        let response_name = format!("{base}Response");
        let first = &success[0];
        let same = success
            .iter()
            .all(|s| s.headers == first.headers && s.body == first.body);
        if success.len() == 1 || same {
            let mut merged = success[0].clone();
            if success.len() > 1 {
                merged.statuses = success.iter().flat_map(|s| s.statuses.clone()).collect();
                // One doc paragraph per status, so no status's description is lost.
                let docs: Vec<String> = success
                    .iter()
                    .filter_map(|s| {
                        s.doc
                            .as_ref()
                            .map(|doc| format!("{}: {}", status_label(s.statuses[0]), doc.trim()))
                    })
                    .collect();
                merged.doc = Some(docs.join("\n\n")).filter(|d| !d.is_empty());
            }
            Ok(Success::Single(labelled(merged, response_name)))
        } else {
            Ok(Success::Several(
                success
                    .into_iter()
                    .map(|s| {
                        let label = labels(&s.statuses).join("Or");
                        labelled(s, format!("{response_name}{label}"))
                    })
                    .collect(),
            ))
        }
    }

    /// Checks that an error response's `$ref`s resolve (its body is the runtime's business).
    pub(super) fn check_response_refs(
        &self,
        response: &Response,
        location: &str,
    ) -> Result<(), Error> {
        for (name, header) in &response.headers {
            resolve(
                self.components,
                header,
                "headers",
                &at(&at(location, "headers"), name),
                |c| &c.headers,
            )?;
        }
        for (media_type, media) in &response.content {
            let media_location = at(&at(location, "content"), media_type);
            if let Some(ReferenceOr::Reference { reference }) = &media.schema {
                self.schema_ref(reference, &at(&media_location, "schema"))?;
            }
            for (name, example) in &media.examples {
                resolve(
                    self.components,
                    example,
                    "examples",
                    &at(&at(&media_location, "examples"), name),
                    |c| &c.examples,
                )?;
            }
        }
        Ok(())
    }
}

/// A status as the docs write it: `200`, or `2XX` for a range.
pub(super) fn status_label((low, high): (u16, u16)) -> String {
    if low == high {
        low.to_string()
    } else {
        format!("{}XX", low / 100)
    }
}

fn labels(statuses: &[(u16, u16)]) -> Vec<String> {
    statuses.iter().map(|s| status_label(*s)).collect()
}

/// Fills in the labels and the struct name of a response.
fn labelled(mut response: SuccessResponse, type_name: String) -> SuccessResponse {
    response.labels = labels(&response.statuses);
    response.label = response.labels.join("Or");
    response.type_name = type_name;
    response
}
