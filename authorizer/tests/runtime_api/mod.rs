//! A fake Lambda Runtime API on 127.0.0.1, for tests that run a real authorizer binary the way
//! Lambda does: it hands out queued events on `GET /2018-06-01/runtime/invocation/next` (a
//! long poll, as the real one) and records what the function posts back to
//! `.../invocation/{id}/response`, `.../invocation/{id}/error` and `.../init/error`.
//!
//! Shared by `authorizer/tests/binary.rs` and the `examples/authorizers` package's tests
//! (`#[path]`), so every binary is driven through the same Runtime API.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code,
    reason = "test support; not every test binary uses every helper"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;

/// One post from the function: the invocation it answers, `response`, `error` or
/// `init-error`, the `Lambda-Runtime-Function-Error-Type` header, and the JSON body.
#[derive(Debug, Clone)]
pub struct Post {
    pub request_id: String,
    pub kind: String,
    pub error_type: String,
    pub body: Value,
}

/// What the fake Runtime API holds: events still to hand out, posts received.
#[derive(Default)]
struct State {
    events: Vec<(String, Value)>,
    posts: Vec<Post>,
}

/// A running fake Runtime API; its threads end with the test process.
pub struct FakeRuntime {
    address: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl FakeRuntime {
    /// Serves `events` (request id, event JSON) in order on a free loopback port.
    pub fn start(events: Vec<(String, Value)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(State {
            events,
            posts: Vec::new(),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                std::thread::spawn(move || serve_connection(stream, state));
            }
        });
        FakeRuntime { address, state }
    }

    /// Starts `command` as Lambda would (the Runtime API address and the function's
    /// environment), waits until it has posted `expected` answers (20 s at most), stops it,
    /// and returns the posts and its output.
    pub fn run(&self, mut command: Command, expected: usize) -> (Vec<Post>, Output) {
        let mut child = command
            .env("AWS_LAMBDA_RUNTIME_API", self.address.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "authorizer")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/authorizer")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while self.state.lock().unwrap().posts.len() < expected
            && started.elapsed() < Duration::from_secs(20)
        {
            std::thread::sleep(Duration::from_millis(20));
        }
        child.kill().unwrap();
        let output = child.wait_with_output().unwrap();
        let posts = std::mem::take(&mut self.state.lock().unwrap().posts);
        (posts, output)
    }
}

/// One HTTP request: method, path, lower-cased headers, body.
type Request = (String, String, Vec<(String, String)>, Vec<u8>);

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).ok()?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some((method, path, headers, body))
}

fn serve_connection(stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    while let Some((method, path, headers, body)) = read_request(&mut reader) {
        if method == "GET" && path == "/2018-06-01/runtime/invocation/next" {
            // Long-poll: hand out the next event, or hold the connection.
            let next = loop {
                if let Some(e) = {
                    let mut s = state.lock().unwrap();
                    (!s.events.is_empty()).then(|| s.events.remove(0))
                } {
                    break e;
                }
                std::thread::sleep(Duration::from_millis(20));
            };
            let (id, event) = next;
            let body = event.to_string();
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_millis()
                + 30_000;
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nLambda-Runtime-Aws-Request-Id: {id}\r\nLambda-Runtime-Deadline-Ms: {deadline}\r\nLambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:authorizer\r\nLambda-Runtime-Trace-Id: Root=1-00000000-000000000000000000000000\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            );
            writer.write_all(response.as_bytes()).unwrap();
        } else if method == "POST" {
            let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
            let (request_id, kind) = match segments.as_slice() {
                ["2018-06-01", "runtime", "invocation", id, kind] => {
                    ((*id).to_owned(), (*kind).to_owned())
                }
                ["2018-06-01", "runtime", "init", "error"] => {
                    (String::new(), "init-error".to_owned())
                }
                _ => (String::new(), format!("unexpected {path}")),
            };
            let error_type = headers
                .iter()
                .find(|(k, _)| k == "lambda-runtime-function-error-type")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            state.lock().unwrap().posts.push(Post {
                request_id,
                kind,
                error_type,
                body,
            });
            writer
                .write_all(
                    b"HTTP/1.1 202 Accepted\r\nContent-Length: 16\r\n\r\n{\"status\":\"OK\"}\n",
                )
                .unwrap();
        } else {
            writer
                .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                .unwrap();
        }
    }
}
