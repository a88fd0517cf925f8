//! Cold start of the `authorizer` binary in Lambda mode: wall time from spawning the process
//! to its first `GET /2018-06-01/runtime/invocation/next` arriving at a fake Runtime API on
//! 127.0.0.1 — rules file read and validated, JWKS file loaded, logger set up, runtime client
//! connected. Only that interval is timed (`iter_custom`); the child is killed after each
//! start. Rules: `examples/authorizer/rules.json` (a JWKS file, no network).
//!
//! By default this starts the binary Cargo built for this bench (the `bench` profile, i.e.
//! release). `AUTHORIZER_BIN=/path/to/authorizer` times another build, e.g. the Lambda
//! artifact:
//!
//! ```text
//! cargo build -p authorizer --profile release-lambda --bin authorizer
//! AUTHORIZER_BIN=target/release-lambda/authorizer cargo bench -p authorizer --bench init
//! ```

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    missing_docs,
    reason = "benchmark setup: a binary that does not start should stop the run loudly"
)]

use std::io::{BufRead as _, BufReader, ErrorKind, Read as _};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

/// Longest a start may take before the bench gives up on the binary.
const START_LIMIT: Duration = Duration::from_secs(10);

/// The binary to start: `AUTHORIZER_BIN`, else the one Cargo built for this bench.
fn binary() -> PathBuf {
    std::env::var_os("AUTHORIZER_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_authorizer")),
        PathBuf::from,
    )
}

/// Stops a child that failed to reach the Runtime API and says why.
fn fail(mut child: Child, why: &str) -> ! {
    let _ = child.kill();
    let mut stderr = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut stderr);
    }
    let _ = child.wait();
    panic!("{why}; stderr:\n{stderr}");
}

/// One cold start: spawn, wait for the first request line, kill. Returns the time to the line.
fn one_start(bin: &Path, rules: &Path, listener: &TcpListener) -> Duration {
    let address = listener.local_addr().unwrap();
    let started = Instant::now();
    let mut child = Command::new(bin)
        .arg("--config")
        .arg(rules)
        .env_remove("AUTHORIZER_CONFIG")
        .env("AWS_LAMBDA_RUNTIME_API", address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "authorizer")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/authorizer")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Accept without blocking forever, so a binary that exits early is reported, not awaited.
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if let Ok(Some(status)) = child.try_wait() {
                    fail(
                        child,
                        &format!("the binary exited before connecting: {status}"),
                    );
                }
                if started.elapsed() > START_LIMIT {
                    fail(child, "the binary did not connect to the Runtime API");
                }
                std::thread::sleep(Duration::from_micros(50));
            }
            Err(e) => fail(child, &format!("accept failed: {e}")),
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(START_LIMIT)).unwrap();
    let mut line = String::new();
    if let Err(e) = BufReader::new(&stream).read_line(&mut line) {
        fail(child, &format!("no request line: {e}"));
    }
    let elapsed = started.elapsed();
    if !line.starts_with("GET /2018-06-01/runtime/invocation/next ") {
        fail(child, &format!("unexpected first request: {line:?}"));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    elapsed
}

fn bench(c: &mut Criterion) {
    let bin = binary();
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/authorizer/rules.json");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    // A start that works before timing starts (and a clear message when it does not).
    one_start(&bin, &rules, &listener);

    let mut group = c.benchmark_group("init");
    group.sample_size(20).sampling_mode(SamplingMode::Flat);
    group.bench_function("runtime_next", |b| {
        b.iter_custom(|iters| (0..iters).map(|_| one_start(&bin, &rules, &listener)).sum());
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
