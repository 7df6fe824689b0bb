//! Authentication as CCE's gateway does it: an IAM token in `X-Auth-Token`, or an
//! `SDK-HMAC-SHA256` signature verified with the client's own canonicalization code.

use axum::http::{request::Parts, HeaderMap, StatusCode};
use clustercert::runtime::signing;
use time::OffsetDateTime;

use super::config::MockConfig;
use super::error::ApiError;
use super::validate::is_json_content_type;

/// The scheme prefix of a signed request's `Authorization` header.
const SIGNING_SCHEME: &str = "SDK-HMAC-SHA256";
/// The header of temporary credentials' security token (lower-case, as signed).
const SECURITY_TOKEN_HEADER: &str = "x-security-token";

/// Who a request was authenticated as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// A configured IAM token.
    Token,
    /// A configured access key, whose signature verified.
    AccessKey(String),
}

/// Authenticates a request for `project_id`, or says why not (401, or 403 for a signed request
/// whose `X-Project-Id` names another project).
pub(crate) fn authenticate(
    config: &MockConfig,
    parts: &Parts,
    body: &[u8],
    project_id: &str,
    now: OffsetDateTime,
) -> Result<Principal, ApiError> {
    if let Some(authorization) = parts.headers.get(axum::http::header::AUTHORIZATION) {
        let scheme_ok = authorization
            .to_str()
            .map(|v| v.trim_start().starts_with(SIGNING_SCHEME))
            .unwrap_or(false);
        if !scheme_ok {
            return Err(ApiError::unauthorized(format!(
                "unsupported Authorization scheme: only {SIGNING_SCHEME} signing is accepted"
            )));
        }
        let verified = verify_signature(config, parts, body, now)?;
        check_payload_signed(&verified, &parts.headers)?;
        let access_key = verified.access_key;
        check_security_token(config, &access_key, &parts.headers)?;
        check_project_header(&parts.headers, project_id)?;
        return Ok(Principal::AccessKey(access_key));
    }
    if let Some(token) = parts.headers.get("X-Auth-Token") {
        // The token itself never goes into a message.
        return match token.to_str() {
            Ok(token) if config.accepts_token(token) => Ok(Principal::Token),
            _ => Err(ApiError::unauthorized(
                "the X-Auth-Token token is not valid",
            )),
        };
    }
    Err(ApiError::unauthorized(
        "missing credential: send an X-Auth-Token header or sign the request (SDK-HMAC-SHA256 Authorization header)",
    ))
}

/// Temporary credentials: the access key's security token must arrive, signed, in
/// `X-Security-Token`. The token itself never goes into a message.
fn check_security_token(
    config: &MockConfig,
    access_key: &str,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    let Some(expected) = config
        .access_key(access_key)
        .and_then(|k| k.security_token.as_ref())
    else {
        return Ok(());
    };
    let sent = headers.get(SECURITY_TOKEN_HEADER).ok_or_else(|| {
        ApiError::unauthorized(format!(
            "access key {access_key} is temporary: X-Security-Token is required"
        ))
    })?;
    if sent.as_bytes() != expected.expose_secret().as_bytes() {
        return Err(ApiError::unauthorized(format!(
            "X-Security-Token is not valid for access key {access_key}"
        )));
    }
    let signed = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| signing::parse_authorization(v).ok())
        .is_some_and(|auth| {
            auth.signed_headers
                .iter()
                .any(|h| h == SECURITY_TOKEN_HEADER)
        });
    if signed {
        Ok(())
    } else {
        Err(ApiError::unauthorized("X-Security-Token must be signed"))
    }
}

/// A body the operation reads (a JSON one) must be covered by the signature: with
/// `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` it could be swapped in transit without breaking the
/// signature. (The official SDK signs the body's real hash for JSON; it leaves only other
/// content types unsigned, and those the operation refuses anyway.)
fn check_payload_signed(verified: &signing::Verified, headers: &HeaderMap) -> Result<(), ApiError> {
    if verified.payload_signed || !is_json_content_type(headers) {
        return Ok(());
    }
    Err(ApiError::unauthorized(
        "the request body is not signed: X-Sdk-Content-Sha256 is UNSIGNED-PAYLOAD, but a JSON body must be covered by the signature (sign its SHA-256 instead)",
    ))
}

/// A signed request's `X-Project-Id`, when present, must name the project of the path.
fn check_project_header(headers: &HeaderMap, project_id: &str) -> Result<(), ApiError> {
    match headers.get("X-Project-Id") {
        None => Ok(()),
        Some(value) if value.as_bytes() == project_id.as_bytes() => Ok(()),
        Some(value) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            format!(
                "X-Project-Id {:?} does not match the project of the path {project_id:?}",
                String::from_utf8_lossy(value.as_bytes())
            ),
        )),
    }
}

/// The one place the runtime's server-side verifier is called: the canonical request is
/// recomputed from what arrived with the code the client signs with. Returns who signed and
/// whether the body was covered.
fn verify_signature(
    config: &MockConfig,
    parts: &Parts,
    body: &[u8],
    now: OffsetDateTime,
) -> Result<signing::Verified, ApiError> {
    signing::verify(
        &parts.method,
        &parts.uri,
        &parts.headers,
        body,
        |ak| {
            config
                .secret_for(ak)
                .map(|sk| sk.expose_secret().to_owned())
        },
        now.into(),
    )
    .map_err(|e| ApiError::unauthorized(format!("signature rejected: {e}")))
}
