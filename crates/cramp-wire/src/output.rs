//! The assessment as SPEC §4 sends it, for one audience.

use cramp_core::assessment::*;
use cramp_core::knowledge::{Entry, Phrase, Source};
use cramp_core::vocab::*;
use serde::Serialize;

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

#[derive(Debug, Serialize)]
pub struct AssessmentOut<'a> {
    pub kb_version: &'a str,
    pub engine_version: &'a str,
    pub audience: &'static str,
    /// What this output is and is not (the patient voice opens with "this does not replace a clinician").
    pub notice: &'a str,
    pub classification: ClassificationOut<'a>,
    pub questions: Vec<QuestionOut<'a>>,
    pub red_flags: Vec<RedFlagOut<'a>>,
    pub medication_review: Vec<ReviewOut<'a>>,
    pub unrecognized_medications: &'a [String],
    pub labs: Vec<LabOut<'a>>,
    pub lab_findings: Vec<FindingOut<'a>>,
    pub plan: Vec<PlanOut<'a>>,
    pub medication_options: Vec<OptionOut<'a>>,
    pub avoid: Vec<AvoidOut<'a>>,
    pub referral: ReferralOut<'a>,
    pub evidence_conflicts: Vec<ConflictOut<'a>>,
    pub considered: Vec<ConsideredOut<'a>>,
    pub input_warnings: &'a [String],
    pub sources: Vec<SourceOut<'a>>,
}

#[derive(Debug, Serialize)]
pub struct ClassificationOut<'a> {
    pub most_likely: Option<MostLikelyOut<'a>>,
    pub differential: Vec<DifferentialOut<'a>>,
    pub text: &'a str,
    pub sources: &'a [String],
    pub review_status: &'static str,
}

#[derive(Debug, Serialize)]
pub struct MostLikelyOut<'a> {
    pub code: &'a str,
    pub system: &'static str,
    pub display: &'a str,
    pub confidence: &'static str,
}

#[derive(Debug, Serialize)]
pub struct DifferentialOut<'a> {
    pub code: &'a str,
    pub system: &'static str,
    pub display: &'a str,
    pub status: &'static str,
    pub because: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct QuestionOut<'a> {
    pub field: &'static str,
    pub text: &'a str,
}

#[derive(Debug, Serialize)]
pub struct RedFlagOut<'a> {
    pub id: &'static str,
    pub urgency: &'static str,
    pub text: &'a str,
    pub sources: &'a [String],
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ReviewOut<'a> {
    pub medication: &'a str,
    pub atc: &'a str,
    pub drug_class: &'a str,
    pub tier: &'static str,
    pub text: String,
    pub sources: &'a [String],
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct LabOut<'a> {
    pub loinc: &'a str,
    pub display: &'a str,
    pub repeat: bool,
    pub reason: String,
    pub sources: &'a [String],
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct FindingOut<'a> {
    pub loinc: Option<&'a str>,
    pub display: &'a str,
    pub value: Num,
    pub unit: Option<&'a str>,
    pub interpretation: Option<&'static str>,
    pub text: String,
    pub sources: &'a [String],
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct PlanOut<'a> {
    pub id: &'static str,
    pub tier: &'static str,
    pub certainty: &'static str,
    pub text: &'a str,
    pub sources: &'a [String],
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct OptionOut<'a> {
    pub atc: &'a str,
    pub display: &'a str,
    pub dosing: &'a str,
    #[serde(rename = "for")]
    pub option_for: &'static str,
    pub text: String,
    pub sources: &'a [String],
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct AvoidOut<'a> {
    pub atc: Option<&'a str>,
    pub display: &'a str,
    pub severity: &'static str,
    pub text: &'a str,
    pub sources: &'a [String],
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ReferralOut<'a> {
    pub recommended: bool,
    pub urgency: Option<&'static str>,
    pub to: Vec<&'static str>,
    pub reasons: Vec<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct ConflictOut<'a> {
    pub topic: &'static str,
    pub text: &'a str,
    pub sources: &'a [String],
    pub review_status: &'static str,
    pub knowledge_id: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ConsideredOut<'a> {
    pub name: &'a str,
    pub atc: Option<&'a str>,
    pub decision: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sources: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review_status: Option<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct SourceOut<'a> {
    pub id: &'a str,
    pub citation: &'a str,
    pub kind: &'static str,
    pub year: i32,
    pub locator: &'a str,
    pub quote: &'a str,
    pub quote_is_verbatim: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Replaces `{key}` placeholders.
pub fn fill(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) if vars.iter().any(|(k, _)| *k == &after[..end]) => {
                let key = &after[..end];
                out.push_str(
                    vars.iter()
                        .find(|(k, _)| *k == key)
                        .map(|(_, v)| *v)
                        .unwrap_or_default(),
                );
                rest = &after[end + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn status(e: &Entry) -> &'static str {
    e.status.as_str()
}

fn fmt_range(low: Option<f64>, high: Option<f64>) -> (String, String) {
    (
        low.map(|l| Num(round(l)).to_string())
            .unwrap_or_else(|| "…".into()),
        high.map(|h| Num(round(h)).to_string())
            .unwrap_or_else(|| "…".into()),
    )
}

fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn source_out(s: &Source) -> SourceOut<'_> {
    SourceOut {
        id: &s.id,
        citation: &s.citation,
        kind: s.kind.as_str(),
        year: s.year,
        locator: &s.locator,
        quote: &s.quote,
        quote_is_verbatim: s.passage_verbatim,
        url: s.link(),
    }
}

fn finding_text(a: &Assessment<'_>, f: &LabFinding<'_>, audience: Audience) -> String {
    let w = &a.kb.wording;
    let t = &w.templates;
    let value = Num(f.value).to_string();
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
            let word = w
                .interpretation_words
                .get(i.as_str())
                .map(|p| p.text(audience))
                .unwrap_or(i.as_str());
            let basis_text = match basis {
                Basis::LabRange { low, high, unit } => {
                    let (l, h) = fmt_range(*low, *high);
                    fill(
                        &t.basis_lab_range,
                        &[("low", &l), ("high", &h), ("unit", unit)],
                    )
                }
                Basis::DefaultRange { low, high, .. } => {
                    let (l, h) = fmt_range(*low, *high);
                    fill(
                        &t.basis_default_range,
                        &[("low", &l), ("high", &h), ("unit", f.canonical_unit)],
                    )
                }
                Basis::RlsThreshold => t.basis_rls.clone(),
                Basis::Critical { limit } => fill(
                    &t.basis_critical,
                    &[
                        ("limit", &Num(round(*limit)).to_string()),
                        ("unit", f.canonical_unit),
                    ],
                ),
                Basis::NoRange | Basis::NotInterpreted { .. } => t.basis_no_range.clone(),
            };
            let tpl = if audience == Audience::Clinician {
                &t.finding_clinician
            } else {
                &t.finding_patient
            };
            fill(
                tpl,
                &[
                    ("display", &f.display),
                    ("value", &value),
                    ("unit", unit),
                    ("interpretation", word),
                    ("basis", &basis_text),
                ],
            )
        }
    }
}

fn reasons_text(reasons: &[&Phrase], audience: Audience) -> String {
    reasons
        .iter()
        .map(|r| r.text(audience))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Builds the SPEC §4 shape of an assessment for one audience.
pub fn to_wire<'a>(a: &'a Assessment<'a>, audience: Audience) -> AssessmentOut<'a> {
    let kb = a.kb;
    let w = &kb.wording;
    let c = &a.classification;
    let classification = ClassificationOut {
        most_likely: c.most_likely.as_ref().map(|m| MostLikelyOut {
            code: &m.code.code,
            system: "ICD-10-CM",
            display: &m.code.display,
            confidence: m.confidence.as_str(),
        }),
        differential: c
            .differential
            .iter()
            .map(|d| DifferentialOut {
                code: &d.code.code,
                system: "ICD-10-CM",
                display: &d.code.display,
                status: d.status.as_str(),
                because: d
                    .because
                    .iter()
                    .map(|b| {
                        fill(
                            b.phrase.text(audience),
                            &[("condition", b.condition.unwrap_or(""))],
                        )
                    })
                    .collect(),
            })
            .collect(),
        text: c.entry.text(audience),
        sources: &c.entry.sources,
        review_status: status(c.entry),
    };
    let questions = a
        .questions
        .iter()
        .map(|q| QuestionOut {
            field: q.field,
            text: w
                .questions
                .get(q.field)
                .map(|p| p.text(audience))
                .unwrap_or(q.field),
        })
        .collect();
    let red_flags = a
        .red_flags
        .iter()
        .map(|r| RedFlagOut {
            id: r.id.as_str(),
            urgency: r.urgency.as_str(),
            text: r.entry.text(audience),
            sources: &r.entry.sources,
            review_status: status(r.entry),
            knowledge_id: &r.entry.id,
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
            text: fill(m.entry.text(audience), &[("drug", &m.drug_name)]),
            sources: &m.entry.sources,
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
                reason: fill(
                    tpl,
                    &[
                        ("test", l.entry.text(audience)),
                        ("reasons", &reasons_text(&l.reasons, audience)),
                    ],
                ),
                sources: &l.entry.sources,
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
            text: finding_text(a, f, audience),
            sources: &f.entry.sources,
            review_status: f.review_status.as_str(),
            knowledge_id: &f.entry.id,
        })
        .collect();
    let plan = a
        .plan
        .iter()
        .map(|p| PlanOut {
            id: p.id.as_str(),
            tier: p.entry.tier.unwrap_or(PlanTier::FirstLine).as_str(),
            certainty: p.entry.certainty.unwrap_or(Certainty::VeryLow).as_str(),
            text: p.entry.text(audience),
            sources: &p.entry.sources,
            review_status: status(p.entry),
            knowledge_id: &p.entry.id,
        })
        .collect();
    let medication_options = a
        .medication_options
        .iter()
        .map(|o| {
            let e = o.entry;
            let mut text = e.text(audience).to_string();
            if o.conditional {
                let (tpl, cond) = match audience {
                    Audience::Clinician => (
                        &w.templates.conditional_clinician,
                        e.condition_clinician.as_deref(),
                    ),
                    Audience::Patient => (
                        &w.templates.conditional_patient,
                        e.condition_patient.as_deref(),
                    ),
                };
                if let Some(cond) = cond {
                    text.push(' ');
                    text.push_str(&fill(tpl, &[("condition", cond)]));
                }
            }
            OptionOut {
                atc: e.atc.as_deref().unwrap_or_default(),
                display: e.display.as_deref().unwrap_or_default(),
                dosing: match audience {
                    Audience::Clinician => e.dosing.as_deref().unwrap_or_default(),
                    Audience::Patient => &w.templates.dosing_patient,
                },
                option_for: o.option_for.as_str(),
                text,
                sources: &e.sources,
                review_status: status(e),
                knowledge_id: &e.id,
            }
        })
        .collect();
    let avoid = a
        .avoid
        .iter()
        .map(|v| AvoidOut {
            atc: v.atc.as_deref(),
            display: &v.display,
            severity: v.severity.as_str(),
            text: v.entry.text(audience),
            sources: &v.entry.sources,
            review_status: status(v.entry),
            knowledge_id: &v.entry.id,
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
    };
    let evidence_conflicts = a
        .evidence_conflicts
        .iter()
        .map(|c| ConflictOut {
            topic: c.topic.as_str(),
            text: c.entry.text(audience),
            sources: &c.entry.sources,
            review_status: status(c.entry),
            knowledge_id: &c.entry.id,
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
                fill(
                    e.text(audience),
                    &[
                        ("drug", &c.drug_name),
                        ("tier", c.tier.map(|t| t.as_str()).unwrap_or("")),
                    ],
                )
            }),
            sources: c.entry.map(|e| e.sources.as_slice()),
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
        sources: a.cited_sources().into_iter().map(source_out).collect(),
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
    fn integral_numbers_print_without_a_fraction() {
        assert_eq!(serde_json::to_string(&Num(22.0)).unwrap(), "22");
        assert_eq!(serde_json::to_string(&Num(0.58)).unwrap(), "0.58");
    }
}
