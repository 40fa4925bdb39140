//! The FHIR side of CDS Hooks 2.0.1: the prefetch templates the service asks for, and reading
//! what the client sends (prefetched resources, `draftOrders`) into a case.
//!
//! The envelope of a hook request and the cards are in `cramp-cds`; this module is only what
//! needs to know FHIR.

use crate::onepass::ReadValue;
use crate::shapes::Entry;
use crate::{
    MapError, MapOptions, Mapped, QUESTIONNAIRE_ID, Resource, case_from_resources, items_from_read, items_from_text,
    map_items,
};
use cramp_core::KnowledgeBase;
use serde::Deserialize;
use serde_json::value::RawValue;

/// Prefetch keys the service cannot work without (412 when absent and not fetchable).
pub const REQUIRED_KEYS: &[&str] = &["patient", "conditions", "medications"];
/// Prefetch keys that are used when sent; their absence is a line on the card.
pub const OPTIONAL_KEYS: &[&str] = &["medicationStatements", "questionnaireResponse"];

/// One prefetch template: key, FHIR query (with `{{context.patientId}}`), and the analyte the key
/// carries when it is a lab key.
#[derive(Debug, Clone)]
pub struct Template {
    pub key: String,
    pub query: String,
    pub analyte: Option<String>,
    /// Patient sexes (`patient.sex` values) for whom a missing value is not worth listing.
    pub unlisted_for_sex: Vec<String>,
}

/// Every prefetch template, within the CDS Hooks 2.0.1 template subset (instance read; type
/// search by reference, token equality, `_sort`, `_count`). One key per analyte, because
/// `_count=1` over several analytes would return only the newest result of all of them.
pub fn prefetch_templates(kb: &KnowledgeBase, base: &str) -> Vec<Template> {
    let p = "{{context.patientId}}";
    let mut out = vec![
        t("patient", format!("Patient/{p}")),
        t("conditions", format!("Condition?patient={p}")),
        t(
            "medications",
            format!("MedicationRequest?patient={p}&status=active,on-hold"),
        ),
        t(
            "medicationStatements",
            format!("MedicationStatement?patient={p}&status=active,on-hold,intended"),
        ),
        t(
            "questionnaireResponse",
            format!(
                "QuestionnaireResponse?subject={p}&questionnaire={}&_sort=-authored&_count=1",
                crate::resources::canonical(base, "Questionnaire", QUESTIONNAIRE_ID)
            ),
        ),
    ];
    for a in &kb.labs.analytes {
        let codes = a.loinc.iter().map(|l| l.code.as_str());
        out.push(latest(&a.key, codes, &a.display, &[]));
    }
    // The ECG's QTc, read as `exam.qtc_ms` (c.5 qt_prolongation_risk on quinine).
    if let Some((key, display)) = kb.labs.qtc_prefetch()
        && !kb.labs.qtc_loincs().is_empty()
    {
        out.push(latest(
            key,
            kb.labs.qtc_loincs().iter().map(String::as_str),
            display,
            &[],
        ));
    }
    for o in &kb.conditions.status_observations {
        out.push(latest(&o.key, [o.loinc.as_str()], &o.display, &o.unlisted_for_sex));
    }
    out
}

/// The latest Observation under any of `loinc` (one key each: `_count=1` over several keys would
/// return only the newest of all), named `display` on a card when it is missing.
fn latest<'c>(
    key: &str,
    loinc: impl IntoIterator<Item = &'c str>,
    display: &str,
    unlisted_for_sex: &[String],
) -> Template {
    let codes: Vec<String> = loinc.into_iter().map(|l| format!("http://loinc.org|{l}")).collect();
    Template {
        key: key.to_string(),
        query: format!(
            "Observation?patient={{{{context.patientId}}}}&code={}&_sort=-date&_count=1",
            codes.join(",")
        ),
        analyte: Some(display.to_string()),
        unlisted_for_sex: unlisted_for_sex.to_vec(),
    }
}

fn t(key: &str, query: String) -> Template {
    Template {
        key: key.into(),
        query,
        analyte: None,
        unlisted_for_sex: Vec::new(),
    }
}

/// A prefetched value as the request reading left it.
#[derive(Debug)]
pub enum PrefetchValue<'a> {
    /// Read in one pass with the request (`onepass`).
    Read(ReadValue<'a>),
    /// JSON text, read by `case_from_prefetch` (when one-pass reading gave up, or the value
    /// was fetched from the FHIR server).
    Text(&'a RawValue),
}

/// A prefetched value deserializes as read in one pass (`onepass`); the text form is made by
/// the caller from a `RawValue`.
impl<'de: 'a, 'a> Deserialize<'de> for PrefetchValue<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        ReadValue::deserialize(d).map(PrefetchValue::Read)
    }
}

/// What the client sent under one prefetch key.
#[derive(Debug)]
pub enum Prefetched<'a> {
    /// The key is not in the request: the client chose not to (or could not) fill it.
    Absent,
    /// The key is `null`: the client has no data for it.
    Null,
    Value(PrefetchValue<'a>),
}

/// Reads prefetched values (and any resources fetched from the FHIR server) as one case.
/// A searchset Bundle gives its entries; any other resource stands for itself (an
/// OperationOutcome becomes a note). A paginated search is read to its first page, and said so.
pub fn case_from_prefetch(values: Vec<(&str, PrefetchValue<'_>)>, opts: &MapOptions<'_>) -> Result<Mapped, MapError> {
    // Texts are cut into their resources first (the items borrow them), in the values' order.
    let mut texts = Vec::new();
    let mut notes = Vec::new();
    let mut spans = Vec::with_capacity(values.len());
    for (key, value) in &values {
        if let PrefetchValue::Text(raw) = value {
            let start = texts.len();
            gather(&format!("prefetch.{key}"), raw, &mut texts, &mut notes)?;
            spans.push(start..texts.len());
        } else {
            spans.push(0..0);
        }
    }
    let mut head_notes = Vec::new();
    let mut items = Vec::new();
    for ((key, value), span) in values.into_iter().zip(spans) {
        match value {
            PrefetchValue::Text(_) => items.extend(items_from_text(&texts[span], &mut head_notes)),
            PrefetchValue::Read(read) => {
                let at = format!("prefetch.{key}");
                if read.paged {
                    notes.push(paged_note(&at));
                }
                items.extend(items_from_read(&at, read));
            }
        }
    }
    let mut mapped = map_items(items, head_notes, opts)?;
    notes.append(&mut mapped.notes);
    mapped.notes = notes;
    Ok(mapped)
}

fn paged_note(at: &str) -> String {
    format!("{at}: only the first page of the search was sent; later pages were not read")
}

#[derive(Deserialize)]
pub(crate) struct Link {
    pub relation: Option<String>,
}

/// A prefetched value's type, and when it is a Bundle its entries and links (read as a Bundle's
/// only when it is one).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Top<'a> {
    resource_type: Option<String>,
    #[serde(borrow)]
    entry: Option<&'a RawValue>,
    #[serde(borrow)]
    link: Option<&'a RawValue>,
}

/// Reads the value found at `at` (`prefetch.conditions`, `context.draftOrders`).
fn gather<'a>(
    at: &str,
    raw: &'a RawValue,
    out: &mut Vec<Resource<'a>>,
    notes: &mut Vec<String>,
) -> Result<(), MapError> {
    let text = raw.get();
    // The element that could not be read, named by its path (read again with the path tracked).
    let not_resource = |what: String| MapError(format!("{what}; send a resource, a Bundle or null"));
    let top: Top<'a> = serde_json::from_str(text).map_err(|_| not_resource(crate::unreadable::<Top>(at, text)))?;
    match top.resource_type.as_deref() {
        Some("Bundle") => {
            let links: Vec<Link> = match top.link {
                None => Vec::new(),
                Some(l) => serde_json::from_str(l.get())
                    .map_err(|_| not_resource(crate::unreadable_list::<Link>(&format!("{at}.link"), l.get())))?,
            };
            let entries: Vec<Entry<'a>> = match top.entry {
                None => Vec::new(),
                Some(e) => serde_json::from_str(e.get())
                    .map_err(|_| not_resource(crate::unreadable_list::<Entry>(&format!("{at}.entry"), e.get())))?,
            };
            if links.iter().any(|l| l.relation.as_deref() == Some("next")) {
                notes.push(paged_note(at));
            }
            for (i, e) in entries.into_iter().enumerate() {
                if let Some(r) = e.resource {
                    out.push(Resource {
                        at: format!("{at}.entry[{i}]"),
                        full_url: e.full_url,
                        raw: r.get(),
                    });
                }
            }
            Ok(())
        }
        Some(_) => {
            out.push(Resource {
                at: at.to_string(),
                full_url: None,
                raw: text,
            });
            Ok(())
        }
        None => Err(MapError(format!(
            "`{at}` has no resourceType; send a FHIR resource, a Bundle or null"
        ))),
    }
}

/// The drug orders of a `draftOrders` Bundle (order-select, order-sign), as drugs being considered,
/// each with the order it came from (`Mapped::considering_from`).
pub fn draft_orders(raw: &RawValue, opts: &MapOptions<'_>) -> Result<Mapped, MapError> {
    let mut resources = Vec::new();
    let mut notes = Vec::new();
    gather("context.draftOrders", raw, &mut resources, &mut notes)?;
    let opts = MapOptions {
        drafts_as_considering: true,
        ..*opts
    };
    let mut mapped = case_from_resources(&resources, &opts)?;
    notes.append(&mut mapped.notes);
    mapped.notes = notes;
    Ok(mapped)
}
