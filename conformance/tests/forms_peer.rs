//! The runtime's `multipart/form-data` writer read back by a parser it shares no code with
//! (`multer`, the one axum's `Multipart` extractor uses): every part arrives with the name,
//! file name, media type and bytes it was written with, also when a part holds the first
//! boundary the writer tries, when bytes are binary or empty, and when a name needs encoding.

use clustercert::runtime::forms::MultipartForm;

/// One part as the parser saw it.
#[derive(Debug, PartialEq)]
struct Part {
    name: Option<String>,
    file_name: Option<String>,
    content_type: Option<String>,
    data: Vec<u8>,
}

fn part(name: &str, file: bool, content_type: Option<&str>, data: &[u8]) -> Part {
    Part {
        name: Some(name.to_owned()),
        file_name: file.then(|| name.to_owned()),
        content_type: content_type.map(str::to_owned),
        data: data.to_vec(),
    }
}

/// Parses a body the way a server would: the boundary from the `Content-Type`, then the
/// parts, the body arriving in chunks of `chunk` bytes (a part can straddle chunks).
async fn parse(content_type: &str, body: Vec<u8>, chunk: usize) -> Vec<Part> {
    let boundary = multer::parse_boundary(content_type)
        .unwrap_or_else(|e| panic!("{content_type:?} has no boundary multer reads: {e}"));
    let chunks: Vec<Result<bytes::Bytes, std::convert::Infallible>> = body
        .chunks(chunk.max(1))
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect();
    let mut multipart = multer::Multipart::new(futures_util::stream::iter(chunks), boundary);
    let mut parts = Vec::new();
    while let Some(field) = multipart
        .next_field()
        .await
        .unwrap_or_else(|e| panic!("multer refused the body: {e}"))
    {
        let name = field.name().map(str::to_owned);
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(ToString::to_string);
        let data = field
            .bytes()
            .await
            .unwrap_or_else(|e| panic!("multer refused a part: {e}"))
            .to_vec();
        parts.push(Part {
            name,
            file_name,
            content_type,
            data,
        });
    }
    parts
}

#[tokio::test]
async fn every_kind_of_part_arrives_as_written() {
    let mut form = MultipartForm::new();
    form.value("title", "Rex").unwrap();
    form.value("count", &3).unwrap();
    form.value("ok", &true).unwrap();
    form.value("tags", &["a", "b"]).unwrap();
    form.value("meta", &serde_json::json!({"k": [1, 2]}))
        .unwrap();
    form.value("none", &serde_json::Value::Null).unwrap();
    form.value("empty", "").unwrap();
    form.value("unicode ✓", "ä\r\nb").unwrap();
    let binary: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    form.file("photo", &binary);
    form.file("nothing", b"");
    let (content_type, body) = form.finish();
    assert_eq!(content_type, "multipart/form-data; boundary=form-boundary");

    let expected = vec![
        part("title", false, None, b"Rex"),
        part("count", false, None, b"3"),
        part("ok", false, None, b"true"),
        part("tags", false, None, b"a"),
        part("tags", false, None, b"b"),
        part("meta", false, Some("application/json"), br#"{"k":[1,2]}"#),
        part("empty", false, None, b""),
        part("unicode ✓", false, None, "ä\r\nb".as_bytes()),
        part("photo", true, Some("application/octet-stream"), &binary),
        part("nothing", true, Some("application/octet-stream"), b""),
    ];
    for chunk in [body.len(), 7, 1] {
        assert_eq!(
            parse(&content_type, body.clone(), chunk).await,
            expected,
            "read in chunks of {chunk} bytes"
        );
    }
}

#[tokio::test]
async fn a_part_holding_the_boundaries_moves_the_boundary_and_stays_whole() {
    // The data holds the first two boundaries the writer tries, each as a whole delimiter
    // line, which would end the part early if the writer kept either.
    let data = b"x\r\n--form-boundary\r\ny\r\n--form-boundary-1--\r\nz".to_vec();
    let mut form = MultipartForm::new();
    form.file("f", &data);
    form.value("after", "still here").unwrap();
    let (content_type, body) = form.finish();
    assert_eq!(
        content_type,
        "multipart/form-data; boundary=form-boundary-2"
    );
    assert_eq!(
        parse(&content_type, body, 5).await,
        vec![
            part("f", true, Some("application/octet-stream"), &data),
            part("after", false, None, b"still here"),
        ]
    );
}

#[tokio::test]
async fn a_name_that_would_end_its_header_is_encoded_and_cannot_add_a_part() {
    // Unencoded, this name would close the quoted name and start a header line of its own.
    let name = "a\"; filename=\"evil\r\nContent-Type: text/html";
    let mut form = MultipartForm::new();
    form.value(name, "v").unwrap();
    let (content_type, body) = form.finish();
    let parts = parse(&content_type, body, 3).await;
    assert_eq!(parts.len(), 1, "{parts:?}");
    // The name is percent-encoded as browsers and urllib3 do (`"`, CR, LF), and no header
    // line was injected: no media type, the value intact. (multer also reports a file name
    // here, because its `Content-Disposition` reader finds `filename=` inside the quoted
    // name; a reader that honours quoting does not. Not asserted: that is multer's reading.)
    assert_eq!(
        parts[0].name.as_deref(),
        Some("a%22; filename=%22evil%0D%0AContent-Type: text/html")
    );
    assert_eq!(parts[0].content_type, None);
    assert_eq!(parts[0].data, b"v");
}

#[tokio::test]
async fn an_empty_form_is_a_valid_body_with_no_parts() {
    let (content_type, body) = MultipartForm::new().finish();
    assert_eq!(body, b"--form-boundary--\r\n");
    assert_eq!(parse(&content_type, body, 4).await, Vec::new());
}
