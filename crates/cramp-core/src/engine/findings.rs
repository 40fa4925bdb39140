//! Lab findings (SPEC §4 "lab_findings"; EVIDENCE.md c.3a, c.2).

use super::classify::Pathways;
use super::facts::{Facts, LabResult};
use crate::assessment::{Basis, LabFinding};
use crate::case::Case;
use crate::knowledge::{AnalyteId, GateId, KnowledgeBase, Range};
use crate::vocab::{Interpretation, ReviewStatus};

/// Judges one result: against the range sent with it, else the knowledge-base range for the sex
/// (widest when unknown); the critical limits of c.3a define the critical interpretations; on the
/// RLS pathway the iron thresholds of c.2 override the range.
pub fn interpret<'kb>(kb: &'kb KnowledgeBase, case: &Case, f: &Facts, p: &Pathways, r: &LabResult) -> LabFinding<'kb> {
    let a = &kb.labs.analytes[r.analyte];
    let entry = kb.analyte_entry(r.analyte);
    let input = &case.labs[r.input];
    let display = if r.loinc.is_some() || input.name.is_none() {
        a.display.clone()
    } else {
        input.name.clone().unwrap_or_default()
    };
    let mut finding = LabFinding {
        loinc: r.loinc.clone(),
        display,
        value: r.value,
        unit: r.unit.clone(),
        canonical_unit: &a.canonical_unit,
        canonical_value: r.canonical,
        interpretation: None,
        basis: Basis::NotInterpreted { why: String::new() },
        adjusted: None,
        entry,
        review_status: entry.status,
    };
    let Some(v) = r.canonical else {
        finding.basis = Basis::NotInterpreted {
            why: match &r.unit {
                _ if r.below_zero => "a value below zero".to_string(),
                None => "no unit".to_string(),
                Some(u) => format!("unit {u} not usable"),
            },
        };
        return finding;
    };
    let to_canonical = |x: f64| (x + r.offset) * r.factor;
    if r.id == AnalyteId::Calcium {
        finding.adjusted = adjusted_calcium(kb, f, v, input.name.as_deref()).map(|c| c / r.factor - r.offset);
    }
    let lab_range = (!input.range_reversed() && (input.ref_low.is_some() || input.ref_high.is_some())).then(|| Range {
        low: input.ref_low.map(to_canonical),
        high: input.ref_high.map(to_canonical),
    });
    // Fasting by its code, or by its name ("fasting glucose", "FBG") when a fasting range exists.
    let fasting = r
        .loinc
        .as_deref()
        .is_some_and(|c| a.loinc.iter().any(|l| l.code == c && l.fasting))
        || (a.range_fasting.is_some() && input.name.as_deref().is_some_and(|n| kb.labs.named_fasting(n)));
    let default_range = if fasting {
        a.range_fasting.or(a.range)
    } else if f.female {
        a.range_female.or(a.range)
    } else if f.male {
        a.range_male.or(a.range)
    } else {
        a.range
    };
    let (range, basis) = match (lab_range, default_range) {
        (Some(lr), _) => {
            // A side the laboratory did not send falls back to the knowledge-base range.
            let merged = Range {
                low: lr.low.or(default_range.and_then(|d| d.low)),
                high: lr.high.or(default_range.and_then(|d| d.high)),
            };
            (
                merged,
                Basis::LabRange {
                    low: input.ref_low,
                    high: input.ref_high,
                    unit: r.unit.clone().unwrap_or_default(),
                },
            )
        }
        (None, Some(d)) => (
            d,
            Basis::DefaultRange {
                low: d.low,
                high: d.high,
            },
        ),
        (None, None) => {
            finding.basis = Basis::NoRange;
            return finding;
        }
    };
    let mut interp = if range.low.is_some_and(|l| v < l) {
        Interpretation::Low
    } else if range.high.is_some_and(|h| v > h) {
        Interpretation::High
    } else {
        Interpretation::Normal
    };
    let mut basis = basis;
    if let Some(cl) = a.critical.low.filter(|cl| v < *cl) {
        interp = Interpretation::CriticallyLow;
        basis = Basis::Critical { limit: cl };
    } else if let Some(ch) = a.critical.high.filter(|ch| v > *ch) {
        interp = Interpretation::CriticallyHigh;
        basis = Basis::Critical { limit: ch };
    }
    if p.rls_active() && matches!(interp, Interpretation::Normal | Interpretation::High) {
        let t = &kb.thresholds;
        // Under 18 the adult thresholds do not apply: only the paediatric ferritin threshold ([S]).
        let child = f.under(t.child_age.value);
        let iron_low = match a.id {
            AnalyteId::Ferritin if child => v < t.rls_ferritin_child.value,
            AnalyteId::Ferritin if f.gate(GateId::EsrdDialysis) => v < t.rls_esrd_ferritin.value,
            AnalyteId::Ferritin => v <= t.rls_ferritin_iron.value,
            AnalyteId::Tsat if child => false,
            AnalyteId::Tsat => v < t.rls_tsat.value,
            _ => false,
        };
        if iron_low {
            interp = Interpretation::Low;
            basis = if child {
                Basis::RlsThresholdChild
            } else {
                Basis::RlsThreshold
            };
        }
    }
    finding.review_status = match basis {
        Basis::DefaultRange { .. } | Basis::Critical { .. } | Basis::RlsThresholdChild => {
            ReviewStatus::InReview.min(entry.status)
        }
        _ => entry.status,
    };
    finding.basis = basis;
    finding.interpretation = Some(interp);
    finding
}

/// Whether a finding is outside its range (any abnormal interpretation).
pub fn abnormal(i: Option<Interpretation>) -> bool {
    matches!(i, Some(x) if x != Interpretation::Normal)
}

pub fn low(i: Option<Interpretation>) -> bool {
    matches!(i, Some(Interpretation::Low | Interpretation::CriticallyLow))
}

pub fn high(i: Option<Interpretation>) -> bool {
    matches!(i, Some(Interpretation::High | Interpretation::CriticallyHigh))
}

/// A total calcium (canonical unit) adjusted for the case's albumin with c.3's formula, adj Ca (mg/dL)
/// = Ca + factor × (reference − albumin g/dL) ([U]); none without a usable albumin, or when the
/// result's name says it is already adjusted or corrected (c.3: not adjusted again).
fn adjusted_calcium(kb: &KnowledgeBase, f: &Facts, calcium: f64, name: Option<&str>) -> Option<f64> {
    if name.is_some_and(|n| kb.labs.named_adjusted(n)) {
        return None;
    }
    let albumin = f.value(AnalyteId::Albumin)?;
    let t = &kb.thresholds;
    // The formula's units, converted with the knowledge base's own factors (c.3).
    let mg_dl = kb.labs.analyte(AnalyteId::Calcium).units.get("mg/dL")?.factor;
    let g_dl = kb.labs.analyte(AnalyteId::Albumin).units.get("g/dL")?.factor;
    Some(calcium + t.calcium_albumin_factor.value * (t.calcium_albumin_reference.value - albumin / g_dl) * mg_dl)
}
