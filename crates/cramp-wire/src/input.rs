//! Parsing a case (SPEC §3): strict JSON, unknown fields rejected with the nearest valid name,
//! wrong types and values out of range or enum named by their field path.

use cramp_core::Case;

/// A case that cannot be assessed as sent. The message names the field (or line and column) and
/// the fix; the CLI exits 2 with it and the server answers 400 or 422.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// Not JSON at all (HTTP 400).
    #[error(
        "invalid JSON at line {line}, column {column}: {message}; fix the JSON syntax (a missing comma, quote or bracket is the usual cause)"
    )]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not a case SPEC §3 allows (HTTP 422).
    #[error("{0}")]
    Invalid(String),
}

impl InputError {
    /// Whether the body was not JSON at all (as opposed to a JSON value that is not a valid case).
    pub fn is_syntax(&self) -> bool {
        matches!(self, InputError::Syntax { .. })
    }
}

/// The element at serde_path_to_error's `path` of a case, in words (`case` for the root).
fn describe(path: &str, inner: &str) -> String {
    let path = if path.is_empty() || path == "." { "case" } else { path };
    cramp_core::serde_msg::describe(path, inner)
}

/// The top level of a case is a JSON object, never an array (see `cramp_core::case::strict`).
struct CaseObject(Case);

impl<'de> serde::Deserialize<'de> for CaseObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        cramp_core::case::strict::object(d).map(CaseObject)
    }
}

/// Parses and checks a case. Never panics, whatever the input.
///
/// A valid case is parsed once, without path tracking; only a case that fails is parsed again with
/// `serde_path_to_error`, to name the field in the message (the tracking cost a third of parsing).
pub fn parse_case(text: &str) -> Result<Case, InputError> {
    if let Ok(CaseObject(case)) = serde_json::from_str::<CaseObject>(text) {
        case.validate().map_err(|e| InputError::Invalid(e.to_string()))?;
        return Ok(case);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let case: Case = match serde_path_to_error::deserialize(&mut de).map(|c: CaseObject| c.0) {
        Ok(case) => case,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            let message = cramp_core::serde_msg::without_position(&inner.to_string()).to_string();
            return Err(match inner.classify() {
                serde_json::error::Category::Syntax
                | serde_json::error::Category::Eof
                | serde_json::error::Category::Io => InputError::Syntax {
                    line: inner.line(),
                    column: inner.column(),
                    message,
                },
                serde_json::error::Category::Data => {
                    if (path.is_empty() || path == ".")
                        && (message.starts_with("invalid type") || message.contains("expected an object"))
                    {
                        return Err(InputError::Invalid(
                            "the case must be a JSON object (SPEC §3), e.g. {\"patient\": {\"age\": 67}}".into(),
                        ));
                    }
                    InputError::Invalid(describe(&path, &message))
                }
            });
        }
    };
    if let Err(e) = de.end() {
        return Err(InputError::Syntax {
            line: e.line(),
            column: e.column(),
            message: "trailing characters after the case".into(),
        });
    }
    case.validate().map_err(|e| InputError::Invalid(e.to_string()))?;
    Ok(case)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> String {
        parse_case(text).unwrap_err().to_string()
    }

    #[test]
    fn invalid_json_names_the_line_and_column() {
        let m = message("{\n  \"patient\": {\"age\": 67,}\n}");
        assert!(m.starts_with("invalid JSON at line 2, column"), "{m}");
    }

    #[test]
    fn an_unknown_field_names_the_nearest_valid_name() {
        let m = message(r#"{"patient": {"pregant": true}}"#);
        assert!(m.contains("`patient.pregant`"), "{m}");
        assert!(m.contains("did you mean `pregnant`"), "{m}");
    }

    #[test]
    fn an_unknown_top_level_field_is_named() {
        let m = message(r#"{"symptom": {}}"#);
        assert!(m.contains("`symptom`"), "{m}");
        assert!(m.contains("did you mean `symptoms`"), "{m}");
    }

    #[test]
    fn a_wrong_type_names_the_field_and_the_expected_type() {
        let m = message(r#"{"patient": {"age": "sixty"}}"#);
        assert!(m.contains("`patient.age`: expected a number"), "{m}");
    }

    #[test]
    fn a_value_outside_its_enum_lists_the_valid_ones() {
        let m = message(r#"{"symptoms": {"relieved_by": "ice"}}"#);
        assert!(m.contains("`symptoms.relieved_by`"), "{m}");
        assert!(m.contains("stretching, any_movement, rest"), "{m}");
    }

    #[test]
    fn a_true_or_a_number_where_a_code_belongs_names_the_field_not_the_json_syntax() {
        for (case, field) in [
            (r#"{"symptoms": {"calf_swelling": true}}"#, "`symptoms.calf_swelling`"),
            (r#"{"symptoms": {"when": 5}}"#, "`symptoms.when`"),
            (
                r#"{"symptoms": {"location": ["calf", false]}}"#,
                "`symptoms.location[1]`",
            ),
        ] {
            let e = parse_case(case).unwrap_err();
            assert!(!e.is_syntax(), "{case}: {e}");
            let m = e.to_string();
            assert!(m.starts_with(field) && m.contains("expected one of: "), "{case}: {m}");
        }
        let m = message(r#"{"symptoms": {"calf_swelling": true}}"#);
        assert!(
            m.contains("none, one_leg, both_legs") && m.contains("got boolean `true`"),
            "{m}"
        );
    }

    #[test]
    fn an_out_of_range_value_names_the_allowed_range() {
        let m = message(r#"{"patient": {"age": 300}}"#);
        assert_eq!(m, "`patient.age`: 300 is outside 0–130; send the age in years, 0–130");
    }

    #[test]
    fn a_medication_without_name_or_code_is_an_error() {
        let m = message(r#"{"medications": [{}]}"#);
        assert!(m.contains("`medications[0]`"), "{m}");
    }

    #[test]
    fn a_top_level_array_is_not_a_case() {
        assert!(message("[]").contains("must be a JSON object"));
    }

    #[test]
    fn an_empty_object_is_a_valid_case() {
        assert!(parse_case("{}").is_ok());
    }
}

/// A case as the request sent it: a SPEC §3 case, or one read from a FHIR R4 Bundle, with what
/// the reading has to tell the caller (it goes to `input_warnings`).
#[derive(Debug)]
pub struct Input {
    pub case: Case,
    pub notes: Vec<String>,
}

/// How a FHIR Bundle is read: "today" for ages, and whether draft orders are drugs being considered.
#[derive(Debug, Clone, Copy)]
pub struct FhirOptions {
    pub today: time::Date,
    pub drafts_as_considering: bool,
}

impl FhirOptions {
    /// Today (UTC) by the system clock; drafts ignored (they belong to order hooks).
    pub fn now() -> Self {
        FhirOptions {
            today: time::OffsetDateTime::now_utc().date(),
            drafts_as_considering: false,
        }
    }
}

/// Parses a case or a FHIR R4 Bundle (detected by `resourceType`, SPEC §3), then checks it like
/// any case. The clock is read only for a Bundle.
pub fn parse_input(kb: &cramp_core::KnowledgeBase, text: &str) -> Result<Input, InputError> {
    if cramp_fhir::is_fhir(text) {
        return parse_fhir(kb, text, FhirOptions::now());
    }
    parse_case(text).map(|case| Input {
        case,
        notes: Vec::new(),
    })
}

/// Reads a FHIR R4 Bundle as a case, with an injected clock.
pub fn parse_fhir(kb: &cramp_core::KnowledgeBase, text: &str, opts: FhirOptions) -> Result<Input, InputError> {
    let mapped = cramp_fhir::case_from_bundle(
        text,
        &cramp_fhir::MapOptions {
            today: opts.today,
            drafts_as_considering: opts.drafts_as_considering,
            keep_condition_refs: false,
            readings: kb,
        },
    )
    .map_err(|e| InputError::Invalid(e.to_string()))?;
    mapped
        .case
        .validate()
        .map_err(|e| InputError::Invalid(format!("read from the FHIR Bundle: {e}")))?;
    Ok(Input {
        case: mapped.case,
        notes: mapped.notes,
    })
}
