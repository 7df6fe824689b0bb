//! Judging a client certificate and key as kubectl does.
//!
//! kubectl (client-go) hands `client-certificate-data` and `client-key-data` to Go's
//! `tls.X509KeyPair`, which reads them with `encoding/pem`. [`check_client_pair`] applies the
//! same rules, so that a pair it accepts is one kubectl can use:
//!
//! - **PEM as Go reads it.** A block starts at a line `-----BEGIN <label>-----` and ends at a
//!   complete line `-----END <label>-----` with the same label (only whitespace may follow on
//!   that line); its body is standard base64 with padding (spaces, tabs and line breaks are
//!   ignored). A block that breaks a rule is skipped, as Go skips it; text outside blocks is
//!   ignored, as Go ignores it. When no usable block is left, the error names the first
//!   broken rule (`pem.end-line`, `pem.label-mismatch`, `pem.base64`, …).
//! - **The certificate** is the first `CERTIFICATE` block; it must parse as X.509 and hold an
//!   RSA, ECDSA (P-224, P-256, P-384, P-521) or Ed25519 public key.
//! - **The key** is the first block labelled `PRIVATE KEY` or `… PRIVATE KEY`. Whatever the
//!   label, its body is tried, in Go's order, as PKCS#1 RSA, PKCS#8 (RSA, ECDSA or Ed25519)
//!   and SEC1 EC. Encrypted keys and other algorithms are `key.unsupported`.
//! - **The pair**: the key's type is the certificate's, and its public key is the
//!   certificate's (RSA: the modulus; ECDSA: the point, derived from the private scalar as Go
//!   derives it, not read from the key file; Ed25519: the key derived from the seed).
//!
//! Beyond `tls.X509KeyPair`'s own comparison, an RSA key must be consistent as Go's
//! `ParsePKCS1PrivateKey` requires (`p·q = n`, `d·e ≡ 1 mod (p−1)` and `mod (q−1)`, for
//! two-prime keys); other checks of Go's RSA validation are not repeated.
//!
//! Every defect is one [`PairError`] variant with a stable [`id`](PairError::id). Messages
//! never contain key material.
//!
//! ```
//! use clustercert_kubeconfig::pair::{check_client_pair_data, PairError};
//!
//! let err = check_client_pair_data("LS0tLS1CRUdJTiBDR******QVRFLS0tLS0K", "").unwrap_err();
//! assert_eq!(err.id(), "masked");
//! ```

use std::fmt;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use num_bigint::BigUint;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

/// The placeholder the API documentation shows in place of certificate data.
pub const MASK: &str = "******";

/// Which half of the pair a defect is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    /// The client certificate (`client-certificate-data`).
    Certificate,
    /// The client key (`client-key-data`).
    Key,
}

impl Part {
    /// `client certificate` or `client key`.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Certificate => "client certificate",
            Part::Key => "client key",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why kubectl could not use a client certificate and key. Each variant has a stable
/// [`id`](PairError::id); the message is one line without key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PairError {
    /// `empty`: the value is empty (or only whitespace).
    #[error("the {part} is empty")]
    Empty {
        /// Which half.
        part: Part,
    },
    /// `masked`: the value holds the documentation's `******` placeholder.
    #[error("the {part} is the documentation's masked placeholder `******`, not a PEM block")]
    Masked {
        /// Which half.
        part: Part,
    },
    /// `data.base64`: a `*-data` field is not standard base64 with padding.
    #[error("the {part} data is not base64: {reason}")]
    DataBase64 {
        /// Which half.
        part: Part,
        /// What is wrong (position and kind, never the text).
        reason: String,
    },
    /// `pem.none`: no `-----BEGIN …-----` line at all.
    #[error("the {part} holds no PEM block (no -----BEGIN line)")]
    PemNone {
        /// Which half.
        part: Part,
    },
    /// `pem.begin-line`: a BEGIN line that does not end in `-----`.
    #[error("the {part}'s PEM BEGIN line does not end with -----")]
    PemBeginLine {
        /// Which half.
        part: Part,
    },
    /// `pem.end-line`: a block without a complete `-----END <label>-----` line.
    #[error("the {part}'s PEM block `{label}` has no complete -----END {label}----- line")]
    PemEndLine {
        /// Which half.
        part: Part,
        /// The BEGIN label.
        label: String,
    },
    /// `pem.label-mismatch`: the END label is not the BEGIN label.
    #[error("the {part}'s PEM block begins `{begin}` but ends `{end}`")]
    PemLabelMismatch {
        /// Which half.
        part: Part,
        /// The BEGIN label.
        begin: String,
        /// The END label.
        end: String,
    },
    /// `pem.base64`: the body of a PEM block is not valid base64.
    #[error("the {part}'s PEM block `{label}` has a body that is not valid base64")]
    PemBase64 {
        /// Which half.
        part: Part,
        /// The block's label.
        label: String,
    },
    /// `pem.no-certificate`: PEM blocks, but none labelled `CERTIFICATE`.
    #[error("the client certificate holds no CERTIFICATE block, only {}{}", list(found),
            if found.len() == 1 && found[0].ends_with("PRIVATE KEY") { " (certificate and key swapped?)" } else { "" })]
    PemNoCertificate {
        /// The labels that were found.
        found: Vec<String>,
    },
    /// `pem.no-key`: PEM blocks, but none labelled `PRIVATE KEY` or `… PRIVATE KEY`.
    #[error("the client key holds no PRIVATE KEY block, only {}", list(found))]
    PemNoKey {
        /// The labels that were found.
        found: Vec<String>,
    },
    /// `x509`: the first certificate does not parse as X.509.
    #[error("the client certificate does not parse as X.509: {reason}")]
    X509 {
        /// The parser's reason.
        reason: String,
    },
    /// `x509.public-key`: the certificate's public key is of a kind kubectl does not support.
    #[error("the client certificate's public key is {algorithm}; kubectl supports RSA, ECDSA (P-224, P-256, P-384, P-521) and Ed25519")]
    UnsupportedPublicKey {
        /// The algorithm, in words or as an OID.
        algorithm: String,
    },
    /// `key.unsupported`: the key is not PKCS#1 RSA, PKCS#8 (RSA, ECDSA, Ed25519) or SEC1 EC,
    /// is encrypted, or does not parse.
    #[error("the client key {reason}; kubectl reads PKCS#1 RSA, PKCS#8 (RSA, ECDSA, Ed25519) and SEC1 EC keys")]
    UnsupportedKey {
        /// What was found instead.
        reason: String,
    },
    /// `key.type-mismatch`: the key is of another type than the certificate's public key.
    #[error("the client key is {key}, the client certificate's public key is {certificate}")]
    KeyTypeMismatch {
        /// The key's type.
        key: &'static str,
        /// The certificate's key type.
        certificate: &'static str,
    },
    /// `key.mismatch`: the key does not belong to the certificate.
    #[error("the client key does not belong to the client certificate (their public keys differ)")]
    KeyMismatch,
}

impl PairError {
    /// The stable id of the defect, for named checks: `empty`, `masked`, `data.base64`,
    /// `pem.none`, `pem.begin-line`, `pem.end-line`, `pem.label-mismatch`, `pem.base64`,
    /// `pem.no-certificate`, `pem.no-key`, `x509`, `x509.public-key`, `key.unsupported`,
    /// `key.type-mismatch`, `key.mismatch`.
    pub fn id(&self) -> &'static str {
        match self {
            PairError::Empty { .. } => "empty",
            PairError::Masked { .. } => "masked",
            PairError::DataBase64 { .. } => "data.base64",
            PairError::PemNone { .. } => "pem.none",
            PairError::PemBeginLine { .. } => "pem.begin-line",
            PairError::PemEndLine { .. } => "pem.end-line",
            PairError::PemLabelMismatch { .. } => "pem.label-mismatch",
            PairError::PemBase64 { .. } => "pem.base64",
            PairError::PemNoCertificate { .. } => "pem.no-certificate",
            PairError::PemNoKey { .. } => "pem.no-key",
            PairError::X509 { .. } => "x509",
            PairError::UnsupportedPublicKey { .. } => "x509.public-key",
            PairError::UnsupportedKey { .. } => "key.unsupported",
            PairError::KeyTypeMismatch { .. } => "key.type-mismatch",
            PairError::KeyMismatch => "key.mismatch",
        }
    }

    /// Every id [`id`](PairError::id) can return, in that order.
    pub const IDS: [&'static str; 15] = [
        "empty",
        "masked",
        "data.base64",
        "pem.none",
        "pem.begin-line",
        "pem.end-line",
        "pem.label-mismatch",
        "pem.base64",
        "pem.no-certificate",
        "pem.no-key",
        "x509",
        "x509.public-key",
        "key.unsupported",
        "key.type-mismatch",
        "key.mismatch",
    ];

    /// The half the defect is in: the key for key defects and mismatches, else the
    /// certificate.
    pub fn part(&self) -> Part {
        match self {
            PairError::Empty { part }
            | PairError::Masked { part }
            | PairError::DataBase64 { part, .. }
            | PairError::PemNone { part }
            | PairError::PemBeginLine { part }
            | PairError::PemEndLine { part, .. }
            | PairError::PemLabelMismatch { part, .. }
            | PairError::PemBase64 { part, .. } => *part,
            PairError::PemNoCertificate { .. }
            | PairError::X509 { .. }
            | PairError::UnsupportedPublicKey { .. } => Part::Certificate,
            PairError::PemNoKey { .. }
            | PairError::UnsupportedKey { .. }
            | PairError::KeyTypeMismatch { .. }
            | PairError::KeyMismatch => Part::Key,
        }
    }
}

fn list(labels: &[String]) -> String {
    labels
        .iter()
        .map(|l| format!("`{l}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Checks a client certificate and key (PEM text) as `tls.X509KeyPair` does; see the
/// [module docs](self).
pub fn check_client_pair(cert_pem: &[u8], key_pem: &[u8]) -> Result<(), PairError> {
    for (part, text) in [(Part::Certificate, cert_pem), (Part::Key, key_pem)] {
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err(PairError::Empty { part });
        }
        if contains(text, MASK.as_bytes()) {
            return Err(PairError::Masked { part });
        }
    }

    // The certificate: every CERTIFICATE block; other blocks are skipped.
    let mut certificates = Vec::new();
    let mut skipped = Vec::new();
    let mut blocks = Blocks::new(cert_pem);
    for block in blocks.by_ref() {
        if block.label == b"CERTIFICATE" {
            certificates.push(block.der);
        } else {
            skipped.push(String::from_utf8_lossy(block.label).into_owned());
        }
    }
    let Some(leaf) = certificates.into_iter().next() else {
        return Err(match blocks.first_defect {
            Some(defect) if skipped.is_empty() => defect.into_error(Part::Certificate),
            _ if skipped.is_empty() => PairError::PemNone {
                part: Part::Certificate,
            },
            _ => PairError::PemNoCertificate { found: skipped },
        });
    };

    // The key: the first block labelled PRIVATE KEY or `… PRIVATE KEY`.
    let mut skipped = Vec::new();
    let mut blocks = Blocks::new(key_pem);
    let key = loop {
        match blocks.next() {
            Some(block) if is_key_label(block.label) => break block,
            Some(block) => skipped.push(String::from_utf8_lossy(block.label).into_owned()),
            None => {
                return Err(match blocks.first_defect {
                    Some(defect) if skipped.is_empty() => defect.into_error(Part::Key),
                    _ if skipped.is_empty() => PairError::PemNone { part: Part::Key },
                    _ => PairError::PemNoKey { found: skipped },
                })
            }
        }
    };

    let cert = match X509Certificate::from_der(&leaf) {
        Ok((_, cert)) => cert,
        Err(e) => {
            return Err(PairError::X509 {
                reason: e.to_string(),
            })
        }
    };
    let public = certificate_key(&cert)?;
    let private = parse_private_key(&key.der, key.label)?;
    compare(&public, &private)
}

/// [`check_client_pair`] on the base64 values of `client-certificate-data` and
/// `client-key-data`, decoded as client-go decodes them (standard base64 with padding;
/// line breaks ignored).
pub fn check_client_pair_data(cert_data: &str, key_data: &str) -> Result<(), PairError> {
    let cert = decode_data(cert_data, Part::Certificate)?;
    let key = decode_data(key_data, Part::Key)?;
    check_client_pair(&cert, &key)
}

fn decode_data(data: &str, part: Part) -> Result<Vec<u8>, PairError> {
    if data.trim().is_empty() {
        return Err(PairError::Empty { part });
    }
    if data.contains(MASK) {
        return Err(PairError::Masked { part });
    }
    // Go's encoding/json decodes []byte with base64.StdEncoding, which skips \r and \n.
    let cleaned: Vec<u8> = data
        .bytes()
        .filter(|b| !matches!(b, b'\r' | b'\n'))
        .collect();
    GO_STD_BASE64
        .decode(&cleaned)
        .map_err(|e| PairError::DataBase64 {
            part,
            reason: describe_base64_error(&e),
        })
}

/// Go's `base64.StdEncoding`: padding required, non-zero trailing bits accepted.
const GO_STD_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// The error without the offending byte (it may be a byte of a key).
fn describe_base64_error(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(at, _) => format!("invalid character at offset {at}"),
        base64::DecodeError::InvalidLength(len) => format!("invalid length {len}"),
        base64::DecodeError::InvalidLastSymbol(at, _) => {
            format!("invalid last symbol at offset {at}")
        }
        base64::DecodeError::InvalidPadding => "missing or invalid padding".to_owned(),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn is_key_label(label: &[u8]) -> bool {
    label == b"PRIVATE KEY" || label.ends_with(b" PRIVATE KEY")
}

// ---------------------------------------------------------------------------------------
// PEM, as Go's encoding/pem.Decode reads it.

const BEGIN: &[u8] = b"\n-----BEGIN ";
const END: &[u8] = b"\n-----END ";
const DASHES: &[u8] = b"-----";

struct Block<'a> {
    label: &'a [u8],
    der: Vec<u8>,
}

/// Why a block was skipped.
enum Defect {
    BeginLine,
    EndLine(String),
    LabelMismatch(String, String),
    Base64(String),
}

impl Defect {
    fn into_error(self, part: Part) -> PairError {
        match self {
            Defect::BeginLine => PairError::PemBeginLine { part },
            Defect::EndLine(label) => PairError::PemEndLine { part, label },
            Defect::LabelMismatch(begin, end) => PairError::PemLabelMismatch { part, begin, end },
            Defect::Base64(label) => PairError::PemBase64 { part, label },
        }
    }
}

/// The PEM blocks of a text, in order, skipping broken ones as Go does; the first broken
/// one is kept to explain an empty result. Linear in the text: the next END marker is found
/// once and reused while it lies ahead.
struct Blocks<'a> {
    data: &'a [u8],
    at: usize,
    next_end: Option<Option<usize>>,
    first_defect: Option<Defect>,
}

impl<'a> Blocks<'a> {
    fn new(data: &'a [u8]) -> Self {
        Blocks {
            data,
            at: 0,
            next_end: None,
            first_defect: None,
        }
    }

    fn defect(&mut self, defect: Defect) {
        if self.first_defect.is_none() {
            self.first_defect = Some(defect);
        }
    }

    /// The index of the first `\nEND` at or after `from`.
    fn find_end(&mut self, from: usize) -> Option<usize> {
        if let Some(cached) = self.next_end {
            match cached {
                Some(index) if index >= from => return Some(index),
                None => return None,
                _ => {}
            }
        }
        let found = find(&self.data[from..], END).map(|i| i + from);
        self.next_end = Some(found);
        found
    }
}

/// A line from `at`: its end (without trailing spaces, tabs and `\r`) and where the next one
/// starts.
fn line(data: &[u8], at: usize) -> (usize, usize) {
    let (end, next) = match find(&data[at..], b"\n") {
        Some(i) => (at + i, at + i + 1),
        None => (data.len(), data.len()),
    };
    let mut trimmed = end;
    while trimmed > at && matches!(data[trimmed - 1], b' ' | b'\t' | b'\r') {
        trimmed -= 1;
    }
    (trimmed, next)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

impl<'a> Iterator for Blocks<'a> {
    type Item = Block<'a>;

    fn next(&mut self) -> Option<Block<'a>> {
        let data = self.data;
        loop {
            // The BEGIN marker: at the very start, or after a line break.
            let rest = &data[self.at..];
            let after_begin = if self.at == 0 && rest.starts_with(&BEGIN[1..]) {
                BEGIN.len() - 1
            } else {
                find(rest, BEGIN)? + BEGIN.len()
            };
            let type_start = self.at + after_begin;
            let (type_end, mut at) = line(data, type_start);
            self.at = at;
            let type_line = &data[type_start..type_end];
            let Some(label) = type_line.strip_suffix(DASHES) else {
                self.defect(Defect::BeginLine);
                continue;
            };
            let label_text = || String::from_utf8_lossy(label).into_owned();

            // Headers: `key: value` lines.
            let mut headers = false;
            loop {
                if at >= data.len() {
                    self.defect(Defect::EndLine(label_text()));
                    return None;
                }
                let (end, next) = line(data, at);
                if !data[at..end].contains(&b':') {
                    break;
                }
                headers = true;
                at = next;
            }

            // The END line.
            let (end_index, trailer) = if !headers && data[at..].starts_with(&END[1..]) {
                (at, at + END.len() - 1)
            } else {
                match self.find_end(at) {
                    Some(index) => (index, index + END.len()),
                    None => {
                        self.defect(Defect::EndLine(label_text()));
                        continue;
                    }
                }
            };
            let wanted = label.len() + DASHES.len();
            let end_ok = data.len() - trailer >= wanted && {
                let trail = &data[trailer..trailer + wanted];
                trail.starts_with(label)
                    && trail.ends_with(DASHES)
                    && line(data, trailer + wanted).0 == trailer + wanted
            };
            if !end_ok {
                let (line_end, _) = line(data, trailer);
                let end_line = &data[trailer..line_end];
                let defect = match end_line.strip_suffix(DASHES) {
                    Some(end_label) if end_label != label && !end_label.is_empty() => {
                        Defect::LabelMismatch(
                            label_text(),
                            String::from_utf8_lossy(end_label).into_owned(),
                        )
                    }
                    _ => Defect::EndLine(label_text()),
                };
                self.defect(defect);
                continue;
            }

            // Stop at the first byte base64 cannot hold: a body never spans another block's
            // BEGIN line, so the work stays linear however many blocks share one END.
            let mut body = Vec::new();
            let mut valid = true;
            for &b in &data[at..end_index] {
                match b {
                    b' ' | b'\t' | b'\r' | b'\n' => {}
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' => body.push(b),
                    _ => {
                        valid = false;
                        break;
                    }
                }
            }
            let decoded = if valid {
                GO_STD_BASE64.decode(&body).ok()
            } else {
                None
            };
            let Some(der) = decoded else {
                self.defect(Defect::Base64(label_text()));
                continue;
            };
            self.at = line(data, end_index + END.len() - 1).1;
            return Some(Block { label, der });
        }
    }
}

// ---------------------------------------------------------------------------------------
// Keys.

/// A public key, as compared by `tls.X509KeyPair`.
enum Public {
    Rsa { modulus: Vec<u8> },
    Ec { curve: Curve, point: Vec<u8> },
    Ed25519(Vec<u8>),
}

impl Public {
    fn kind(&self) -> &'static str {
        match self {
            Public::Rsa { .. } => "RSA",
            Public::Ec { .. } => "ECDSA",
            Public::Ed25519(_) => "Ed25519",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Curve {
    P224,
    P256,
    P384,
    P521,
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_EC: &str = "1.2.840.10045.2.1";
const OID_ED25519: &str = "1.3.101.112";
const OID_X25519: &str = "1.3.101.110";

impl Curve {
    fn from_oid(oid: &str) -> Option<Curve> {
        match oid {
            "1.3.132.0.33" => Some(Curve::P224),
            "1.2.840.10045.3.1.7" => Some(Curve::P256),
            "1.3.132.0.34" => Some(Curve::P384),
            "1.3.132.0.35" => Some(Curve::P521),
            _ => None,
        }
    }

    /// The uncompressed point of the private scalar `d` (leading zero bytes allowed, as Go
    /// allows them); `None` when `d` is not a valid scalar of the curve.
    fn public_point(self, d: &[u8]) -> Option<Vec<u8>> {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        let start = d.iter().position(|&b| b != 0).unwrap_or(d.len());
        let d = &d[start..];
        fn padded<const N: usize>(d: &[u8]) -> Option<[u8; N]> {
            let mut out = [0u8; N];
            out.get_mut(N.checked_sub(d.len())?..)?.copy_from_slice(d);
            Some(out)
        }
        let point = match self {
            Curve::P224 => {
                p224::SecretKey::from_bytes(p224::FieldBytes::from_slice(&padded::<28>(d)?))
                    .ok()?
                    .public_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec()
            }
            Curve::P256 => {
                p256::SecretKey::from_bytes(p256::FieldBytes::from_slice(&padded::<32>(d)?))
                    .ok()?
                    .public_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec()
            }
            Curve::P384 => {
                p384::SecretKey::from_bytes(p384::FieldBytes::from_slice(&padded::<48>(d)?))
                    .ok()?
                    .public_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec()
            }
            Curve::P521 => {
                p521::SecretKey::from_bytes(p521::FieldBytes::from_slice(&padded::<66>(d)?))
                    .ok()?
                    .public_key()
                    .to_encoded_point(false)
                    .as_bytes()
                    .to_vec()
            }
        };
        Some(point)
    }
}

/// The certificate's public key, as Go's x509 parses it.
fn certificate_key(cert: &X509Certificate<'_>) -> Result<Public, PairError> {
    let spki = cert.public_key();
    let oid = spki.algorithm.algorithm.to_id_string();
    match oid.as_str() {
        OID_RSA => match spki.parsed() {
            Ok(PublicKey::RSA(rsa)) => Ok(Public::Rsa {
                modulus: strip_zeros(rsa.modulus).to_vec(),
            }),
            _ => Err(PairError::X509 {
                reason: "its RSA public key does not parse".to_owned(),
            }),
        },
        OID_EC => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok())
                .map(|oid| oid.to_id_string());
            let Some(curve) = curve.as_deref().and_then(Curve::from_oid) else {
                return Err(PairError::UnsupportedPublicKey {
                    algorithm: format!(
                        "ECDSA on curve {}",
                        curve.unwrap_or_else(|| "(none named)".to_owned())
                    ),
                });
            };
            let point = spki.subject_public_key.data.to_vec();
            // Go unmarshals only uncompressed points.
            if point.first() != Some(&4) {
                return Err(PairError::X509 {
                    reason: "its ECDSA public key is not an uncompressed point".to_owned(),
                });
            }
            Ok(Public::Ec { curve, point })
        }
        OID_ED25519 => Ok(Public::Ed25519(spki.subject_public_key.data.to_vec())),
        other => Err(PairError::UnsupportedPublicKey {
            algorithm: format!("of algorithm {other}"),
        }),
    }
}

fn unsupported(reason: impl Into<String>) -> PairError {
    PairError::UnsupportedKey {
        reason: reason.into(),
    }
}

/// The key's public half, trying PKCS#1, PKCS#8 and SEC1 in Go's order.
fn parse_private_key(der: &[u8], label: &[u8]) -> Result<Public, PairError> {
    use pkcs8::der::Decode as _;

    if let Ok(rsa) = pkcs1::RsaPrivateKey::from_der(der) {
        if let Some(public) = rsa_public(&rsa) {
            return Ok(public);
        }
    }
    if let Ok(info) = pkcs8::PrivateKeyInfo::from_der(der) {
        let oid = info.algorithm.oid.to_string();
        let parsed = match oid.as_str() {
            OID_RSA => pkcs1::RsaPrivateKey::from_der(info.private_key)
                .ok()
                .and_then(|rsa| rsa_public(&rsa)),
            OID_EC => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .ok()
                    .map(|oid| oid.to_string());
                sec1::EcPrivateKey::from_der(info.private_key)
                    .ok()
                    .and_then(|ec| ec_public(&ec, curve.as_deref()))
            }
            OID_ED25519 => ed25519_public(info.private_key),
            OID_X25519 => {
                return Err(unsupported(
                    "is an X25519 key in PKCS#8 (a key-agreement key, not a signing key)",
                ))
            }
            _ => None,
        };
        if let Some(public) = parsed {
            return Ok(public);
        }
    }
    if let Ok(ec) = sec1::EcPrivateKey::from_der(der) {
        if let Some(public) = ec_public(&ec, None) {
            return Ok(public);
        }
    }
    let label = String::from_utf8_lossy(label);
    Err(unsupported(if label.contains("ENCRYPTED") {
        format!("is encrypted (`{label}`)")
    } else {
        format!("(`{label}`) does not parse as a supported key")
    }))
}

/// Go's `ParsePKCS1PrivateKey` checks, for a two-prime key.
fn rsa_public(key: &pkcs1::RsaPrivateKey<'_>) -> Option<Public> {
    if key.version() != pkcs1::Version::TwoPrime {
        return None;
    }
    let int = |u: pkcs1::UintRef<'_>| BigUint::from_bytes_be(u.as_bytes());
    let n = int(key.modulus);
    let e = int(key.public_exponent);
    let d = int(key.private_exponent);
    let p = int(key.prime1);
    let q = int(key.prime2);
    let one = BigUint::from(1u8);
    if p <= one || q <= one || &p * &q != n {
        return None;
    }
    let de = &d * &e;
    if &de % (&p - &one) != one || &de % (&q - &one) != one {
        return None;
    }
    Some(Public::Rsa {
        modulus: strip_zeros(key.modulus.as_bytes()).to_vec(),
    })
}

/// The public point of a SEC1 key; the curve is the PKCS#8 one when given, else the key's.
fn ec_public(key: &sec1::EcPrivateKey<'_>, outer_curve: Option<&str>) -> Option<Public> {
    let inner = key
        .parameters
        .and_then(|p| p.named_curve())
        .map(|oid| oid.to_string());
    let curve = Curve::from_oid(outer_curve.or(inner.as_deref())?)?;
    let point = curve.public_point(key.private_key)?;
    Some(Public::Ec { curve, point })
}

/// PKCS#8 Ed25519: an OCTET STRING holding the 32-byte seed.
fn ed25519_public(private_key: &[u8]) -> Option<Public> {
    use pkcs8::der::Decode as _;
    let seed = pkcs8::der::asn1::OctetStringRef::from_der(private_key).ok()?;
    if seed.as_bytes().len() != 32 {
        return None;
    }
    let pair = ring::signature::Ed25519KeyPair::from_seed_unchecked(seed.as_bytes()).ok()?;
    use ring::signature::KeyPair as _;
    Some(Public::Ed25519(pair.public_key().as_ref().to_vec()))
}

fn compare(certificate: &Public, key: &Public) -> Result<(), PairError> {
    let same = match (certificate, key) {
        (Public::Rsa { modulus: a }, Public::Rsa { modulus: b }) => a == b,
        (
            Public::Ec {
                curve: ca,
                point: a,
            },
            Public::Ec {
                curve: cb,
                point: b,
            },
        ) => ca == cb && a == b,
        (Public::Ed25519(a), Public::Ed25519(b)) => a == b,
        _ => {
            return Err(PairError::KeyTypeMismatch {
                key: key.kind(),
                certificate: certificate.kind(),
            })
        }
    };
    if same {
        Ok(())
    } else {
        Err(PairError::KeyMismatch)
    }
}

fn strip_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}
