//! A scripted HTTP/1.1 server on 127.0.0.1 for the runtime's tests: it records every request
//! that reaches it and answers each with what the script says, including answers a real
//! server gives only when things go wrong (a connection closed without an answer, or cut in
//! the middle of the body).

#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use clustercert_runtime::OperationRequest;
use http::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A POST of a small JSON body to `/v3/things`, as a generated operation sends one.
pub fn post_request() -> OperationRequest {
    OperationRequest {
        operation: "CreateThing",
        method: Method::POST,
        path: "/v3/things".to_owned(),
        query: Vec::new(),
        headers: Vec::new(),
        body: Some(br#"{"duration":30}"#.to_vec()),
    }
}

/// A bare GET of `/x`.
pub fn get_request() -> OperationRequest {
    OperationRequest {
        operation: "Op",
        method: Method::GET,
        path: "/x".to_owned(),
        query: Vec::new(),
        headers: Vec::new(),
        body: None,
    }
}

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub target: String,
    /// Header names lower-cased, values as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete answer.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without answering.
    Close,
    /// Send the head and part of the body, then close the connection.
    CutBody,
    /// Answer nothing for this long, then close.
    Stall(Duration),
}

impl Reply {
    pub fn status(status: u16) -> Self {
        Reply::Full {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn json(status: u16, body: &str) -> Self {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }
}

type Script = dyn Fn(&Received, usize) -> Reply + Send + Sync;

/// A running server: its address and what reached it.
pub struct Server {
    pub addr: std::net::SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.received.lock().unwrap().len()
    }
}

/// Starts a server answering request number `n` (from 0) with `script(request, n)`.
pub async fn serve(script: impl Fn(&Received, usize) -> Reply + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let received = Arc::new(Mutex::new(Vec::new()));
    let script: Arc<Script> = Arc::new(script);
    let log = received.clone();
    tokio::spawn(async move {
        loop {
            let Ok((socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(connection(socket, log.clone(), script.clone()));
        }
    });
    Server { addr, received }
}

/// Answers every request with `reply`.
pub async fn serve_always(reply: Reply) -> Server {
    serve(move |_, _| reply.clone()).await
}

/// Answers the requests in turn with `replies`, repeating the last one.
pub async fn serve_in_turn(replies: Vec<Reply>) -> Server {
    serve(move |_, n| replies[n.min(replies.len() - 1)].clone()).await
}

/// An address where nothing listens: connecting is refused.
pub async fn refused_addr() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap()
}

async fn connection(mut socket: TcpStream, log: Arc<Mutex<Vec<Received>>>, script: Arc<Script>) {
    let mut buffer = Vec::new();
    loop {
        let Some(request) = read_request(&mut socket, &mut buffer).await else {
            return;
        };
        let n = {
            let mut log = log.lock().unwrap();
            log.push(request.clone());
            log.len() - 1
        };
        match script(&request, n) {
            Reply::Full {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                let mut out = head.into_bytes();
                out.extend_from_slice(&body);
                if socket.write_all(&out).await.is_err() {
                    return;
                }
            }
            Reply::Close => return,
            Reply::CutBody => {
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"partial\":")
                    .await;
                let _ = socket.flush().await;
                return;
            }
            Reply::Stall(wait) => {
                tokio::time::sleep(wait).await;
                return;
            }
        }
    }
}

async fn read_request(socket: &mut TcpStream, buffer: &mut Vec<u8>) -> Option<Received> {
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut start = lines.next()?.split(' ');
    let method = start.next()?.to_owned();
    let target = start.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let body_start = head_end + 4;
    while buffer.len() < body_start + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    let body = buffer[body_start..body_start + length].to_vec();
    buffer.drain(..body_start + length);
    Some(Received {
        method,
        target,
        headers,
        body,
    })
}
