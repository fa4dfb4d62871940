//! A limit on anonymous report submissions per network address per minute, so one machine cannot flood
//! the service (signed-in people and systems with API tokens are not limited). It is generous on purpose:
//! a whole hospital may reach Candour through one address in a major incident, and a report refused is
//! a report lost. The refusal keeps the reporter's answers and tells them whom to phone if patients are at
//! risk now.

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The client's network address, when the server knows it (`candour serve` does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

/// Middleware: make the client's address available to handlers as [`ClientIp`].
pub async fn remember_ip(mut req: Request, next: Next) -> Response {
    let ip = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    req.extensions_mut().insert(ClientIp(ip));
    next.run(req).await
}

/// Fixed one-minute windows per address.
#[derive(Debug, Default)]
pub struct SubmitLimiter {
    windows: Mutex<HashMap<Option<IpAddr>, (Instant, u32)>>,
}

impl SubmitLimiter {
    /// Count one submission from `ip`; `false` when it is over `per_minute` (0: no limit).
    pub fn allow(&self, ip: Option<IpAddr>, per_minute: u32, now: Instant) -> bool {
        if per_minute == 0 {
            return true;
        }
        let mut w = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if w.len() > 50_000 {
            w.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(60));
        }
        let e = w.entry(ip).or_insert((now, 0));
        if now.duration_since(e.0) >= Duration::from_secs(60) {
            *e = (now, 0);
        }
        e.1 += 1;
        e.1 <= per_minute
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_gets_its_own_window_and_the_window_resets() {
        let l = SubmitLimiter::default();
        let t = Instant::now();
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        assert!((0..3).all(|_| l.allow(a, 3, t)));
        assert!(!l.allow(a, 3, t), "the fourth in a minute");
        assert!(l.allow(b, 3, t), "another address is not affected");
        assert!(l.allow(a, 3, t + Duration::from_secs(61)), "a new minute");
        assert!((0..100).all(|_| l.allow(a, 0, t)), "0 means no limit");
    }
}
