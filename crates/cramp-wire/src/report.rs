//! The readable report (text on a terminal, or Markdown) of an assessment, rendered from the same
//! wire shape as the JSON so both say the same thing.

use crate::output::AssessmentOut;
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

/// Renders the report. The patient report omits clinician-only sections (sources detail stays).
pub fn render(a: &AssessmentOut<'_>, style: Style) -> String {
    let clinician = a.audience == "clinician";
    let mut w = W {
        out: String::new(),
        style,
    };
    let title = if clinician {
        "cramp assessment (clinician)"
    } else {
        "cramp: your leg cramp assessment"
    };
    match style {
        Style::Markdown => {
            let _ = writeln!(w.out, "# {title}");
        }
        Style::Text => {
            let _ = writeln!(w.out, "{title}\n{}", "=".repeat(title.chars().count()));
        }
    }
    let _ = writeln!(w.out, "\n{}", a.notice);

    w.heading(if clinician {
        "Most likely"
    } else {
        "What this most likely is"
    });
    match &a.classification.most_likely {
        Some(m) => w.item(&format!("{} {} (confidence: {})", m.code, m.display, m.confidence)),
        None => w.item(if clinician {
            "none (see Questions to answer)"
        } else {
            "not known yet (see the questions)"
        }),
    }
    if !a.classification.differential.is_empty() {
        w.heading(if clinician {
            "Differential"
        } else {
            "What else it could be"
        });
        for d in &a.classification.differential {
            w.item(&format!(
                "{} {}: {}{}",
                d.code,
                d.display,
                d.status,
                if d.because.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", d.because.join("; "))
                }
            ));
        }
    }
    if !a.red_flags.is_empty() {
        w.heading(if clinician {
            "Red flags"
        } else {
            "Warning signs: act on these first"
        });
        for r in &a.red_flags {
            w.item(&format!(
                "{} ({}): {} {}{}",
                r.id,
                r.urgency,
                r.text,
                cite(&r.sources),
                mark(r.review_status)
            ));
        }
    }
    w.heading(if clinician { "Referral" } else { "Who to see" });
    if a.referral.recommended {
        w.item(&format!(
            "{} to {}",
            a.referral.urgency.unwrap_or(""),
            a.referral.to.join(", ")
        ));
        for r in &a.referral.reasons {
            w.sub(&format!("because: {r}"));
        }
    } else {
        w.item(if clinician {
            "none recommended on this information"
        } else {
            "none needed on this information"
        });
    }
    if !a.questions.is_empty() {
        w.heading(if clinician {
            "Questions to answer"
        } else {
            "Questions that would help"
        });
        for q in &a.questions {
            w.item(&format!("{} ({})", q.text, q.field));
        }
    }
    if !a.medication_review.is_empty() || !a.unrecognized_medications.is_empty() {
        w.heading(if clinician {
            "Medication review"
        } else {
            "Your medicines"
        });
        for m in &a.medication_review {
            w.item(&format!(
                "{} [{} {}, tier {}]: {} {}{}",
                m.medication,
                m.atc,
                m.drug_class,
                m.tier,
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
        w.heading(if clinician {
            "Tests worth ordering"
        } else {
            "Blood tests"
        });
        for l in &a.labs {
            w.item(&format!(
                "{} (LOINC {}): {} {}{}",
                l.display,
                l.loinc,
                l.reason,
                cite(&l.sources),
                mark(l.review_status)
            ));
        }
    }
    if !a.lab_findings.is_empty() {
        w.heading(if clinician { "Lab results" } else { "Your results" });
        for f in &a.lab_findings {
            w.item(&format!("{} {}{}", f.text, cite(&f.sources), mark(f.review_status)));
        }
    }
    if !a.plan.is_empty() {
        w.heading(if clinician { "Plan" } else { "What to do" });
        for p in &a.plan {
            w.item(&format!(
                "{} ({}, certainty {}): {} {}{}",
                p.id,
                p.tier,
                p.certainty,
                p.text,
                cite(&p.sources),
                mark(p.review_status)
            ));
        }
    }
    if !a.medication_options.is_empty() {
        w.heading(if clinician {
            "Medication options"
        } else {
            "Medicines your clinician may consider"
        });
        for o in &a.medication_options {
            w.item(&format!(
                "{} ({}, for {}): {} {}{}",
                o.display,
                o.atc,
                o.option_for,
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
        w.heading(if clinician { "Avoid" } else { "Medicines to avoid" });
        for v in &a.avoid {
            w.item(&format!(
                "{} ({}{}): {} {}{}",
                v.display,
                v.severity,
                v.atc.map(|c| format!(", {c}")).unwrap_or_default(),
                v.text,
                cite(&v.sources),
                mark(v.review_status)
            ));
        }
    }
    if !a.considered.is_empty() {
        w.heading(if clinician {
            "Drugs being considered"
        } else {
            "Medicines you asked about"
        });
        for c in &a.considered {
            let text = c.text.as_deref().unwrap_or(match c.decision {
                "avoid" => "see Avoid above",
                _ => "see the options above",
            });
            w.item(&format!(
                "{}: {}{}",
                c.name,
                text,
                c.sources.as_ref().map(|s| format!(" {}", cite(s))).unwrap_or_default()
            ));
        }
    }
    if !a.evidence_conflicts.is_empty() {
        w.heading(if clinician {
            "Where the evidence conflicts"
        } else {
            "Where the research disagrees"
        });
        for c in &a.evidence_conflicts {
            w.item(&format!(
                "{}: {} {}{}",
                c.topic,
                c.text,
                cite(&c.sources),
                mark(c.review_status)
            ));
        }
    }
    if !a.input_warnings.is_empty() {
        w.heading("Input warnings");
        for i in a.input_warnings {
            w.item(i);
        }
    }
    w.heading("Sources");
    for s in &a.sources {
        w.item(&format!(
            "{}: {} ({}, {}; {}){}",
            s.id,
            s.citation,
            s.kind,
            s.year,
            s.locator,
            s.url.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
        ));
    }
    let _ = write!(
        w.out,
        "\nkb_version {} · engine_version {}\n",
        a.kb_version, a.engine_version
    );
    w.out
}
