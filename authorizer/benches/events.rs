//! Reading each captured authorizer event (`tests/fixtures/events`, copies of the project's
//! shared fixtures) from its JSON bytes into an [`AuthorizerEvent`], as the handler does for
//! every invocation: one bench per fixture file, `events/{file}`.
//! Run with `cargo bench -p authorizer --bench events`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    reason = "benchmark setup: a broken fixture should stop the run loudly"
)]

use std::hint::black_box;

use authorizer::event::{AuthorizerEvent, EventKind};
use criterion::{Criterion, criterion_group, criterion_main};

/// Every captured event: file name, bytes, and the kind it must read as.
const FIXTURES: [(&str, &str, EventKind); 7] = [
    (
        "apiGatewayAuthorizerTokenEvent.json",
        include_str!(
            "../tests/fixtures/events/powertools-python/apiGatewayAuthorizerTokenEvent.json"
        ),
        EventKind::RestToken,
    ),
    (
        "apigw-rest-authorizer-token.json",
        include_str!(
            "../tests/fixtures/events/powertools-typescript/apigw-rest-authorizer-token.json"
        ),
        EventKind::RestToken,
    ),
    (
        "apigw-rest-authorizer-request.json",
        include_str!(
            "../tests/fixtures/events/powertools-typescript/apigw-rest-authorizer-request.json"
        ),
        EventKind::RestRequest,
    ),
    (
        "apiGatewayAuthorizerRequestEvent.json",
        include_str!(
            "../tests/fixtures/events/powertools-python/apiGatewayAuthorizerRequestEvent.json"
        ),
        EventKind::HttpV1,
    ),
    (
        "apiGatewayAuthorizerV2Event.json",
        include_str!("../tests/fixtures/events/powertools-python/apiGatewayAuthorizerV2Event.json"),
        EventKind::HttpV2,
    ),
    (
        "apigw-http-authorizer-request.json",
        include_str!(
            "../tests/fixtures/events/powertools-typescript/apigw-http-authorizer-request.json"
        ),
        EventKind::HttpV2,
    ),
    (
        "apigw-websocket-connectEvent.json",
        include_str!(
            "../tests/fixtures/events/powertools-typescript/apigw-websocket-connectEvent.json"
        ),
        EventKind::WebSocketConnect,
    ),
];

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("events");
    for (file, text, kind) in FIXTURES {
        let event = AuthorizerEvent::from_slice(text.as_bytes()).unwrap();
        assert_eq!(event.kind(), kind, "{file}");
        group.bench_function(file, |b| {
            b.iter(|| AuthorizerEvent::from_slice(black_box(text.as_bytes())).unwrap());
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
