//! The readable report (text on a terminal, or Markdown) of an assessment, rendered from the same
//! wire shape as the JSON so both say the same thing.

use crate::output::{AssessmentOut, AvoidOut};
use cramp_core::knowledge::Wording;
use cramp_core::vocab::Audience;
use std::fmt::Write;

/// Report flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Text,
    Markdown,
}

fn mark(status: &str) -> &'static str {
    match status {
        "approved" => "",
        "in_review" => " [in review: not yet approved]",
        _ => " [DRAFT: unreviewed]",
    }
}

struct W {
    out: String,
    style: Style,
}

impl W {
    fn heading(&mut self, title: &str) {
        match self.style {
            Style::Markdown => {
                let _ = write!(self.out, "\n## {title}\n\n");
            }
            Style::Text => {
                let _ = write!(self.out, "\n{title}\n{}\n", "-".repeat(title.chars().count()));
            }
        }
    }
    fn item(&mut self, text: &str) {
        let _ = writeln!(self.out, "- {text}");
    }
    fn sub(&mut self, text: &str) {
        let _ = writeln!(self.out, "  {text}");
    }
}

fn cite(sources: &[String]) -> String {
    format!("[{}]", sources.join(", "))
}

/// Renders the report. The clinician report shows codes, tiers and certainty; the patient report
/// the same items in their plain text. Both keep every citation and mark what is not yet approved.
/// `words` is the knowledge base's wording (a source's kind in words).
pub fn render(a: &AssessmentOut<'_>, words: &Wording, style: Style) -> String {
    let audience = Audience::parse(a.audience).unwrap_or(Audience::Clinician);
    let clinician = audience == Audience::Clinician;
    let pick = |c: &'static str, p: &'static str| if clinician { c } else { p };
    let mut w = W {
        out: String::new(),
        style,
    };
    let title = pick("cramp assessment (clinician)", "cramp: your leg cramp assessment");
    match style {
        Style::Markdown => {
            let _ = writeln!(w.out, "# {title}");
        }
        Style::Text => {
            let _ = writeln!(w.out, "{title}\n{}", "=".repeat(title.chars().count()));
        }
    }
    let _ = writeln!(w.out, "\n{}", a.notice);

    if !a.red_flags.is_empty() {
        w.heading(pick("Red flags", "Warning signs: act on these first"));
        for r in &a.red_flags {
            let head = if clinician {
                format!("{} ({}): ", r.id, r.urgency)
            } else {
                String::new()
            };
            w.item(&format!(
                "{head}{} {}{}",
                r.text,
                cite(&r.sources),
                mark(r.review_status)
            ));
        }
    }
    w.heading(pick("Most likely", "What this most likely is"));
    match &a.classification.most_likely {
        Some(m) if clinician => w.item(&format!("{} {} (confidence: {})", m.code, m.display, m.confidence)),
        Some(m) => w.item(&format!("{} (how sure: {})", m.display, m.confidence)),
        None => w.item(pick(
            "none (see Questions to answer)",
            "not known yet (see the questions)",
        )),
    }
    // The patient's "what else" leaves out what the line above already named; the clinician's
    // differential is the whole list.
    let most_likely = a.classification.most_likely.as_ref().map(|m| m.code);
    let others: Vec<_> = a
        .classification
        .differential
        .iter()
        .filter(|d| clinician || Some(d.code) != most_likely)
        .collect();
    if !others.is_empty() {
        w.heading(pick("Differential", "What else it could be"));
        for d in others {
            let code = if clinician {
                format!("{} ", d.code)
            } else {
                String::new()
            };
            w.item(&format!("{code}{}: {} ({})", d.display, d.status, d.because.join("; ")));
        }
    }
    w.heading(pick("Referral", "Who to see"));
    if !clinician {
        // The patient reads the referral as a sentence in their words.
        w.item(&a.referral.text);
    } else if a.referral.recommended {
        w.item(&format!(
            "{}: {}",
            a.referral.urgency.unwrap_or(""),
            a.referral.to.join(", ")
        ));
        for r in &a.referral.reasons {
            w.sub(&format!("because: {r}"));
        }
    } else {
        // No referral row applies: said in words, with or without a warning sign to act on.
        w.item(&a.referral.text);
    }
    if !a.questions.is_empty() {
        w.heading(pick("Questions to answer", "Questions that would help"));
        for q in &a.questions {
            if clinician {
                w.item(&format!("{} ({})", q.text, q.field));
            } else {
                w.item(q.text);
            }
        }
    }
    if !a.medication_review.is_empty() || !a.unrecognized_medications.is_empty() {
        w.heading(pick("Medication review", "Your medicines"));
        for m in &a.medication_review {
            let head = if clinician {
                format!("{} [{} {}, tier {}]", m.medication, m.atc, m.drug_class, m.tier)
            } else {
                m.medication.to_string()
            };
            w.item(&format!(
                "{head}: {} {}{}",
                m.text,
                cite(&m.sources),
                mark(m.review_status)
            ));
        }
        for u in a.unrecognized_medications {
            w.item(&format!("{u}: not in the knowledge base"));
        }
    }
    if !a.labs.is_empty() {
        w.heading(pick("Tests worth ordering", "Blood tests"));
        for l in &a.labs {
            let code = if clinician {
                format!(" (LOINC {})", l.loinc)
            } else {
                String::new()
            };
            w.item(&format!(
                "{}{code}: {} {}{}",
                l.display,
                l.reason,
                cite(&l.sources),
                mark(l.review_status)
            ));
        }
    }
    if !a.lab_findings.is_empty() {
        w.heading(pick("Lab results", "Your results"));
        for f in &a.lab_findings {
            w.item(&format!("{} {}{}", f.text, cite(&f.sources), mark(f.review_status)));
        }
    }
    if !a.plan.is_empty() {
        w.heading(pick("Plan", "What to do"));
        for p in &a.plan {
            let head = if clinician {
                format!("{} ({}, certainty {}): ", p.id, p.tier, p.certainty)
            } else {
                String::new()
            };
            w.item(&format!(
                "{head}{} {}{}",
                p.text,
                cite(&p.sources),
                mark(p.review_status)
            ));
        }
    }
    if !a.medication_options.is_empty() {
        w.heading(pick("Medication options", "Medicines your clinician may consider"));
        for o in &a.medication_options {
            let head = if clinician {
                format!("{} ({}, for {})", o.display, o.atc, o.option_for)
            } else {
                o.display.to_string()
            };
            w.item(&format!(
                "{head}: {} {}{}",
                o.text,
                cite(&o.sources),
                mark(o.review_status)
            ));
            if clinician && !o.dosing.is_empty() {
                w.sub(&format!("Dosing: {}", o.dosing));
            }
        }
    }
    if !a.avoid.is_empty() {
        w.heading(pick("Avoid", "Medicines to avoid"));
        // Items of one entry side by side (the Beers relaxants, one per ATC group) are read once:
        // their names together, then the statement they share.
        let same = |x: &AvoidOut, y: &AvoidOut| {
            x.knowledge_id == y.knowledge_id && x.severity == y.severity && x.text.to_string() == y.text.to_string()
        };
        for group in a.avoid.chunk_by(|x, y| same(x, y)) {
            let heads: Vec<String> = group
                .iter()
                .map(|v| match (clinician, v.atc) {
                    (true, Some(atc)) => format!("{} ({}, {atc})", v.display, v.severity),
                    (true, None) => format!("{} ({})", v.display, v.severity),
                    (false, _) => v.display.to_string(),
                })
                .collect();
            let v = &group[0];
            w.item(&format!(
                "{}: {} {}{}",
                heads.join("; "),
                v.text,
                cite(&v.sources),
                mark(v.review_status)
            ));
        }
    }
    if !a.considered.is_empty() {
        w.heading(pick("Drugs being considered", "Medicines you asked about"));
        for c in &a.considered {
            let text = c.text.as_deref().unwrap_or(match c.decision {
                "avoid" => pick("see Avoid", "see Medicines to avoid"),
                _ => pick("see Medication options", "see Medicines your clinician may consider"),
            });
            let cites = c.sources.as_ref().map(|s| format!(" {}", cite(s))).unwrap_or_default();
            w.item(&format!("{}: {text}{cites}", c.name));
        }
    }
    if !a.evidence_conflicts.is_empty() {
        w.heading(pick("Where the evidence conflicts", "Where the research disagrees"));
        for c in &a.evidence_conflicts {
            let head = if clinician {
                format!("{}: ", c.topic)
            } else {
                String::new()
            };
            w.item(&format!(
                "{head}{} {}{}",
                c.text,
                cite(&c.sources),
                mark(c.review_status)
            ));
        }
    }
    if !a.input_warnings.is_empty() {
        w.heading(pick("Input warnings", "Notes on what was entered"));
        for i in a.input_warnings {
            w.item(i);
        }
    }
    w.heading("Sources");
    for s in &a.sources {
        let url = s.url.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        w.item(&format!(
            "{}: {} ({}, {}; {}){url}",
            s.id,
            s.citation,
            words.source_kind_word(s.kind, audience),
            s.year,
            s.locator
        ));
    }
    let _ = write!(
        w.out,
        "\nkb_version {} · engine_version {}\n",
        a.kb_version, a.engine_version
    );
    w.out
}
