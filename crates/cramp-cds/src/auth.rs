//! CDS client authentication (CDS Hooks 2.0.1 §Trusting CDS Clients): a JWT in
//! `Authorization: Bearer …`, signed with ES384 or RS384 by an allowlisted issuer whose public
//! keys are configured out of band (`--trusted-issuers FILE`; a `jku` in a token is accepted only
//! when it is the one configured for that issuer, and is never fetched). Checked: the algorithm
//! (never `none`, never a symmetric one), `typ` = JWT, `kid`, the signature, `iss`, `aud` = the URL
//! of the endpoint invoked, `exp`, `iat`, and `jti` (a token is accepted once).

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Mutex;

/// Seconds of clock difference tolerated on `exp`.
const LEEWAY: u64 = 60;
/// The most `jti`s remembered; expired ones are dropped first.
const JTI_REMEMBERED: usize = 100_000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    issuers: Vec<TrustedIssuer>,
}

/// One trusted CDS client: its `iss`, optionally the `jku` it announces, and its public keys.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuer {
    pub iss: String,
    #[serde(default)]
    pub jku: Option<String>,
    pub jwks: JwkSet,
}

/// The allowlist, and the `jti`s already seen.
#[derive(Debug)]
pub struct Auth {
    issuers: Vec<TrustedIssuer>,
    seen: Mutex<HashMap<(String, String), u64>>,
}

/// Why a request was not authenticated (a 401; the message names what to fix, never the token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError(pub String);

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    exp: Option<u64>,
    iat: Option<u64>,
    jti: Option<String>,
}

impl Auth {
    /// Reads the trusted-issuers file: `{"issuers": [{"iss": …, "jku": … (optional), "jwks": {"keys": […]}}]}`.
    pub fn from_json(text: &str) -> Result<Auth, String> {
        let f: File = serde_json::from_str(text).map_err(|e| {
            format!("not a trusted-issuers file ({e}); write {{\"issuers\": [{{\"iss\": \"https://ehr.example\", \"jwks\": {{\"keys\": [ … ]}}}}]}}")
        })?;
        if f.issuers.is_empty() {
            return Err("`issuers` is empty; list at least one trusted CDS client".into());
        }
        for i in &f.issuers {
            if i.jwks.keys.is_empty() {
                return Err(format!("issuer {:?} has no keys in `jwks`", i.iss));
            }
        }
        Ok(Auth {
            issuers: f.issuers,
            seen: Mutex::new(HashMap::new()),
        })
    }

    /// Checks the `Authorization` header of a request to `aud` (the endpoint's public URL) at
    /// `now` (seconds since the epoch).
    pub fn verify(&self, authorization: Option<&str>, aud: &str, now: u64) -> Result<(), AuthError> {
        let err = |m: &str| Err(AuthError(m.to_string()));
        let Some(token) = authorization.and_then(|h| {
            h.split_once(' ')
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, t)| t.trim())
        }) else {
            return err("send the CDS client's JWT as `Authorization: Bearer <token>`");
        };
        let Ok(header) = decode_header(token) else {
            return err(
                "the bearer token is not a JWT signed with ES384 or RS384 (alg none and symmetric algorithms are refused)",
            );
        };
        if !matches!(header.alg, Algorithm::ES384 | Algorithm::RS384) {
            return err(
                "the JWT must be signed with ES384 or RS384 (CDS Hooks 2.0.1); symmetric algorithms are refused",
            );
        }
        if header.typ.as_deref() != Some("JWT") {
            return err("the JWT header needs `typ`: \"JWT\"");
        }
        let Some(kid) = header.kid.as_deref() else {
            return err("the JWT header needs `kid`, the id of the signing key");
        };
        // The issuer is read before the signature is checked only to choose the keys.
        let iss = jsonwebtoken::dangerous::insecure_decode::<Claims>(token)
            .ok()
            .and_then(|t| t.claims.iss)
            .ok_or_else(|| AuthError("the JWT needs `iss`".into()))?;
        let Some(issuer) = self.issuers.iter().find(|i| i.iss == iss) else {
            return err("the JWT's issuer is not a trusted CDS client of this service");
        };
        if let Some(jku) = header.jku.as_deref()
            && issuer.jku.as_deref() != Some(jku)
        {
            return err("the JWT's `jku` is not the key set configured for its issuer");
        }
        let Some(jwk) = issuer.jwks.find(kid) else {
            return err("the JWT's `kid` is not a key of its issuer");
        };
        let key = DecodingKey::from_jwk(jwk).map_err(|_| AuthError("the issuer's key cannot be used".into()))?;
        let mut v = Validation::new(header.alg);
        v.validate_exp = false; // checked below against the injected clock
        v.set_audience(&[aud]);
        v.set_issuer(&[iss.as_str()]);
        v.set_required_spec_claims(&["iss", "aud"]);
        let data = decode::<Claims>(token, &key, &v).map_err(|e| {
            AuthError(match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidAudience => {
                    format!("the JWT's `aud` must be the URL of the endpoint invoked ({aud})")
                }
                jsonwebtoken::errors::ErrorKind::InvalidSignature => "the JWT's signature does not verify".into(),
                _ => "the JWT could not be verified".into(),
            })
        })?;
        let c = data.claims;
        let Some(exp) = c.exp else {
            return err("the JWT needs `exp`");
        };
        if c.iat.is_none() {
            return err("the JWT needs `iat`");
        }
        if exp + LEEWAY < now {
            return err("the JWT has expired");
        }
        let Some(jti) = c.jti.filter(|j| !j.is_empty()) else {
            return err("the JWT needs `jti`");
        };
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        if seen.len() >= JTI_REMEMBERED {
            seen.retain(|_, e| *e + LEEWAY >= now);
        }
        if seen.insert((iss, jti), exp).is_some() {
            return err("the JWT's `jti` was already used: send a new token for each request");
        }
        Ok(())
    }
}
