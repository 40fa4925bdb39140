//! The assessment as SPEC §4 sends it, for one audience.

use crate::json::{Object, WriteJson};
use cramp_core::assessment::*;
use cramp_core::knowledge::{Entry, KnowledgeBase, Phrase, Source};
use cramp_core::vocab::*;
use serde::Serialize;
use serde::ser::SerializeStruct;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// A text of the output. When it comes unchanged from the knowledge base, its JSON form was
/// escaped once at load (`WireCache`) and is copied as is: serialising the ~24 KB of an
/// assessment was most of the request time, and almost all of it is static text.
#[derive(Debug, Clone)]
pub struct Text<'a> {
    pub plain: Cow<'a, str>,
    raw: Option<&'a RawValue>,
}

impl<'a> Text<'a> {
    fn owned(s: String) -> Self {
        Text {
            plain: Cow::Owned(s),
            raw: None,
        }
    }
    fn entry(e: &'a Entry, audience: Audience, cache: Option<&'a WireCache>) -> Self {
        let i = if audience == Audience::Clinician { 0 } else { 1 };
        Text {
            plain: Cow::Borrowed(e.text(audience)),
            raw: cache.map(|c| &*c.texts[e.index][i]),
        }
    }
}

impl Serialize for Text<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.raw {
            Some(raw) => raw.serialize(s),
            None => s.serialize_str(&self.plain),
        }
    }
}

impl std::ops::Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.plain
    }
}

impl std::fmt::Display for Text<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.plain)
    }
}

/// The source ids an item cites (pre-serialised per entry when cached).
#[derive(Debug, Clone, Copy)]
pub struct Ids<'a> {
    pub ids: &'a [String],
    raw: Option<&'a RawValue>,
}

impl<'a> Ids<'a> {
    fn entry(e: &'a Entry, cache: Option<&'a WireCache>) -> Self {
        Ids {
            ids: &e.sources,
            raw: cache.map(|c| &*c.ids[e.index]),
        }
    }
}

impl Serialize for Ids<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.raw {
            Some(raw) => raw.serialize(s),
            None => self.ids.serialize(s),
        }
    }
}

impl std::ops::Deref for Ids<'_> {
    type Target = [String];
    fn deref(&self) -> &[String] {
        self.ids
    }
}

/// An item of the output. When it is exactly what its knowledge entry says (a plan item, a
/// conflict, a red flag at its own urgency, an avoid item or option as the entry defines it), its
/// whole JSON for that voice was written once at load and is copied as is.
#[derive(Debug)]
pub struct Item<'a, T> {
    pub fields: T,
    raw: Option<&'a RawValue>,
}

impl<T: Serialize> Serialize for Item<'_, T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.raw {
            Some(raw) => raw.serialize(s),
            None => self.fields.serialize(s),
        }
    }
}

impl<T> std::ops::Deref for Item<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.fields
    }
}

/// The JSON of every static fragment of the knowledge base, built once per knowledge base.
#[derive(Debug)]
pub struct WireCache {
    sources: Vec<Box<RawValue>>,
    texts: Vec<[Box<RawValue>; 2]>,
    ids: Vec<Box<RawValue>>,
    items: Vec<Option<[Box<RawValue>; 2]>>,
    /// The text of each default range of the lab table ("against the knowledge-base default
    /// range …"), by the range's bounds and canonical unit: one per finding otherwise.
    default_basis: Vec<(BasisKey, String)>,
}

/// A default range as a finding's basis names it: its bounds' bits and its canonical unit.
type BasisKey = (Option<u64>, Option<u64>, String);

fn basis_key(low: Option<f64>, high: Option<f64>, unit: &str) -> BasisKey {
    (low.map(f64::to_bits), high.map(f64::to_bits), unit.to_string())
}

fn raw<T: Serialize + ?Sized>(v: &T) -> Box<RawValue> {
    RawValue::from_string(serde_json::to_string(v).expect("static text serialises")).expect("serde_json output is JSON")
}

impl WireCache {
    fn item(&self, e: &Entry, audience: Audience) -> Option<&RawValue> {
        let i = if audience == Audience::Clinician { 0 } else { 1 };
        self.items.get(e.index)?.as_ref().map(|pair| &*pair[i])
    }

    pub fn new(kb: &KnowledgeBase) -> WireCache {
        let both = |f: &dyn Fn(Audience) -> Box<RawValue>| Some([f(Audience::Clinician), f(Audience::Patient)]);
        let items = kb
            .entries
            .iter()
            .map(|e| {
                let item = e.item.as_deref().unwrap_or("");
                match e.id.split('.').next() {
                    Some("plan") => both(&|a| raw(&plan_out(item, e, a, None))),
                    Some("conflict") => both(&|a| raw(&conflict_out(item, e, a, None))),
                    Some("red_flag") => {
                        let urgency = e.urgency.map(|u| u.as_str()).unwrap_or("");
                        both(&|a| raw(&red_flag_out(item, urgency, e, a, None)))
                    }
                    Some("avoid") => {
                        let severity = e.severity.map(|s| s.as_str()).unwrap_or("");
                        let display = e.display.as_deref().unwrap_or("");
                        both(&|a| raw(&avoid_out(e.atc.as_deref(), display, severity, e, a, None)))
                    }
                    Some("option") => {
                        let option_for = e.option_for.map(|o| o.as_str()).unwrap_or("");
                        both(&|a| raw(&option_out(e, option_for, false, kb, a, None)))
                    }
                    _ => None,
                }
            })
            .collect();
        WireCache {
            sources: kb.sources.iter().map(|s| raw(&source_out(s, None))).collect(),
            texts: kb
                .entries
                .iter()
                .map(|e| [raw(&e.clinician), raw(&e.patient)])
                .collect(),
            ids: kb.entries.iter().map(|e| raw(&e.sources)).collect(),
            items,
            default_basis: {
                let mut v: Vec<(BasisKey, String)> = Vec::new();
                for a in &kb.labs.analytes {
                    for r in [&a.range, &a.range_female, &a.range_male, &a.range_fasting]
                        .into_iter()
                        .flatten()
                    {
                        let key = basis_key(r.low, r.high, &a.canonical_unit);
                        if !v.iter().any(|(k, _)| *k == key) {
                            let text = default_basis_text(kb, r.low, r.high, &a.canonical_unit);
                            v.push((key, text));
                        }
                    }
                }
                v
            },
        }
    }

    /// The cached text of a default range, if it is one of the lab table's.
    fn default_basis(&self, low: Option<f64>, high: Option<f64>, unit: &str) -> Option<&str> {
        let (l, h) = (low.map(f64::to_bits), high.map(f64::to_bits));
        self.default_basis
            .iter()
            .find(|((kl, kh, ku), _)| *kl == l && *kh == h && ku == unit)
            .map(|(_, t)| t.as_str())
    }
}

/// "against the knowledge-base default range {low}-{high} {unit}" for a range in `unit`.
fn default_basis_text(kb: &KnowledgeBase, low: Option<f64>, high: Option<f64>, unit: &str) -> String {
    let (l, h) = fmt_range(low, high);
    fill(
        &kb.wording.templates.basis_default_range,
        &[("low", &l), ("high", &h), ("unit", &unit_for_reading(unit))],
    )
}

/// A number as JSON shows it: integral values without a fraction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            s.serialize_i64(self.0 as i64)
        } else {
            s.serialize_f64(self.0)
        }
    }
}

impl std::fmt::Display for Num {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.fract() == 0.0 && self.0.abs() < 9.0e15 {
            write!(f, "{}", self.0 as i64)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

impl Num {
    /// The text `Display` gives, without the formatting machinery for the common case: a value
    /// that is exactly a decimal with at most three places (every lab value and range in practice).
    /// Such a value's shortest round-trip form is that decimal, so the two agree (tested).
    pub fn text(self) -> String {
        let mut out = Vec::with_capacity(16);
        if self.write_decimal(&mut out) {
            String::from_utf8(out).expect("ASCII digits")
        } else {
            self.to_string()
        }
    }

    /// Writes the value as the decimal `text` gives when it is exactly a decimal with at most
    /// three places (and under 10^12); false, writing nothing, otherwise. JSON and `Display` both
    /// show such a value so (its shortest round-trip form), which the property tests check.
    fn write_decimal(self, out: &mut Vec<u8>) -> bool {
        let x = self.0;
        let thousandths = (x * 1000.0).round();
        if !(x.is_finite() && x.abs() < 1.0e12 && thousandths / 1000.0 == x) {
            return false;
        }
        let t = thousandths.abs() as u64;
        let (int, mut frac) = (t / 1000, t % 1000);
        if x < 0.0 && t != 0 {
            out.push(b'-');
        }
        push_u64(out, int);
        if frac != 0 {
            out.push(b'.');
            let mut digits = 3;
            while frac % 10 == 0 {
                frac /= 10;
                digits -= 1;
            }
            push_padded(out, frac, digits);
        }
        true
    }
}

fn push_u64(out: &mut Vec<u8>, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

/// `n` as exactly `digits` decimal digits, zero-padded on the left.
fn push_padded(out: &mut Vec<u8>, n: u64, digits: u32) {
    for p in (0..digits).rev() {
        out.push(b'0' + ((n / 10u64.pow(p)) % 10) as u8);
    }
}

/// Declares an output struct with `derive(Serialize)` (the reference: the CLI, the snapshots and
/// the property tests use it) and its `WriteJson` (the request path) from one field list, so that the
/// two cannot drift: same fields, same order, same names.
macro_rules! wire_struct {
    (pub struct $ty:ident<'a> {
        $($(#[doc = $doc:literal])* $(#[serde(rename = $name:literal)])? pub $field:ident: $fty:ty,)*
    }) => {
        #[derive(Debug, Serialize)]
        pub struct $ty<'a> {
            $($(#[doc = $doc])* $(#[serde(rename = $name)])? pub $field: $fty,)*
        }

        impl WriteJson for $ty<'_> {
            fn write_json(&self, out: &mut Vec<u8>) {
                let mut o = Object::begin(out);
                $(o.field_literal(concat!("\"", wire_struct!(@name $field $($name)?), "\":"), &self.$field);)*
                o.end();
            }
        }
    };
    (@name $field:ident $name:literal) => { $name };
    (@name $field:ident) => { stringify!($field) };
}

wire_struct! {
pub struct AssessmentOut<'a> {
    pub kb_version: &'a str,
    pub engine_version: &'a str,
    pub audience: &'static str,
    /// What this output is and is not (the patient voice opens with "this does not replace a clinician").
    pub notice: &'a str,
    pub classification: ClassificationOut<'a>,
    pub questions: Vec<QuestionOut<'a>>,
    pub red_flags: Vec<Item<'a, RedFlagOut<'a>>>,
    pub medication_review: Vec<ReviewOut<'a>>,
    pub unrecognized_medications: &'a [String],
    pub labs: Vec<LabOut<'a>>,
    pub lab_findings: Vec<FindingOut<'a>>,
    pub plan: Vec<Item<'a, PlanOut<'a>>>,
    pub medication_options: Vec<Item<'a, OptionOut<'a>>>,
    pub avoid: Vec<Item<'a, AvoidOut<'a>>>,
    pub referral: ReferralOut<'a>,
    pub evidence_conflicts: Vec<Item<'a, ConflictOut<'a>>>,
    pub considered: Vec<ConsideredOut<'a>>,
    pub input_warnings: &'a [String],
    pub sources: Vec<SourceOut<'a>>,
}
}

wire_struct! {
pub struct ClassificationOut<'a> {
    pub most_likely: Option<MostLikelyOut<'a>>,
    pub differential: Vec<DifferentialOut<'a>>,
    pub text: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
}
}

wire_struct! {
pub struct MostLikelyOut<'a> {
    pub code: &'a str,
    pub system: &'static str,
    pub display: &'a str,
    pub confidence: &'static str,
}
}

wire_struct! {
pub struct DifferentialOut<'a> {
    pub code: &'a str,
    pub system: &'static str,
    pub display: &'a str,
    pub status: &'static str,
    pub because: Vec<String>,
}
}

wire_struct! {
pub struct QuestionOut<'a> {
    pub field: &'static str,
    pub text: &'a str,
}
}

wire_struct! {
pub struct RedFlagOut<'a> {
    pub id: &'a str,
    pub urgency: &'static str,
    pub text: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}
}

wire_struct! {
pub struct ReviewOut<'a> {
    pub medication: &'a str,
    pub atc: &'a str,
    pub drug_class: &'a str,
    pub tier: &'static str,
    pub text: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}
}

wire_struct! {
pub struct LabOut<'a> {
    pub loinc: &'a str,
    pub display: &'a str,
    pub repeat: bool,
    pub reason: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}
}

wire_struct! {
pub struct FindingOut<'a> {
    pub loinc: Option<&'a str>,
    pub display: &'a str,
    pub value: Num,
    pub unit: Option<&'a str>,
    pub interpretation: Option<&'static str>,
    pub text: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}
}

wire_struct! {
pub struct PlanOut<'a> {
    pub id: &'a str,
    pub tier: &'static str,
    pub certainty: &'static str,
    pub text: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}
}

wire_struct! {
pub struct OptionOut<'a> {
    pub atc: &'a str,
    pub display: &'a str,
    pub dosing: &'a str,
    #[serde(rename = "for")]
    pub option_for: &'static str,
    pub text: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}
}

wire_struct! {
pub struct AvoidOut<'a> {
    pub atc: Option<&'a str>,
    pub display: &'a str,
    pub severity: &'static str,
    pub text: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}
}

wire_struct! {
pub struct ReferralOut<'a> {
    pub recommended: bool,
    pub urgency: Option<&'static str>,
    pub to: Vec<&'static str>,
    pub reasons: Vec<&'a str>,
    /// The referral in the audience's words.
    pub text: String,
}
}

wire_struct! {
pub struct ConflictOut<'a> {
    pub topic: &'a str,
    pub text: Text<'a>,
    pub sources: Ids<'a>,
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}
}

#[derive(Debug, Serialize)]
pub struct ConsideredOut<'a> {
    pub name: &'a str,
    pub atc: Option<&'a str>,
    pub decision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Text<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<Ids<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_status: Option<&'static str>,
}

#[derive(Debug)]
pub struct SourceOut<'a> {
    pub id: &'a str,
    pub citation: &'a str,
    pub kind: &'static str,
    pub year: i32,
    pub locator: &'a str,
    pub quote: &'a str,
    pub quote_is_verbatim: bool,
    pub url: Option<String>,
    raw: Option<&'a RawValue>,
}

impl Serialize for SourceOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Some(raw) = self.raw {
            return raw.serialize(s);
        }
        let mut st = s.serialize_struct("Source", 8)?;
        st.serialize_field("id", self.id)?;
        st.serialize_field("citation", self.citation)?;
        st.serialize_field("kind", self.kind)?;
        st.serialize_field("year", &self.year)?;
        st.serialize_field("locator", self.locator)?;
        st.serialize_field("quote", self.quote)?;
        st.serialize_field("quote_is_verbatim", &self.quote_is_verbatim)?;
        match &self.url {
            Some(url) => st.serialize_field("url", url)?,
            None => st.skip_field("url")?,
        }
        st.end()
    }
}

// The request path's writer (`crate::json`): the same bytes as the derived `Serialize` above,
// which stays the reference (`tests/properties.rs` compares the two on arbitrary cases).

impl WriteJson for Text<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self.raw {
            Some(raw) => raw.write_json(out),
            None => self.plain.write_json(out),
        }
    }
}

impl WriteJson for Ids<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self.raw {
            Some(raw) => raw.write_json(out),
            None => self.ids.write_json(out),
        }
    }
}

impl<T: WriteJson> WriteJson for Item<'_, T> {
    fn write_json(&self, out: &mut Vec<u8>) {
        match self.raw {
            Some(raw) => raw.write_json(out),
            None => self.fields.write_json(out),
        }
    }
}

impl WriteJson for Num {
    fn write_json(&self, out: &mut Vec<u8>) {
        // The common case (a lab value or range) without serde's float formatting.
        if !self.write_decimal(out) {
            serde_json::to_writer(out, self).expect("a number serialises");
        }
    }
}

impl WriteJson for ConsideredOut<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Object::begin(out);
        o.field("name", &self.name)
            .field("atc", &self.atc)
            .field("decision", &self.decision);
        if let Some(text) = &self.text {
            o.field("text", text);
        }
        if let Some(sources) = &self.sources {
            o.field("sources", sources);
        }
        if let Some(status) = &self.review_status {
            o.field("review_status", status);
        }
        o.end();
    }
}

impl WriteJson for SourceOut<'_> {
    fn write_json(&self, out: &mut Vec<u8>) {
        if let Some(raw) = self.raw {
            return raw.write_json(out);
        }
        let mut o = Object::begin(out);
        o.field("id", &self.id)
            .field("citation", &self.citation)
            .field("kind", &self.kind)
            .field("year", &self.year)
            .field("locator", &self.locator)
            .field("quote", &self.quote)
            .field("quote_is_verbatim", &self.quote_is_verbatim);
        if let Some(url) = &self.url {
            o.field("url", url);
        }
        o.end();
    }
}

pub use cramp_core::template::fill;

fn status(e: &Entry) -> &'static str {
    e.status.as_str()
}

fn fmt_range(low: Option<f64>, high: Option<f64>) -> (String, String) {
    (
        low.map(|l| Num(round(l)).text()).unwrap_or_else(|| "…".into()),
        high.map(|h| Num(round(h)).text()).unwrap_or_else(|| "…".into()),
    )
}

/// A UCUM unit as a reader sees it: an annotation such as `{1.73_m2}` loses its braces and
/// underscores (`mL/min/{1.73_m2}` reads `mL/min/1.73 m2`).
fn unit_for_reading(ucum: &str) -> Cow<'_, str> {
    if ucum.contains('{') {
        Cow::Owned(ucum.replace(['{', '}'], "").replace('_', " "))
    } else {
        Cow::Borrowed(ucum)
    }
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// A converted result to about three significant figures, as a reader compares it with a range
/// (0.658 mmol/L, 5.55 mmol/L, 97.2 µmol/L, 442 pmol/L), never more than three decimal places.
fn reading_round(x: f64) -> f64 {
    let places = match x.abs() {
        a if a >= 100.0 => 0,
        a if a >= 10.0 => 1,
        a if a >= 1.0 => 2,
        _ => 3,
    };
    let p = 10f64.powi(places);
    (x * p).round() / p
}

pub(crate) fn source_out<'a>(s: &'a Source, raw: Option<&'a RawValue>) -> SourceOut<'a> {
    SourceOut {
        id: &s.id,
        citation: &s.citation,
        kind: s.kind.as_str(),
        year: s.year,
        locator: &s.locator,
        quote: &s.quote,
        quote_is_verbatim: s.passage_verbatim,
        // The cached fragment already holds the URL; build it only for the plain path.
        url: if raw.is_none() { s.link() } else { None },
        raw,
    }
}

/// A result as the assessment reads it, in the audience's voice ("Potassium 3.2 mmol/L: low
/// (against …)"); also the CDS results card's lines.
pub fn finding_text(a: &Assessment<'_>, f: &LabFinding<'_>, audience: Audience, cache: Option<&WireCache>) -> String {
    let w = &a.kb.wording;
    let t = &w.templates;
    let value = Num(f.value).text();
    let unit = f.unit.as_deref().unwrap_or("");
    match (&f.interpretation, &f.basis) {
        (None, basis) => {
            let why = match basis {
                Basis::NotInterpreted { why } => why.clone(),
                _ => t.basis_no_range.clone(),
            };
            let tpl = if audience == Audience::Clinician {
                &t.finding_uninterpreted_clinician
            } else {
                &t.finding_uninterpreted_patient
            };
            fill(
                tpl,
                &[
                    ("display", &f.display),
                    ("value", format!("{value} {unit}").trim()),
                    ("why", &why),
                ],
            )
        }
        (Some(i), basis) => {
            let word = w.interpretation_word(*i, audience);
            let basis_text = match basis {
                Basis::LabRange { low, high, unit } => {
                    let (l, h) = fmt_range(*low, *high);
                    Cow::Owned(fill(&t.basis_lab_range, &[("low", &l), ("high", &h), ("unit", unit)]))
                }
                Basis::DefaultRange { low, high, .. } => {
                    match cache.and_then(|c| c.default_basis(*low, *high, f.canonical_unit)) {
                        Some(text) => Cow::Borrowed(text),
                        None => Cow::Owned(default_basis_text(a.kb, *low, *high, f.canonical_unit)),
                    }
                }
                Basis::RlsThreshold => Cow::Borrowed(t.basis_rls.as_str()),
                Basis::RlsThresholdChild => Cow::Borrowed(t.basis_rls_child.as_str()),
                Basis::Critical { limit } => Cow::Owned(fill(
                    &t.basis_critical,
                    &[
                        ("limit", &Num(round(*limit)).text()),
                        ("unit", &unit_for_reading(f.canonical_unit)),
                    ],
                )),
                Basis::NoRange | Basis::NotInterpreted { .. } => Cow::Borrowed(t.basis_no_range.as_str()),
            };
            let tpl = if audience == Audience::Clinician {
                &t.finding_clinician
            } else {
                &t.finding_patient
            };
            // A basis of the knowledge base's own is in its unit; a result sent in another unit is
            // shown in that unit too (the laboratory's range is in the result's own unit).
            let converted = match (f.canonical_value, basis) {
                (
                    Some(cv),
                    Basis::DefaultRange { .. }
                    | Basis::Critical { .. }
                    | Basis::RlsThreshold
                    | Basis::RlsThresholdChild,
                ) if audience == Audience::Clinician && (cv - f.value).abs() > 1e-9 * cv.abs().max(1.0) => {
                    Cow::Owned(fill(
                        &t.finding_converted_clinician,
                        &[
                            ("value", &Num(reading_round(cv)).text()),
                            ("unit", &unit_for_reading(f.canonical_unit)),
                        ],
                    ))
                }
                _ => Cow::Borrowed(""),
            };
            let mut text = fill(
                tpl,
                &[
                    ("display", &f.display),
                    ("value", &value),
                    ("unit", unit),
                    ("converted", &converted),
                    ("interpretation", word),
                    ("basis", &basis_text),
                ],
            );
            if let (Some(adj), Audience::Clinician) = (f.adjusted, audience) {
                text.push_str(&fill(
                    &t.finding_calcium_adjusted_clinician,
                    &[("value", &Num(round(adj)).text()), ("unit", unit)],
                ));
            }
            text
        }
    }
}

/// The referral as a sentence in the audience's voice (`wording.toml` `[referral]`).
fn referral_text(
    words: &cramp_core::knowledge::ReferralWords,
    r: &cramp_core::assessment::Referral,
    flagged: bool,
    audience: Audience,
) -> String {
    if !r.recommended() {
        let words = if flagged { &words.signs_only } else { &words.none };
        return words.text(audience).to_string();
    }
    let to: Vec<&str> =
        r.to.iter()
            .map(|d| words.to.get(d.as_str()).map_or(d.as_str(), |p| p.text(audience)))
            .collect();
    let urgency = r
        .urgency
        .map(|u| words.urgency.get(u.as_str()).map_or(u.as_str(), |p| p.text(audience)))
        .unwrap_or("");
    fill(
        words.template.text(audience),
        &[("to", &to.join("; ")), ("urgency", urgency)],
    )
}

fn reasons_text(reasons: &[&Phrase], audience: Audience) -> String {
    reasons.iter().map(|r| r.text(audience)).collect::<Vec<_>>().join("; ")
}

fn red_flag_out<'a>(
    id: &'a str,
    urgency: &'static str,
    e: &'a Entry,
    audience: Audience,
    cache: Option<&'a WireCache>,
) -> RedFlagOut<'a> {
    RedFlagOut {
        id,
        urgency,
        text: Text::entry(e, audience, cache),
        sources: Ids::entry(e, cache),
        review_status: status(e),
        knowledge_id: &e.id,
    }
}

fn plan_out<'a>(id: &'a str, e: &'a Entry, audience: Audience, cache: Option<&'a WireCache>) -> PlanOut<'a> {
    PlanOut {
        id,
        tier: e.tier.unwrap_or(PlanTier::FirstLine).as_str(),
        certainty: e.certainty.unwrap_or(Certainty::VeryLow).as_str(),
        text: Text::entry(e, audience, cache),
        sources: Ids::entry(e, cache),
        review_status: status(e),
        knowledge_id: &e.id,
    }
}

fn conflict_out<'a>(topic: &'a str, e: &'a Entry, audience: Audience, cache: Option<&'a WireCache>) -> ConflictOut<'a> {
    ConflictOut {
        topic,
        text: Text::entry(e, audience, cache),
        sources: Ids::entry(e, cache),
        review_status: status(e),
        knowledge_id: &e.id,
    }
}

fn avoid_out<'a>(
    atc: Option<&'a str>,
    display: &'a str,
    severity: &'static str,
    e: &'a Entry,
    audience: Audience,
    cache: Option<&'a WireCache>,
) -> AvoidOut<'a> {
    AvoidOut {
        atc,
        display,
        severity,
        text: Text::entry(e, audience, cache),
        sources: Ids::entry(e, cache),
        review_status: status(e),
        knowledge_id: &e.id,
    }
}

fn option_out<'a>(
    e: &'a Entry,
    option_for: &'static str,
    conditional: bool,
    kb: &'a KnowledgeBase,
    audience: Audience,
    cache: Option<&'a WireCache>,
) -> OptionOut<'a> {
    let w = &kb.wording;
    let mut text = Text::entry(e, audience, cache);
    if conditional {
        let (tpl, cond) = match audience {
            Audience::Clinician => (&w.templates.conditional_clinician, e.condition_clinician.as_deref()),
            Audience::Patient => (&w.templates.conditional_patient, e.condition_patient.as_deref()),
        };
        if let Some(cond) = cond {
            text = Text::owned(format!("{} {}", e.text(audience), fill(tpl, &[("condition", cond)])));
        }
    }
    OptionOut {
        atc: e.atc.as_deref().unwrap_or_default(),
        display: e.display.as_deref().unwrap_or_default(),
        dosing: match audience {
            Audience::Clinician => e.dosing.as_deref().unwrap_or_default(),
            Audience::Patient => &w.templates.dosing_patient,
        },
        option_for,
        text,
        sources: Ids::entry(e, cache),
        review_status: status(e),
        knowledge_id: &e.id,
    }
}

/// Builds the SPEC §4 shape of an assessment for one audience.
pub fn to_wire<'a>(a: &'a Assessment<'a>, audience: Audience, cache: Option<&'a WireCache>) -> AssessmentOut<'a> {
    let kb = a.kb;
    let w = &kb.wording;
    let c = &a.classification;
    let classification = ClassificationOut {
        most_likely: c.most_likely.as_ref().map(|m| MostLikelyOut {
            code: &m.code.code,
            system: "ICD-10-CM",
            display: m.code.display_for(audience == Audience::Patient),
            confidence: m.confidence.as_str(),
        }),
        differential: c
            .differential
            .iter()
            .map(|d| DifferentialOut {
                code: &d.code.code,
                system: "ICD-10-CM",
                display: d.code.display_for(audience == Audience::Patient),
                status: d.status.as_str(),
                because: d
                    .because
                    .iter()
                    .map(|b| fill(b.phrase.text(audience), &[("condition", b.condition.unwrap_or(""))]))
                    .collect(),
            })
            .collect(),
        text: Text::entry(c.entry, audience, cache),
        sources: Ids::entry(c.entry, cache),
        review_status: status(c.entry),
    };
    let questions = a
        .questions
        .iter()
        .map(|q| QuestionOut {
            field: q.field,
            text: w.questions.get(q.field).map(|p| p.text(audience)).unwrap_or(q.field),
        })
        .collect();
    let red_flags = a
        .red_flags
        .iter()
        .map(|r| Item {
            fields: red_flag_out(r.id.as_str(), r.urgency.as_str(), r.entry, audience, cache),
            raw: cache
                .and_then(|c| c.item(r.entry, audience))
                .filter(|_| Some(r.urgency) == r.entry.urgency && r.entry.item.as_deref() == Some(r.id.as_str())),
        })
        .collect();
    let medication_review = a
        .medication_review
        .iter()
        .map(|m| ReviewOut {
            medication: &m.medication,
            atc: &m.atc,
            drug_class: m.drug_class,
            tier: m.tier.as_str(),
            text: Text::owned(fill(m.entry.text(audience), &[("drug", &m.drug_name)])),
            sources: Ids::entry(m.entry, cache),
            review_status: status(m.entry),
            knowledge_id: &m.entry.id,
        })
        .collect();
    let labs = a
        .labs
        .iter()
        .map(|l| {
            let t = &w.templates;
            let tpl = match (l.repeat, audience) {
                (false, Audience::Clinician) => &t.lab_new_clinician,
                (false, Audience::Patient) => &t.lab_new_patient,
                (true, Audience::Clinician) => &t.lab_repeat_clinician,
                (true, Audience::Patient) => &t.lab_repeat_patient,
            };
            LabOut {
                loinc: &l.loinc,
                display: l.display,
                repeat: l.repeat,
                reason: Text::owned(fill(
                    tpl,
                    &[
                        ("test", l.entry.text(audience)),
                        ("reasons", &reasons_text(&l.reasons, audience)),
                    ],
                )),
                sources: Ids::entry(l.entry, cache),
                review_status: l.review_status.as_str(),
                knowledge_id: &l.entry.id,
            }
        })
        .collect();
    let lab_findings = a
        .lab_findings
        .iter()
        .map(|f| FindingOut {
            loinc: f.loinc.as_deref(),
            display: &f.display,
            value: Num(f.value),
            unit: f.unit.as_deref(),
            interpretation: f.interpretation.map(|i| i.as_str()),
            text: Text::owned(finding_text(a, f, audience, cache)),
            sources: Ids::entry(f.entry, cache),
            review_status: f.review_status.as_str(),
            knowledge_id: &f.entry.id,
        })
        .collect();
    let plan = a
        .plan
        .iter()
        .map(|p| Item {
            fields: plan_out(p.id.as_str(), p.entry, audience, cache),
            raw: cache.and_then(|c| c.item(p.entry, audience)),
        })
        .collect();
    let medication_options = a
        .medication_options
        .iter()
        .map(|o| Item {
            fields: option_out(o.entry, o.option_for.as_str(), o.conditional, kb, audience, cache),
            raw: cache
                .and_then(|c| c.item(o.entry, audience))
                .filter(|_| !o.conditional && Some(o.option_for) == o.entry.option_for),
        })
        .collect();
    let avoid = a
        .avoid
        .iter()
        .map(|v| Item {
            fields: avoid_out(
                v.atc.as_deref(),
                match (audience, &v.display_patient) {
                    (Audience::Patient, Some(d)) => d,
                    _ => &v.display,
                },
                v.severity.as_str(),
                v.entry,
                audience,
                cache,
            ),
            raw: cache.and_then(|c| c.item(v.entry, audience)).filter(|_| {
                v.atc == v.entry.atc
                    && Some(v.display.as_str()) == v.entry.display.as_deref()
                    && Some(v.severity) == v.entry.severity
            }),
        })
        .collect();
    let r = &a.referral;
    let referral = ReferralOut {
        recommended: r.recommended(),
        urgency: if r.recommended() {
            r.urgency.map(|u| u.as_str())
        } else {
            None
        },
        to: r.to.iter().map(|d| d.as_str()).collect(),
        reasons: r.reasons.iter().map(|e| e.population.as_str()).collect(),
        text: referral_text(&w.referral, r, !a.red_flags.is_empty(), audience),
    };
    let evidence_conflicts = a
        .evidence_conflicts
        .iter()
        .map(|c| Item {
            fields: conflict_out(c.topic.as_str(), c.entry, audience, cache),
            raw: cache.and_then(|w| w.item(c.entry, audience)),
        })
        .collect();
    let considered = a
        .considered
        .iter()
        .map(|c| ConsideredOut {
            name: &c.name,
            atc: c.atc.as_deref(),
            decision: c.decision.as_str(),
            text: c.entry.map(|e| {
                let tier = c.tier.map(|t| t.as_str()).unwrap_or("");
                let text = fill(e.text(audience), &[("drug", &c.drug_name), ("tier", tier)]);
                if c.elsewhere {
                    let prefix = match (audience, c.undocumented) {
                        (Audience::Clinician, false) => &w.templates.considered_elsewhere_clinician,
                        (Audience::Patient, false) => &w.templates.considered_elsewhere_patient,
                        (Audience::Clinician, true) => &w.templates.considered_undocumented_clinician,
                        (Audience::Patient, true) => &w.templates.considered_undocumented_patient,
                    };
                    // "Cirrhosis" reads "cirrhosis" mid-sentence; "ESRD with RLS" stays as it is.
                    let mut chars = e.population.chars();
                    let population = match (chars.next(), chars.next()) {
                        (Some(a), Some(b)) if b.is_lowercase() => {
                            format!("{}{}", a.to_lowercase(), &e.population[a.len_utf8()..])
                        }
                        _ => e.population.clone(),
                    };
                    let prefix = fill(prefix, &[("drug", &c.drug_name), ("population", &population)]);
                    match audience {
                        Audience::Clinician => Text::owned(format!("{prefix} {text}")),
                        // The option's patient text speaks to someone in its population: only its
                        // review mark (the trailing "[…]" of an entry not yet approved) is kept.
                        Audience::Patient => {
                            let mark = text
                                .rfind(" [")
                                .filter(|_| text.ends_with(']'))
                                .map_or("", |i| &text[i..]);
                            Text::owned(format!("{prefix}{mark}"))
                        }
                    }
                } else {
                    Text::owned(text)
                }
            }),
            sources: c.entry.map(|e| Ids::entry(e, cache)),
            review_status: c.entry.map(status),
        })
        .collect();
    AssessmentOut {
        kb_version: &kb.kb_version,
        engine_version: cramp_core::ENGINE_VERSION,
        audience: audience.as_str(),
        notice: match audience {
            Audience::Clinician => &w.templates.notice_clinician,
            Audience::Patient => &w.templates.notice_patient,
        },
        classification,
        questions,
        red_flags,
        medication_review,
        unrecognized_medications: &a.unrecognized_medications,
        labs,
        lab_findings,
        plan,
        medication_options,
        avoid,
        referral,
        evidence_conflicts,
        considered,
        input_warnings: &a.input_warnings,
        sources: a
            .cited_source_positions()
            .into_iter()
            .map(|i| source_out(&kb.sources[i], cache.map(|c| &*c.sources[i])))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_braces_kept() {
        assert_eq!(
            fill("{drug}: discuss", &[("drug", "Furosemide")]),
            "Furosemide: discuss"
        );
        assert_eq!(fill("a {b} c {x}", &[("b", "B")]), "a B c {x}");
    }

    #[test]
    fn ucum_annotations_read_without_braces() {
        assert_eq!(unit_for_reading("mL/min/{1.73_m2}"), "mL/min/1.73 m2");
        assert_eq!(unit_for_reading("mmol/L"), "mmol/L");
    }

    #[test]
    fn integral_numbers_print_without_a_fraction() {
        assert_eq!(serde_json::to_string(&Num(22.0)).unwrap(), "22");
        for x in [
            0.0,
            -0.0,
            1.0,
            22.0,
            0.58,
            3.1,
            0.62,
            131.0,
            -4.25,
            0.001,
            0.07,
            1.5e9,
            123456.789,
            0.1 + 0.2,
            1.0 / 3.0,
            1e13,
            -0.0004,
        ] {
            assert_eq!(Num(x).text(), Num(x).to_string(), "{x}");
        }
        assert_eq!(serde_json::to_string(&Num(0.58)).unwrap(), "0.58");
    }
}
