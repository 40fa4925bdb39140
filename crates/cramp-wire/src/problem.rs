//! The problem types of the HTTP API (RFC 9457): one catalogue, read by the server's
//! `application/problem+json` answers and `/problems/` pages and by the CDS Hooks service's errors,
//! so that a type's status and title are stated once.

/// A problem type as its page documents it.
#[derive(Debug, PartialEq, Eq)]
pub struct ProblemType {
    /// A short, stable slug: the `type` is `/problems/{slug}` (`type_uri`).
    pub slug: &'static str,
    /// The HTTP status it comes with.
    pub status: u16,
    pub title: &'static str,
    /// When it is answered.
    pub when: &'static str,
    /// What the caller does about it (the response's `detail` names the field or the limit).
    pub fix: &'static str,
}

impl ProblemType {
    /// The `type` of a problem: a reference relative to the server with its full path, as RFC 9457
    /// §3.1.1 allows (and asks of relative ones), so that it is the same string on every deployment
    /// and leads, on each, to the type's page.
    pub fn type_uri(&self) -> String {
        format!("/problems/{}", self.slug)
    }
}

pub static INVALID_JSON: ProblemType = ProblemType {
    slug: "invalid-json",
    status: 400,
    title: "Invalid JSON",
    when: "The body is not JSON, or not the JSON object the endpoint takes (a case, a FHIR Bundle, a diary entry), or a field has the wrong type.",
    fix: "Send one JSON object of the shape the OpenAPI description gives; the detail names the element and what it expected.",
};

pub static INVALID_CASE: ProblemType = ProblemType {
    slug: "invalid-case",
    status: 422,
    title: "Invalid case",
    when: "A case sent to `POST /api/v1/assess` is JSON but not a valid case: an unknown field, a value outside its range or not in its list, a medication, condition or lab with none of its identifying fields.",
    fix: "Correct the field the detail names; it gives the allowed values or the nearest valid field name.",
};

pub static BAD_QUERY: ProblemType = ProblemType {
    slug: "bad-query",
    status: 400,
    title: "Bad query parameter",
    when: "A query parameter is unknown, repeated or has a value outside its list (for example `audience`).",
    fix: "Send only the parameters the endpoint documents, each once, with an allowed value.",
};

pub static UNSUPPORTED_MEDIA_TYPE: ProblemType = ProblemType {
    slug: "unsupported-media-type",
    status: 415,
    title: "Unsupported media type",
    when: "The body's Content-Type is not one the endpoint reads.",
    fix: "Send `Content-Type: application/json` (a FHIR Bundle may also come as `application/fhir+json`).",
};

pub static UNSUPPORTED_CONTENT_ENCODING: ProblemType = ProblemType {
    slug: "unsupported-content-encoding",
    status: 415,
    title: "Unsupported content encoding",
    when: "The body was sent compressed (`Content-Encoding`).",
    fix: "Send the body uncompressed.",
};

pub static TOO_LARGE: ProblemType = ProblemType {
    slug: "too-large",
    status: 413,
    title: "Request body too large",
    when: "The body is over the server's limit (1 MiB unless the operator set another).",
    fix: "Send one case, hook call or diary entry per request.",
};

pub static TIMEOUT: ProblemType = ProblemType {
    slug: "timeout",
    status: 408,
    title: "Request timeout",
    when: "The request was not received and answered within the server's time limit.",
    fix: "Send the whole body promptly, then retry.",
};

pub static NOT_FOUND: ProblemType = ProblemType {
    slug: "not-found",
    status: 404,
    title: "Not found",
    when: "No resource at this path: an unknown route, evidence page, CDS service, FHIR resource or diary.",
    fix: "Check the path against the OpenAPI description, /cds-services or /knowledge/.",
};

pub static METHOD_NOT_ALLOWED: ProblemType = ProblemType {
    slug: "method-not-allowed",
    status: 405,
    title: "Method not allowed",
    when: "The path exists but does not take this HTTP method.",
    fix: "Use a method the response's `Allow` header lists.",
};

pub static UNAUTHORIZED: ProblemType = ProblemType {
    slug: "unauthorized",
    status: 401,
    title: "Unauthorized",
    when: "A CDS Hooks call without a valid client JWT when the server requires one, or a diary request without the diary's token or a share token.",
    fix: "Send `Authorization: Bearer` with a valid token; the detail says what was wrong with it.",
};

pub static FORBIDDEN: ProblemType = ProblemType {
    slug: "forbidden",
    status: 403,
    title: "Forbidden",
    when: "A diary's share token was used to change the diary; it can only read it.",
    fix: "Use the diary's own token for changes.",
};

pub static RATE_LIMITED: ProblemType = ProblemType {
    slug: "rate-limited",
    status: 429,
    title: "Too many requests",
    when: "Too many failed diary authentications or new diaries from one address.",
    fix: "Wait the seconds the `Retry-After` header gives.",
};

pub static INVALID_DIARY_ENTRY: ProblemType = ProblemType {
    slug: "invalid-diary-entry",
    status: 422,
    title: "Invalid diary entry",
    when: "A diary episode, night or trial is JSON but a field is out of its range or list, or dates contradict each other.",
    fix: "Correct the field the detail names.",
};

pub static BAD_IDEMPOTENCY_KEY: ProblemType = ProblemType {
    slug: "bad-idempotency-key",
    status: 400,
    title: "Bad Idempotency-Key",
    when: "A diary write's `Idempotency-Key` header is empty, too long or not visible ASCII.",
    fix: "Send a key of visible ASCII characters within the length the detail gives, for example a UUID.",
};

pub static IDEMPOTENCY_KEY_REUSED: ProblemType = ProblemType {
    slug: "idempotency-key-reused",
    status: 422,
    title: "Idempotency-Key reused",
    when: "An `Idempotency-Key` already used for a diary write came with a different body.",
    fix: "Use a new key for a new episode; repeat a key only to resend the same body.",
};

pub static NO_STORAGE: ProblemType = ProblemType {
    slug: "no-storage",
    status: 503,
    title: "Diary storage unavailable",
    when: "The server was started without diary storage.",
    fix: "The operator starts the server with a database (SQLite by default, or PostgreSQL).",
};

pub static STORAGE_UNAVAILABLE: ProblemType = ProblemType {
    slug: "storage-unavailable",
    status: 503,
    title: "Storage unavailable",
    when: "CDS Hooks feedback could not be stored at that moment.",
    fix: "Send the feedback again; it is idempotent.",
};

pub static INTERNAL: ProblemType = ProblemType {
    slug: "internal",
    status: 500,
    title: "Internal error",
    when: "The server failed to read or write its storage or to write an answer; never the result of what the caller sent.",
    fix: "Retry; if it persists, tell the operator (the server's log has the cause, without health data).",
};

pub static INVALID_HOOK_REQUEST: ProblemType = ProblemType {
    slug: "invalid-hook-request",
    status: 400,
    title: "Invalid CDS Hooks request",
    when: "A CDS Hooks call that is not a valid CDS Hooks 2.0.1 request for this service: a missing or mistyped `hook`, `hookInstance` or `context` element, or another service's hook.",
    fix: "Send the request the CDS Hooks 2.0.1 specification defines for the service's hook; the detail names the element.",
};

pub static INVALID_PREFETCH: ProblemType = ProblemType {
    slug: "invalid-prefetch",
    status: 422,
    title: "Unreadable prefetch",
    when: "A prefetch value of a CDS Hooks call is not a FHIR resource, a Bundle or null.",
    fix: "Send each prefetch key as the resource or Bundle its template asks for, or null for no data; the detail names the key and element.",
};

pub static PREFETCH_MISSING: ProblemType = ProblemType {
    slug: "prefetch-missing",
    status: 412,
    title: "Required data not available",
    when: "A prefetch key the service requires (`patient`, `conditions`, `medications`) is absent and no allowed FHIR server can supply it.",
    fix: "Send the keys the response's `missing_prefetch_keys` lists (null means no data), or a `fhirServer` the operator allows.",
};

pub static INVALID_FEEDBACK: ProblemType = ProblemType {
    slug: "invalid-feedback",
    status: 400,
    title: "Invalid feedback",
    when: "A CDS Hooks feedback body that does not follow CDS Hooks 2.0.1: a missing card id, outcome or outcome timestamp, an unknown outcome, an accepted card without its accepted suggestions, an override reason without its code and system.",
    fix: "Send the feedback the specification defines for a card this service returned; the detail names the element.",
};

/// Every problem type, in the order of the `/problems/` index (a test finds each one in use).
pub static TYPES: &[&ProblemType] = &[
    &INVALID_JSON,
    &INVALID_CASE,
    &BAD_QUERY,
    &UNSUPPORTED_MEDIA_TYPE,
    &UNSUPPORTED_CONTENT_ENCODING,
    &TOO_LARGE,
    &TIMEOUT,
    &NOT_FOUND,
    &METHOD_NOT_ALLOWED,
    &UNAUTHORIZED,
    &FORBIDDEN,
    &RATE_LIMITED,
    &INVALID_DIARY_ENTRY,
    &BAD_IDEMPOTENCY_KEY,
    &IDEMPOTENCY_KEY_REUSED,
    &NO_STORAGE,
    &STORAGE_UNAVAILABLE,
    &INTERNAL,
    &INVALID_HOOK_REQUEST,
    &INVALID_PREFETCH,
    &PREFETCH_MISSING,
    &INVALID_FEEDBACK,
];
