//! The editorial lint behind `cramp kb check`.

use super::KnowledgeBase;
use crate::rules::RULES;
use crate::vocab::{EntryKind, Mark, PlanId, RedFlagId, ReviewStatus};
use time::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Warning,
    Error,
}

#[derive(Debug, Clone)]
pub struct CheckIssue {
    pub level: Level,
    /// The entry, source or table the issue is about.
    pub subject: String,
    pub message: String,
}

#[derive(Debug, Clone, Default)]
pub struct CheckReport {
    pub issues: Vec<CheckIssue>,
    pub approved: usize,
    pub in_review: usize,
    pub draft: usize,
    pub without_signoff: usize,
    pub sources: usize,
}

impl CheckReport {
    pub fn errors(&self) -> usize {
        self.issues.iter().filter(|i| i.level == Level::Error).count()
    }
    pub fn warnings(&self) -> usize {
        self.issues.iter().filter(|i| i.level == Level::Warning).count()
    }
    fn error(&mut self, subject: &str, message: String) {
        self.issues.push(CheckIssue {
            level: Level::Error,
            subject: subject.to_string(),
            message,
        });
    }
    fn warning(&mut self, subject: &str, message: String) {
        self.issues.push(CheckIssue {
            level: Level::Warning,
            subject: subject.to_string(),
            message,
        });
    }
}

/// Whether a text shows a mark, e.g. "[U: …]", "[S/U: …]" or "[U]".
fn shows_mark(text: &str, mark: Mark) -> bool {
    let m = match mark {
        Mark::U => 'U',
        Mark::S => 'S',
        _ => return true,
    };
    text.match_indices('[').any(|(i, _)| {
        let inner: String = text[i + 1..].chars().take_while(|c| *c != ']' && *c != ':').collect();
        inner
            .split('/')
            .any(|part| part.trim().len() == 1 && part.trim().starts_with(m))
    })
}

pub(super) fn check(kb: &KnowledgeBase, as_of: Option<Date>) -> CheckReport {
    let mut r = CheckReport {
        sources: kb.sources.len(),
        ..CheckReport::default()
    };

    for s in &kb.sources {
        if !s.id.starts_with("R-") {
            r.error(&s.id, "source id is not an R-id: seed articles are never cited".into());
        }
        for (field, value) in [
            ("citation", &s.citation),
            ("locator", &s.locator),
            ("passage", &s.passage),
        ] {
            if value.trim().is_empty() {
                r.error(&s.id, format!("empty {field}"));
            }
        }
        if let Some(pmid) = &s.pmid
            && (pmid.is_empty() || !pmid.bytes().all(|b| b.is_ascii_digit()))
        {
            r.error(&s.id, format!("malformed PMID {pmid:?}"));
        }
        if let Some(doi) = &s.doi
            && (!doi.starts_with("10.") || !doi.contains('/'))
        {
            r.error(&s.id, format!("malformed DOI {doi:?}"));
        }
    }

    let used_by_table: Vec<&str> = kb
        .drugs
        .groups
        .iter()
        .map(|g| g.entry.as_str())
        .chain(kb.labs.analytes.iter().map(|a| a.entry.as_str()))
        .collect();

    for e in &kb.entries {
        let id = e.id.as_str();
        match e.status {
            ReviewStatus::Approved => r.approved += 1,
            ReviewStatus::InReview => r.in_review += 1,
            ReviewStatus::Draft => r.draft += 1,
        }
        if e.clinical_signoff.trim().is_empty() {
            r.without_signoff += 1;
        }
        if e.sources.is_empty() {
            r.error(id, "uncited entry: it needs at least one source".into());
        }
        for s in &e.sources {
            if kb.source(s).is_none() {
                r.error(id, format!("cites unknown source {s}"));
            }
        }
        if e.clinician.trim().is_empty() || e.patient.trim().is_empty() {
            r.error(id, "both the clinician and the patient text are required".into());
        }
        if e.marks.is_empty() {
            r.error(
                id,
                "no verification marks: give the marks of the governing EVIDENCE.md row".into(),
            );
        }
        let unverified: Vec<Mark> = e.marks.iter().copied().filter(|m| !m.is_verified()).collect();
        if !unverified.is_empty() && e.status == ReviewStatus::Approved {
            r.error(
                id,
                "rests on a [U] or [S] row but is approved: it can be at most in_review".into(),
            );
        }
        for m in &unverified {
            for (voice, text) in [("clinician", &e.clinician), ("patient", &e.patient)] {
                if !shows_mark(text, *m) {
                    r.error(id, format!("the {voice} text does not show its [{}] mark", m.as_str()));
                }
            }
        }
        if e.status != ReviewStatus::Draft {
            if e.reviewer.trim().is_empty() {
                r.error(id, "reviewed entries name their reviewer".into());
            } else if kb.role(&e.reviewer).is_none() {
                r.warning(
                    id,
                    format!(
                        "reviewer {:?} is not an editorial role of kb.toml: it must name a real person",
                        e.reviewer
                    ),
                );
            }
            match (e.reviewed_on, e.next_review_due) {
                (Some(on), Some(due)) => {
                    if due <= on {
                        r.error(id, "next_review_due is not after reviewed_on".into());
                    } else if due > on.replace_year(on.year() + 1).unwrap_or(on) {
                        r.error(
                            id,
                            format!("next_review_due {due} is more than 12 months after reviewed_on {on}"),
                        );
                    }
                    if let Some(today) = as_of {
                        if due < today {
                            r.error(id, format!("review past due: next_review_due {due} is before {today}"));
                        } else if (due - today).whole_days() <= 60 {
                            r.warning(id, format!("review due soon: {due}"));
                        }
                    }
                }
                _ => r.error(id, "reviewed entries need reviewed_on and next_review_due".into()),
            }
        }
        if e.kind == EntryKind::Rule && !RULES.iter().any(|(_, rid)| *rid == id) && !used_by_table.contains(&id) {
            r.error(
                id,
                "entry of kind rule that no rule in code uses (add it to the rule registry or make it education)"
                    .into(),
            );
        }
        if let Some(atc) = &e.atc
            && !crate::knowledge::drugs::is_atc(atc)
        {
            r.error(id, format!("malformed ATC code {atc:?}"));
        }
        if id.starts_with("red_flag.") {
            match e.item.as_deref().and_then(RedFlagId::parse) {
                None => r.error(id, "a red flag needs `item`, a SPEC §4 red-flag id".into()),
                Some(_) if e.urgency.is_none() => r.error(id, "a red flag needs an urgency".into()),
                _ => {}
            }
        }
        if id.starts_with("plan.") {
            if e.item.as_deref().and_then(PlanId::parse).is_none() {
                r.error(id, "a plan entry needs `item`, a SPEC §4 plan id".into());
            }
            if e.tier.is_none() {
                r.error(id, "a plan entry needs a tier".into());
            }
        }
        if id.starts_with("option.") && (e.atc.is_none() || e.option_for.is_none() || e.display.is_none()) {
            r.error(id, "an option needs atc, display and option_for".into());
        }
        if id.starts_with("avoid.") && (e.severity.is_none() || e.display.is_none()) {
            r.error(id, "an avoid entry needs severity and display".into());
        }
        if e.status == ReviewStatus::Approved && e.dosing.as_deref().is_some_and(|d| d.contains("[U")) {
            r.error(id, "an approved entry shows an unverified dose".into());
        }
    }

    for (rule, rid) in RULES {
        match kb.entry(rid) {
            None => r.error(rid, format!("rule {rule:?} in code has no knowledge entry")),
            Some(e) if e.kind != EntryKind::Rule => r.error(
                rid,
                format!("rule {rule:?} in code points to an entry of kind education"),
            ),
            _ => {}
        }
    }

    for (name, t) in kb.thresholds.all() {
        if let Some(s) = &t.source
            && kb.source(s).is_none()
        {
            r.error(name, format!("threshold cites unknown source {s}"));
        }
    }

    for code in &kb.codes {
        if !crate::knowledge::conditions::is_icd10(&code.code) {
            r.error(&code.id, format!("malformed ICD-10-CM code {:?}", code.code));
        }
    }
    check_cds(kb, &mut r);
    check_form(kb, &mut r);
    check_search(kb, &mut r);
    check_referral_words(kb, &mut r);
    check_source_kind_words(kb, &mut r);
    check_diary(kb, &mut r);
    let published = &kb.trial.published_effect;
    for id in published.sources.iter().chain([&published.source]) {
        if kb.source(id).is_none() {
            r.error("trial.toml published_effect", format!("cites unknown source {id}"));
        }
    }
    if !(published.ci_low <= published.estimate && published.estimate <= published.ci_high) {
        r.error(
            "trial.toml published_effect",
            "the estimate lies outside its interval".into(),
        );
    }
    r
}

/// diary.toml: its review names a defined role; every warning sign has a label and names an existing
/// red-flag entry with an urgency.
fn check_diary(kb: &KnowledgeBase, r: &mut CheckReport) {
    let d = &kb.diary;
    if kb.role(&d.review.reviewer).is_none() {
        r.error(
            "diary.toml review",
            format!("reviewer {:?} is not a role defined in kb.toml", d.review.reviewer),
        );
    }
    for (name, v) in [
        ("reviewed_on", &d.review.reviewed_on),
        ("next_review_due", &d.review.next_review_due),
    ] {
        if super::parse_iso_date(v).is_none() {
            r.error("diary.toml review", format!("{name} {v:?} is not a YYYY-MM-DD date"));
        }
    }
    for u in crate::vocab::Urgency::ALL {
        if !d.advice_headings.contains_key(u) {
            r.error(
                "diary.toml advice_headings",
                format!("urgency {} has no heading", u.as_str()),
            );
        }
    }
    for code in crate::diary::LOCAL_CODES {
        if d.fhir.display(code).is_none() {
            r.error(
                "diary.toml fhir.local",
                format!("the FHIR export uses code {code} but it is not defined"),
            );
        }
    }
    for sign in crate::diary::WarningSign::ALL {
        let at = format!("diary.toml warning_signs.{}", sign.as_str());
        if !d.labels.contains_key(sign) {
            r.error(&at, "has no label in [labels]".into());
        }
        match d.warning_signs.get(sign).map(|id| (id, kb.entry(id))) {
            None => r.error(&at, "names no red-flag entry".into()),
            Some((id, None)) => r.error(&at, format!("names unknown entry {id}")),
            Some((id, Some(e))) if !id.starts_with("red_flag.") || e.urgency.is_none() => {
                r.error(&at, format!("{id} is not a red-flag entry with an urgency"))
            }
            Some(_) => {}
        }
    }
}

/// wording.toml `[referral]`: words for every destination and urgency of SPEC §4.
fn check_referral_words(kb: &KnowledgeBase, r: &mut CheckReport) {
    let w = &kb.wording.referral;
    for d in crate::vocab::Destination::ALL {
        if !w.to.contains_key(d.as_str()) {
            r.error(
                "wording.toml referral.to",
                format!("no words for the destination {}", d.as_str()),
            );
        }
    }
    for u in crate::vocab::Urgency::ALL {
        if !w.urgency.contains_key(u.as_str()) {
            r.error(
                "wording.toml referral.urgency",
                format!("no words for the urgency {}", u.as_str()),
            );
        }
    }
}

/// wording.toml `[source_kinds]`: words for every source kind of SPEC §4, and for nothing else.
fn check_source_kind_words(kb: &KnowledgeBase, r: &mut CheckReport) {
    let w = &kb.wording.source_kinds;
    for k in crate::vocab::SourceKind::ALL {
        if !w.contains_key(k.as_str()) {
            r.error(
                "wording.toml source_kinds",
                format!("no words for the source kind {}", k.as_str()),
            );
        }
    }
    let mut unknown: Vec<&String> = w
        .keys()
        .filter(|k| crate::vocab::SourceKind::parse(k).is_none())
        .collect();
    unknown.sort();
    for k in unknown {
        r.error(
            "wording.toml source_kinds",
            format!(
                "{k} is not a source kind; use one of {}",
                crate::vocab::SourceKind::allowed()
            ),
        );
    }
}

/// search.toml: its review names a defined role, its dates parse, its numbers are in range, no
/// synonym group is empty, and every entry kept out of search exists.
fn check_search(kb: &KnowledgeBase, r: &mut CheckReport) {
    let s = &kb.search;
    if kb.role(&s.review.reviewer).is_none() {
        r.error(
            "search.toml review",
            format!("reviewer {:?} is not a role defined in kb.toml", s.review.reviewer),
        );
    }
    for (name, d) in [
        ("reviewed_on", &s.review.reviewed_on),
        ("next_review_due", &s.review.next_review_due),
    ] {
        if super::parse_iso_date(d).is_none() {
            r.error("search.toml review", format!("{name} {d:?} is not a YYYY-MM-DD date"));
        }
    }
    let k = &s.ranking;
    for (name, v) in [
        ("min_coverage", k.min_coverage),
        ("relative_floor", k.relative_floor),
        ("b", k.b),
    ] {
        if !(0.0..=1.0).contains(&v) {
            r.error("search.toml ranking", format!("{name} = {v} must lie between 0 and 1"));
        }
    }
    if k.max_statements == 0 {
        r.error("search.toml ranking", "max_statements must be at least 1".into());
    }
    for (i, g) in s.synonyms.iter().enumerate() {
        if g.terms.is_empty() {
            r.error("search.toml synonyms", format!("group {} has no searched term", i + 1));
        }
    }
    // An entry that search puts first must be one it can serve, an approved entry; a warning sign
    // refused (`refuse`) waits for its statement's approval, and is then served instead.
    let servable = |r: &mut CheckReport, at: &str, id: &str, refused: bool| {
        let approved = match kb.entries.iter().find(|e| e.id == id) {
            None => return r.error(at, format!("{id} is not an entry")),
            Some(e) => e.status == super::ReviewStatus::Approved,
        };
        match (approved, refused) {
            (false, false) => r.error(at, format!("{id} is not approved, so search cannot serve it")),
            (true, true) => r.error(at, format!("{id} is approved: serve it (drop `refuse`)")),
            _ => {}
        }
    };
    for w in &s.warning_signs {
        servable(r, "search.toml warning_signs", &w.entry, w.refuse);
        if w.signs.is_empty() {
            r.error("search.toml warning_signs", format!("{} has no sign", w.entry));
        }
        // A refused sign is refused on its words alone: a drug condition would not be read.
        if w.refuse && (!w.with_atc.is_empty() || w.without_drug) {
            r.error(
                "search.toml warning_signs",
                format!(
                    "{}: a `refuse` row is read on its signs alone; drop with_atc and without_drug",
                    w.entry
                ),
            );
        }
    }
    for g in &s.general_questions {
        let at = "search.toml general_questions";
        if g.asks.is_empty() || g.must_say.is_empty() || g.answers.is_empty() {
            r.error(at, "asks, must_say and answers must each name at least one".into());
        }
        for id in &g.answers {
            servable(r, at, id, false);
        }
    }
    // A child's age is read as a word that must do what a child word does: find the child warning
    // sign and the `@child` list.
    let a = &s.ages;
    if !a.before.is_empty() || !a.after.is_empty() {
        let child = a.child_reads_as.as_str();
        let in_list = s.word_lists.get("child").is_some_and(|l| l.iter().any(|w| w == child));
        let a_sign = s.warning_signs.iter().any(|w| w.signs.iter().any(|x| x == child));
        if !(in_list && a_sign) {
            r.error(
                "search.toml ages",
                format!("child_reads_as {child:?} must be a word of the `child` word list and a warning sign"),
            );
        }
    }
    for id in s
        .not_searched
        .iter()
        .chain(s.searched_only_with.keys())
        .chain(s.not_searched_with.keys())
    {
        if !kb.entries.iter().any(|e| &e.id == id) {
            r.error(
                "search.toml not_searched / searched_only_with / not_searched_with",
                format!("{id} is not an entry"),
            );
        }
    }
}

/// cds.toml: every summary fits a card (< 140 characters once filled), every red flag and topic
/// has its words, every entry-specific summary names a real entry.
fn check_cds(kb: &KnowledgeBase, r: &mut CheckReport) {
    let cds = &kb.cds;
    for (name, t) in cds.summaries.all() {
        if super::literal_len(t) > super::SUMMARY_TEMPLATE_MAX {
            r.error(
                &format!("cds.toml summaries.{name}"),
                format!(
                    "longer than {} characters without its placeholders",
                    super::SUMMARY_TEMPLATE_MAX
                ),
            );
        }
    }
    for (id, summary) in &cds.order_summary_by_entry {
        if kb.entry(id).is_none() {
            r.error(&format!("cds.toml order_summary_by_entry.{id}"), "no such entry".into());
        }
        if summary.chars().count() >= 140 {
            r.error(
                &format!("cds.toml order_summary_by_entry.{id}"),
                "a card summary must be under 140 characters".into(),
            );
        }
    }
    let reasons = &cds.order_reasons;
    for id in &reasons.for_cramps_only {
        if !kb.entry(id).is_some_and(|e| e.id.starts_with("avoid.")) {
            r.error(
                &format!("cds.toml order_reasons.for_cramps_only.{id}"),
                "no such avoid entry".into(),
            );
        }
    }
    let lowercase_word = |w: &String| !w.is_empty() && *w == w.trim().to_lowercase();
    if reasons.in_scope_words.is_empty() || !reasons.in_scope_words.iter().all(lowercase_word) {
        r.error(
            "cds.toml order_reasons.in_scope_words",
            "needs at least one word, each lowercase and trimmed".into(),
        );
    }
    for code in &reasons.in_scope_icd10 {
        if code.is_empty() || *code != code.trim().to_uppercase() {
            r.error(
                &format!("cds.toml order_reasons.in_scope_icd10.{code}"),
                "an ICD-10-CM prefix is uppercase and trimmed (M62.83)".into(),
            );
        }
    }
    for flag in RedFlagId::ALL {
        if !cds.red_flag_titles.contains_key(flag.as_str()) {
            r.error(
                "cds.toml red_flag_titles",
                format!("no title for red flag {}", flag.as_str()),
            );
        }
    }
    for code in super::topic::ALL {
        if cds.topic(code).is_none() {
            r.error("cds.toml topic", format!("no display for card topic {code}"));
        }
    }
    if cds.override_reason.is_empty() {
        r.error(
            "cds.toml override_reason",
            "cards need at least one override reason".into(),
        );
    }
}

/// form.toml: every form field has its question and every choice its answer display.
fn check_form(kb: &KnowledgeBase, r: &mut CheckReport) {
    for (path, kind) in crate::case::form_fields() {
        if !kb.form.items.contains_key(&path) {
            r.error("form.toml items", format!("no question text for {path}"));
        }
        if !kb.form.groups.contains_key(path.split('.').next().unwrap_or("")) {
            r.error("form.toml groups", format!("no group title for {path}"));
        }
        if let crate::case::FieldKind::Choice(codes) | crate::case::FieldKind::Choices(codes) = kind {
            for code in codes {
                if !kb.form.answers.contains_key(&format!("{path}.{code}")) {
                    r.error("form.toml answers", format!("no display for {path}.{code}"));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_counts_as_shown_only_inside_brackets() {
        assert!(shows_mark("text [U: awaiting review]", Mark::U));
        assert!(shows_mark("text [S/U: awaiting review]", Mark::U));
        assert!(shows_mark("text [S/U: awaiting review]", Mark::S));
        assert!(!shows_mark("Unverified text", Mark::U));
        assert!(!shows_mark("text [Summary]", Mark::S));
    }
}
