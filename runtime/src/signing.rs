//! AK/SK request signing, `SDK-HMAC-SHA256`, as Huawei Cloud's official SDKs sign.
//!
//! Each step of the algorithm is its own pure function, so that each can be tested alone
//! and a server can verify a signature with exactly the code the client signs with:
//!
//! 1. [`canonical_uri`], [`canonical_query`], [`signed_header_names`], [`canonical_headers`]
//!    and [`payload_hash`] canonicalize the parts of a request;
//! 2. [`canonical_request`] joins them; [`CanonicalRequest`] does steps 1 and 2 in one go
//!    from a request's method, URI, headers and body, with the same code;
//! 3. [`string_to_sign`] hashes the canonical request under the `X-Sdk-Date` timestamp;
//! 4. [`signature`] is the hex HMAC-SHA256 of the string to sign, keyed with the SK;
//! 5. [`authorization`] formats the `Authorization` header, and [`parse_authorization`]
//!    reads one back.
//!
//! [`sign_headers`] applies all of this to a request's final method, URI, headers and body
//! bytes (what is signed is what is sent), and [`verify`] checks a request as it arrived:
//! both through [`CanonicalRequest`], so there is one canonicalization.
//!
//! Where the official Python SDK's `Signer` differs from a plain reading of the algorithm,
//! this module follows the SDK: the path is percent-decoded before its segments are
//! re-encoded, query pairs are sorted before encoding, an empty body hashes as the empty
//! string whatever `X-Sdk-Content-Sha256` says, and a non-empty body's hash is replaced by
//! the `X-Sdk-Content-Sha256` header (`UNSIGNED-PAYLOAD`) when the request carries one.
//!
//! ```
//! use clustercert_runtime::signing;
//!
//! let canonical_request = signing::canonical_request(
//!     "POST",
//!     &signing::canonical_uri("/api/v3/projects/p1/clusters/c1/clustercert"),
//!     "",
//!     "host:cce.cn-north-4.myhuaweicloud.com\nx-sdk-date:20261128T120000Z\n",
//!     "host;x-sdk-date",
//!     &signing::payload_hash(br#"{"duration":30}"#, None),
//! );
//! let to_sign = signing::string_to_sign("20261128T120000Z", &canonical_request);
//! let sig = signing::signature("my-secret-key", &to_sign);
//! assert_eq!(sig.len(), 64);
//! let header = signing::authorization("MY-AK", "host;x-sdk-date", &sig);
//! assert!(header.starts_with("SDK-HMAC-SHA256 Access=MY-AK, SignedHeaders=host;x-sdk-date, Signature="));
//! ```

use std::borrow::Cow;
use std::fmt;

use http::{HeaderMap, HeaderName, HeaderValue, Method, Uri};
use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use ring::{digest, hmac};
use std::time::{Duration, SystemTime};

use crate::date::{self, Civil};

/// The algorithm name, first word of the `Authorization` header.
pub const ALGORITHM: &str = "SDK-HMAC-SHA256";
/// The header carrying the signing time.
pub const DATE_HEADER: &str = "X-Sdk-Date";
/// The header that replaces the body hash when present (`UNSIGNED-PAYLOAD`).
pub const CONTENT_SHA256_HEADER: &str = "X-Sdk-Content-Sha256";
/// [`DATE_HEADER`] and [`CONTENT_SHA256_HEADER`] as header names, so that looking them up
/// does not parse the name each time.
const DATE_NAME: HeaderName = HeaderName::from_static("x-sdk-date");
const CONTENT_SHA256_NAME: HeaderName = HeaderName::from_static("x-sdk-content-sha256");
/// `Host`, borrowed for as long as a canonical request lives.
static HOST_NAME: HeaderName = http::header::HOST;
/// The value of [`CONTENT_SHA256_HEADER`] for a body that is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// Hex SHA-256 of the empty string: the payload hash of a request without a body.
pub const EMPTY_BODY_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
/// How far `X-Sdk-Date` may be from the verifier's clock, either way (the gateways allow
/// about 15 minutes).
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Everything but `A-Z a-z 0-9 - _ . ~` is percent-encoded (Python's `quote(s, safe='~')`).
const ENCODE_SET: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a string the way the signer does: every byte but the unreserved
/// characters `A-Z a-z 0-9 - _ . ~` becomes `%XX` (upper-case hex), UTF-8 first.
///
/// ```
/// assert_eq!(clustercert_runtime::signing::encode("a b/ä~"), "a%20b%2F%C3%A4~");
/// ```
pub fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    encode_into(&mut out, value);
    out
}

/// Appends [`encode`] of `value` to `out`: the one encoder every step uses. A value of
/// unreserved characters only (most path segments) is copied whole; others go through
/// `percent-encoding`, whose per-byte check is not inlined across crates.
fn encode_into(out: &mut String, value: &str) {
    if all_bytes_in(value, UNRESERVED) {
        out.push_str(value);
    } else {
        out.extend(utf8_percent_encode(value, ENCODE_SET));
    }
}

/// Class bits of [`BYTE_CLASS`]: a byte [`ENCODE_SET`] leaves bare (`A-Z a-z 0-9 - _ . ~`).
const UNRESERVED: u8 = 1;
/// Class bits of [`BYTE_CLASS`]: `/`.
const SLASH: u8 = 2;

/// Each byte's class bits, looked up once per byte where a path or value is scanned (a
/// table is a load and a test; the chain of comparisons it replaces was several).
const BYTE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            table[byte] = UNRESERVED;
        }
        if b == b'/' {
            table[byte] = SLASH;
        }
        byte += 1;
    }
    table
};

/// Whether every byte of `text` has one of the class bits in `classes`.
fn all_bytes_in(text: &str, classes: u8) -> bool {
    text.bytes()
        .all(|b| BYTE_CLASS[usize::from(b)] & classes != 0)
}

/// The bytes [`ENCODE_SET`] leaves bare: `A-Z a-z 0-9 - _ . ~`.
#[cfg(test)]
fn is_unreserved(byte: u8) -> bool {
    BYTE_CLASS[usize::from(byte)] & UNRESERVED != 0
}

/// Formats a time as `X-Sdk-Date` (`%Y%m%dT%H%M%SZ`, UTC, to the second rounded down).
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// let noon = UNIX_EPOCH + Duration::from_secs(1_795_867_200);
/// let date = clustercert_runtime::signing::format_date(noon);
/// assert_eq!(date, "20261128T120000Z");
/// ```
pub fn format_date(time: SystemTime) -> String {
    let mut buffer = [0u8; 16];
    let utc = Civil::of(time);
    match write_date(&mut buffer, utc) {
        Some(date) => date.to_owned(),
        None => format!(
            "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
            utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second
        ),
    }
}

/// Writes the `X-Sdk-Date` of `utc` into `buffer` without allocating; `None` for a year
/// outside 0–9999, which [`format_date`] renders the long way.
fn write_date(buffer: &mut [u8; 16], utc: Civil) -> Option<&str> {
    let year = u16::try_from(utc.year).ok().filter(|year| *year <= 9999)?;
    let two = |buffer: &mut [u8; 16], at: usize, value: u8| {
        buffer[at] = b'0' + value / 10;
        buffer[at + 1] = b'0' + value % 10;
    };
    // Each value is below 100, so each pair of digits is exact.
    two(buffer, 0, (year / 100) as u8);
    two(buffer, 2, (year % 100) as u8);
    two(buffer, 4, utc.month);
    two(buffer, 6, utc.day);
    buffer[8] = b'T';
    two(buffer, 9, utc.hour);
    two(buffer, 11, utc.minute);
    two(buffer, 13, utc.second);
    buffer[15] = b'Z';
    std::str::from_utf8(&buffer[..]).ok()
}

/// Parses an `X-Sdk-Date` value (`%Y%m%dT%H%M%SZ`) as a UTC time.
///
/// ```
/// use clustercert_runtime::signing::parse_date;
/// assert!(parse_date("20261128T120000Z").is_some());
/// assert!(parse_date("2026-11-28T12:00:00Z").is_none());
/// ```
pub fn parse_date(value: &str) -> Option<SystemTime> {
    let bytes = value.as_bytes();
    if bytes.len() != 16 || bytes[8] != b'T' || bytes[15] != b'Z' {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<u16> {
        bytes[range].iter().try_fold(0u16, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u16::from(b - b'0'))
        })
    };
    let small = |range| number(range).and_then(|n| u8::try_from(n).ok());
    Civil {
        year: i64::from(number(0..4)?),
        month: small(4..6)?,
        day: small(6..8)?,
        hour: small(9..11)?,
        minute: small(11..13)?,
        second: small(13..15)?,
    }
    .to_system_time()
}

/// The canonical URI of a path as sent (percent-encoded or not): the path is
/// percent-decoded, split at `/`, each segment re-encoded with [`encode`], and a `/`
/// appended when it does not end in one. Only the signature sees that slash.
///
/// ```
/// use clustercert_runtime::signing::canonical_uri;
/// assert_eq!(canonical_uri("/api/v3/projects/p%201/x"), "/api/v3/projects/p%201/x/");
/// assert_eq!(canonical_uri("/a/b/"), "/a/b/");
/// assert_eq!(canonical_uri(""), "/");
/// ```
pub fn canonical_uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    write_uri(&mut out, path);
    out
}

/// Writes [`canonical_uri`] of `path`. Decoding borrows when the path has no `%`, and each
/// segment is encoded in place, chunk by chunk, so the usual path costs no allocation.
fn write_uri(out: &mut String, path: &str) {
    // Bytes that are all unreserved or `/` (the usual path) decode to themselves, split into
    // segments that `encode_into` copies whole, and join back to the same text: copy it.
    if all_bytes_in(path, UNRESERVED | SLASH) {
        out.push_str(path);
        if !out.ends_with('/') {
            out.push('/');
        }
        return;
    }
    // Without a `%` there is nothing to decode (and `path` is UTF-8 already).
    let decoded = if path.contains('%') {
        percent_decode_str(path).decode_utf8_lossy()
    } else {
        Cow::Borrowed(path)
    };
    for (index, segment) in decoded.split('/').enumerate() {
        if index > 0 {
            out.push('/');
        }
        encode_into(out, segment);
    }
    if !out.ends_with('/') {
        out.push('/');
    }
}

/// The canonical query of decoded `(key, value)` pairs: sorted by key then value (before
/// encoding, as the SDK sorts), each side encoded with [`encode`], `key=value` joined by `&`.
/// Booleans are passed as `"true"`/`"false"`.
///
/// ```
/// use clustercert_runtime::signing::canonical_query;
/// let pairs = [("name", "a b"), ("all", "true")];
/// assert_eq!(canonical_query(pairs), "all=true&name=a%20b");
/// ```
pub fn canonical_query<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> String
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut out = String::new();
    write_query(&mut out, pairs);
    out
}

/// Writes [`canonical_query`] of `pairs`.
fn write_query<K, V>(out: &mut String, pairs: impl IntoIterator<Item = (K, V)>)
where
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut pairs: Vec<(K, V)> = pairs.into_iter().collect();
    pairs.sort_by(|a, b| (a.0.as_ref(), a.1.as_ref()).cmp(&(b.0.as_ref(), b.1.as_ref())));
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push('&');
        }
        encode_into(out, key.as_ref());
        out.push('=');
        encode_into(out, value.as_ref());
    }
}

/// Splits a raw query string as it arrived (`a=1&b=x%20y`) into decoded pairs. A `+` stays a
/// `+` (the SDK encodes a space as `%20`); a key without `=` has an empty value.
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    query_pairs(raw)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The decoded pairs of a raw query, borrowed where nothing was encoded.
fn query_pairs(raw: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    raw.split('&').filter(|part| !part.is_empty()).map(|part| {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        (
            percent_decode_str(k).decode_utf8_lossy(),
            percent_decode_str(v).decode_utf8_lossy(),
        )
    })
}

/// Whether a header (by name) is signed: every header is, but those whose name has a `_`.
fn is_signed_name(name: &str) -> bool {
    !name.contains('_')
}

/// The names of the headers to sign: every header whose name has no `_`, lower-cased,
/// sorted, without duplicates.
///
/// ```
/// use clustercert_runtime::signing::signed_header_names;
/// let names = signed_header_names(["X-Sdk-Date", "Host", "X_Custom", "content-type"]);
/// assert_eq!(names, ["content-type", "host", "x-sdk-date"]);
/// ```
pub fn signed_header_names<N: AsRef<str>>(names: impl IntoIterator<Item = N>) -> Vec<String> {
    let mut out: Vec<String> = names
        .into_iter()
        .map(|n| n.as_ref().to_ascii_lowercase())
        .filter(|n| is_signed_name(n))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// The canonical headers: one `name:value` line per signed header name, each ending in
/// `\n`, with the value trimmed. `value_of` looks a lower-cased name up; a missing header
/// contributes an empty value.
///
/// ```
/// use clustercert_runtime::signing::canonical_headers;
/// let names = ["host".to_owned(), "x-sdk-date".to_owned()];
/// let text = canonical_headers(&names, |name| match name {
///     "host" => Some(" example.com ".to_owned()),
///     "x-sdk-date" => Some("20261128T120000Z".to_owned()),
///     _ => None,
/// });
/// assert_eq!(text, "host:example.com\nx-sdk-date:20261128T120000Z\n");
/// ```
pub fn canonical_headers(
    signed_names: &[String],
    value_of: impl Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::new();
    write_headers(
        &mut out,
        signed_names
            .iter()
            .map(|name| (name.as_str(), value_of(name))),
    );
    out
}

/// Writes [`canonical_headers`] of `(name, value)` pairs, in the order given.
fn write_headers<'n, V: AsRef<str>>(
    out: &mut String,
    headers: impl IntoIterator<Item = (&'n str, Option<V>)>,
) {
    for (name, value) in headers {
        out.push_str(name);
        out.push(':');
        if let Some(value) = value {
            out.push_str(value.as_ref().trim());
        }
        out.push('\n');
    }
}

/// The payload hash line: the hash of the empty string for no body; otherwise the
/// `X-Sdk-Content-Sha256` value when the request carries one (`UNSIGNED-PAYLOAD`), else the
/// hex SHA-256 of the body bytes.
///
/// ```
/// use clustercert_runtime::signing::{payload_hash, EMPTY_BODY_SHA256};
/// assert_eq!(payload_hash(b"", Some("UNSIGNED-PAYLOAD")), EMPTY_BODY_SHA256);
/// assert_eq!(payload_hash(b"x", Some("UNSIGNED-PAYLOAD")), "UNSIGNED-PAYLOAD");
/// assert_eq!(payload_hash(b"", None), EMPTY_BODY_SHA256);
/// ```
pub fn payload_hash(body: &[u8], content_sha256_header: Option<&str>) -> String {
    payload_hash_of(body, content_sha256_header.map(Cow::Borrowed)).into_owned()
}

/// [`payload_hash`], borrowing when it can.
fn payload_hash_of<'a>(body: &[u8], content_sha256_header: Option<Cow<'a, str>>) -> Cow<'a, str> {
    if body.is_empty() {
        return Cow::Borrowed(EMPTY_BODY_SHA256);
    }
    match content_sha256_header {
        Some(value) if !value.is_empty() => value,
        _ => Cow::Owned(sha256_hex(body)),
    }
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(data: &[u8]) -> String {
    hex_of(digest::digest(&digest::SHA256, data).as_ref())
}

/// Lower-case hex of a SHA-256 digest or HMAC, through the `hex` crate into a buffer on the
/// stack (`hex::encode` builds its string a `char` at a time, several times slower).
fn hex_of(bytes: &[u8]) -> String {
    let mut buffer = [0u8; 64];
    hex_str(bytes, &mut buffer).to_owned()
}

/// Lower-case hex of a 32-byte digest, written into `buffer`. A digest of another length (none
/// of the algorithms used here makes one) gives the hex of its first 32 bytes, zero-padded.
fn hex_str<'b>(bytes: &[u8], buffer: &'b mut [u8; 64]) -> &'b str {
    let mut digest = [0u8; 32];
    let n = bytes.len().min(32);
    digest[..n].copy_from_slice(&bytes[..n]);
    // The buffer is exactly twice the input and hex digits are ASCII, so neither step fails.
    let _ = hex::encode_to_slice(digest, &mut buffer[..]);
    std::str::from_utf8(&buffer[..]).unwrap_or_default()
}

/// The canonical request: method (upper-cased), canonical URI, canonical query, canonical
/// headers (already ending in `\n`), signed header names joined by `;`, payload hash —
/// joined by `\n`. Joins parts made by the other steps; [`CanonicalRequest`] makes and joins
/// them in one go, with the same code.
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    canonical_headers: &str,
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    let mut out = String::new();
    write_canonical(
        &mut out,
        method,
        |out| out.push_str(canonical_uri),
        |out| out.push_str(canonical_query),
        |out| out.push_str(canonical_headers),
        |out| out.push_str(signed_headers),
        payload_hash,
    );
    out
}

/// The one layout of a canonical request: each part written by its step, `\n` between.
fn write_canonical(
    out: &mut String,
    method: &str,
    uri: impl FnOnce(&mut String),
    query: impl FnOnce(&mut String),
    headers: impl FnOnce(&mut String),
    signed_headers: impl FnOnce(&mut String),
    payload_hash: &str,
) {
    out.extend(method.chars().map(|c| c.to_ascii_uppercase()));
    out.push('\n');
    uri(out);
    out.push('\n');
    query(out);
    out.push('\n');
    headers(out);
    out.push('\n');
    signed_headers(out);
    out.push('\n');
    out.push_str(payload_hash);
}

/// A request in canonical form, the first thing `SDK-HMAC-SHA256` signs: the request's
/// method, path, query, the values of the signed headers and the payload hash, borrowed from
/// the request. It writes itself (`Display`, [`CanonicalRequest::write_to`]) with the step
/// functions' own code, and is what [`sign_headers`] signs and [`verify`] checks.
///
/// ```
/// use clustercert_runtime::signing::CanonicalRequest;
/// use http::{HeaderMap, Method, Uri};
///
/// let uri: Uri = "https://h/v3/p?b=2&a=x%20y".parse().unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("host", "h".parse().unwrap());
/// headers.insert("x-sdk-date", "20261128T120000Z".parse().unwrap());
/// headers.insert("x_skipped", "1".parse().unwrap());
/// let canonical = CanonicalRequest::for_signing(&Method::GET, &uri, &headers, b"");
/// assert_eq!(canonical.signed_headers(), "host;x-sdk-date");
/// assert_eq!(
///     canonical.to_string(),
///     "GET\n/v3/p/\na=x%20y&b=2\nhost:h\nx-sdk-date:20261128T120000Z\n\nhost;x-sdk-date\n\
///      e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
/// );
/// ```
#[derive(Clone)]
pub struct CanonicalRequest<'a> {
    method: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    /// The signed headers in order: name and value (none for a name the request lacks).
    signed: Vec<(&'a str, Option<&'a HeaderValue>)>,
    payload_hash: Cow<'a, str>,
}

impl fmt::Debug for CanonicalRequest<'_> {
    /// The canonical text itself: it holds header values, but never a secret (the
    /// `Authorization` header is not among the signed ones).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CanonicalRequest")
            .field(&self.to_string())
            .finish()
    }
}

impl<'a> CanonicalRequest<'a> {
    /// The request as a signer sees it: every header in `headers` whose name has no `_` is
    /// signed, in name order. The payload hash honours `X-Sdk-Content-Sha256`.
    pub fn for_signing(
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
        body: &[u8],
    ) -> Self {
        let target = Target {
            path: uri.path(),
            query: uri.query(),
        };
        Self::for_target(method, target, headers, None, body)
    }

    /// [`CanonicalRequest::for_signing`] of a request known by its path and query, with
    /// `extra` signed as if it were among `headers` (the `Host` the HTTP library will add).
    pub(crate) fn for_target(
        method: &'a Method,
        target: Target<'a>,
        headers: &'a HeaderMap,
        extra: Option<(&'a HeaderName, &'a HeaderValue)>,
        body: &[u8],
    ) -> Self {
        let mut signed: Vec<(&str, Option<&HeaderValue>)> = Vec::with_capacity(headers.len() + 1);
        // The map's names are lower-case; a name with several values comes once per value, in
        // a row, and its first value is the one signed (as `HeaderMap::get` gives it).
        for (name, value) in headers {
            let name = name.as_str();
            if is_signed_name(name) && signed.last().is_none_or(|(last, _)| *last != name) {
                signed.push((name, Some(value)));
            }
        }
        if let Some((name, value)) = extra {
            if !headers.contains_key(name) {
                signed.push((name.as_str(), Some(value)));
            }
        }
        signed.sort_unstable_by_key(|(name, _)| *name);
        Self::with_signed(method, target, headers, signed, body)
    }

    /// The request as a verifier sees it: the signed header names are those the
    /// `Authorization` header lists (lower-case, in that order).
    pub fn with_signed_names(
        method: &'a Method,
        uri: &'a Uri,
        headers: &'a HeaderMap,
        signed_names: Vec<&'a str>,
        body: &[u8],
    ) -> Self {
        let target = Target {
            path: uri.path(),
            query: uri.query(),
        };
        let signed = signed_names
            .into_iter()
            .map(|name| (name, headers.get(name)))
            .collect();
        Self::with_signed(method, target, headers, signed, body)
    }

    fn with_signed(
        method: &'a Method,
        target: Target<'a>,
        headers: &'a HeaderMap,
        signed: Vec<(&'a str, Option<&'a HeaderValue>)>,
        body: &[u8],
    ) -> Self {
        let content_sha256 = headers.get(CONTENT_SHA256_NAME).map(value_text);
        CanonicalRequest {
            method: method.as_str(),
            path: target.path,
            query: target.query,
            signed,
            payload_hash: payload_hash_of(body, content_sha256),
        }
    }

    /// The signed header names joined by `;`, as `SignedHeaders=` carries them.
    pub fn signed_headers(&self) -> String {
        let mut out = String::with_capacity(self.signed_names_len());
        self.write_signed_headers(&mut out);
        out
    }

    fn signed_names_len(&self) -> usize {
        self.signed.iter().map(|(name, _)| name.len() + 1).sum()
    }

    fn write_signed_headers(&self, out: &mut String) {
        for (index, (name, _)) in self.signed.iter().enumerate() {
            if index > 0 {
                out.push(';');
            }
            out.push_str(name);
        }
    }

    /// The payload hash line.
    pub fn payload_hash(&self) -> &str {
        &self.payload_hash
    }

    /// Appends the canonical text to `out`.
    pub fn write_to(&self, out: &mut String) {
        write_canonical(
            out,
            self.method,
            |out| write_uri(out, self.path),
            |out| {
                if let Some(query) = self.query {
                    write_query(out, query_pairs(query));
                }
            },
            |out| {
                write_headers(
                    out,
                    self.signed
                        .iter()
                        .map(|(name, value)| (*name, value.map(value_text))),
                )
            },
            |out| self.write_signed_headers(out),
            &self.payload_hash,
        );
    }

    /// The canonical text and the string to sign under `sdk_date`.
    pub fn sign_parts(&self, sdk_date: &str) -> (String, String) {
        let mut canonical = String::with_capacity(512);
        self.write_to(&mut canonical);
        let to_sign = string_to_sign(sdk_date, &canonical);
        (canonical, to_sign)
    }
}

impl fmt::Display for CanonicalRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut text = String::with_capacity(512);
        self.write_to(&mut text);
        f.write_str(&text)
    }
}

/// The string to sign: `SDK-HMAC-SHA256\n{X-Sdk-Date}\n{hex SHA-256 of the canonical request}`.
pub fn string_to_sign(sdk_date: &str, canonical_request: &str) -> String {
    let mut out = String::with_capacity(ALGORITHM.len() + sdk_date.len() + 64 + 2);
    write_string_to_sign(&mut out, sdk_date, canonical_request);
    out
}

fn write_string_to_sign(out: &mut String, sdk_date: &str, canonical_request: &str) {
    let mut buffer = [0u8; 64];
    let hash = digest::digest(&digest::SHA256, canonical_request.as_bytes());
    out.push_str(ALGORITHM);
    out.push('\n');
    out.push_str(sdk_date);
    out.push('\n');
    out.push_str(hex_str(hash.as_ref(), &mut buffer));
}

/// An SK made ready for signing: the HMAC-SHA256 key, with its inner and outer blocks
/// hashed once, so that a client with fixed credentials does not redo that per request.
/// `Debug` shows nothing of the key.
#[derive(Clone)]
pub struct SigningKey(hmac::Key);

impl SigningKey {
    /// The key for `secret_key` (any length, empty included).
    pub fn new(secret_key: &str) -> Self {
        SigningKey(hmac::Key::new(hmac::HMAC_SHA256, secret_key.as_bytes()))
    }

    /// The hex HMAC-SHA256 of `data`.
    pub fn sign_hex(&self, data: &str) -> String {
        hex_of(hmac::sign(&self.0, data.as_bytes()).as_ref())
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// The signature: hex HMAC-SHA256 of the string to sign, keyed with the SK.
pub fn signature(secret_key: &str, string_to_sign: &str) -> String {
    SigningKey::new(secret_key).sign_hex(string_to_sign)
}

/// The `Authorization` header value:
/// `SDK-HMAC-SHA256 Access={AK}, SignedHeaders={names}, Signature={hex}`.
pub fn authorization(access_key: &str, signed_headers: &str, signature: &str) -> String {
    format!(
        "{ALGORITHM} Access={access_key}, SignedHeaders={signed_headers}, Signature={signature}"
    )
}

/// An `Authorization` header, read back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedAuthorization {
    /// The algorithm, `SDK-HMAC-SHA256` for a header this module accepts.
    pub algorithm: String,
    /// The access key (AK).
    pub access_key: String,
    /// The signed header names, lower-case, in the order given.
    pub signed_headers: Vec<String>,
    /// The hex signature.
    pub signature: String,
}

/// Parses `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`.
///
/// ```
/// use clustercert_runtime::signing::parse_authorization;
/// let parsed = parse_authorization(
///     "SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date, Signature=ab12",
/// ).unwrap();
/// assert_eq!(parsed.access_key, "AK1");
/// assert_eq!(parsed.signed_headers, ["host", "x-sdk-date"]);
/// assert!(parse_authorization("Bearer abc").is_err());
/// ```
pub fn parse_authorization(value: &str) -> Result<ParsedAuthorization, VerifyError> {
    let value = value.trim();
    let (algorithm, rest) = value
        .split_once(' ')
        .ok_or(VerifyError::MalformedAuthorization(
            "no credentials after the algorithm",
        ))?;
    if algorithm != ALGORITHM {
        return Err(VerifyError::UnsupportedAlgorithm(algorithm.to_owned()));
    }
    let (mut access, mut signed, mut sig) = (None, None, None);
    for part in rest.split(',') {
        let (key, val) = part
            .trim()
            .split_once('=')
            .ok_or(VerifyError::MalformedAuthorization(
                "a part is not key=value",
            ))?;
        let slot = match key {
            "Access" => &mut access,
            "SignedHeaders" => &mut signed,
            "Signature" => &mut sig,
            _ => return Err(VerifyError::MalformedAuthorization("unknown part")),
        };
        if slot.replace(val.to_owned()).is_some() {
            return Err(VerifyError::MalformedAuthorization("a part appears twice"));
        }
    }
    let access_key = access
        .filter(|a| !a.is_empty())
        .ok_or(VerifyError::MalformedAuthorization("no Access"))?;
    let signed = signed
        .filter(|s| !s.is_empty())
        .ok_or(VerifyError::MalformedAuthorization("no SignedHeaders"))?;
    let signature = sig
        .filter(|s| !s.is_empty())
        .ok_or(VerifyError::MalformedAuthorization("no Signature"))?;
    Ok(ParsedAuthorization {
        algorithm: algorithm.to_owned(),
        access_key,
        signed_headers: signed.split(';').map(str::to_ascii_lowercase).collect(),
        signature,
    })
}

/// Every intermediate of one signature, for tests and debugging. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signed header names joined by `;`.
    pub signed_headers: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignError {
    /// The URI has no host to put in the `Host` header.
    #[error("the request URI has no host")]
    MissingHost,
    /// A header the signer adds would not be a valid header value.
    #[error("invalid value for header {0}")]
    InvalidHeaderValue(&'static str),
}

/// The `Host` value a client sends for a URI: the host, with the port when the URI names one
/// that is not the scheme's default, as hyper sends it. (The official SDK keeps a port written
/// in the endpoint even when it is the default, `:443`; this crate's endpoints never carry a
/// default port, because the URL parser drops it, so both agree on every URL the client sends
/// to.)
pub fn host_of(uri: &Uri) -> Option<String> {
    let host = uri.host()?;
    let default_port = match uri.scheme_str() {
        Some("https") => Some(443),
        Some("http") => Some(80),
        _ => None,
    };
    Some(match uri.port_u16() {
        Some(port) if Some(port) != default_port => format!("{host}:{port}"),
        _ => host.to_owned(),
    })
}

/// A header value as text: borrowed when it is UTF-8 (the usual case, checked the fast way),
/// else with replacement characters.
fn value_text(value: &HeaderValue) -> Cow<'_, str> {
    match std::str::from_utf8(value.as_bytes()) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(value.as_bytes()),
    }
}

fn header_text(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Signs a request in its final form. Adds `X-Sdk-Date` (from `now`, unless one is already
/// there), `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (when `Content-Type` is neither JSON nor
/// BSON, as the SDK does) and `Host` (when absent, from the URI, with a non-default port) to
/// `headers`,
/// signs every header in `headers` whose name has no `_`, and inserts `Authorization`.
/// Returns the intermediates.
///
/// `Host` is added to `headers` so that it is signed; a client that lets its HTTP library
/// set `Host` (as this crate's transport does) removes it again after signing, because the
/// library derives the same value from the URI.
///
/// ```
/// use clustercert_runtime::signing::{sign_headers, verify};
/// use http::{HeaderMap, Method, Uri};
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let uri: Uri = "http://127.0.0.1:8080/api/v3/projects/p/clusters/c/clustercert".parse().unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("content-type", "application/json".parse().unwrap());
/// let now = UNIX_EPOCH + Duration::from_secs(1_795_867_200); // 2026-11-28 12:00:00 UTC
/// let body = br#"{"duration":30}"#;
/// let signed = sign_headers(&Method::POST, &uri, &mut headers, body, "AK", "SK", now).unwrap();
/// assert_eq!(signed.signed_headers, "content-type;host;x-sdk-date");
/// let ok = verify(&Method::POST, &uri, &headers, body, |ak| (ak == "AK").then(|| "SK".to_owned()), now);
/// assert_eq!(ok.unwrap().access_key, "AK");
/// ```
pub fn sign_headers(
    method: &Method,
    uri: &Uri,
    headers: &mut HeaderMap,
    body: &[u8],
    access_key: &str,
    secret_key: &str,
    now: SystemTime,
) -> Result<Signed, SignError> {
    let target = Target {
        path: uri.path(),
        query: uri.query(),
    };
    let host = || {
        let host = host_of(uri).ok_or(SignError::MissingHost)?;
        HeaderValue::from_str(&host).map_err(|_| SignError::InvalidHeaderValue("Host"))
    };
    let key = SigningKey::new(secret_key);
    sign_in_place(
        method,
        target,
        host,
        headers,
        body,
        access_key,
        &key,
        now,
        Keep::All,
        HostMode::Insert,
    )
    .map(|signed| signed.unwrap_or_else(|| unreachable!("Keep::All keeps the intermediates")))
}

/// The part of a request's URI the signature covers: its path and query, as sent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    /// The path, percent-encoded as sent.
    pub(crate) path: &'a str,
    /// The raw query, without `?`.
    pub(crate) query: Option<&'a str>,
}

/// Where the signed `Host` value goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HostMode {
    /// Into the headers, when they have none ([`sign_headers`]).
    Insert,
    /// Nowhere: the HTTP library sets it from the URL, with the same value.
    Implied,
}

/// Whether [`sign_in_place`] returns the intermediates ([`Signed`]) or only signs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keep {
    All,
    Nothing,
}

/// What [`sign_headers`] does, for a request known by its [`Target`], with the `Host` value
/// made by `host` when `headers` has none, and a ready [`SigningKey`]: the one signing path
/// of the crate. With [`Keep::Nothing`] (the transport, per attempt) it builds no
/// intermediate strings beyond the canonical request and the string to sign.
#[allow(clippy::too_many_arguments)]
pub(crate) fn sign_in_place(
    method: &Method,
    target: Target<'_>,
    host: impl FnOnce() -> Result<HeaderValue, SignError>,
    headers: &mut HeaderMap,
    body: &[u8],
    access_key: &str,
    key: &SigningKey,
    now: SystemTime,
    keep: Keep,
    host_mode: HostMode,
) -> Result<Option<Signed>, SignError> {
    let mut date_buffer = [0u8; 16];
    let existing_date = header_text(headers, DATE_NAME);
    let formatted: Cow<'_, str>;
    let sdk_date: &str = match &existing_date {
        Some(existing) => existing,
        None => {
            formatted = match write_date(&mut date_buffer, Civil::of(now)) {
                Some(date) => Cow::Borrowed(date),
                None => Cow::Owned(format_date(now)),
            };
            let value = HeaderValue::from_str(&formatted)
                .map_err(|_| SignError::InvalidHeaderValue(DATE_HEADER))?;
            headers.insert(DATE_NAME, value);
            &formatted
        }
    };
    sign_with_date(
        method, target, host, headers, body, access_key, key, sdk_date, keep, host_mode,
    )
}

/// [`sign_in_place`] once `X-Sdk-Date` is in `headers` and known as `sdk_date`.
#[allow(clippy::too_many_arguments)]
fn sign_with_date(
    method: &Method,
    target: Target<'_>,
    host: impl FnOnce() -> Result<HeaderValue, SignError>,
    headers: &mut HeaderMap,
    body: &[u8],
    access_key: &str,
    key: &SigningKey,
    sdk_date: &str,
    keep: Keep,
    host_mode: HostMode,
) -> Result<Option<Signed>, SignError> {
    // The SDK leaves a body it cannot vouch for unsigned: any content type but JSON or BSON.
    let unsigned_type = headers
        .get(http::header::CONTENT_TYPE)
        .map(|v| {
            let v = v.as_bytes();
            !v.starts_with(b"application/json") && !v.starts_with(b"application/bson")
        })
        .unwrap_or(false);
    if unsigned_type && !headers.contains_key(CONTENT_SHA256_NAME) {
        headers.insert(
            CONTENT_SHA256_NAME,
            HeaderValue::from_static(UNSIGNED_PAYLOAD),
        );
    }
    // Room for what is added below, so that the map grows at most once.
    // (a map too full to grow fails at the insert that needs room, as before).
    let _ = headers.try_reserve(4);
    let implied_host = match (headers.contains_key(http::header::HOST), host_mode) {
        (true, _) => None,
        (false, HostMode::Insert) => {
            headers.insert(http::header::HOST, host()?);
            None
        }
        (false, HostMode::Implied) => Some(host()?),
    };
    let canonical_request = CanonicalRequest::for_target(
        method,
        target,
        headers,
        implied_host.as_ref().map(|value| (&HOST_NAME, value)),
        body,
    );
    let mut canonical = String::with_capacity(512);
    canonical_request.write_to(&mut canonical);
    // The string to sign goes into the HMAC in its parts (the same bytes as
    // `write_string_to_sign`); it is made as a string only when the intermediates are kept.
    let mut hash_hex = [0u8; 64];
    let canonical_hash = digest::digest(&digest::SHA256, canonical.as_bytes());
    let canonical_hash = hex_str(canonical_hash.as_ref(), &mut hash_hex);
    let to_sign = [ALGORITHM, "\n", sdk_date, "\n", canonical_hash];
    let mut mac = hmac::Context::with_key(&key.0);
    for part in to_sign {
        mac.update(part.as_bytes());
    }
    let mut buffer = [0u8; 64];
    let signature = hex_str(mac.sign().as_ref(), &mut buffer);
    // Sized exactly, so that the header value takes the string's buffer as it is.
    const PARTS: [&str; 3] = [" Access=", ", SignedHeaders=", ", Signature="];
    let mut auth = String::with_capacity(
        ALGORITHM.len()
            + PARTS.iter().map(|part| part.len()).sum::<usize>()
            + access_key.len()
            + canonical_request.signed_names_len().saturating_sub(1)
            + signature.len(),
    );
    auth.push_str(ALGORITHM);
    auth.push_str(PARTS[0]);
    auth.push_str(access_key);
    auth.push_str(PARTS[1]);
    canonical_request.write_signed_headers(&mut auth);
    auth.push_str(PARTS[2]);
    auth.push_str(signature);
    let signed = (keep == Keep::All).then(|| Signed {
        string_to_sign: to_sign.concat(),
        canonical_request: canonical,
        signed_headers: canonical_request.signed_headers(),
        authorization: auth.clone(),
    });
    let mut value =
        HeaderValue::try_from(auth).map_err(|_| SignError::InvalidHeaderValue("Authorization"))?;
    value.set_sensitive(true);
    headers.insert(http::header::AUTHORIZATION, value);
    Ok(signed)
}

/// A request whose signature checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The access key that signed it.
    pub access_key: String,
    /// `false` when the body was not covered (`X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`).
    pub payload_signed: bool,
}

/// Why a request's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VerifyError {
    /// No `Authorization` header.
    MissingAuthorization,
    /// The `Authorization` header is not `ALG Access=…, SignedHeaders=…, Signature=…`.
    MalformedAuthorization(&'static str),
    /// An algorithm other than `SDK-HMAC-SHA256`.
    UnsupportedAlgorithm(String),
    /// No `X-Sdk-Date` header.
    MissingDate,
    /// `X-Sdk-Date` is not `%Y%m%dT%H%M%SZ`.
    MalformedDate(String),
    /// `X-Sdk-Date` is more than [`MAX_CLOCK_SKEW`] away from the verifier's clock.
    DateSkew {
        /// The date the request carried.
        sdk_date: String,
        /// How far off it is, in whole seconds (positive: in the future).
        skew_seconds: i64,
    },
    /// A header the server requires to be signed (`host`, `x-sdk-date`) is not.
    UnsignedRequiredHeader(&'static str),
    /// A header named in `SignedHeaders` is not in the request.
    MissingSignedHeader(String),
    /// A header named in `SignedHeaders` appears more than once.
    DuplicateSignedHeader(String),
    /// `X-Sdk-Content-Sha256` names a hash the body does not have.
    PayloadHashMismatch,
    /// No secret key for this access key.
    UnknownAccessKey(String),
    /// The signature does not match the request.
    SignatureMismatch,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingAuthorization => f.write_str("no Authorization header"),
            Self::MalformedAuthorization(why) => write!(f, "malformed Authorization header: {why}"),
            Self::UnsupportedAlgorithm(alg) => write!(f, "unsupported signing algorithm {alg:?}"),
            Self::MissingDate => f.write_str("no X-Sdk-Date header"),
            Self::MalformedDate(date) => {
                write!(f, "X-Sdk-Date {date:?} is not of the form 20261128T120000Z")
            }
            Self::DateSkew {
                sdk_date,
                skew_seconds,
            } => write!(
                f,
                "X-Sdk-Date {sdk_date} is {skew_seconds} s away from the server's clock (at most {} s allowed)",
                MAX_CLOCK_SKEW.as_secs()
            ),
            Self::UnsignedRequiredHeader(name) => write!(f, "header {name} must be signed"),
            Self::MissingSignedHeader(name) => {
                write!(f, "signed header {name} is not in the request")
            }
            Self::DuplicateSignedHeader(name) => {
                write!(f, "signed header {name} appears more than once")
            }
            Self::PayloadHashMismatch => {
                f.write_str("X-Sdk-Content-Sha256 does not match the body")
            }
            Self::UnknownAccessKey(ak) => write!(f, "unknown access key {ak:?}"),
            Self::SignatureMismatch => f.write_str("signature does not match"),
        }
    }
}

impl std::error::Error for VerifyError {}

/// Verifies a request's `SDK-HMAC-SHA256` signature as it arrived, recomputing the canonical
/// request with the same code the client signs with. `secret_for` returns the SK of an AK;
/// `now` is the server's clock, for the [`MAX_CLOCK_SKEW`] check. Header names in `headers`
/// are matched case-insensitively; `host` and `x-sdk-date` must be among the signed headers.
/// The signature is compared in constant time.
pub fn verify(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    secret_for: impl Fn(&str) -> Option<String>,
    now: SystemTime,
) -> Result<Verified, VerifyError> {
    let auth = headers
        .get(http::header::AUTHORIZATION)
        .ok_or(VerifyError::MissingAuthorization)?;
    let auth = auth
        .to_str()
        .map_err(|_| VerifyError::MalformedAuthorization("not visible ASCII"))?;
    let parsed = parse_authorization(auth)?;

    let sdk_date = header_text(headers, DATE_NAME).ok_or(VerifyError::MissingDate)?;
    let date =
        parse_date(sdk_date.trim()).ok_or_else(|| VerifyError::MalformedDate(sdk_date.clone()))?;
    let (skew_seconds, skew) = date::difference(date, now);
    if skew > MAX_CLOCK_SKEW {
        return Err(VerifyError::DateSkew {
            sdk_date,
            skew_seconds,
        });
    }

    for required in ["host", "x-sdk-date"] {
        if !parsed.signed_headers.iter().any(|n| n == required) {
            return Err(VerifyError::UnsignedRequiredHeader(required));
        }
    }
    for name in &parsed.signed_headers {
        let mut values = headers.get_all(name.as_str()).iter();
        if values.next().is_none() {
            return Err(VerifyError::MissingSignedHeader(name.clone()));
        }
        if values.next().is_some() {
            return Err(VerifyError::DuplicateSignedHeader(name.clone()));
        }
    }

    let content_sha256 = header_text(headers, CONTENT_SHA256_NAME);
    let payload_signed = match content_sha256.as_deref() {
        None => true,
        Some(_) if body.is_empty() => true,
        Some(UNSIGNED_PAYLOAD) => false,
        Some(claimed) => {
            if !claimed.eq_ignore_ascii_case(&sha256_hex(body)) {
                return Err(VerifyError::PayloadHashMismatch);
            }
            true
        }
    };

    let secret = secret_for(&parsed.access_key)
        .ok_or_else(|| VerifyError::UnknownAccessKey(parsed.access_key.clone()))?;
    // The string to sign carries the date as the header gave it, as the SDK's signer does.
    let signed_names: Vec<&str> = parsed.signed_headers.iter().map(String::as_str).collect();
    let canonical_request =
        CanonicalRequest::with_signed_names(method, uri, headers, signed_names, body);
    let (_, to_sign) = canonical_request.sign_parts(sdk_date.trim());
    let claimed = hex::decode(&parsed.signature).map_err(|_| VerifyError::SignatureMismatch)?;
    let key = SigningKey::new(&secret);
    hmac::verify(&key.0, to_sign.as_bytes(), &claimed)
        .map_err(|_| VerifyError::SignatureMismatch)?;
    Ok(Verified {
        access_key: parsed.access_key,
        payload_signed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The headers the transport signs for an AK/SK call.
    fn transport_headers() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("accept", HeaderValue::from_static("application/json"));
        headers.insert("user-agent", HeaderValue::from_static("clustercert/0.1.0"));
        headers.insert(
            "x-project-id",
            HeaderValue::from_static("0123456789abcdef0123456789abcdef"),
        );
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers
    }

    /// 2026-11-28 12:00:00 UTC.
    fn now() -> SystemTime {
        std::time::UNIX_EPOCH + Duration::from_secs(1_795_867_200)
    }

    #[test]
    fn canonical_request_of_odd_headers_paths_and_queries() {
        let mut headers = transport_headers();
        headers.append("x-multi", HeaderValue::from_static("  first "));
        headers.append("x-multi", HeaderValue::from_static("second"));
        headers.insert("x_underscored", HeaderValue::from_static("skipped"));
        headers.insert("X-Mixed-Case", HeaderValue::from_static("\tvalue\t"));
        headers.insert("x-binary", HeaderValue::from_bytes(b"a\xffb").unwrap());
        headers.insert("x-empty", HeaderValue::from_static(""));
        headers.insert("x-sdk-content-sha256", HeaderValue::from_static("abc"));
        let uri: Uri = "https://h/p%201/c%2Fd/~x/?b=2&a=x%20y&a=1&k"
            .parse()
            .unwrap();
        let method = Method::from_bytes(b"patch").unwrap();
        let canonical = CanonicalRequest::for_signing(&method, &uri, &headers, b"{}");
        assert_eq!(
            canonical.to_string(),
            "PATCH\n/p%201/c/d/~x/\na=1&a=x%20y&b=2&k=\n\
             accept:application/json\ncontent-type:application/json\n\
             user-agent:clustercert/0.1.0\nx-binary:a\u{fffd}b\nx-empty:\n\
             x-mixed-case:value\nx-multi:first\n\
             x-project-id:0123456789abcdef0123456789abcdef\nx-sdk-content-sha256:abc\n\n\
             accept;content-type;user-agent;x-binary;x-empty;x-mixed-case;x-multi;\
             x-project-id;x-sdk-content-sha256\nabc"
        );
        // The verifier's names, in the order the Authorization header lists them; a name
        // the request lacks contributes an empty value.
        let canonical = CanonicalRequest::with_signed_names(
            &Method::GET,
            &uri,
            &headers,
            vec!["x-missing", "accept"],
            b"",
        );
        assert_eq!(canonical.signed_headers(), "x-missing;accept");
        assert_eq!(canonical.payload_hash(), EMPTY_BODY_SHA256);
        assert!(canonical
            .to_string()
            .contains("\nx-missing:\naccept:application/json\n\nx-missing;accept\n"));
    }

    #[test]
    fn the_unreserved_bytes_are_those_the_encode_set_leaves_bare() {
        for byte in 0..=127u8 {
            let text = char::from(byte).to_string();
            let bare = utf8_percent_encode(&text, ENCODE_SET).to_string() == text;
            assert_eq!(is_unreserved(byte), bare, "{byte:#04x}");
        }
        for byte in 128..=255u8 {
            assert!(!is_unreserved(byte));
        }
    }

    #[test]
    fn encode_leaves_only_unreserved_bare() {
        assert_eq!(encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(
            encode(" !*'()/?#&=+"),
            "%20%21%2A%27%28%29%2F%3F%23%26%3D%2B"
        );
        assert_eq!(encode("é"), "%C3%A9");
    }

    #[test]
    fn canonical_uri_appends_slash_and_reencodes_segments() {
        assert_eq!(canonical_uri("/v3/p/c"), "/v3/p/c/");
        assert_eq!(canonical_uri("/v3/p/c/"), "/v3/p/c/");
        assert_eq!(canonical_uri("/"), "/");
        // Decoded first, so an already-encoded space and a literal one agree.
        assert_eq!(canonical_uri("/a%20b/c d"), "/a%20b/c%20d/");
        // An encoded slash is decoded and splits, as the SDK's unquote-then-split does.
        assert_eq!(canonical_uri("/a%2Fb"), "/a/b/");
        assert_eq!(canonical_uri("/x:y@z"), "/x%3Ay%40z/");
    }

    #[test]
    fn canonical_query_sorts_before_encoding_and_encodes_both_sides() {
        assert_eq!(canonical_query(Vec::<(String, String)>::new()), "");
        assert_eq!(
            canonical_query([("b", "2"), ("a", "x y"), ("a", "1"), ("c d", "*")]),
            "a=1&a=x%20y&b=2&c%20d=%2A"
        );
    }

    #[test]
    fn parse_query_decodes_and_keeps_plus() {
        assert_eq!(
            parse_query("a=x%20y&b&c=1+2&&d="),
            vec![
                ("a".to_owned(), "x y".to_owned()),
                ("b".to_owned(), String::new()),
                ("c".to_owned(), "1+2".to_owned()),
                ("d".to_owned(), String::new()),
            ]
        );
    }

    #[test]
    fn signed_header_names_skip_underscores_lowercase_and_sort() {
        assert_eq!(
            signed_header_names(["X-Sdk-Date", "HOST", "a_b", "Content-Type", "host"]),
            ["content-type", "host", "x-sdk-date"]
        );
    }

    #[test]
    fn canonical_headers_trim_values_and_end_each_line() {
        let names = vec!["a".to_owned(), "b".to_owned()];
        let text = canonical_headers(&names, |n| Some(format!("  {n} v \t")));
        assert_eq!(text, "a:a v\nb:b v\n");
    }

    #[test]
    fn payload_hash_of_body() {
        assert_eq!(
            payload_hash(b"abc", None),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_hex(b""), EMPTY_BODY_SHA256);
    }

    #[test]
    fn canonical_request_has_blank_line_after_headers() {
        let cr = canonical_request("post", "/a/", "", "host:h\n", "host", "e3");
        assert_eq!(cr, "POST\n/a/\n\nhost:h\n\nhost\ne3");
    }

    #[test]
    fn string_to_sign_and_signature() {
        let sts = string_to_sign("20261128T120000Z", "x");
        assert_eq!(
            sts,
            format!("SDK-HMAC-SHA256\n20261128T120000Z\n{}", sha256_hex(b"x"))
        );
        // RFC 4231 test case 2: key "Jefe".
        assert_eq!(
            signature("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(format_date(now()), "20261128T120000Z");
        assert_eq!(parse_date("20261128T120000Z"), Some(now()));
        assert_eq!(parse_date("20261328T120000Z"), None);
        // Rounded down to the second, also before 1970.
        assert_eq!(
            format_date(now() + Duration::from_millis(999)),
            "20261128T120000Z"
        );
        assert_eq!(
            format_date(std::time::UNIX_EPOCH - Duration::from_millis(1)),
            "19691231T235959Z"
        );
        // Years past 9999 the long way; a year before 1 (or past 9999) does not parse back.
        let far = std::time::UNIX_EPOCH + Duration::from_secs(253_402_300_800);
        assert_eq!(format_date(far), "100000101T000000Z");
        assert_eq!(
            parse_date("00000229T000000Z").map(format_date).as_deref(),
            Some("00000229T000000Z")
        );
        assert_eq!(parse_date("20260229T120000Z"), None);
        assert_eq!(parse_date("20261128T240000Z"), None);
    }

    #[test]
    fn authorization_round_trips() {
        let header = authorization("AK", "host;x-sdk-date", "00ff");
        let parsed = parse_authorization(&header).unwrap();
        assert_eq!(parsed.algorithm, ALGORITHM);
        assert_eq!(parsed.access_key, "AK");
        assert_eq!(parsed.signed_headers, ["host", "x-sdk-date"]);
        assert_eq!(parsed.signature, "00ff");
    }

    #[test]
    fn parse_authorization_rejects_malformed() {
        assert!(matches!(
            parse_authorization("SDK-HMAC-SM3 Access=a, SignedHeaders=h, Signature=s"),
            Err(VerifyError::UnsupportedAlgorithm(a)) if a == "SDK-HMAC-SM3"
        ));
        for bad in [
            "SDK-HMAC-SHA256",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=h",
            "SDK-HMAC-SHA256 Access=a, SignedHeaders=h, Signature=",
            "SDK-HMAC-SHA256 Access=a, Access=b, SignedHeaders=h, Signature=s",
            "SDK-HMAC-SHA256 Access=a, Foo=b, SignedHeaders=h, Signature=s",
            "SDK-HMAC-SHA256 garbage",
        ] {
            assert!(
                matches!(
                    parse_authorization(bad),
                    Err(VerifyError::MalformedAuthorization(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn host_of_drops_default_ports_only() {
        let h = |s: &str| host_of(&s.parse::<Uri>().unwrap());
        assert_eq!(h("https://cce.x.com/a").as_deref(), Some("cce.x.com"));
        assert_eq!(h("https://cce.x.com:443/a").as_deref(), Some("cce.x.com"));
        assert_eq!(
            h("http://127.0.0.1:8080/a").as_deref(),
            Some("127.0.0.1:8080")
        );
        assert_eq!(h("https://[::1]:8443/").as_deref(), Some("[::1]:8443"));
        assert_eq!(h("/relative"), None);
    }

    fn signed_request() -> (Uri, HeaderMap, Vec<u8>) {
        let uri: Uri =
            "http://127.0.0.1:9/api/v3/projects/p%201/clusters/c/clustercert?b=2&a=x%20y"
                .parse()
                .unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("application/json"));
        headers.insert("x-project-id", HeaderValue::from_static("p 1"));
        headers.insert("x_unsigned", HeaderValue::from_static("zzz"));
        let body = br#"{"duration":30}"#.to_vec();
        sign_headers(&Method::POST, &uri, &mut headers, &body, "AK", "SK", now()).unwrap();
        (uri, headers, body)
    }

    fn sk(ak: &str) -> Option<String> {
        (ak == "AK").then(|| "SK".to_owned())
    }

    #[test]
    fn sign_then_verify() {
        let (uri, headers, body) = signed_request();
        assert_eq!(headers["host"], "127.0.0.1:9");
        assert_eq!(headers["x-sdk-date"], "20261128T120000Z");
        let auth = parse_authorization(headers["authorization"].to_str().unwrap()).unwrap();
        assert_eq!(
            auth.signed_headers,
            ["content-type", "host", "x-project-id", "x-sdk-date"]
        );
        let ok = verify(&Method::POST, &uri, &headers, &body, sk, now()).unwrap();
        assert_eq!(ok.access_key, "AK");
        assert!(ok.payload_signed);
        // An unsigned header may change freely.
        let mut h = headers.clone();
        h.insert("x_unsigned", HeaderValue::from_static("changed"));
        h.insert("user-agent", HeaderValue::from_static("added later"));
        assert!(verify(&Method::POST, &uri, &h, &body, sk, now()).is_ok());
    }

    #[test]
    fn verify_rejects_every_tampering() {
        let (uri, headers, body) = signed_request();
        let v = |m: &Method, u: &Uri, h: &HeaderMap, b: &[u8]| verify(m, u, h, b, sk, now());
        assert_eq!(
            v(&Method::PUT, &uri, &headers, &body),
            Err(VerifyError::SignatureMismatch)
        );
        assert_eq!(
            v(&Method::POST, &uri, &headers, br#"{"duration":31}"#),
            Err(VerifyError::SignatureMismatch)
        );
        let other: Uri =
            "http://127.0.0.1:9/api/v3/projects/p%201/clusters/d/clustercert?b=2&a=x%20y"
                .parse()
                .unwrap();
        assert_eq!(
            v(&Method::POST, &other, &headers, &body),
            Err(VerifyError::SignatureMismatch)
        );
        let mut h = headers.clone();
        h.insert("x-project-id", HeaderValue::from_static("p2"));
        assert_eq!(
            v(&Method::POST, &uri, &h, &body),
            Err(VerifyError::SignatureMismatch)
        );
        let mut h = headers.clone();
        h.remove("x-project-id");
        assert_eq!(
            v(&Method::POST, &uri, &h, &body),
            Err(VerifyError::MissingSignedHeader("x-project-id".into()))
        );
        let mut h = headers.clone();
        h.append("x-project-id", HeaderValue::from_static("p2"));
        assert_eq!(
            v(&Method::POST, &uri, &h, &body),
            Err(VerifyError::DuplicateSignedHeader("x-project-id".into()))
        );
        let mut h = headers.clone();
        h.remove("authorization");
        assert_eq!(
            v(&Method::POST, &uri, &h, &body),
            Err(VerifyError::MissingAuthorization)
        );
        assert_eq!(
            verify(&Method::POST, &uri, &headers, &body, |_| None, now()),
            Err(VerifyError::UnknownAccessKey("AK".into()))
        );
        assert_eq!(
            verify(
                &Method::POST,
                &uri,
                &headers,
                &body,
                |_| Some("other".into()),
                now()
            ),
            Err(VerifyError::SignatureMismatch)
        );
    }

    #[test]
    fn verify_checks_the_date() {
        let (uri, headers, body) = signed_request();
        let late = now() + Duration::from_secs(16 * 60);
        assert!(matches!(
            verify(&Method::POST, &uri, &headers, &body, sk, late),
            Err(VerifyError::DateSkew {
                skew_seconds: -960,
                ..
            })
        ));
        let within = now() - Duration::from_secs(14 * 60);
        assert!(verify(&Method::POST, &uri, &headers, &body, sk, within).is_ok());
        let mut h = headers.clone();
        h.insert("x-sdk-date", HeaderValue::from_static("2026-11-28"));
        assert!(matches!(
            verify(&Method::POST, &uri, &h, &body, sk, now()),
            Err(VerifyError::MalformedDate(_))
        ));
        h.remove("x-sdk-date");
        assert_eq!(
            verify(&Method::POST, &uri, &h, &body, sk, now()),
            Err(VerifyError::MissingDate)
        );
    }

    #[test]
    fn verify_requires_host_signed() {
        // A correct signature over x-sdk-date alone: valid as far as the algorithm goes, but
        // it would let the request be replayed against another host.
        let uri: Uri = "http://h/x".parse().unwrap();
        let names = vec!["x-sdk-date".to_owned()];
        let canonical = canonical_request(
            "GET",
            &canonical_uri(uri.path()),
            "",
            &canonical_headers(&names, |_| Some("20261128T120000Z".to_owned())),
            "x-sdk-date",
            EMPTY_BODY_SHA256,
        );
        let sig = signature("SK", &string_to_sign("20261128T120000Z", &canonical));
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("h"));
        headers.insert("x-sdk-date", HeaderValue::from_static("20261128T120000Z"));
        headers.insert(
            "authorization",
            HeaderValue::from_str(&authorization("AK", "x-sdk-date", &sig)).unwrap(),
        );
        assert_eq!(
            verify(&Method::GET, &uri, &headers, b"", sk, now()),
            Err(VerifyError::UnsignedRequiredHeader("host"))
        );
    }

    #[test]
    fn unsigned_payload_is_honoured_and_a_wrong_claimed_hash_refused() {
        let uri: Uri = "http://h/x".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-sdk-content-sha256",
            HeaderValue::from_static(UNSIGNED_PAYLOAD),
        );
        let signed =
            sign_headers(&Method::PUT, &uri, &mut headers, b"data", "AK", "SK", now()).unwrap();
        assert!(signed.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
        let ok = verify(&Method::PUT, &uri, &headers, b"other data", sk, now()).unwrap();
        assert!(!ok.payload_signed);

        let mut headers = HeaderMap::new();
        headers.insert("x-sdk-content-sha256", HeaderValue::from_static("abcd"));
        sign_headers(&Method::PUT, &uri, &mut headers, b"data", "AK", "SK", now()).unwrap();
        assert_eq!(
            verify(&Method::PUT, &uri, &headers, b"data", sk, now()),
            Err(VerifyError::PayloadHashMismatch)
        );
    }

    #[test]
    fn non_json_content_type_gets_unsigned_payload() {
        let uri: Uri = "http://h/x".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-type", HeaderValue::from_static("text/plain"));
        let signed =
            sign_headers(&Method::PUT, &uri, &mut headers, b"data", "AK", "SK", now()).unwrap();
        assert_eq!(headers["x-sdk-content-sha256"], UNSIGNED_PAYLOAD);
        assert!(signed.signed_headers.contains("x-sdk-content-sha256"));
        let mut headers = HeaderMap::new();
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/json;charset=UTF-8"),
        );
        sign_headers(&Method::PUT, &uri, &mut headers, b"{}", "AK", "SK", now()).unwrap();
        assert!(!headers.contains_key("x-sdk-content-sha256"));
    }

    #[test]
    fn existing_date_is_kept() {
        let uri: Uri = "https://h/x".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-sdk-date", HeaderValue::from_static("20200101T000000Z"));
        let signed =
            sign_headers(&Method::GET, &uri, &mut headers, b"", "AK", "SK", now()).unwrap();
        assert!(signed.string_to_sign.contains("\n20200101T000000Z\n"));
        assert!(signed.canonical_request.ends_with(EMPTY_BODY_SHA256));
    }
}
