//! Classification (SPEC §4 "Classification"; EVIDENCE.md c.1): the four differentiating questions
//! mapped onto the IRLSSG 2014 and ICSD-3 criteria, and the mimic pathways that take precedence.

use super::facts::Facts;
use crate::case::*;
use crate::knowledge::{GateId, KnowledgeBase, SetId};
use crate::vocab::{Confidence, DifferentialStatus};

/// Which pathways the case engages, with their status.
#[derive(Debug, Clone, Copy, Default)]
pub struct Pathways {
    pub nlc: Option<DifferentialStatus>,
    pub rls: Option<DifferentialStatus>,
    pub plmd: Option<DifferentialStatus>,
    pub pad: Option<DifferentialStatus>,
    /// PAD confirmed enough for supervised exercise: ABI <= 0.90 or absent pulses (c.10).
    pub pad_confirmed: bool,
    pub clti: bool,
    pub clti_rest_pain: bool,
    /// A non-healing wound: `symptoms.non_healing_wound`, or an ulcer of the foot or leg named.
    pub wound: bool,
    pub neurogenic: Option<DifferentialStatus>,
    pub neuropathy: Option<DifferentialStatus>,
    pub mnd: bool,
    pub dvt: bool,
    /// The DVT pathway rests on persistent calf pain alone (no swelling, warmth or redness).
    pub dvt_persistent_pain: bool,
    /// Constant calf pain (not burning or numb, not an urge to move), with or without a DVT risk.
    pub persistent_calf_pain: bool,
    /// Calf pain with a DVT risk (one side, recent immobility, an oestrogen; pregnancy, c.7) whose
    /// swelling, warmth and redness are not all known: c.5's DVT signs are asked for.
    pub dvt_signs_unknown: bool,
    pub most_likely: Option<(Dx, Confidence)>,
    pub coexisting: bool,
    pub indeterminate: bool,
    /// Exertional pain relieved by rest whose vascular status is unknown (exam prompts).
    pub vascular_unknown: bool,
    /// PAD found on examination (ABI or pulses) without exertional pain: in the differential only.
    pub pad_exam_only: bool,
    /// PAD on the problem list (d.1a), without exertional pain or abnormal findings described.
    pub pad_known: bool,
    /// Neuropathy or lumbar stenosis on the problem list, without their pattern described.
    pub neuropathy_known: bool,
    /// Sensory loss or reduced reflexes on examination (what the neuropathy pattern's words say
    /// was found; without them the pathway rests on symptoms).
    pub neuropathy_signs: bool,
    /// RLS on the problem list while the answers describe cramps.
    pub rls_known: bool,
    /// Cramps on exertion relieved by something other than rest, pulses not yet known.
    pub pad_exertional: bool,
    pub neurogenic_known: bool,
    pub neuro_considered: bool,
}

/// The conditions of the classification table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dx {
    Nlc,
    Rls,
    Plmd,
    Pad,
    Clti,
    Neurogenic,
    Neuropathy,
    Mnd,
    Dvt,
}

impl Pathways {
    /// The PAD pathway: PAD most likely or likely.
    pub fn pad_path(&self) -> bool {
        self.pad == Some(DifferentialStatus::Likely) || matches!(self.most_likely, Some((Dx::Pad, _)))
    }
    /// Claudication of PAD confirmed by ABI or pulses, not limb-threatening ischaemia and not
    /// neurogenic: where supervised exercise (c.10) and its drug beside it are given.
    pub fn confirmed_claudication(&self) -> bool {
        self.pad_path() && self.pad_confirmed && !self.clti && self.neurogenic != Some(DifferentialStatus::Likely)
    }
    /// "NLC pathway": NLC most likely or likely, including cramps associated with drugs,
    /// electrolytes, pregnancy, cirrhosis or dialysis (EVIDENCE.md c.10).
    pub fn nlc_active(&self) -> bool {
        matches!(self.most_likely, Some((Dx::Nlc, _))) || self.nlc == Some(DifferentialStatus::Likely)
    }
    pub fn rls_active(&self) -> bool {
        matches!(self.most_likely, Some((Dx::Rls, _))) || self.rls == Some(DifferentialStatus::Likely)
    }
    pub fn plmd_active(&self) -> bool {
        matches!(self.most_likely, Some((Dx::Plmd, _))) || self.plmd == Some(DifferentialStatus::Likely)
    }
    /// RLS or PLMD engaged, the pathways on which iron and c.6b drugs matter.
    pub fn rls_or_plmd_active(&self) -> bool {
        self.rls_active() || self.plmd_active()
    }
}

fn count(flags: &[bool]) -> usize {
    flags.iter().filter(|f| **f).count()
}

pub fn classify(kb: &KnowledgeBase, case: &Case, f: &Facts, mnd: bool) -> Pathways {
    use DifferentialStatus::*;
    let s = &case.symptoms;
    let e = &case.exam;
    let t = &kb.thresholds;
    let mut p = Pathways {
        mnd,
        ..Pathways::default()
    };

    let q1 = s.feels_like;
    let q2 = s.worse_in_evening;
    let q3 = s.relieved_by;
    let q4 = s.returns_at_rest;
    let missing = count(&[q1.is_none(), q2.is_none(), q3.is_none(), q4.is_none()]);
    // RLS-positive answers to Q2-Q4 (IRLSSG 2, 3, 4).
    let rls_q2 = q2 == Some(true);
    let rls_q3 = q3 == Some(RelievedBy::AnyMovement);
    let rls_q4 = q4 == Some(true);
    let rls_later = count(&[rls_q2, rls_q3, rls_q4]);
    let missing_later = count(&[q2.is_none(), q3.is_none(), q4.is_none()]);

    // ---- NLC and RLS from the four questions (c.1) ----
    let (mut nlc, mut rls, mut qconf): (
        Option<DifferentialStatus>,
        Option<DifferentialStatus>,
        Option<Confidence>,
    ) = (None, None, None);
    let mut q_dx: Option<Dx> = None;
    match q1 {
        Some(FeelsLike::Both) => {
            if rls_q2 && rls_q3 && rls_q4 {
                p.coexisting = true;
                nlc = Some(Likely);
                rls = Some(Likely);
                q_dx = Some(Dx::Nlc);
                qconf = Some(Confidence::Moderate);
            } else if q3 == Some(RelievedBy::Stretching) && !rls_q2 && !rls_q4 {
                nlc = Some(Likely);
                rls = Some(Possible);
                q_dx = Some(Dx::Nlc);
                qconf = Some(Confidence::Moderate);
            } else {
                nlc = Some(Possible);
                rls = Some(Possible);
                q_dx = Some(Dx::Nlc);
                qconf = Some(Confidence::Low);
                p.indeterminate = true;
            }
        }
        Some(FeelsLike::UrgeToMove) => {
            q_dx = Some(Dx::Rls);
            rls = Some(Likely);
            qconf = Some(match (rls_later, missing_later) {
                (3, _) => Confidence::High,
                (2, _) => Confidence::Moderate,
                _ => {
                    p.indeterminate = true;
                    rls = Some(Possible);
                    Confidence::Low
                }
            });
            if q3 == Some(RelievedBy::Stretching) {
                nlc = Some(Possible);
            }
        }
        Some(FeelsLike::PainfulCramp) => {
            q_dx = Some(Dx::Nlc);
            nlc = Some(Likely);
            let rls_other = count(&[rls_q2, rls_q4]);
            let conf = match q3 {
                Some(RelievedBy::Stretching) | None => {
                    let miss = missing_later;
                    match (rls_other, miss) {
                        (0, 0) => Confidence::High,
                        (0, 1) => Confidence::Moderate,
                        (0, _) => Confidence::Low,
                        (1, 0) if q3.is_some() => Confidence::Moderate,
                        _ => Confidence::Low,
                    }
                }
                Some(RelievedBy::AnyMovement) => match (rls_other, missing_later) {
                    (0, 0) => Confidence::Moderate,
                    _ => Confidence::Low,
                },
                // Relieved by nothing: a cramp that runs its course; cramp-typical but inconsistent.
                Some(RelievedBy::Nothing) => Confidence::Low,
                // Rest, sitting or bending forward, hanging the leg down: these point to a mimic
                // (claudication, lumbar stenosis, rest pain), never to NLC (c.7 PAD: do not label
                // exertional pain as NLC). A mimic pathway below may explain it; else indeterminate.
                Some(_) => {
                    p.indeterminate = true;
                    nlc = Some(Possible);
                    q_dx = None;
                    Confidence::Low
                }
            };
            if rls_other + usize::from(rls_q3) >= 1 {
                rls = Some(Possible);
            }
            if conf == Confidence::Low && rls_other + usize::from(rls_q3) >= 2 {
                p.indeterminate = true;
                nlc = Some(Possible);
            }
            qconf = Some(conf);
        }
        Some(FeelsLike::BurningOrNumb) | Some(FeelsLike::None) => {}
        None => {
            let nlc_typ = count(&[q2 == Some(false), q3 == Some(RelievedBy::Stretching), q4 == Some(false)]);
            if q3 == Some(RelievedBy::Stretching) && rls_later == 0 {
                q_dx = Some(Dx::Nlc);
                nlc = Some(Likely);
                qconf = Some(if missing == 1 {
                    Confidence::Moderate
                } else {
                    Confidence::Low
                });
            } else if rls_later == 3 {
                q_dx = Some(Dx::Rls);
                rls = Some(Likely);
                qconf = Some(Confidence::Moderate);
            } else if nlc_typ + rls_later > 0 {
                p.indeterminate = true;
                nlc = Some(Possible);
                rls = Some(Possible);
            }
        }
    }
    // c.1: a cramp lasts seconds to about ten minutes; pain that is constant is not one, whatever
    // relieves it. The cramps stay possible; the result is indeterminate unless a mimic explains it.
    if s.when == Some(When::Constant) && nlc == Some(Likely) && !p.coexisting {
        nlc = Some(Possible);
        if q_dx == Some(Dx::Nlc) {
            q_dx = None;
        }
        p.indeterminate = true;
    }
    // When all four questions are answered, RLS is always listed (unlikely when all are cramp-typical).
    if missing == 0 && rls.is_none() {
        rls = Some(Unlikely);
    }
    // An RLS already diagnosed is named as such: listed (possible) when the answers leave it out,
    // and when they describe cramps, "unlikely" says that it is these symptoms that are not RLS.
    if f.gate(GateId::Rls) && matches!(rls, None | Some(Unlikely)) {
        rls = Some(rls.unwrap_or(Possible));
        p.rls_known = true;
    }

    // ---- mimic pathways (c.1, c.5) ----
    let exertional = matches!(s.when, Some(When::Walking) | Some(When::StandingOrWalking));
    let abi_low = e.abi.is_some_and(|a| a <= t.pad_abi.value);
    let pulses_abnormal = matches!(e.pedal_pulses, Some(Pulses::Reduced) | Some(Pulses::Absent));
    let vascular_evidence = abi_low || pulses_abnormal || f.gate(GateId::Pad);
    let vascular_status_unknown = e.abi.is_none() && e.pedal_pulses.is_none();
    if exertional && q3 == Some(RelievedBy::Rest) {
        if vascular_evidence {
            p.pad = Some(Likely);
            p.pad_confirmed = abi_low || e.pedal_pulses == Some(Pulses::Absent) || f.gate(GateId::Pad);
        } else {
            p.pad = Some(Possible);
            p.vascular_unknown = vascular_status_unknown;
        }
    } else if abi_low || pulses_abnormal {
        // c.1: ABI <= 0.90 or reduced pulses is PAD, but without exertional pain not the
        // claudication pathway; it is named beside the cramps (R-AFP2012: NLC are associated with
        // vascular disease).
        p.pad = Some(Possible);
        p.pad_exam_only = true;
    } else if exertional
        && vascular_status_unknown
        && q3 != Some(RelievedBy::SittingOrBendingForward)
        && f.age.is_none_or(|a| a >= t.child_age.value)
    {
        // c.7 PAD: exertional pain is not labelled NLC. Relief by stretching argues against
        // claudication but does not rule it out before the pulses are felt: possible, and asked
        // (in adults; a child's exertional cramps are `atypical_age`'s concern).
        p.pad = Some(Possible);
        p.vascular_unknown = true;
        p.pad_exertional = true;
    }
    p.clti_rest_pain = q3 == Some(RelievedBy::HangingLegDown);
    p.wound = s.non_healing_wound == Some(true) || f.gate(GateId::LowerLimbWound);
    p.clti = p.clti_rest_pain || f.gate(GateId::Clti) || (p.wound && (vascular_evidence || vascular_status_unknown));
    if p.pad.is_none() && !p.clti && f.gate(GateId::Pad) {
        // A PAD diagnosis named without claudication described: in the differential, as on
        // examination (R-AFP2012: NLC are associated with vascular disease); ask about the pulses.
        p.pad = Some(Possible);
        p.pad_known = true;
    }
    if p.wound && vascular_status_unknown {
        p.vascular_unknown = true;
    }
    if exertional && q3 == Some(RelievedBy::SittingOrBendingForward) {
        p.neurogenic = Some(Likely);
    } else if (s.when == Some(When::StandingOrWalking) && q3 == Some(RelievedBy::Rest))
        || q3 == Some(RelievedBy::SittingOrBendingForward)
    {
        // Relief by sitting or bending forward is the lumbar-stenosis pattern (c.1) even when the
        // timing given is not standing or walking: named as possible, not the pathway.
        p.neurogenic = Some(Possible);
    }
    if p.neurogenic.is_none() && f.gate(GateId::LumbarStenosis) {
        p.neurogenic = Some(Possible);
        p.neurogenic_known = true;
    }
    let sensory = s.numbness == Some(true) || s.tingling == Some(true);
    let exam_support = e.sensory_loss == Some(true) || e.reflexes == Some(Reflexes::Reduced);
    p.neuropathy_signs = exam_support;
    if q1 == Some(FeelsLike::BurningOrNumb) {
        p.neuropathy = Some(if sensory || exam_support || f.gate(GateId::Diabetes) {
            Likely
        } else {
            Possible
        });
    } else if sensory && exam_support {
        p.neuropathy = Some(Possible);
    } else if f.gate(GateId::Neuropathy) {
        p.neuropathy = Some(Possible);
        p.neuropathy_known = true;
    }
    // c.5 possible_dvt: unilateral calf swelling, warmth or redness, or persistent (not transient)
    // calf pain, above all after immobility or on oestrogen. Persistent pain counts when it is
    // one-sided or comes with one of those risks; a burning or numb feeling or an urge to move
    // belongs to other pathways.
    let calf_pain = s.location.as_ref().is_none_or(|l| l.contains(&Location::Calf))
        && !matches!(q1, Some(FeelsLike::BurningOrNumb | FeelsLike::UrgeToMove));
    let dvt_risk = matches!(s.side, Some(Side::Left | Side::Right))
        || s.recent_immobility == Some(true)
        || f.takes(SetId::Oestrogens);
    let dvt_signs =
        s.calf_swelling == Some(CalfSwelling::OneLeg) || s.calf_warm_or_red == Some(true) || f.gate(GateId::DvtSigns);
    p.persistent_calf_pain = s.when == Some(When::Constant) && calf_pain;
    p.dvt_persistent_pain = !dvt_signs && p.persistent_calf_pain && dvt_risk;
    p.dvt = dvt_signs || p.dvt_persistent_pain;
    // c.7 pregnancy: "DVT screen for unilateral swelling".
    p.dvt_signs_unknown =
        !p.dvt && calf_pain && (dvt_risk || f.pregnant) && (s.calf_swelling.is_none() || s.calf_warm_or_red.is_none());
    if s.kicking_reported == Some(true)
        && !matches!(
            q1,
            Some(FeelsLike::PainfulCramp | FeelsLike::UrgeToMove | FeelsLike::Both)
        )
    {
        p.plmd = Some(Likely);
    } else if s.kicking_reported == Some(true) {
        p.plmd = Some(Possible);
    }
    p.neuro_considered = mnd
        || p.neuropathy.is_some()
        || s.gait_or_speech_change == Some(true)
        || s.weakness == Some(true)
        || s.twitching == Some(true)
        || s.muscle_wasting == Some(true)
        // A bulbar sign (c.5 possible_motor_neuron_disease names dysphagia beside weakness).
        || s.dysphagia == Some(true)
        || s.unusual_site();

    // ---- most likely: a met mimic pathway wins over cramps (SPEC §4) ----
    let mimic_feature = s.twitching == Some(true)
        || s.tingling == Some(true)
        || s.numbness == Some(true)
        || s.weakness == Some(true)
        || s.muscle_wasting == Some(true)
        || s.gait_or_speech_change == Some(true)
        || s.dysphagia == Some(true)
        || p.wound
        || e.objective_weakness == Some(true)
        || e.sensory_loss == Some(true)
        || e.fasciculations == Some(true)
        || matches!(e.reflexes, Some(Reflexes::Reduced) | Some(Reflexes::Brisk))
        || pulses_abnormal
        || abi_low
        || exertional
        || s.unusual_site();
    let found_conf = match missing {
        0 => Confidence::High,
        1 => Confidence::Moderate,
        _ => Confidence::Low,
    };
    let mimic: Option<Dx> = if mnd {
        Some(Dx::Mnd)
    } else if p.dvt {
        Some(Dx::Dvt)
    } else if p.clti {
        Some(Dx::Clti)
    } else if p.pad == Some(Likely) {
        Some(Dx::Pad)
    } else if p.neurogenic == Some(Likely) {
        Some(Dx::Neurogenic)
    } else if p.neuropathy == Some(Likely) {
        Some(Dx::Neuropathy)
    } else {
        None
    };
    p.most_likely = match (mimic, q_dx) {
        (Some(dx), _) => {
            // The cramps, if described, stay in the differential.
            if nlc == Some(Likely) {
                nlc = Some(Possible);
            }
            if rls == Some(Likely) && !p.coexisting {
                rls = Some(Possible);
            }
            p.coexisting = false;
            p.indeterminate = false;
            // The four questions tell cramps from RLS; a mimic found on examination (an ABI or
            // pulses, sensory loss or reduced reflexes) does not rest on them alone.
            let examined = match dx {
                Dx::Pad | Dx::Clti => vascular_evidence,
                Dx::Neuropathy => exam_support,
                _ => false,
            };
            Some((
                dx,
                if dx == Dx::Mnd || dx == Dx::Dvt || (examined && found_conf == Confidence::Low) {
                    Confidence::Moderate
                } else {
                    found_conf
                },
            ))
        }
        (None, Some(dx)) => {
            let mut conf = qconf.unwrap_or(Confidence::Low);
            if conf == Confidence::High && mimic_feature {
                conf = Confidence::Moderate;
            }
            Some((dx, conf))
        }
        (None, None) if p.plmd == Some(Likely) => Some((
            Dx::Plmd,
            if missing <= 1 {
                Confidence::High
            } else {
                Confidence::Moderate
            },
        )),
        (None, None) => {
            if p.pad == Some(Possible) || p.neurogenic == Some(Possible) || p.neuropathy == Some(Possible) {
                p.indeterminate = true;
            }
            None
        }
    };
    if let Some((Dx::Nlc, _)) = p.most_likely
        && p.plmd == Some(Likely)
    {
        p.plmd = Some(Possible);
    }
    p.nlc = nlc;
    p.rls = rls;
    p
}
