//! The authorizer-result cache: API Gateway keeps an authorizer's answer for the TTL, keyed by
//! the identity-source values in order, and replays it for later requests with the same key —
//! whatever method they call. A cached *policy* is evaluated again against each new method
//! ARN, which is how a policy naming only the first method called denies the next route.
//!
//! TTL: default 300 s, at most 3600 s, 0 disables caching. Capacity is bounded (moka evicts
//! the least useful entries), and time is the caller's (`now` in seconds), so a scenario's
//! `at` drives expiry deterministically.
//!
//! The simulated gateway ([`crate::flow`]) keeps one per Lambda authorizer; what it stores is
//! the authorizer's answer (principal, policy, context), and a hit skips invoking the function
//! ([`Decision::cache_hit`](crate::decision::Decision::cache_hit)).
//!
//! ```
//! use policy_engine::cache::AuthorizerCache;
//!
//! let cache = AuthorizerCache::new(300, 10_000)?;
//! let token = vec!["Bearer abc".to_owned()];
//! cache.insert(token.clone(), "policy allowing GET /pets", 1_000);
//! assert_eq!(cache.get(&token, 1_299), Some(("policy allowing GET /pets", 299)));
//! assert_eq!(cache.get(&token, 1_300), None); // expired after 300 s
//! # Ok::<(), policy_engine::cache::TtlError>(())
//! ```

use std::sync::Arc;

use thiserror::Error;

/// API Gateway's default authorizer-result TTL, in seconds.
///
/// ```
/// use policy_engine::cache::{AuthorizerCache, DEFAULT_TTL_SECONDS};
///
/// let cache = AuthorizerCache::<String>::new(DEFAULT_TTL_SECONDS, 100)?;
/// assert_eq!(cache.ttl_seconds(), 300);
/// # Ok::<(), policy_engine::cache::TtlError>(())
/// ```
pub const DEFAULT_TTL_SECONDS: u64 = 300;

/// The largest TTL API Gateway accepts, in seconds.
///
/// ```
/// use policy_engine::cache::{AuthorizerCache, MAX_TTL_SECONDS};
///
/// assert!(AuthorizerCache::<String>::new(MAX_TTL_SECONDS, 100).is_ok());
/// assert!(AuthorizerCache::<String>::new(MAX_TTL_SECONDS + 1, 100).is_err());
/// ```
pub const MAX_TTL_SECONDS: u64 = 3600;

/// A TTL API Gateway would refuse (above [`MAX_TTL_SECONDS`]); holds the TTL given.
///
/// ```
/// use policy_engine::cache::AuthorizerCache;
///
/// let err = AuthorizerCache::<String>::new(7200, 100).err().ok_or("accepted")?;
/// assert_eq!(err.0, 7200);
/// assert_eq!(err.to_string(), "authorizer result TTL `7200` is above the maximum of 3600 seconds");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
#[error("authorizer result TTL `{0}` is above the maximum of {MAX_TTL_SECONDS} seconds")]
pub struct TtlError(pub u64);

/// Cached authorizer answers of type `V`, keyed by identity-source values (in the order the
/// authorizer's identity sources list them).
///
/// Cloning is cheap and the clones share the entries. Expiry is checked against the `now`
/// you pass, never the system clock.
///
/// ```
/// use policy_engine::cache::AuthorizerCache;
///
/// let cache = AuthorizerCache::new(60, 1_000)?;
/// let key = vec!["Bearer abc".to_owned(), "192.0.2.7".to_owned()];
/// cache.insert(key.clone(), 42, 0);
/// assert_eq!(cache.get(&key, 59), Some((42, 59)));
/// // Every value of the key counts, in order.
/// let reordered = vec!["192.0.2.7".to_owned(), "Bearer abc".to_owned()];
/// assert_eq!(cache.get(&reordered, 1), None);
/// # Ok::<(), policy_engine::cache::TtlError>(())
/// ```
#[derive(Clone)]
pub struct AuthorizerCache<V: Clone + Send + Sync + 'static> {
    ttl_seconds: u64,
    entries: moka::sync::Cache<Vec<String>, Arc<(i64, V)>>,
}

impl<V: Clone + Send + Sync + 'static> AuthorizerCache<V> {
    /// A cache with this TTL (0 disables it) holding at most `capacity` entries.
    ///
    /// # Errors
    ///
    /// [`TtlError`] for a TTL above [`MAX_TTL_SECONDS`], which API Gateway refuses.
    ///
    /// ```
    /// # use policy_engine::cache::AuthorizerCache;
    /// let off = AuthorizerCache::<String>::new(0, 100)?;
    /// assert!(!off.is_enabled());
    /// # Ok::<(), policy_engine::cache::TtlError>(())
    /// ```
    pub fn new(ttl_seconds: u64, capacity: u64) -> Result<Self, TtlError> {
        if ttl_seconds > MAX_TTL_SECONDS {
            return Err(TtlError(ttl_seconds));
        }
        Ok(Self {
            ttl_seconds,
            entries: moka::sync::Cache::new(capacity),
        })
    }

    /// Whether caching is on (TTL above 0).
    ///
    /// ```
    /// # use policy_engine::cache::AuthorizerCache;
    /// assert!(AuthorizerCache::<String>::new(300, 100)?.is_enabled());
    /// # Ok::<(), policy_engine::cache::TtlError>(())
    /// ```
    pub fn is_enabled(&self) -> bool {
        self.ttl_seconds > 0
    }

    /// The TTL in seconds.
    ///
    /// ```
    /// # use policy_engine::cache::AuthorizerCache;
    /// assert_eq!(AuthorizerCache::<String>::new(120, 100)?.ttl_seconds(), 120);
    /// # Ok::<(), policy_engine::cache::TtlError>(())
    /// ```
    pub fn ttl_seconds(&self) -> u64 {
        self.ttl_seconds
    }

    /// The answer stored for `key` less than TTL seconds before `now`, with its age in
    /// seconds. An entry whose age reaches the TTL is dropped; nothing is found when caching is
    /// off.
    ///
    /// ```
    /// # use policy_engine::cache::AuthorizerCache;
    /// let cache = AuthorizerCache::new(300, 100)?;
    /// let key = vec!["Bearer abc".to_owned()];
    /// assert_eq!(cache.get(&key, 0), None);
    /// cache.insert(key.clone(), "answer", 10);
    /// assert_eq!(cache.get(&key, 15), Some(("answer", 5)));
    /// assert_eq!(cache.get(&key, 310), None);
    /// # Ok::<(), policy_engine::cache::TtlError>(())
    /// ```
    pub fn get(&self, key: &[String], now: i64) -> Option<(V, u64)> {
        if !self.is_enabled() {
            return None;
        }
        let entry = self.entries.get(key)?;
        let (stored_at, value) = entry.as_ref();
        let age = u64::try_from(now.saturating_sub(*stored_at)).unwrap_or(0);
        if age >= self.ttl_seconds {
            self.entries.invalidate(key);
            return None;
        }
        Some((value.clone(), age))
    }

    /// Store `value` for `key` at time `now`, replacing any earlier answer (nothing happens
    /// when caching is off).
    ///
    /// ```
    /// # use policy_engine::cache::AuthorizerCache;
    /// let off = AuthorizerCache::new(0, 100)?;
    /// off.insert(vec!["Bearer abc".to_owned()], "answer", 0);
    /// assert!(off.is_empty());
    /// # Ok::<(), policy_engine::cache::TtlError>(())
    /// ```
    pub fn insert(&self, key: Vec<String>, value: V, now: i64) {
        if self.is_enabled() {
            self.entries.insert(key, Arc::new((now, value)));
        }
    }

    /// How many entries are held (after pending maintenance); never above the capacity.
    ///
    /// ```
    /// # use policy_engine::cache::AuthorizerCache;
    /// let cache = AuthorizerCache::new(300, 100)?;
    /// cache.insert(vec!["a".to_owned()], 1, 0);
    /// cache.insert(vec!["b".to_owned()], 2, 0);
    /// assert_eq!(cache.len(), 2);
    /// # Ok::<(), policy_engine::cache::TtlError>(())
    /// ```
    pub fn len(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }

    /// Whether the cache holds no entry.
    ///
    /// ```
    /// # use policy_engine::cache::AuthorizerCache;
    /// let cache = AuthorizerCache::<u8>::new(300, 100)?;
    /// assert!(cache.is_empty());
    /// # Ok::<(), policy_engine::cache::TtlError>(())
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn hit_miss_and_expiry() {
        let cache = AuthorizerCache::new(300, 100).unwrap();
        assert_eq!(cache.get(&key(&["tok"]), 0), None);
        cache.insert(key(&["tok"]), "allow", 10);
        assert_eq!(cache.get(&key(&["tok"]), 10), Some(("allow", 0)));
        assert_eq!(cache.get(&key(&["tok"]), 309), Some(("allow", 299)));
        assert_eq!(
            cache.get(&key(&["tok"]), 310),
            None,
            "expired at exactly the TTL"
        );
        assert_eq!(cache.get(&key(&["tok"]), 311), None);
    }

    #[test]
    fn every_key_part_matters_in_order() {
        let cache = AuthorizerCache::new(60, 100).unwrap();
        cache.insert(key(&["a", "b"]), 1, 0);
        assert_eq!(cache.get(&key(&["a", "b"]), 1), Some((1, 1)));
        assert_eq!(cache.get(&key(&["b", "a"]), 1), None);
        assert_eq!(cache.get(&key(&["a", "c"]), 1), None);
        assert_eq!(cache.get(&key(&["a"]), 1), None);
    }

    #[test]
    fn ttl_zero_disables_and_above_3600_is_refused() {
        let off = AuthorizerCache::new(0, 100).unwrap();
        off.insert(key(&["t"]), 1, 0);
        assert_eq!(off.get(&key(&["t"]), 0), None);
        assert!(!off.is_enabled());
        assert!(AuthorizerCache::<u8>::new(3600, 1).is_ok());
        assert_eq!(
            AuthorizerCache::<u8>::new(3601, 1)
                .err()
                .map(|e| e.to_string()),
            Some("authorizer result TTL `3601` is above the maximum of 3600 seconds".to_owned())
        );
    }

    #[test]
    fn capacity_is_bounded() {
        let cache = AuthorizerCache::new(300, 50).unwrap();
        for i in 0..10_000 {
            cache.insert(key(&[&i.to_string()]), i, 0);
        }
        assert!(cache.len() <= 50, "{} entries", cache.len());
    }
}
