//! The Lambda boundary: where a panic inside the handler becomes a 500, never an allow.
//!
//! The library code is written not to panic (the workspace denies `unwrap`, `expect`,
//! indexing and the like), but a dependency or a future bug still could. Unguarded, a panic
//! in a Lambda handler is reported by the runtime as an invocation error — also a 500 — but
//! without a decision log line, and a custom handler that catches it badly could turn it into
//! something else. [`contain_panics`] makes the outcome explicit: the future's panic is caught
//! where the handler's answer is produced and becomes [`AuthorizerError::Internal`], which API
//! Gateway answers with 500 (`AUTHORIZER_FAILURE`/`AUTHORIZER_CONFIGURATION_ERROR`): the
//! request never reaches the integration.
//!
//! [`crate::handler::RulesAuthorizer::handle`] guards itself with it; wrap your own handler's
//! future the same way (the Lambda adapter does it for you).
//!
//! ```
//! use authorizer::boundary::contain_panics;
//! use authorizer::AuthorizerError;
//!
//! async fn buggy_handler() -> Result<&'static str, AuthorizerError> {
//!     let claims: Vec<&str> = Vec::new();
//!     Ok(claims[0]) // panics: index out of bounds
//! }
//!
//! let runtime = tokio::runtime::Builder::new_current_thread().build()?;
//! let outcome = runtime.block_on(contain_panics(buggy_handler()));
//! let error = outcome.unwrap_err();
//! assert!(!error.is_unauthorized(), "a 500, not a 401 and never an allow");
//! assert!(error.reason().starts_with("the authorizer panicked"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::task::Poll;

use crate::AuthorizerError;

/// Runs `future` to completion; a panic while it is polled becomes
/// [`AuthorizerError::Internal`] (a 500), logged with its message. The future is not polled
/// again after it panicked. A result the future returns passes through unchanged.
///
/// ```
/// use authorizer::boundary::contain_panics;
/// use authorizer::AuthorizerError;
///
/// let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// let answer = runtime.block_on(contain_panics(async { Ok::<_, AuthorizerError>("allow") }));
/// assert_eq!(answer, Ok("allow"));
///
/// let panicked = runtime.block_on(contain_panics(async {
///     if std::hint::black_box(true) {
///         panic!("jwks cache poisoned");
///     }
///     Ok::<&str, AuthorizerError>("allow")
/// }));
/// assert_eq!(
///     panicked,
///     Err(AuthorizerError::internal("the authorizer panicked: jwks cache poisoned"))
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// `AssertUnwindSafe` is sound here because nothing the panicking future borrowed is used
/// again by this function: it returns the error at once, and the callers' shared state
/// (caches behind locks) recovers from poisoning on its own.
pub async fn contain_panics<T, F>(future: F) -> Result<T, AuthorizerError>
where
    F: Future<Output = Result<T, AuthorizerError>>,
{
    let mut future = Box::pin(future);
    std::future::poll_fn(move |cx| {
        match catch_unwind(AssertUnwindSafe(|| future.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(payload) => {
                let message = panic_message(payload.as_ref());
                tracing::error!(decision = "error", reason = %message, "the handler panicked");
                Poll::Ready(Err(AuthorizerError::internal(format!(
                    "the authorizer panicked: {message}"
                ))))
            }
        }
    })
    .await
}

/// The text of a panic payload (`panic!` with a literal or a formatted message).
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::panic, reason = "the tests panic on purpose")]

    use super::*;

    fn run<T>(future: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(future))
            .unwrap_or_else(|e| panic!("no runtime: {e}"))
    }

    #[test]
    fn a_panic_becomes_an_internal_error_never_an_answer() {
        let outcome = run(contain_panics(async {
            if std::hint::black_box(true) {
                panic!("index out of bounds");
            }
            Ok::<_, AuthorizerError>("allow")
        }));
        let error = outcome
            .err()
            .unwrap_or_else(|| panic!("the panic was not caught"));
        assert!(!error.is_unauthorized(), "a panic is a 500, not a 401");
        assert_eq!(
            error.reason(),
            "the authorizer panicked: index out of bounds"
        );
    }

    #[test]
    fn a_panic_after_the_future_waited_is_caught_too() {
        let outcome = run(contain_panics(async {
            tokio::task::yield_now().await;
            let detail = String::from("formatted");
            if std::hint::black_box(true) {
                panic!("{detail} message");
            }
            Ok::<u8, AuthorizerError>(1)
        }));
        assert_eq!(
            outcome.err().map(|e| e.reason().to_owned()),
            Some("the authorizer panicked: formatted message".to_owned())
        );
    }

    #[test]
    fn answers_and_errors_pass_through_unchanged() {
        assert_eq!(
            run(contain_panics(async { Ok::<_, AuthorizerError>(7) })).ok(),
            Some(7)
        );
        let refused = run(contain_panics(async {
            Err::<u8, _>(AuthorizerError::unauthorized("no token"))
        }));
        assert!(refused.is_err_and(|e| e.is_unauthorized()));
    }
}
