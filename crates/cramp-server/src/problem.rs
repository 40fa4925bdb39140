//! Every error as `application/problem+json` (RFC 9457): the caller's mistakes are 4xx with a
//! detail that names the field and the fix; nothing the caller sends produces a 500.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
pub use cramp_wire::problem::*;

#[derive(Debug, Clone)]
pub struct Problem {
    /// Its type, from the catalogue (`TYPES`): slug, status and title stated once.
    pub kind: &'static ProblemType,
    pub detail: String,
    /// Seconds before a retry makes sense (429: `Retry-After`).
    pub retry_after: Option<u64>,
    /// Extension members (RFC 9457 §3.2), e.g. a 412's `missing_prefetch_keys`.
    pub extensions: Vec<(&'static str, serde_json::Value)>,
}

impl Problem {
    pub fn new(kind: &'static ProblemType, detail: impl Into<String>) -> Problem {
        Problem {
            kind,
            detail: detail.into(),
            retry_after: None,
            extensions: Vec::new(),
        }
    }

    pub fn extension(mut self, name: &'static str, value: serde_json::Value) -> Problem {
        self.extensions.push((name, value));
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Problem {
        self.retry_after = Some(seconds);
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = status_code(self.kind);
        let mut body = serde_json::json!({
            "type": self.kind.type_uri(),
            "title": self.kind.title,
            "status": self.kind.status,
            "detail": self.detail,
        });
        for (name, value) in self.extensions {
            body[name] = value;
        }
        let mut res = (status, body.to_string()).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(s) = self.retry_after {
            res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(s));
        }
        res
    }
}

/// A type's HTTP status (every status in the catalogue is a valid one: a test sends each).
pub fn status_code(kind: &ProblemType) -> StatusCode {
    StatusCode::from_u16(kind.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
