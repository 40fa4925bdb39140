//! Rate limits per client address for the diary's failed authentication and diary creation (issue 6;
//! never for assessment or CDS routes). A fixed window per address: `max` events per `window`; once
//! reached, the address is refused until its window ends.
//!
//! Written here rather than taken from `governor`: a failed-authentication limit must be asked
//! "is this address blocked?" *before* a request is authenticated without counting it (a correct
//! token is not a failure), which a GCRA limiter's `check` (test-and-consume) does not offer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most addresses remembered; beyond it, windows that have ended are forgotten first.
const ADDRESSES: usize = 100_000;

pub struct Limiter {
    max: u32,
    window: Duration,
    seen: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Limiter {
    pub fn new(max: u32, window: Duration) -> Limiter {
        Limiter {
            max,
            window,
            seen: Mutex::new(HashMap::new()),
        }
    }

    fn seconds_left(&self, start: Instant, now: Instant) -> u64 {
        (self.window.saturating_sub(now.duration_since(start)).as_secs()).max(1)
    }

    /// `Some(seconds to wait)` when the address has used up its window.
    pub fn blocked(&self, ip: IpAddr) -> Option<u64> {
        let now = Instant::now();
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        match seen.get(&ip) {
            Some(&(start, n)) if now.duration_since(start) < self.window && n >= self.max => {
                Some(self.seconds_left(start, now))
            }
            _ => None,
        }
    }

    /// Counts one event; `Some(seconds to wait)` when it is over the limit (not counted then).
    pub fn hit(&self, ip: IpAddr) -> Option<u64> {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= ADDRESSES && !seen.contains_key(&ip) {
            let window = self.window;
            seen.retain(|_, (start, _)| now.duration_since(*start) < window);
            if seen.len() >= ADDRESSES {
                seen.clear();
            }
        }
        let slot = seen.entry(ip).or_insert((now, 0));
        if now.duration_since(slot.0) >= self.window {
            *slot = (now, 0);
        }
        if slot.1 >= self.max {
            return Some(self.seconds_left(slot.0, now));
        }
        slot.1 += 1;
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_refused_after_max_events_and_others_are_not() {
        let l = Limiter::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(l.blocked(a), None);
            assert_eq!(l.hit(a), None);
        }
        assert!(l.blocked(a).is_some_and(|s| (1..=60).contains(&s)));
        assert!(l.hit(a).is_some());
        assert_eq!(l.blocked(b), None);
    }

    #[test]
    fn a_window_ends() {
        let l = Limiter::new(1, Duration::from_millis(20));
        let a: IpAddr = "::1".parse().unwrap();
        assert_eq!(l.hit(a), None);
        assert!(l.blocked(a).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert_eq!(l.blocked(a), None);
        assert_eq!(l.hit(a), None);
    }
}
