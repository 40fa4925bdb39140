//! The few FHIR R4 shapes cramp reads, written by hand and tolerant (`notes/standards.md` §3):
//! every element optional, unknown elements ignored, nothing beyond what a decision needs.
//!
//! Every resource shape also has `id` (the label of notes; a Medication's is what references
//! match) and `resource_type`, not read: a resource read whole has it once; one-pass reading
//! (`crate::onepass`) consumes the leading one first, so there it is set only when repeated.

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

pub const LOINC: &str = "http://loinc.org";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const ICD10_CM: &str = "http://hl7.org/fhir/sid/icd-10-cm";
/// WHO ICD-10: its codes share ICD-10-CM's chapters and the prefixes the rules use.
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10";
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
pub const ATC: &str = "http://www.whocc.no/atc";
pub const UCUM: &str = "http://unitsofmeasure.org";
/// The same code systems named by their HL7 OIDs, as some EHRs send them (FHIR's NamingSystem
/// registry of terminologies), each with the URI it stands for: every comparison of a system goes
/// through [`system_uri`], so a caller names only the URI.
const SYSTEM_OIDS: &[(&str, &str)] = &[
    ("urn:oid:2.16.840.1.113883.6.1", LOINC),
    ("urn:oid:2.16.840.1.113883.6.96", SNOMED),
    ("urn:oid:2.16.840.1.113883.6.90", ICD10_CM),
    ("urn:oid:2.16.840.1.113883.6.3", ICD10),
    ("urn:oid:2.16.840.1.113883.6.88", RXNORM),
    ("urn:oid:2.16.840.1.113883.6.73", ATC),
    ("urn:oid:2.16.840.1.113883.6.8", UCUM),
];

/// A code system as the mapping compares it: an HL7 OID is read as its URI.
pub fn system_uri(system: &str) -> &str {
    SYSTEM_OIDS
        .iter()
        .find(|(oid, _)| *oid == system)
        .map_or(system, |(_, uri)| uri)
}

pub const CONDITION_CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
pub const CONDITION_VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle<'a> {
    pub resource_type: String,
    #[serde(default, borrow)]
    pub entry: Vec<Entry<'a>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry<'a> {
    pub full_url: Option<String>,
    #[serde(borrow)]
    pub resource: Option<&'a RawValue>,
}

/// Only the type of a resource, to choose its shape.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Head {
    pub resource_type: Option<String>,
    pub id: Option<String>,
}

impl Head {
    /// Reads a resource's type and id. Servers write `resourceType` first and usually `id` next:
    /// those are read from the text directly, without scanning the whole resource; anything else
    /// falls back to parsing it.
    pub fn read(raw: &str) -> Option<Head> {
        Head::leading(raw).or_else(|| serde_json::from_str::<Head>(raw).ok())
    }

    fn leading(raw: &str) -> Option<Head> {
        let rest = raw.trim_start().strip_prefix('{')?.trim_start();
        let (resource_type, rest) = string_member(rest, "resourceType")?;
        let rest = rest.trim_start();
        let id = match rest.strip_prefix(',') {
            Some(after) => string_member(after.trim_start(), "id").map(|(id, _)| id),
            None => None,
        };
        // Without a leading `id` the id may be anywhere: parse the whole resource for it.
        id.map(|id| Head {
            resource_type: Some(resource_type),
            id: Some(id),
        })
    }
}

/// `"key": "value"` at the start of `text` with a plain (escape-free) string value, and the rest.
fn string_member<'t>(text: &'t str, key: &str) -> Option<(String, &'t str)> {
    let rest = text.strip_prefix('"')?.strip_prefix(key)?.strip_prefix('"')?;
    let rest = rest.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    if rest.as_bytes()[end] != b'"' {
        return None;
    }
    Some((rest[..end].to_string(), &rest[end + 1..]))
}

/// A JSON string of a resource: borrowed from the request's text when it has no escapes (most
/// do), so that reading a resource allocates only for what it keeps.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl std::ops::Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Str<'_> {
    pub fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Coding<'a> {
    #[serde(borrow)]
    pub system: Option<Str<'a>>,
    #[serde(borrow)]
    pub code: Option<Str<'a>>,
    #[serde(borrow)]
    pub display: Option<Str<'a>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct CodeableConcept<'a> {
    #[serde(default)]
    #[serde(borrow)]
    pub coding: Vec<Coding<'a>>,
    #[serde(borrow)]
    pub text: Option<Str<'a>>,
}

impl CodeableConcept<'_> {
    /// The first code of a system (trimmed, non-empty).
    pub fn code_in(&self, systems: &[&str]) -> Option<String> {
        self.coding
            .iter()
            .filter(|c| c.system.as_deref().is_some_and(|s| systems.contains(&system_uri(s))))
            .filter_map(|c| c.code.as_deref().map(str::trim))
            .find(|c| !c.is_empty())
            .map(str::to_string)
    }

    /// Any code of `system` equal to one of `codes`.
    pub fn has_code(&self, system: &str, codes: &[&str]) -> bool {
        self.coding.iter().any(|c| {
            c.system.as_deref().map(system_uri) == Some(system)
                && c.code.as_deref().is_some_and(|x| codes.contains(&x.trim()))
        })
    }

    /// A name for people: the text, else the first display.
    pub fn name(&self) -> Option<String> {
        self.text
            .as_deref()
            .or_else(|| self.coding.iter().find_map(|c| c.display.as_deref()))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Quantity<'a> {
    pub value: Option<f64>,
    /// `<`, `<=`, `>=` or `>`: the real value lies beyond `value` (e.g. an eGFR reported as "> 90").
    #[serde(borrow)]
    pub comparator: Option<Str<'a>>,
    #[serde(borrow)]
    pub unit: Option<Str<'a>>,
    #[serde(borrow)]
    pub system: Option<Str<'a>>,
    #[serde(borrow)]
    pub code: Option<Str<'a>>,
}

impl Quantity<'_> {
    /// The unit as the rules read it: the UCUM code when there is one, else the human unit.
    pub fn unit(&self) -> Option<String> {
        let ucum = self
            .code
            .as_deref()
            .filter(|_| self.system.as_deref().map(system_uri) == Some(UCUM));
        ucum.or(self.unit.as_deref())
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(str::to_string)
    }
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Reference<'a> {
    #[serde(borrow)]
    pub reference: Option<Str<'a>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Period<'a> {
    #[serde(borrow)]
    pub start: Option<Str<'a>>,
    #[serde(borrow)]
    pub end: Option<Str<'a>>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct Range<'a> {
    #[serde(borrow)]
    pub low: Option<Quantity<'a>>,
    #[serde(borrow)]
    pub high: Option<Quantity<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Patient<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(rename = "resourceType")]
    pub resource_type: Option<IgnoredAny>,
    #[serde(borrow)]
    pub birth_date: Option<Str<'a>>,
    #[serde(borrow)]
    pub gender: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Condition<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(rename = "resourceType")]
    pub resource_type: Option<IgnoredAny>,
    #[serde(borrow)]
    pub clinical_status: Option<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub verification_status: Option<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub code: Option<CodeableConcept<'a>>,
    /// abatement[x]: present only when the condition has ended (FHIR invariant con-4). Only its
    /// presence is read.
    pub abatement_date_time: Option<IgnoredAny>,
    pub abatement_age: Option<IgnoredAny>,
    pub abatement_period: Option<IgnoredAny>,
    pub abatement_range: Option<IgnoredAny>,
    pub abatement_string: Option<IgnoredAny>,
    /// When it began (onsetDateTime, or onsetPeriod's start) and, failing those, when it was
    /// recorded: read only for a condition of bounded duration (pregnancy).
    #[serde(borrow)]
    pub onset_date_time: Option<Str<'a>>,
    #[serde(borrow)]
    pub onset_period: Option<Period<'a>>,
    #[serde(borrow)]
    pub recorded_date: Option<Str<'a>>,
}

impl Condition<'_> {
    /// The element that says when the condition began, and its date: onsetDateTime, onsetPeriod's
    /// start, else recordedDate.
    pub fn began(&self) -> Option<(&'static str, &str)> {
        self.onset_date_time
            .as_deref()
            .map(|d| ("onsetDateTime", d))
            .or_else(|| {
                self.onset_period
                    .as_ref()
                    .and_then(|p| p.start.as_deref())
                    .map(|d| ("onsetPeriod.start", d))
            })
            .or_else(|| self.recorded_date.as_deref().map(|d| ("recordedDate", d)))
    }
    /// Whether the record says when the condition ended (any abatement[x]).
    pub fn abated(&self) -> bool {
        self.abatement_date_time.is_some()
            || self.abatement_age.is_some()
            || self.abatement_period.is_some()
            || self.abatement_range.is_some()
            || self.abatement_string.is_some()
    }
}

/// An optional list read leniently: an array's readable items, a single object as one item, and
/// anything else (or an unreadable item) as nothing. For elements that only qualify a resource (an
/// order's reasons): a malformed one must not make the whole resource unreadable, which would drop
/// a quinine order and its critical card. The reading is then what the elements hold, without the
/// malformed ones.
fn lenient_list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let items = match serde_json::Value::deserialize(d)? {
        serde_json::Value::Array(items) => items,
        one @ serde_json::Value::Object(_) => vec![one],
        _ => return Ok(Vec::new()),
    };
    Ok(items.into_iter().filter_map(|item| T::deserialize(item).ok()).collect())
}

/// MedicationRequest and MedicationStatement: the parts cramp reads are the same.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MedicationUse<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(rename = "resourceType")]
    pub resource_type: Option<IgnoredAny>,
    #[serde(borrow)]
    pub status: Option<Str<'a>>,
    #[serde(borrow)]
    pub medication_codeable_concept: Option<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub medication_reference: Option<Reference<'a>>,
    /// Why it is ordered or taken (R4 `reasonCode`): for a draft order, whether it is for cramps.
    /// Read leniently (`lenient_list`): a malformed reason must not drop the order it is on.
    #[serde(borrow, default, deserialize_with = "lenient_list")]
    pub reason_code: Vec<CodeableConcept<'a>>,
    /// R4 `reasonReference`: the chart's Conditions the order is for, resolved against the
    /// prefetched conditions (`Mapped::condition_refs`). Read leniently, as `reason_code`.
    #[serde(borrow, default, deserialize_with = "lenient_list")]
    pub reason_reference: Vec<Reference<'a>>,
    /// MedicationStatement only: when it was taken; an end in the past beside an active status is
    /// noted.
    #[serde(borrow)]
    pub effective_period: Option<Period<'a>>,
    #[serde(default)]
    pub contained: Vec<serde_json::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Medication<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(rename = "resourceType")]
    pub resource_type: Option<IgnoredAny>,
    #[serde(borrow)]
    pub code: Option<CodeableConcept<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Observation<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(rename = "resourceType")]
    pub resource_type: Option<IgnoredAny>,
    #[serde(borrow)]
    pub status: Option<Str<'a>>,
    #[serde(borrow)]
    pub code: Option<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub value_quantity: Option<Quantity<'a>>,
    #[serde(borrow)]
    pub value_codeable_concept: Option<CodeableConcept<'a>>,
    #[serde(default)]
    #[serde(borrow)]
    pub reference_range: Vec<Range<'a>>,
    #[serde(borrow)]
    pub effective_date_time: Option<Str<'a>>,
    #[serde(borrow)]
    pub effective_instant: Option<Str<'a>>,
    #[serde(borrow)]
    pub effective_period: Option<Period<'a>>,
    #[serde(borrow)]
    pub issued: Option<Str<'a>>,
    /// A panel's results (an ECG's intervals), each with its own code and value.
    #[serde(default)]
    #[serde(borrow)]
    pub component: Vec<ObservationComponent<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObservationComponent<'a> {
    #[serde(borrow)]
    pub code: Option<CodeableConcept<'a>>,
    #[serde(borrow)]
    pub value_quantity: Option<Quantity<'a>>,
    #[serde(default)]
    #[serde(borrow)]
    pub reference_range: Vec<Range<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuestionnaireResponse<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(rename = "resourceType")]
    pub resource_type: Option<IgnoredAny>,
    #[serde(borrow)]
    pub status: Option<Str<'a>>,
    /// The canonical URL of the Questionnaire answered.
    #[serde(borrow)]
    pub questionnaire: Option<Str<'a>>,
    #[serde(borrow)]
    pub authored: Option<Str<'a>>,
    #[serde(default)]
    #[serde(borrow)]
    pub item: Vec<QrItem<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QrItem<'a> {
    #[serde(borrow)]
    pub link_id: Option<Str<'a>>,
    #[serde(default)]
    #[serde(borrow)]
    pub answer: Vec<QrAnswer<'a>>,
    #[serde(default)]
    #[serde(borrow)]
    pub item: Vec<QrItem<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QrAnswer<'a> {
    pub value_boolean: Option<bool>,
    pub value_decimal: Option<f64>,
    pub value_integer: Option<i64>,
    #[serde(borrow)]
    pub value_string: Option<Str<'a>>,
    #[serde(borrow)]
    pub value_coding: Option<Coding<'a>>,
    #[serde(default)]
    #[serde(borrow)]
    pub item: Vec<QrItem<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct OperationOutcome<'a> {
    #[serde(borrow)]
    pub id: Option<Str<'a>>,
    #[serde(rename = "resourceType")]
    pub resource_type: Option<IgnoredAny>,
    #[serde(default)]
    #[serde(borrow)]
    pub issue: Vec<Issue<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Issue<'a> {
    #[serde(borrow)]
    pub severity: Option<Str<'a>>,
    #[serde(borrow)]
    pub diagnostics: Option<Str<'a>>,
    #[serde(borrow)]
    pub details: Option<CodeableConcept<'a>>,
}

#[cfg(test)]
mod tests {
    use super::Head;

    fn read(raw: &str) -> (Option<String>, Option<String>) {
        let h = Head::read(raw).unwrap();
        (h.resource_type, h.id)
    }

    #[test]
    fn a_resources_type_and_id_are_read_wherever_they_are() {
        let both = |t: &str, id: &str| (Some(t.to_string()), Some(id.to_string()));
        // Leading members (the fast path), with any whitespace.
        assert_eq!(
            read(r#"{"resourceType":"Patient","id":"p1","gender":"male"}"#),
            both("Patient", "p1")
        );
        assert_eq!(
            read("{\n  \"resourceType\" : \"Patient\" ,\n  \"id\": \"p1\"}"),
            both("Patient", "p1")
        );
        // Anywhere else, or escaped: the full parse gives the same answer.
        assert_eq!(read(r#"{"id":"p1","resourceType":"Patient"}"#), both("Patient", "p1"));
        assert_eq!(
            read(r#"{"resourceType":"Patient","gender":"male","id":"p1"}"#),
            both("Patient", "p1")
        );
        assert_eq!(
            read(r#"{"resourceType":"Pat\u0069ent","id":"p\"1"}"#),
            both("Patient", "p\"1")
        );
        assert_eq!(read(r#"{"resourceType":"Patient"}"#), (Some("Patient".into()), None));
        assert!(Head::read("[1, 2]").is_none());
    }
}
