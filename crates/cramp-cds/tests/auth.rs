//! CDS client authentication: the specification's own ES384 example, and tokens minted here with
//! test keys (good ES384 and RS384; wrong `aud`, expired, `alg: none`, HS256, replayed, untrusted
//! issuer, unknown key, tampered payload, wrong `jku`).

use cramp_cds::auth::Auth;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use serde_json::{Value, json};
use std::path::Path;

const AUD: &str = "https://cramp.test/cds-services/cramp-patient-view";
const ISS: &str = "https://ehr.test/";
const NOW: u64 = 1_795_000_000;

fn file(rel: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)).unwrap()
}

fn auth() -> Auth {
    let jwks: Value = serde_json::from_str(&file("tests/keys/jwks.json")).unwrap();
    let spec_jwks: Value = serde_json::from_str(&file("../../tests/cds-hooks/spec-jwks.json")).unwrap();
    let config = json!({ "issuers": [
        { "iss": ISS, "jwks": jwks },
        { "iss": "https://fhir-ehr.example.com/", "jku": "https://fhir-ehr.example.com/jwk_uri", "jwks": spec_jwks },
    ]});
    Auth::from_json(&config.to_string()).unwrap()
}

fn claims(aud: &str, exp: u64, jti: &str) -> Value {
    json!({ "iss": ISS, "aud": aud, "exp": exp, "iat": exp - 300, "jti": jti })
}

fn mint(alg: Algorithm, kid: &str, claims: &Value) -> String {
    let key = match alg {
        Algorithm::ES384 => EncodingKey::from_ec_pem(file("tests/keys/es384-private.pem").as_bytes()).unwrap(),
        Algorithm::RS384 => EncodingKey::from_rsa_pem(file("tests/keys/rs384-private.pem").as_bytes()).unwrap(),
        Algorithm::HS256 => EncodingKey::from_secret(b"a shared secret"),
        _ => unreachable!(),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.into());
    encode(&header, claims, &key).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[test]
fn the_specifications_es384_example_verifies_with_its_public_key_and_expires() {
    let a = auth();
    let token = file("../../tests/cds-hooks/spec-jwt.txt");
    let aud = "https://cds.example.org/cds-services/some-service";
    // Before its `exp` (2015-01-29), the example is valid: its signature, issuer, jku and aud.
    assert_eq!(a.verify(Some(&bearer(token.trim())), aud, 1_422_568_000), Ok(()));
    // Today it has expired.
    let e = a.verify(Some(&bearer(token.trim())), aud, NOW).unwrap_err();
    assert!(e.0.contains("expired"), "{e:?}");
}

#[test]
fn good_es384_and_rs384_tokens_are_accepted_once() {
    let a = auth();
    for (alg, kid, jti) in [
        (Algorithm::ES384, "test-es384", "j1"),
        (Algorithm::RS384, "test-rs384", "j2"),
    ] {
        let t = mint(alg, kid, &claims(AUD, NOW + 300, jti));
        assert_eq!(a.verify(Some(&bearer(&t)), AUD, NOW), Ok(()), "{alg:?}");
        let replay = a.verify(Some(&bearer(&t)), AUD, NOW).unwrap_err();
        assert!(replay.0.contains("already used"), "{replay:?}");
    }
    // `aud` may be an array holding the endpoint.
    let mut c = claims(AUD, NOW + 300, "j3");
    c["aud"] = json!(["https://other.test", AUD]);
    assert_eq!(
        a.verify(Some(&bearer(&mint(Algorithm::ES384, "test-es384", &c))), AUD, NOW),
        Ok(())
    );
}

#[test]
fn bad_tokens_are_refused_with_the_reason() {
    let a = auth();
    let good = claims(AUD, NOW + 300, "k");
    let none = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT","kid":"test-es384"}"#),
        b64(good.to_string().as_bytes())
    );
    let tampered = {
        let t = mint(Algorithm::ES384, "test-es384", &claims(AUD, NOW + 300, "t1"));
        let parts: Vec<&str> = t.split('.').collect();
        let evil = claims(AUD, NOW + 999_999, "t1");
        format!("{}.{}.{}", parts[0], b64(evil.to_string().as_bytes()), parts[2])
    };
    let mut untrusted = claims(AUD, NOW + 300, "u1");
    untrusted["iss"] = json!("https://evil.test/");
    let cases: Vec<(Option<String>, &str)> = vec![
        (None, "Authorization: Bearer"),
        (Some("Basic dXNlcjpwYXNz".into()), "Authorization: Bearer"),
        (Some(bearer("not-a-jwt")), "not a JWT"),
        (Some(bearer(&none)), "not a JWT"),
        (
            Some(bearer(&mint(Algorithm::HS256, "test-es384", &good))),
            "ES384 or RS384",
        ),
        (
            Some(bearer(&mint(
                Algorithm::ES384,
                "test-es384",
                &claims("https://cramp.test/cds-services/other", NOW + 300, "w1"),
            ))),
            "`aud`",
        ),
        (
            Some(bearer(&mint(
                Algorithm::ES384,
                "test-es384",
                &claims(AUD, NOW - 3600, "x1"),
            ))),
            "expired",
        ),
        (
            Some(bearer(&mint(Algorithm::ES384, "test-es384", &untrusted))),
            "not a trusted",
        ),
        (
            Some(bearer(&mint(
                Algorithm::ES384,
                "no-such-kid",
                &claims(AUD, NOW + 300, "n1"),
            ))),
            "`kid`",
        ),
        // Signed with the RSA key but announced as the EC key's id.
        (
            Some(bearer(&mint(
                Algorithm::RS384,
                "test-es384",
                &claims(AUD, NOW + 300, "m1"),
            ))),
            "could not be verified",
        ),
        (Some(bearer(&tampered)), "signature"),
    ];
    for (header, says) in cases {
        let e = a.verify(header.as_deref(), AUD, NOW).unwrap_err();
        assert!(e.0.contains(says), "{header:?}: {e:?}");
    }
    let mut no_jti = claims(AUD, NOW + 300, "");
    no_jti.as_object_mut().unwrap().remove("jti");
    let e = a
        .verify(Some(&bearer(&mint(Algorithm::ES384, "test-es384", &no_jti))), AUD, NOW)
        .unwrap_err();
    assert!(e.0.contains("`jti`"), "{e:?}");
}

#[test]
fn a_jku_other_than_the_configured_one_is_refused() {
    let a = auth();
    let key = EncodingKey::from_ec_pem(file("tests/keys/es384-private.pem").as_bytes()).unwrap();
    let mut header = Header::new(Algorithm::ES384);
    header.kid = Some("test-es384".into());
    header.jku = Some("https://attacker.test/jwks".into());
    let t = encode(&header, &claims(AUD, NOW + 300, "jku1"), &key).unwrap();
    let e = a.verify(Some(&bearer(&t)), AUD, NOW).unwrap_err();
    assert!(e.0.contains("`jku`"), "{e:?}");
}

#[test]
fn a_trusted_issuers_file_is_checked_when_read() {
    assert!(Auth::from_json("{}").is_err());
    assert!(Auth::from_json(r#"{"issuers": []}"#).is_err());
    assert!(Auth::from_json(r#"{"issuers": [{"iss": "x", "jwks": {"keys": []}}]}"#).is_err());
}
