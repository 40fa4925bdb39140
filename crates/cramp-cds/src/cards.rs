//! Cards (CDS Hooks 2.0.1 §Card): built from the assessment, one knowledge entry per card (or one
//! group of entries of the same kind), framed by `knowledge/cds.toml`. Every optional element is
//! omitted when empty; `summary` is always under 140 characters.

use cramp_core::Assessment;
use cramp_core::assessment::{ConsideredItem, Decision, LabFinding, RedFlag, ReviewItem};
use cramp_core::case::Case;
use cramp_core::knowledge::{Entry, KnowledgeBase, SetId, topic};
use cramp_core::template::fill;
use cramp_core::vocab::{Audience, Interpretation, RedFlagId, Severity, Tier, Urgency};
use cramp_fhir::Mapped;
use cramp_fhir::resources::canonical;
use cramp_wire::json::{Object, WriteJson};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::borrow::Cow;

use crate::Env;

pub(crate) struct Ctx<'a> {
    pub kb: &'a KnowledgeBase,
    pub env: &'a Env<'a>,
    pub hook_instance: &'a str,
    /// Lines for "Data not available": prefetch keys absent or null.
    pub unavailable: &'a [String],
    /// What the FHIR reading noted (OperationOutcomes, unreadable resources, paging).
    pub notes: &'a [String],
}

#[derive(Debug, Clone, Serialize)]
pub struct Coding {
    pub system: String,
    pub code: String,
    pub display: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Source {
    pub label: String,
    pub url: String,
    pub topic: Coding,
}

#[derive(Debug, Clone, Serialize)]
pub struct Link {
    pub label: String,
    pub url: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub description: String,
    pub resource_id: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Suggestion {
    pub label: String,
    pub uuid: String,
    pub is_recommended: bool,
    pub actions: Vec<Action>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Card {
    pub uuid: String,
    pub summary: String,
    pub detail: String,
    pub indicator: &'static str,
    pub source: Source,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub suggestions: Vec<Suggestion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection_behavior: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub override_reasons: Vec<Coding>,
    pub links: Vec<Link>,
    /// The knowledge id the card shows (for feedback; not sent).
    #[serde(skip)]
    pub rule: String,
}

// The request path writes cards with `cramp_wire::json` (the bytes `serde_json` writes for the
// derived `Serialize`, compared in the tests below); the derive stays the reference.

impl WriteJson for Coding {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Object::begin(out);
        o.field("system", &self.system)
            .field("code", &self.code)
            .field("display", &self.display);
        o.end();
    }
}

impl WriteJson for Source {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Object::begin(out);
        o.field("label", &self.label)
            .field("url", &self.url)
            .field("topic", &self.topic);
        o.end();
    }
}

impl WriteJson for Link {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Object::begin(out);
        o.field("label", &self.label)
            .field("url", &self.url)
            .field("type", self.kind);
        o.end();
    }
}

impl WriteJson for Action {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Object::begin(out);
        o.field("type", self.kind)
            .field("description", &self.description)
            .field("resourceId", &self.resource_id);
        o.end();
    }
}

impl WriteJson for Suggestion {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Object::begin(out);
        o.field("label", &self.label)
            .field("uuid", &self.uuid)
            .field("isRecommended", &self.is_recommended)
            .field("actions", &self.actions);
        o.end();
    }
}

impl WriteJson for Card {
    fn write_json(&self, out: &mut Vec<u8>) {
        let mut o = Object::begin(out);
        o.field("uuid", &self.uuid)
            .field("summary", &self.summary)
            .field("detail", &self.detail)
            .field("indicator", self.indicator)
            .field("source", &self.source);
        if !self.suggestions.is_empty() {
            o.field("suggestions", &self.suggestions);
        }
        if let Some(b) = self.selection_behavior {
            o.field("selectionBehavior", b);
        }
        if !self.override_reasons.is_empty() {
            o.field("overrideReasons", &self.override_reasons);
        }
        o.field("links", &self.links);
        o.end();
    }
}

/// A summary under 140 characters: a filled template whose values are shortened at a word
/// boundary (with "…") when the whole would not fit.
pub(crate) fn summary(template: &str, vars: &[(&str, &str)]) -> String {
    let full = fill(template, vars);
    if full.chars().count() < 140 {
        return full;
    }
    let fixed = cramp_core::knowledge::literal_len(template);
    let room = 139usize.saturating_sub(fixed);
    let per = room / vars.len().max(1);
    let shortened: Vec<(&str, String)> = vars.iter().map(|(k, v)| (*k, shorten(v, per))).collect();
    let refs: Vec<(&str, &str)> = shortened.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = fill(template, &refs);
    if out.chars().count() < 140 {
        out
    } else {
        shorten(&out, 139)
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep: String = s.chars().take(max.saturating_sub(1)).collect();
    let cut = keep.rfind(' ').filter(|&i| i > 0).map_or(keep.as_str(), |i| &keep[..i]);
    format!("{}…", cut.trim_end_matches([',', ';', ' ']))
}

/// Markdown-escapes patient data (drug names, free text) so that it is shown as written; the text
/// itself when nothing in it needs escaping (the characters escaped are all ASCII, so a byte scan
/// finds them).
fn md(s: &str) -> Cow<'_, str> {
    // One table lookup a byte (the details' lab names are long and bracketed).
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        let chars = b"\\`*_[]<>#|{}";
        let mut i = 0;
        while i < chars.len() {
            t[chars[i] as usize] = true;
            i += 1;
        }
        t
    };
    let Some(first) = s.bytes().position(|b| SPECIAL[b as usize]) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    let mut start = first;
    for (i, b) in s.bytes().enumerate().skip(first) {
        if SPECIAL[b as usize] {
            out.push_str(&s[start..i]);
            out.push('\\');
            start = i;
        }
    }
    out.push_str(&s[start..]);
    Cow::Owned(out)
}

impl Ctx<'_> {
    fn base(&self) -> &str {
        self.env.base_url.trim_end_matches('/')
    }

    /// A uuid stable for one hook instance and one card, so that a retried hook gives the same
    /// uuids and repeated feedback about a card is recognised (RFC 9562 version 8 layout).
    fn uuid(&self, parts: &[&str]) -> String {
        let mut h = Sha256::new();
        h.update(self.hook_instance.as_bytes());
        for p in parts {
            h.update([0]);
            h.update(p.as_bytes());
        }
        let mut b: [u8; 16] = h.finalize()[..16].try_into().unwrap_or([0; 16]);
        b[6] = (b[6] & 0x0f) | 0x80;
        b[8] = (b[8] & 0x3f) | 0x80;
        // 8-4-4-4-12 lower-case hex digits.
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(36);
        for (i, x) in b.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push(HEX[(x >> 4) as usize] as char);
            out.push(HEX[(x & 0xf) as usize] as char);
        }
        out
    }

    fn source(&self, topic_code: &str) -> Source {
        let display = self.kb.cds.topic(topic_code).map_or(topic_code, |t| t.display.as_str());
        let p = self.env.prepared;
        Source {
            label: self.kb.cds.source_label.clone(),
            url: p.about_url.clone(),
            topic: Coding {
                system: p.topic_system.clone(),
                code: topic_code.to_string(),
                display: display.to_string(),
            },
        }
    }

    fn override_reasons(&self) -> Vec<Coding> {
        self.env.prepared.override_reasons.clone()
    }

    /// The detail: why (the triggering data), the statement of each entry, its rule line and
    /// sources, and the data that was not available.
    fn detail(&self, why: &[String], entries: &[(&Entry, String)]) -> String {
        let l = &self.kb.cds.labels;
        let mut out = String::with_capacity(2048);
        let heading = |out: &mut String, h: &str| {
            out.push_str("**");
            out.push_str(h);
            out.push_str("**\n\n");
        };
        let item = |out: &mut String, text: &str| {
            out.push_str("- ");
            out.push_str(text);
            out.push('\n');
        };
        if !why.is_empty() {
            heading(&mut out, &l.why);
            for w in why {
                item(&mut out, w);
            }
            out.push('\n');
        }
        for (e, text) in entries {
            out.push_str(text);
            out.push_str("\n\n");
            out.push_str(&self.env.prepared.tails[e.index]);
        }
        if !self.unavailable.is_empty() || !self.notes.is_empty() {
            heading(&mut out, &l.not_available);
            // Our own lines as written; the reader's notes quote the record, so they are escaped.
            for u in self.unavailable {
                item(&mut out, u);
            }
            for n in self.notes {
                item(&mut out, &md(n));
            }
        }
        out.truncate(out.trim_end().len());
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn card(
        &self,
        rule: &Entry,
        summary: String,
        indicator: &'static str,
        topic_code: &str,
        why: &[String],
        entries: &[(&Entry, String)],
        overridable: bool,
    ) -> Card {
        // One link to the evidence page of each entry shown.
        let mut links: Vec<Link> = Vec::with_capacity(entries.len() + 1);
        for (i, (e, _)) in entries.iter().enumerate() {
            if !entries[..i].iter().any(|(seen, _)| seen.index == e.index) {
                links.push(self.env.prepared.evidence_links[e.index].clone());
            }
        }
        Card {
            uuid: self.uuid(&[&rule.id, topic_code, &summary]),
            summary,
            detail: self.detail(why, entries),
            indicator,
            source: self.source(topic_code),
            suggestions: Vec::new(),
            selection_behavior: None,
            override_reasons: if overridable {
                self.override_reasons()
            } else {
                Vec::new()
            },
            links,
            rule: rule.id.clone(),
        }
    }
}

/// The link to an entry's evidence page, as every card that shows the entry carries it.
pub(crate) fn evidence_link(kb: &KnowledgeBase, base: &str, e: &Entry) -> Link {
    Link {
        label: fill(&kb.cds.labels.evidence_link, &[("id", &e.id)]),
        url: format!("{}/knowledge/{}", base.trim_end_matches('/'), e.id),
        kind: "absolute",
    }
}

/// The override reasons every card offers (`cds.toml`), in the service's code system.
pub(crate) fn override_reasons(kb: &KnowledgeBase, base: &str) -> Vec<Coding> {
    let system = canonical(base.trim_end_matches('/'), "CodeSystem", "cramp-override-reason");
    kb.cds
        .override_reason
        .iter()
        .map(|r| Coding {
            system: system.clone(),
            code: r.code.clone(),
            display: r.display.clone(),
        })
        .collect()
}

/// What follows an entry's statement on a card: its rule line (id, `kb_version`, review status,
/// certainty) and its sources, in Markdown.
pub(crate) fn entry_tail(kb: &KnowledgeBase, e: &Entry) -> String {
    let l = &kb.cds.labels;
    let mut out = String::new();
    let certainty = e
        .certainty
        .map(|c| format!(" · {} {}", l.certainty, c.as_str()))
        .unwrap_or_default();
    out.push_str(&format!(
        "*{}* `{}` · {} `{}` · {} {}{certainty}\n\n",
        l.rule,
        e.id,
        l.kb_version,
        kb.kb_version,
        l.review_status,
        e.status.as_str()
    ));
    out.push_str(&format!("**{}**\n\n", l.sources));
    for &pos in &e.source_positions {
        let s = &kb.sources[pos];
        match s.link() {
            Some(url) => out.push_str(&format!(
                "- [{}]({url}): {} ({})\n",
                s.id,
                md(&s.citation),
                md(&s.locator)
            )),
            None => out.push_str(&format!("- {}: {} ({})\n", s.id, md(&s.citation), md(&s.locator))),
        }
    }
    out.push('\n');
    out
}

fn urgency_indicator(u: Urgency) -> &'static str {
    match u {
        Urgency::Emergency | Urgency::Urgent => "critical",
        Urgency::Soon => "warning",
        Urgency::Routine => "info",
    }
}

fn severity_indicator(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// The pieces joined, in one allocation.
fn cat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.push_str(p);
    }
    out
}

/// The patient data the assessment read, one line per item, for the "why" of a card.
fn data_lines(ctx: &Ctx<'_>, case: &Case) -> Vec<String> {
    let l = &ctx.kb.cds.labels;
    let mut out = Vec::with_capacity(case.conditions.len() + case.labs.len() + 1);
    for c in &case.conditions {
        let codes = match (c.icd10.as_deref(), c.snomed.as_deref()) {
            (Some(i), Some(s)) => Cow::Owned(cat(&[i, ", ", s])),
            (Some(one), None) | (None, Some(one)) => Cow::Borrowed(one),
            (None, None) => Cow::Borrowed(""),
        };
        let name = c.name.as_deref().unwrap_or("");
        // A condition sent by code alone has no name: one space, not two.
        let gap = if name.is_empty() || codes.is_empty() { "" } else { " " };
        let mut line = cat(&[&l.condition, ": ", &md(name), gap, &md(&codes)]);
        line.truncate(line.trim_end().len());
        out.push(line);
    }
    for lab in &case.labs {
        let known = lab
            .loinc
            .as_deref()
            .and_then(|l| ctx.kb.labs.by_loinc(l))
            .map(|i| ctx.kb.labs.analytes[i].display.as_str());
        let name = lab.name.as_deref().or(known).or(lab.loinc.as_deref()).unwrap_or("");
        let value = lab.value.map(|v| v.to_string()).unwrap_or_default();
        let unit = lab.unit.as_deref().unwrap_or("");
        let mut line = cat(&[&l.lab, ": ", &md(name), " ", &value, " ", &md(unit)]);
        if let Some(d) = lab.date.as_deref() {
            line.push_str(" (");
            line.push_str(d);
            line.push(')');
        }
        out.push(line);
    }
    let answers = answered(case);
    if !answers.is_empty() {
        out.push(cat(&[&l.answers, ": ", &md(&answers.join("; "))]));
    }
    out
}

/// A field's value as the case reads it.
trait Shown {
    fn shown(&self) -> String;
}

impl Shown for f64 {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for bool {
    fn shown(&self) -> String {
        self.to_string()
    }
}

impl Shown for Vec<cramp_core::case::Location> {
    fn shown(&self) -> String {
        self.iter().map(|l| l.as_str()).collect::<Vec<_>>().join(", ")
    }
}

macro_rules! shown_as_str {
    ($($t:ty),*) => { $(impl Shown for $t { fn shown(&self) -> String { self.as_str().to_string() } })* };
}
shown_as_str!(
    cramp_core::case::Sex,
    cramp_core::case::FeelsLike,
    cramp_core::case::RelievedBy,
    cramp_core::case::When,
    cramp_core::case::Side,
    cramp_core::case::CalfSwelling,
    cramp_core::case::Pulses,
    cramp_core::case::Reflexes
);

/// Every answered field of `patient`, `symptoms` and `exam`, as `path = value`: the data a red flag
/// or a diagnosis rests on, whichever field it is.
fn answered(case: &Case) -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! fields {
        ($section:ident: $($field:ident),* $(,)?) => {
            $(if let Some(v) = &case.$section.$field {
                out.push(format!(concat!(stringify!($section), ".", stringify!($field), " = {}"), v.shown()));
            })*
        };
    }
    fields!(patient: age, sex, pregnant, gestational_weeks, smoker, poor_balance_or_falls, fluid_restricted);
    fields!(symptoms: feels_like, worse_in_evening, relieved_by, returns_at_rest, episodes_per_week, worst_pain,
        when, location, side, kicking_reported, twitching, tingling, numbness, weakness, muscle_wasting,
        gait_or_speech_change, dysphagia, calf_swelling, calf_warm_or_red, recent_immobility, non_healing_wound,
        bleeding_or_bruising, bladder_or_bowel_change, saddle_numbness, nocturia, progressive, sleep_disrupted,
        stretching_weeks_tried);
    fields!(exam: abi, pedal_pulses, reflexes, fasciculations, sensory_loss, objective_weakness, qtc_ms, heart_rate);
    out
}

fn review_line(ctx: &Ctx<'_>, r: &ReviewItem<'_>) -> String {
    let l = &ctx.kb.cds.labels;
    cat(&[
        &l.medication,
        ": ",
        &md(&r.medication),
        " (",
        &l.tier,
        " ",
        r.tier.as_str(),
        ")",
    ])
}

/// `patient-view`: red flags, quinine on the list, other medicines that can cause cramps, the
/// work-up to order and the most likely diagnosis.
pub(crate) fn patient_view(ctx: &Ctx<'_>, mapped: &Mapped, a: &Assessment<'_>) -> Vec<Card> {
    let s = &ctx.kb.cds.summaries;
    let case = &mapped.case;
    let mut cards = Vec::new();
    let data = data_lines(ctx, case);

    for f in &a.red_flags {
        let mut why = vec![md(&f.entry.population).into_owned()];
        why.extend(data.iter().cloned());
        cards.push(red_flag_card(ctx, f, &why));
    }

    let (quinine, others): (Vec<&ReviewItem<'_>>, Vec<&ReviewItem<'_>>) =
        a.medication_review.iter().partition(|r| r.tier == Tier::S);
    for r in quinine {
        cards.push(ctx.card(
            r.entry,
            summary(&s.quinine_taken, &[]),
            "warning",
            topic::QUININE_SAFETY,
            &[review_line(ctx, r)],
            &[(
                r.entry,
                fill(&r.entry.clinician, &[("drug", &r.drug_name), ("tier", r.tier.as_str())]),
            )],
            true,
        ));
    }
    if let Some(first) = others.first() {
        let names: Vec<&str> = others.iter().map(|r| r.drug_name.as_str()).collect();
        let why: Vec<String> = others.iter().map(|r| review_line(ctx, r)).collect();
        let entries: Vec<(&Entry, String)> = others
            .iter()
            .map(|r| {
                let text = fill(&r.entry.clinician, &[("drug", &r.drug_name), ("tier", r.tier.as_str())]);
                (r.entry, format!("**{}**: {text}", md(&r.drug_name)))
            })
            .collect();
        cards.push(ctx.card(
            first.entry,
            summary(&s.medication_review, &[("drugs", &names.join(", "))]),
            "info",
            topic::DRUG_INDUCED_CRAMP,
            &why,
            &entries,
            true,
        ));
    }

    // The results outside their range, as the assessment reads them, with the plan items that act
    // on them (`cds.toml` `[results_card]`): what the results in hand show, before the work-up
    // card's tests to order.
    let out_of_range: Vec<&LabFinding<'_>> = a
        .lab_findings
        .iter()
        .filter(|f| f.interpretation.is_some_and(|i| i != Interpretation::Normal))
        .collect();
    if let Some(first) = out_of_range.first() {
        let tests: Vec<String> = out_of_range
            .iter()
            .filter_map(|f| {
                let word = ctx
                    .kb
                    .wording
                    .interpretation_word(f.interpretation?, Audience::Clinician);
                Some(format!("{} {word}", f.display))
            })
            .collect();
        let why: Vec<String> = out_of_range
            .iter()
            .map(|f| md(&cramp_wire::output::finding_text(a, f, Audience::Clinician, None)).into_owned())
            .collect();
        let acting = a.plan.iter().filter(|p| ctx.kb.cds.results_card.plan.contains(&p.id));
        let entries = each_once(out_of_range.iter().map(|f| f.entry).chain(acting.map(|p| p.entry)));
        cards.push(ctx.card(
            first.entry,
            summary(&s.results, &[("tests", &tests.join(", "))]),
            "info",
            topic::RESULTS,
            &why,
            &entries,
            true,
        ));
    }

    if let Some(first) = a.labs.first() {
        let tests: Vec<&str> = a.labs.iter().map(|l| l.display).collect();
        let why: Vec<String> = a
            .labs
            .iter()
            .map(|l| {
                let reasons: Vec<&str> = l.reasons.iter().map(|p| p.clinician.as_str()).collect();
                format!("{} ({}): {}", md(l.display), l.loinc, md(&reasons.join("; ")))
            })
            .collect();
        let entries = each_once(a.labs.iter().map(|l| l.entry));
        cards.push(ctx.card(
            first.entry,
            summary(&s.workup, &[("tests", &tests.join(", "))]),
            "info",
            topic::MISSING_WORKUP,
            &why,
            &entries,
            true,
        ));
    }

    // The assessment: the most likely diagnosis when the answers allow one, and the questions
    // that would sharpen it (the four differentiating questions first).
    let e = a.classification.entry;
    let questions: Vec<String> = a
        .questions
        .iter()
        .filter_map(|q| ctx.kb.wording.questions.get(q.field))
        .map(|p| p.clinician.clone())
        .collect();
    let mut text = String::new();
    if let Some(m) = &a.classification.most_likely {
        text.push_str(&format!("{} ({})\n\n", md(&m.code.display), m.code.code));
    }
    text.push_str(&e.clinician);
    if !questions.is_empty() {
        text.push_str(&format!("\n\n**{}**\n\n", ctx.kb.cds.labels.questions));
        for q in &questions {
            text.push_str(&format!("- {q}\n"));
        }
    }
    let summary_text = match &a.classification.most_likely {
        Some(m) => summary(
            &s.assessment,
            &[("condition", &m.code.display), ("confidence", m.confidence.as_str())],
        ),
        None if !questions.is_empty() => summary(&s.questions, &[("count", &questions.len().to_string())]),
        None => return cards,
    };
    let mut card = ctx.card(e, summary_text, "info", topic::ASSESSMENT, &data, &[(e, text)], true);
    if !questions.is_empty() {
        card.links.push(Link {
            label: ctx.kb.cds.labels.questionnaire_link.clone(),
            url: canonical(ctx.base(), "Questionnaire", cramp_fhir::QUESTIONNAIRE_ID),
            kind: "absolute",
        });
    }
    cards.push(card);
    cards
}

/// Each entry once, in order, with its clinician text: what a card lists several items of cites.
fn each_once<'kb>(entries: impl Iterator<Item = &'kb Entry>) -> Vec<(&'kb Entry, String)> {
    let mut out: Vec<(&Entry, String)> = Vec::new();
    for e in entries {
        if !out.iter().any(|(seen, _)| seen.id == e.id) {
            out.push((e, e.clinician.clone()));
        }
    }
    out
}

/// One red flag: its title and urgency, the data that raised it, its statement.
fn red_flag_card(ctx: &Ctx<'_>, f: &RedFlag<'_>, why: &[String]) -> Card {
    let title = ctx
        .kb
        .cds
        .red_flag_titles
        .get(f.id.as_str())
        .map_or(f.id.as_str(), String::as_str);
    ctx.card(
        f.entry,
        summary(
            &ctx.kb.cds.summaries.red_flag,
            &[("flag", title), ("urgency", f.urgency.as_str())],
        ),
        urgency_indicator(f.urgency),
        topic::RED_FLAG,
        why,
        &[(f.entry, f.entry.clinician.clone())],
        true,
    )
}

/// `order-select` / `order-sign`: the red flags a draft order raises that the chart alone does not
/// (a QT-prolonging drug ordered for a patient on quinine), each with the order as its trigger and
/// a suggestion to remove the draft. A draft whose own card already says to remove it (an avoided
/// drug) gets no second card.
pub(crate) fn order_red_flags(
    ctx: &Ctx<'_>,
    order_ref: &str,
    case: &Case,
    a: &Assessment<'_>,
    before: &[RedFlagId],
    own: Option<&Card>,
) -> Vec<Card> {
    if own.is_some_and(|c| c.selection_behavior.is_some()) {
        return Vec::new();
    }
    let Some(c) = a.considered.first() else {
        return Vec::new();
    };
    let mut cards = Vec::new();
    for f in a.red_flags.iter().filter(|f| !before.contains(&f.id)) {
        let why = order_why(ctx, order_ref, c, case, Some(md(&f.entry.population).into_owned()));
        let mut card = red_flag_card(ctx, f, &why);
        card.suggestions
            .push(remove_draft(ctx, &f.entry.id, order_ref, c, false));
        card.selection_behavior = Some("at-most-one");
        card.uuid = ctx.uuid(&[f.entry.id.as_str(), order_ref]);
        cards.push(card);
    }
    cards
}

/// What an order card shows first: the draft order, what the card is about (a red flag's
/// population), the medication list, then the patient data the decision read.
fn order_why(
    ctx: &Ctx<'_>,
    order_ref: &str,
    c: &ConsideredItem<'_>,
    case: &Case,
    about: Option<String>,
) -> Vec<String> {
    let l = &ctx.kb.cds.labels;
    let mut why = vec![format!("{}: {} ({})", l.ordered, md(&c.name), order_ref)];
    why.extend(about);
    for m in &case.medications {
        why.push(cat(&[&l.medication, ": ", &md(&ctx.kb.drugs.shown(m))]));
    }
    why.extend(data_lines(ctx, case));
    why
}

/// The suggestion to remove the draft order of `c`, on the card of rule `rule_id`.
fn remove_draft(
    ctx: &Ctx<'_>,
    rule_id: &str,
    order_ref: &str,
    c: &ConsideredItem<'_>,
    recommended: bool,
) -> Suggestion {
    let l = &ctx.kb.cds.labels;
    Suggestion {
        uuid: ctx.uuid(&[rule_id, order_ref, "remove"]),
        label: fill(&l.remove_order, &[("drug", &c.drug_name)]),
        is_recommended: recommended,
        actions: vec![Action {
            kind: "delete",
            description: fill(&l.remove_order_action, &[("drug", &c.drug_name)]),
            resource_id: order_ref.to_string(),
        }],
    }
}

/// `order-select` / `order-sign`: one card about one draft drug order.
/// `other_indication`: the order states its own reasons and none of them is in the service's scope
/// (`cds.toml` `[order_reasons]`); a card that would speak only of the drug's use for cramps is then
/// not given, a safety card is (its removal offered, not recommended).
pub(crate) fn order(
    ctx: &Ctx<'_>,
    order_ref: &str,
    case: &Case,
    a: &Assessment<'_>,
    has_cramps: bool,
    other_indication: bool,
) -> Option<Card> {
    let s = &ctx.kb.cds.summaries;
    let c: &ConsideredItem<'_> = a.considered.first()?;
    // For a patient without leg cramps the service speaks only of the drugs whose orders it reviews
    // for everyone (quinine, magnesium, baclofen): diltiazem for rate control or a sleeping tablet
    // for insomnia is another clinician's decision, not a cramp question.
    let for_everyone = c.atc.as_deref().is_some_and(|atc| {
        [SetId::Quinine, SetId::MagnesiumSupplements, SetId::Baclofen]
            .iter()
            .any(|s| ctx.kb.drugs.set(*s).contains_code(atc))
    });
    if !has_cramps && !for_everyone {
        return None;
    }
    // An avoided or offered drug's statement is its avoid item or option: the one whose ATC code
    // covers the drug's (the most severe avoid item when several do).
    let e = c.entry.or_else(|| {
        let atc = c.atc.as_deref()?;
        match c.decision {
            Decision::Avoid => a
                .avoid
                .iter()
                .filter(|v| v.atc.as_deref().is_some_and(|x| atc.starts_with(x)))
                .max_by_key(|v| v.severity == Severity::Critical)
                .map(|v| v.entry),
            Decision::Option => a
                .medication_options
                .iter()
                .find(|o| o.entry.atc.as_deref().is_some_and(|x| atc.starts_with(x)))
                .map(|o| o.entry),
            Decision::Statement => None,
        }
    })?;
    // A drug that can cause cramps (its cramp-inducing tier): a statement about it is the card's point
    // whatever the order is for.
    let causes = matches!(c.tier, Some(Tier::A | Tier::B | Tier::C | Tier::R));
    // Prescribed for something else: what concerns the drug's use for cramps (an option, a statement
    // framed for orders, an avoid item about that use only) is not this order's question.
    if other_indication {
        let for_cramps_only = match c.decision {
            Decision::Option => true,
            Decision::Avoid => ctx.kb.cds.order_reasons.for_cramps_only.contains(&e.id),
            Decision::Statement => !causes && ctx.kb.cds.order_summary_by_entry.contains_key(&e.id),
        };
        if for_cramps_only {
            return None;
        }
    }
    // The draft order, then the patient data the decision read (a pregnancy, cirrhosis, an eGFR).
    let why = order_why(ctx, order_ref, c, case, None);
    let text = fill(
        &e.clinician,
        &[("drug", &c.drug_name), ("tier", c.tier.map_or("", |t| t.as_str()))],
    );
    let mut entries = vec![(e, text)];
    if let (Some(cond), Decision::Option) = (&e.condition_clinician, c.decision) {
        entries[0].1.push_str(&format!("\n\n{cond}"));
    }
    let (summary_text, indicator, topic_code) = match c.decision {
        Decision::Avoid => {
            let text = ctx
                .kb
                .cds
                .order_summary_by_entry
                .get(&e.id)
                .map(|t| summary(t, &[]))
                .unwrap_or_else(|| {
                    let template = if other_indication {
                        &s.order_avoid_other_indication
                    } else if has_cramps {
                        &s.order_avoid
                    } else {
                        &s.order_avoid_no_cramps
                    };
                    summary(template, &[("drug", &c.drug_name)])
                });
            let topic_code = if e.id.contains("quinine") {
                topic::QUININE_SAFETY
            } else {
                topic::ORDER_REVIEW
            };
            (
                text,
                severity_indicator(e.severity.unwrap_or(Severity::Warning)),
                topic_code,
            )
        }
        Decision::Option => (
            summary(&s.order_option, &[("drug", &c.drug_name)]),
            "info",
            topic::ORDER_REVIEW,
        ),
        Decision::Statement => {
            // A statement matters only for a patient who has cramps: a drug that can cause them, or
            // a statement the knowledge base frames for orders (magnesium's evidence in pregnancy, a
            // supplement that treats a documented deficiency).
            let framed = ctx.kb.cds.order_summary_by_entry.get(&e.id);
            if !has_cramps || !(causes || framed.is_some()) {
                return None;
            }
            match framed.filter(|_| !causes) {
                Some(t) => (summary(t, &[("drug", &c.drug_name)]), "info", topic::ORDER_REVIEW),
                None => (
                    summary(&s.order_statement, &[("drug", &c.drug_name)]),
                    "info",
                    topic::DRUG_INDUCED_CRAMP,
                ),
            }
        }
    };
    let mut card = ctx.card(e, summary_text, indicator, topic_code, &why, &entries, true);
    if c.decision == Decision::Avoid {
        card.suggestions
            // Removing an order written for another indication (quinine for malaria, baclofen for
            // spasticity) is offered, not recommended: the prescriber weighs the safety item.
            .push(remove_draft(
                ctx,
                &e.id,
                order_ref,
                c,
                indicator == "critical" && !other_indication,
            ));
        card.selection_behavior = Some("at-most-one");
    }
    // Distinct per order, so that two orders of one drug get two cards.
    card.uuid = ctx.uuid(&[&e.id, order_ref]);
    Some(card)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cramp_core::case::{FieldKind, form_fields};

    #[test]
    fn every_answered_form_field_is_shown_on_a_card() {
        // A case with every form field answered.
        let mut case = serde_json::json!({ "patient": {}, "symptoms": {}, "exam": {} });
        for (path, kind) in form_fields() {
            let (section, field) = path.split_once('.').unwrap();
            case[section][field] = match kind {
                FieldKind::Boolean => serde_json::json!(true),
                FieldKind::Decimal { min, .. } => serde_json::json!(min),
                FieldKind::Choice(codes) => serde_json::json!(codes[0]),
                FieldKind::Choices(codes) => serde_json::json!([codes[0]]),
            };
        }
        let case: Case = serde_json::from_value(case).unwrap();
        let mut shown: Vec<String> = answered(&case)
            .iter()
            .map(|l| l.split(" = ").next().unwrap().to_string())
            .collect();
        let mut fields: Vec<String> = form_fields().into_iter().map(|(p, _)| p).collect();
        shown.sort();
        fields.sort();
        assert_eq!(shown, fields);
    }

    #[test]
    fn summaries_stay_under_140_characters_whatever_is_filled_in() {
        let long = "Hydrochlorothiazide, Amlodipine, Atorvastatin, Salbutamol, Raloxifene, Teriparatide, Zolpidem, Conjugated estrogens";
        let s = summary(
            "Medicines on the list that can cause or worsen leg cramps: {drugs}",
            &[("drugs", long)],
        );
        assert!(s.chars().count() < 140, "{s}");
        assert!(s.ends_with('…'));
        assert_eq!(
            summary("{drug} can cause leg cramps", &[("drug", "Furosemide")]),
            "Furosemide can cause leg cramps"
        );
    }

    #[test]
    fn patient_data_is_escaped_for_markdown() {
        assert_eq!(md("a*b_[c](d)`<e>"), "a\\*b\\_\\[c\\](d)\\`\\<e\\>");
        assert_eq!(md("ß{é}|ü#\\"), "ß\\{é\\}\\|ü\\#\\\\");
        assert!(matches!(md("Furosemide 40 mg — once daily"), Cow::Borrowed(_)));
    }
}
