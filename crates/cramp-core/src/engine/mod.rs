//! The assessment engine: `assess(kb, case, options)` → `Assessment`.
//!
//! Each rule is a small function named after what it decides; its knowledge entry is named in the
//! rule registry (`crate::rules`). Thresholds, drug sets and wording come from the knowledge base;
//! this module holds only the decision logic. Missing data never fails an assessment: it lowers
//! confidence and becomes a question.

mod classify;
mod facts;
mod findings;

pub use classify::{Dx, Pathways};
pub use facts::{has_condition, reason_in_scope};

use crate::assessment::*;
use crate::case::*;
use crate::knowledge::{AnalyteId, Entry, Finding, GateId, GroupRole, KnowledgeBase, SetId, Trigger, TriggerId};
use crate::rules::{RuleId, conflict_rule, plan_rule};
use crate::vocab::*;
use facts::{Facts, LabResult};
use findings::{abnormal, high, low};

/// How an assessment is served.
#[derive(Debug, Clone, Copy, Default)]
pub struct AssessOptions {
    /// Serve `draft` entries too (a staging setting; SPEC §2.8).
    pub include_unreviewed: bool,
}

struct Ctx<'a, 'kb> {
    kb: &'kb KnowledgeBase,
    case: &'a Case,
    f: Facts,
    p: Pathways,
    opts: AssessOptions,
}

impl<'kb> Ctx<'_, 'kb> {
    /// An entry is served when approved or in review; a draft only when asked for.
    fn served(&self, e: &Entry) -> bool {
        e.status != ReviewStatus::Draft || self.opts.include_unreviewed
    }
    fn rule(&self, id: RuleId) -> &'kb Entry {
        self.kb.rule(id)
    }
    fn takes(&self, set: SetId) -> bool {
        self.f.takes(set)
    }
    /// Taken, or named by a medication whose ATC code names another drug: for the rules that
    /// withhold a drug (the safer reading of a contradiction).
    fn takes_by_any_reading(&self, set: SetId) -> bool {
        self.takes(set) || self.f.named_sets & (1u64 << set as usize) != 0
    }
    fn takes_or_considers(&self, set: SetId) -> bool {
        self.f.takes_or_considers(set)
    }
    fn gate(&self, g: GateId) -> bool {
        self.f.gate(g)
    }
    /// A gate met in the terms a drug may be started on (EVIDENCE d.1a's own names and codes), not
    /// only through the knowledge base's additions (`facts::offer_documented`).
    fn documented_for_offer(&self, g: GateId) -> bool {
        self.f.offer_gates & (1u64 << g as usize) != 0
    }
    fn age_at_least(&self, years: f64) -> bool {
        self.f.age.is_some_and(|a| a >= years)
    }
    fn under(&self, years: f64) -> bool {
        self.f.under(years)
    }
    /// Severe cramps (refractory_cramps' severity without frequency): sleep disrupted, or worst pain
    /// at the threshold.
    fn severe_cramps(&self) -> bool {
        let s = &self.case.symptoms;
        yes(s.sleep_disrupted)
            || s.worst_pain
                .is_some_and(|p| p >= self.kb.thresholds.refractory_worst_pain.value)
    }
    /// refractory_cramps' severity (c.5): frequent (at the threshold a week) or severe.
    fn frequent_or_severe(&self) -> bool {
        self.case
            .symptoms
            .episodes_per_week
            .is_some_and(|n| n >= self.kb.thresholds.refractory_episodes_per_week.value)
            || self.severe_cramps()
    }
    /// Kidney failure (eGFR < 30, CKD stage 4-5) or ESRD/dialysis: where renally cleared drugs are
    /// withheld.
    fn kidneys_failing(&self) -> bool {
        self.gate(GateId::KidneyFailure) || self.gate(GateId::EsrdDialysis)
    }
    /// RLS alone that needs treatment (R-AASM2024, c.1: more than twice a week; sleep disruption read
    /// as the distress), iron checked (ferritin and TSAT) and not below the c.2 thresholds: the
    /// population of the alpha-2-delta option.
    fn rls_needing_a_drug(&self) -> bool {
        let s = &self.case.symptoms;
        let significant = s
            .episodes_per_week
            .is_some_and(|n| n > self.kb.thresholds.rls_significant_episodes_per_week.value)
            || yes(s.sleep_disrupted);
        let iron_checked = self.f.value(AnalyteId::Ferritin).is_some() && self.f.value(AnalyteId::Tsat).is_some();
        self.p.rls_active() && !self.p.nlc_active() && significant && iron_checked && iron_rule(self).is_none()
    }
    /// The weeks of nightly stretching refractory_cramps asks for (c.5) have been tried.
    fn stretched_long_enough(&self) -> bool {
        self.case
            .symptoms
            .stretching_weeks_tried
            .is_some_and(|w| w >= self.kb.thresholds.refractory_stretching_weeks.value)
    }
    /// The answers say the complaint is not a cramp (an urge to move, burning or numbness, or
    /// none) and no cramp diagnosis is recorded: a population's cramp treatments (baclofen and
    /// albumin in cirrhosis, midodrine on dialysis) have nothing to treat. Unanswered is not "no".
    fn cramps_ruled_out(&self) -> bool {
        matches!(
            self.case.symptoms.feels_like,
            Some(FeelsLike::UrgeToMove | FeelsLike::BurningOrNumb | FeelsLike::None)
        ) && !self.gate(GateId::LegCramps)
    }
    /// c.5 refractory_cramps: frequent or severe despite the weeks of nightly stretching.
    fn refractory(&self) -> bool {
        self.stretched_long_enough() && self.frequent_or_severe()
    }
    /// A deficiency of `analyte` however it is read: a result below range or a diagnosis of it
    /// (`gate`: hypomagnesaemia, hypokalaemia). Enough to withhold the supplement's avoid item or
    /// to ask for the correction; starting the supplement needs `deficiency_documented`.
    fn deficiency(
        &self,
        interp: &dyn Fn(AnalyteId) -> Option<Interpretation>,
        analyte: AnalyteId,
        gate: GateId,
    ) -> bool {
        low(interp(analyte)) || self.gate(gate)
    }
    /// A deficiency of `analyte` documented in the terms a drug may be started on: the result read
    /// (the latest) below range, in a unit as c.3 spells it, and sent under one of the analyte's
    /// LOINC codes EVIDENCE.md verifies ([V] or [V2]) alone or, without a code, under the
    /// analyte's own name ("magnesium"); or a diagnosis of the deficiency (`gate`) documented for
    /// an offer (`documented_for_offer`). One read only through the knowledge base's [U] additions
    /// (an "Mg" abbreviation, another LOINC code, a unit spelled out, a SNOMED CT id, a corrected
    /// misspelling) is still corrected through the plan, but starts no supplement (for magnesium,
    /// C1: never presented as a cramp treatment).
    fn deficiency_documented(
        &self,
        interp: &dyn Fn(AnalyteId) -> Option<Interpretation>,
        analyte: AnalyteId,
        gate: GateId,
    ) -> bool {
        let result = low(interp(analyte))
            && self.f.labs.iter().find(|r| r.id == analyte).is_some_and(|r| {
                let a = &self.kb.labs.analytes[r.analyte];
                // In one of the analyte's own units as c.3 spells them ("mmol/L", not "mmol/litre").
                let unit_plain = r
                    .unit
                    .as_deref()
                    .and_then(|u| self.kb.labs.canonical_unit_as_spelled(u))
                    .is_some_and(|c| a.units.contains_key(c));
                // Identified by its LOINC code sent alone and verified; or, sent without one, by
                // the analyte's name (a lab with an unknown or decorated code is not plain).
                let sent = &self.case.labs[r.input];
                let identified = match sent.loinc.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                    Some(code) => a.loinc.iter().any(|x| x.code == code && x.mark.is_verified()),
                    None => sent
                        .name
                        .as_deref()
                        .is_some_and(|n| n.to_lowercase().contains(&a.display.to_lowercase())),
                };
                unit_plain && identified
            });
        result || self.documented_for_offer(gate)
    }
}

fn yes(b: Option<bool>) -> bool {
    b == Some(true)
}

/// Assesses one case. Never fails: missing or unusable data becomes questions and warnings.
pub fn assess<'kb>(kb: &'kb KnowledgeBase, case: &Case, opts: AssessOptions) -> Assessment<'kb> {
    let f = facts::derive(kb, case);
    match findings_on_the_problem_list(kb, case, &f) {
        Some((with_findings, notes)) => {
            let mut f = facts::derive(kb, &with_findings);
            f.warnings.extend(notes);
            assess_from(kb, &with_findings, f, opts)
        }
        None => assess_from(kb, case, f, opts),
    }
}

/// A finding of SPEC §3 stated as a condition ("dysphagia", "foot drop": a gate with a `finding`)
/// is read as that field answered yes, the safer reading, even where the answer was no; the case
/// so completed, with a warning for each, or `None` when no condition states a finding not
/// already answered yes.
fn findings_on_the_problem_list(kb: &KnowledgeBase, case: &Case, f: &Facts) -> Option<(Case, Vec<String>)> {
    let stated: Vec<(GateId, Finding)> = GateId::ALL
        .iter()
        .filter(|id| f.gate(**id))
        .filter_map(|id| kb.conditions.gate(*id).finding.map(|finding| (*id, finding)))
        .collect();
    if stated.is_empty() {
        return None;
    }
    let mut completed = case.clone();
    let (mut changed, mut notes) = (false, Vec::new());
    for (id, finding) in stated {
        let slot = finding_slot(&mut completed, finding);
        let was = *slot;
        if was == Some(true) {
            continue;
        }
        *slot = Some(true);
        changed = true;
        let bit = 1u64 << id as usize;
        if let Some((i, cond)) = case
            .conditions
            .iter()
            .enumerate()
            .find(|(_, cond)| facts::gates_of(kb, cond) & bit != 0)
        {
            let (shown, path) = (cond.shown(), finding.path());
            notes.push(if was == Some(false) {
                format!("conditions[{i}]: {shown:?} is read as `{path}`: yes (it was answered no: the safer reading)")
            } else {
                format!("conditions[{i}]: {shown:?} is read as `{path}`: yes")
            });
        }
    }
    changed.then_some((completed, notes))
}

/// Where a case holds a finding.
fn finding_slot(case: &mut Case, finding: Finding) -> &mut Option<bool> {
    match finding {
        Finding::Fasciculations => &mut case.exam.fasciculations,
        Finding::MuscleWasting => &mut case.symptoms.muscle_wasting,
        Finding::Dysphagia => &mut case.symptoms.dysphagia,
        Finding::GaitOrSpeechChange => &mut case.symptoms.gait_or_speech_change,
        Finding::Weakness => &mut case.symptoms.weakness,
    }
}

fn assess_from<'kb>(kb: &'kb KnowledgeBase, case: &Case, f: Facts, opts: AssessOptions) -> Assessment<'kb> {
    let s = &case.symptoms;
    let e = &case.exam;
    let fasciculations = yes(e.fasciculations) || yes(s.twitching);
    let weak = yes(s.weakness) || yes(e.objective_weakness);
    let unusual_site = s.unusual_site();
    // c.5 possible_motor_neuron_disease: fasciculations with weakness, wasting, bulbar signs or
    // progression; or cramps in unusual places with weakness.
    let mnd = (fasciculations
        && (weak || yes(s.muscle_wasting) || yes(s.dysphagia) || yes(s.gait_or_speech_change) || yes(s.progressive)))
        || (unusual_site && weak);
    let p = classify::classify(kb, case, &f, mnd);
    let ctx = Ctx { kb, case, f, p, opts };

    let lab_findings: Vec<LabFinding<'kb>> = ctx
        .f
        .labs
        .iter()
        .map(|r| findings::interpret(kb, case, &ctx.f, &ctx.p, r))
        .collect();
    let interp = |id: AnalyteId| {
        lab_findings
            .iter()
            .zip(ctx.f.labs.iter())
            .find(|(_, r)| r.id == id)
            .and_then(|(lf, _)| lf.interpretation)
    };

    let red_flags = red_flags(&ctx, &interp);
    let has_flag = |id: RedFlagId| red_flags.iter().any(|r| r.id == id);
    let max_flag = red_flags.iter().map(|r| r.urgency).max();

    // c.5's quinine red flags: quinine is stopped now, not discussed (SPEC §8).
    let quinine_stop_now = has_flag(RedFlagId::QuinineToxicity) || has_flag(RedFlagId::QuinineInPregnancy);
    let medication_review = medication_review(&ctx, quinine_stop_now);
    let (medication_options, avoid, withheld) =
        options_and_avoid(&ctx, &interp, has_flag(RedFlagId::RefractoryCramps), quinine_stop_now);
    let labs = lab_orders(&ctx, &interp, &lab_findings, &medication_options);
    let plan = plan(
        &ctx,
        &interp,
        &red_flags,
        max_flag,
        !medication_review.is_empty(),
        quinine_stop_now,
    );
    let referral = referral(&ctx, &interp, &red_flags);
    let considered = considered(&ctx, &interp, &medication_options, &avoid, &plan, &withheld);
    let classification = classification(&ctx);
    let questions = questions(&ctx, &medication_options);

    let mut topics: Vec<ConflictTopic> = Vec::new();
    {
        let mut add = |e: &Entry| topics.extend(e.conflicts.iter().copied());
        red_flags.iter().for_each(|i| add(i.entry));
        medication_review.iter().for_each(|i| add(i.entry));
        labs.iter().for_each(|i| add(i.entry));
        plan.iter().for_each(|i| add(i.entry));
        medication_options.iter().for_each(|i| add(i.entry));
        avoid.iter().for_each(|i| add(i.entry));
        considered.iter().filter_map(|i| i.entry).for_each(&mut add);
    }
    if ctx.p.rls_active()
        && lab_findings
            .iter()
            .zip(ctx.f.labs.iter())
            .any(|(lf, r)| r.id == AnalyteId::Ferritin && lf.interpretation.is_some())
    {
        topics.push(ConflictTopic::FerritinThreshold);
    }
    if ctx
        .f
        .ingredients
        .iter()
        .any(|i| i.in_set(SetId::CalciumChannelBlockers))
    {
        topics.push(ConflictTopic::CalciumChannelBlockers);
    }
    let evidence_conflicts = ConflictTopic::ALL
        .iter()
        .filter(|t| topics.contains(t))
        .map(|t| ConflictItem {
            topic: *t,
            entry: kb.rule(conflict_rule(*t)),
        })
        .filter(|c| ctx.served(c.entry))
        .collect();

    let mut input_warnings = ctx.f.warnings.clone();
    // The options withheld for want of one of a condition's gates, with the gate.
    let withheld_for = |bits: u64| {
        withheld
            .iter()
            .filter(move |(g, _)| bits & (1u64 << *g as usize) != 0)
            .map(|(g, option)| (kb.conditions.gate(*g), option.display.as_deref().unwrap_or_default()))
    };
    // An option withheld because its population's diagnosis was read only through the knowledge
    // base's additions: the condition that would document it, and how.
    for &(i, bits) in &ctx.f.undocumented {
        let shown = case.conditions[i].shown();
        for (g, option) in withheld_for(bits) {
            input_warnings.push(format!(
                "conditions[{i}]: {shown:?} was read as {} only through a name or code the knowledge base added; {option} is offered for it once it is sent with its ICD-10-CM code ({}) or named as EVIDENCE.md d.1a names it",
                g.display.to_lowercase(),
                g.icd10_as_written.join(", ")
            ));
        }
    }
    // An option withheld because the condition's name says the diagnosis is not established.
    for (i, bits, word) in &ctx.f.uncertain {
        let shown = case.conditions[*i].shown();
        for (g, option) in withheld_for(*bits) {
            input_warnings.push(format!(
                "conditions[{i}]: {shown:?} says the diagnosis is not established ({word:?}); {option} is offered for {} once it is confirmed",
                g.display.to_lowercase(),
            ));
        }
    }
    input_warnings.dedup();
    Assessment {
        kb,
        classification,
        questions,
        red_flags,
        medication_review,
        unrecognized_medications: ctx.f.unrecognized.clone(),
        labs,
        lab_findings,
        plan,
        medication_options,
        avoid,
        referral,
        evidence_conflicts,
        considered,
        input_warnings,
    }
}

// ---- red flags (EVIDENCE.md c.5) ----------------------------------------------------------------

fn red_flags<'kb>(c: &Ctx<'_, 'kb>, interp: &dyn Fn(AnalyteId) -> Option<Interpretation>) -> Vec<RedFlag<'kb>> {
    let s = &c.case.symptoms;
    let e = &c.case.exam;
    let t = &c.kb.thresholds;
    let mut out = Vec::new();
    let mut flag = |id: RedFlagId, rule: RuleId, urgency: Option<Urgency>| {
        let entry = c.rule(rule);
        if !out.iter().any(|r: &RedFlag| r.id == id) {
            out.push(RedFlag {
                id,
                urgency: urgency.or(entry.urgency).unwrap_or(Urgency::Soon),
                entry,
            });
        }
    };
    let taking_quinine = c.takes(SetId::Quinine);
    let quinine_any = c.takes_or_considers(SetId::Quinine);

    if yes(s.bladder_or_bowel_change) || yes(s.saddle_numbness) {
        flag(RedFlagId::CaudaEquinaSymptoms, RuleId::RedFlagCaudaEquina, None);
    }
    let quinine_toxicity = taking_quinine
        && (yes(s.bleeding_or_bruising) || low(interp(AnalyteId::Platelets)) || c.gate(GateId::QuinineToxicitySigns));
    if quinine_toxicity {
        flag(RedFlagId::QuinineToxicity, RuleId::RedFlagQuinineToxicity, None);
    }
    if c.p.mnd {
        flag(RedFlagId::PossibleMotorNeuronDisease, RuleId::RedFlagMnd, None);
    }
    if c.p.dvt {
        flag(RedFlagId::PossibleDvt, RuleId::RedFlagDvt, None);
    }
    if c.p.clti {
        flag(RedFlagId::CriticalLimbIschaemia, RuleId::RedFlagClti, None);
    }
    if c.f.pregnant && quinine_any {
        flag(RedFlagId::QuinineInPregnancy, RuleId::RedFlagQuininePregnancy, None);
    }
    if c.gate(GateId::Cirrhosis) && c.takes(SetId::Baclofen) && c.gate(GateId::HepaticEncephalopathy) {
        flag(
            RedFlagId::BaclofenEncephalopathy,
            RuleId::RedFlagBaclofenEncephalopathy,
            None,
        );
    }
    if yes(s.gait_or_speech_change) && !c.p.mnd {
        // c.5: a sudden onset (said by a condition: SPEC §3 records no onset) is a stroke emergency.
        let sudden = c
            .gate(GateId::SuddenOnset)
            .then(|| c.rule(RuleId::RedFlagNeuroDeficit).urgency_sudden)
            .flatten();
        flag(RedFlagId::NeurologicalDeficit, RuleId::RedFlagNeuroDeficit, sudden);
    }
    let exam_deficit = yes(e.objective_weakness) || yes(e.sensory_loss) || e.reflexes == Some(Reflexes::Reduced);
    if exam_deficit && yes(s.progressive) && !c.p.mnd {
        flag(RedFlagId::NeurologicalDeficit, RuleId::RedFlagNeuroDeficitExam, None);
    }
    if quinine_any {
        let qtc_limit = if c.f.female {
            t.qtc_female.value
        } else {
            t.qtc_male_or_unknown.value
        };
        // Another QT-prolonging drug taken or being considered beside quinine: the combination is
        // the risk whichever of the two is the new one ([U] reading of c.5's "another QT-prolonging
        // drug"; an order for a macrolide on quinine is the case).
        let qt_drug = c.takes_or_considers(SetId::QtProlonging);
        let k_low =
            c.f.value(AnalyteId::Potassium)
                .is_some_and(|k| k < t.qt_potassium_low.value);
        let mg_low =
            c.f.value(AnalyteId::Magnesium)
                .is_some_and(|m| m < t.qt_magnesium_low.value);
        let known = c.gate(GateId::AvBlock) || c.gate(GateId::LongQt);
        if c.f.qtc_ms.is_some_and(|q| q > qtc_limit) || qt_drug || k_low || mg_low || known {
            flag(RedFlagId::QtProlongationRisk, RuleId::RedFlagQt, None);
        }
    }
    let beyond_critical = |r: &LabResult| {
        matches!(
            interp(r.id),
            Some(Interpretation::CriticallyLow | Interpretation::CriticallyHigh)
        )
    };
    if c.f
        .labs
        .iter()
        .any(|r| c.kb.labs.analytes[r.analyte].electrolyte && beyond_critical(r))
    {
        flag(
            RedFlagId::SevereElectrolyteDisturbance,
            RuleId::RedFlagElectrolytes,
            None,
        );
    }
    // Any other result beyond its critical limit (c.3a) is not the history of idiopathic cramps:
    // it is reviewed promptly, and reassurance yields to it. An eGFR below its limit with kidney
    // failure already named, and a low platelet count that quinine_toxicity already reports, are
    // not new findings.
    let other_critical = c.f.labs.iter().any(|r| {
        !c.kb.labs.analytes[r.analyte].electrolyte
            && beyond_critical(r)
            && (r.id != AnalyteId::Egfr || !c.f.kidney_failure_named)
            && (r.id != AnalyteId::Platelets || !quinine_toxicity)
    });
    if other_critical {
        flag(RedFlagId::CriticalLabResult, RuleId::RedFlagCriticalLab, None);
    }
    if c.refractory() {
        flag(RedFlagId::RefractoryCramps, RuleId::RedFlagRefractory, None);
    }
    // c.5 atypical_age: under 18 with recurrent cramps (not another complaint such as RLS).
    let cramps = c.p.nlc.is_some() || matches!(s.feels_like, Some(FeelsLike::PainfulCramp | FeelsLike::Both));
    if c.under(t.child_age.value) && cramps && s.episodes_per_week.is_none_or(|n| n > 0.0) {
        flag(RedFlagId::AtypicalAge, RuleId::RedFlagAtypicalAge, None);
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.urgency));
    out
}

// ---- medication review (c.6, c.6b) ---------------------------------------------------------------

fn medication_review<'kb>(c: &Ctx<'_, 'kb>, quinine_stop_now: bool) -> Vec<ReviewItem<'kb>> {
    let kb = c.kb;
    let rls_only = c.p.rls_or_plmd_active() && !c.p.nlc_active();
    let mut out: Vec<ReviewItem<'kb>> = Vec::new();
    for i in c.f.ingredients.iter().filter(|i| !i.considering) {
        let drug = i.drug.map(|d| &kb.drugs.drugs[d]);
        let code = i.code.clone();
        // A drug's own group (one its code's prefixes do not reach) counts in its group's role.
        let explicit = |role: GroupRole| drug.and_then(|d| d.group).filter(|&g| kb.drugs.groups[g].role == role);
        let group_of = |role: GroupRole| explicit(role).or_else(|| i.profile.group(role));
        let safety = group_of(GroupRole::Safety);
        let cause = explicit(GroupRole::Cause).or_else(|| {
            i.profile
                .group(GroupRole::Cause)
                .filter(|_| !drug.is_some_and(|d| d.not_a_cause))
        });
        let rls = group_of(GroupRole::Rls).filter(|_| c.p.rls_or_plmd_active());
        // c.6b: a drug in both lists takes tier R when only the RLS/PLMD pathway is active.
        let group = safety.or(if rls_only { rls.or(cause) } else { cause.or(rls) });
        let Some(g) = group else { continue };
        let group = &kb.drugs.groups[g];
        // c.5: with suspected toxicity or in pregnancy, quinine is stopped now (one message).
        let entry = if quinine_stop_now && i.in_set(SetId::Quinine) {
            c.rule(RuleId::ReviewQuinineStopNow)
        } else {
            kb.group_entry(g)
        };
        if !c.served(entry) {
            continue;
        }
        // Every drug has its own or a class code, or its group has prefixes (checked at load).
        let atc = code.clone().or_else(|| group.atc.first().cloned()).unwrap_or_default();
        if out.iter().any(|r| r.medication == i.label && r.atc == atc) {
            continue;
        }
        out.push(ReviewItem {
            medication: i.label.clone(),
            atc,
            drug_class: &group.display,
            drug_name: i
                .drug
                .map(|d| c.kb.drugs.name_for(d, &i.label))
                .unwrap_or_else(|| i.label.clone()),
            tier: group.tier,
            entry,
        });
    }
    out
}

// ---- medication options and avoid (SPEC §2.5, §4, §8; c.7, c.8) --------------------------------

fn options_and_avoid<'kb>(
    c: &Ctx<'_, 'kb>,
    interp: &dyn Fn(AnalyteId) -> Option<Interpretation>,
    refractory: bool,
    quinine_stop_now: bool,
) -> (Vec<OptionItem<'kb>>, Vec<AvoidItem<'kb>>, Vec<(GateId, &'kb Entry)>) {
    let t = &c.kb.thresholds;
    let mut options = Vec::new();
    let mut avoid: Vec<AvoidItem<'kb>> = Vec::new();
    let mut withheld: Vec<(GateId, &'kb Entry)> = Vec::new();
    // Kidney function not known: a renally cleared option is offered only on the condition its
    // entry states (check creatinine/eGFR first), and the renal test is ordered.
    let egfr_unknown = c.f.value(AnalyteId::Egfr).is_none();
    let offer = |rule: RuleId, conditional: bool, options: &mut Vec<OptionItem<'kb>>| {
        let entry = c.rule(rule);
        if c.served(entry) {
            options.push(OptionItem {
                entry,
                option_for: entry.option_for.unwrap_or(OptionFor::Deficiency),
                conditional,
            });
        }
    };
    let avoid_item = |rule: RuleId, atc: Option<String>, display: Option<String>| {
        let entry = c.rule(rule);
        AvoidItem {
            atc: atc.or_else(|| entry.atc.clone()),
            display: display.or_else(|| entry.display.clone()).unwrap_or_default(),
            display_patient: None,
            severity: entry.severity.unwrap_or(Severity::Warning),
            entry,
        }
    };

    // Quinine: always avoided (SPEC §4); beside its toxicity or pregnancy red flag, stopped now.
    let quinine = if quinine_stop_now {
        RuleId::AvoidQuinineStopNow
    } else {
        RuleId::AvoidQuinine
    };
    avoid.push(avoid_item(quinine, None, None));

    // Magnesium: avoided unless a deficiency is documented or the patient is pregnant.
    let mg_deficiency = c.deficiency(interp, AnalyteId::Magnesium, GateId::Hypomagnesaemia);
    if !mg_deficiency && !c.f.pregnant {
        avoid.push(avoid_item(RuleId::AvoidMagnesium, None, None));
    }

    // Baclofen: cirrhosis only; never in pregnancy, with encephalopathy, in kidney failure or under 18.
    let contraindicated = c.f.pregnant || c.gate(GateId::HepaticEncephalopathy) || c.gate(GateId::KidneyFailure);
    let cirrhosis = c.gate(GateId::Cirrhosis);
    let cramps_ruled_out = c.cramps_ruled_out();
    if contraindicated {
        avoid.push(avoid_item(RuleId::AvoidBaclofenContraindicated, None, None));
    } else if cirrhosis && cramps_ruled_out {
        // Cirrhosis, but the complaint is RLS, neuropathy or kicking: neither offered nor warned
        // against (the no-indication text is about cramps without cirrhosis).
    } else if !cirrhosis || c.under(t.child_age.value) {
        avoid.push(avoid_item(RuleId::AvoidBaclofenNoIndication, None, None));
    } else if c.f.pregnancy_unknown {
        avoid.push(avoid_item(RuleId::AvoidBaclofenPregnancyUnknown, None, None));
    } else if !c.documented_for_offer(GateId::Cirrhosis) {
        // Cirrhosis read only through an addition (a misspelt name): withheld until confirmed.
        avoid.push(avoid_item(RuleId::AvoidBaclofenCirrhosisUnconfirmed, None, None));
    } else if c.takes(SetId::EncephalopathyTreatments) {
        // Lactulose or rifaximin taken in cirrhosis: most likely for (or after) hepatic
        // encephalopathy, c.7's contraindication; withheld until it is excluded ([U], its entry).
        avoid.push(avoid_item(RuleId::AvoidBaclofenEncephalopathyTreated, None, None));
    } else if [GateId::HepaticEncephalopathy, GateId::KidneyFailure, GateId::Pregnancy]
        .iter()
        .any(|g| c.f.negated_mentions & (1u64 << *g as usize) != 0 && !c.gate(*g))
    {
        // A contraindication written in a negated or past form ("no encephalopathy", "history of
        // renal failure"): withheld until a clinician confirms it does not apply (the safer reading).
        avoid.push(avoid_item(RuleId::AvoidBaclofenUnconfirmed, None, None));
    } else {
        offer(RuleId::OptionBaclofen, egfr_unknown, &mut options);
    }
    // Albumin in cirrhosis and midodrine on dialysis with hypotension start only on a diagnosis
    // documented as EVIDENCE.md d.1a names or codes it; one met only otherwise is said (`withheld`).
    for (rule, gates) in [
        (RuleId::OptionAlbumin, &[GateId::Cirrhosis][..]),
        (
            RuleId::OptionMidodrine,
            &[GateId::EsrdDialysis, GateId::IntradialyticHypotension][..],
        ),
    ] {
        if cramps_ruled_out || !gates.iter().all(|g| c.gate(*g)) {
            continue;
        }
        let missing: Vec<GateId> = gates.iter().copied().filter(|g| !c.documented_for_offer(*g)).collect();
        if missing.is_empty() {
            offer(rule, false, &mut options);
        } else {
            withheld.extend(missing.into_iter().map(|g| (g, c.rule(rule))));
        }
    }

    // Diltiazem: clinician-only third line for refractory cramps; never with a dihydropyridine.
    let dhp = c.takes_by_any_reading(SetId::Dihydropyridines);
    // a.2's cardiac contraindications the case can show: bradycardia, AV block, heart failure and a
    // beta-blocker taken (an interacting drug); it has no field for hypotension.
    let cardiac = c.gate(GateId::HeartFailure)
        || c.gate(GateId::AvBlock)
        || c.case
            .exam
            .heart_rate
            .is_some_and(|hr| hr < t.bradycardia_heart_rate.value)
        || c.takes_by_any_reading(SetId::BetaBlockers);
    // Never diltiazem on top of a dihydropyridine, whether it is being considered or already taken.
    if dhp && c.takes_or_considers(SetId::Diltiazem) {
        avoid.push(avoid_item(RuleId::AvoidDiltiazemWithDhp, None, None));
    } else if cardiac && c.f.considers(SetId::Diltiazem) {
        // Considered only: a non-DHP CCB already taken (rate control) is the prescriber's decision.
        avoid.push(avoid_item(RuleId::AvoidDiltiazemCardiac, None, None));
    } else if refractory
        && c.p.nlc_active()
        && !dhp
        && !c.takes(SetId::Diltiazem)
        && !c.f.pregnant
        && !c.f.pregnancy_unknown
        && !cardiac
        && !c.under(t.child_age.value)
        // R-AAN2010's Level C evidence leaves out cramps of kidney disease and of muscle disease.
        && !c.gate(GateId::Ckd)
        && !c.gate(GateId::KidneyFailure)
        && !c.gate(GateId::EsrdDialysis)
        && !c.gate(GateId::MotorNeuronDisease)
    {
        offer(RuleId::OptionDiltiazem, false, &mut options);
    }

    // R-AASM2024: an alpha-2-delta ligand for clinically significant RLS (c.1: more than twice a
    // week; sleep disruption read as the distress) once iron is checked and not low (c.2), RLS alone
    // (gabapentin is also a c.6 cramp cause), adults, not pregnant, kidneys not failing ([U]).
    if c.rls_needing_a_drug()
        && !c.under(t.child_age.value)
        && !c.f.pregnant
        && !c.f.pregnancy_unknown
        && !c.kidneys_failing()
        && !c.takes(SetId::Alpha2Delta)
    {
        // Renally cleared: with kidney function unknown, on the condition of a renal test first.
        offer(RuleId::OptionAlpha2DeltaRls, egfr_unknown, &mut options);
    }

    // Iron on the RLS or PLMD pathway (c.2); not the adult regimens under 18 (c.7 children).
    if c.p.rls_or_plmd_active()
        && !c.under(t.child_age.value)
        && let Some(rule) = iron_rule(c)
    {
        let option_for = if c.p.rls_active() {
            OptionFor::Rls
        } else {
            OptionFor::Plmd
        };
        let entry = c.rule(rule);
        if c.served(entry) {
            options.push(OptionItem {
                entry,
                option_for,
                conditional: false,
            });
        }
    }

    // Claudication of PAD: a cilostazol trial beside supervised exercise (SVS 2015 via R-PAD, [U]),
    // where supervised exercise is given; never with heart failure (the same recommendation).
    if c.p.confirmed_claudication()
        && !c.gate(GateId::HeartFailure)
        && !c.under(t.child_age.value)
        && !c.f.pregnant
        && !c.f.pregnancy_unknown
        && !c.takes(SetId::Cilostazol)
    {
        offer(RuleId::OptionCilostazolPad, false, &mut options);
    }

    // A documented deficiency treated as such (a.2, d.4a: magnesium, potassium, vitamin B12 for a
    // deficiency only): adults (c.7: no adult regimens under 18), not already taking it, and for
    // the electrolytes not with failing kidneys (c.7 dialysis: magnesium only with nephrology;
    // d.4a: no potassium with CKD stage 4-5, dialysis or a potassium-sparing diuretic).
    let kidneys_failing = c.kidneys_failing();
    // Kidney function not known: on the condition of a renal test first (`renal_check_first`).
    if !c.under(t.child_age.value) {
        if c.deficiency_documented(interp, AnalyteId::Magnesium, GateId::Hypomagnesaemia)
            && !kidneys_failing
            && !c.takes(SetId::MagnesiumSupplements)
        {
            offer(RuleId::OptionMagnesiumDeficiency, egfr_unknown, &mut options);
        }
        if c.deficiency_documented(interp, AnalyteId::Potassium, GateId::Hypokalaemia)
            && !kidneys_failing
            && !c.takes_by_any_reading(SetId::PotassiumSparing)
            && !c.takes(SetId::PotassiumSupplements)
        {
            offer(RuleId::OptionPotassiumDeficiency, egfr_unknown, &mut options);
        }
        if low(interp(AnalyteId::B12)) && !c.takes(SetId::VitaminB) {
            offer(RuleId::OptionB12Deficiency, false, &mut options);
        }
    }

    // Age 65 or over: the Beers skeletal muscle relaxants, one item per ATC group; a group the
    // patient takes or considers is named by that drug, so the item reads as about that medicine.
    let older = c.age_at_least(t.older_adult_age.value);
    if older {
        for g in &c.kb.drugs.beers_groups {
            let taken: Vec<String> =
                c.f.ingredients
                    .iter()
                    .filter(|i| i.code.as_deref().is_some_and(|code| code.starts_with(g.atc.as_str())))
                    .filter_map(|i| i.drug.map(|d| c.kb.drugs.name_for(d, &i.label)))
                    .collect();
            let (display, display_patient) = if taken.is_empty() {
                (g.display.clone(), Some(g.display_patient.clone()))
            } else {
                (taken.join(", "), None)
            };
            avoid.push(AvoidItem {
                display_patient,
                ..avoid_item(RuleId::AvoidBeersRelaxants, Some(g.atc.clone()), Some(display))
            });
        }
    }
    // Never-rules for drugs taken or considered.
    let organ_risk =
        cirrhosis || c.gate(GateId::Ckd) || c.gate(GateId::KidneyFailure) || c.gate(GateId::HeartFailure) || older;
    let k_low = c.deficiency(interp, AnalyteId::Potassium, GateId::Hypokalaemia);
    let k_forbidden = !k_low || c.takes_by_any_reading(SetId::PotassiumSparing) || c.gate(GateId::KidneyFailure);
    let ca_high = high(interp(AnalyteId::Calcium));
    // c.7 haemodialysis/ESRD: no magnesium supplement without the nephrology team (the kidneys cannot
    // clear it), pregnant or not; a documented deficiency is corrected by that team instead.
    let mg_forbidden = c.gate(GateId::EsrdDialysis) && !mg_deficiency;
    for i in &c.f.ingredients {
        let name = || {
            i.drug
                .map(|d| c.kb.drugs.name_for(d, &i.label))
                .unwrap_or_else(|| i.label.clone())
        };
        let rule = if older && i.in_set(SetId::Sedatives) {
            Some(RuleId::AvoidSedativesOlder)
        } else if c.f.pregnant && (i.in_set(SetId::MuscleRelaxants) || i.in_set(SetId::OtherMuscleRelaxants)) {
            // c.7 pregnancy: no muscle relaxants (at 65 or over the Beers ones are in the items above).
            Some(RuleId::AvoidRelaxantsPregnancy)
        } else if mg_forbidden && i.in_set(SetId::MagnesiumSupplements) {
            Some(RuleId::AvoidMagnesiumDialysis)
        } else if organ_risk && i.in_set(SetId::Nsaids) {
            Some(RuleId::AvoidNsaids)
        } else if k_forbidden && i.in_set(SetId::PotassiumSupplements) {
            Some(RuleId::AvoidPotassium)
        } else if ca_high && i.in_set(SetId::CalciumSupplements) {
            Some(RuleId::AvoidCalcium)
        } else if c.gate(GateId::HeartFailure) && i.in_set(SetId::Cilostazol) {
            Some(RuleId::AvoidCilostazolHeartFailure)
        } else {
            None
        };
        if let Some(rule) = rule {
            let item = avoid_item(rule, i.code.clone(), Some(name()));
            if !avoid.iter().any(|a| a.atc == item.atc && a.display == item.display) {
                avoid.push(item);
            }
        }
    }
    (options, avoid, withheld)
}

/// The iron rule for the RLS/PLMD pathway, if iron is below the c.2 thresholds: an adult's
/// option, or the paediatric plan item.
fn iron_rule(c: &Ctx) -> Option<RuleId> {
    let t = &c.kb.thresholds;
    let ferritin = c.f.value(AnalyteId::Ferritin);
    let tsat = c.f.value(AnalyteId::Tsat);
    // Under 18 only the paediatric ferritin threshold of c.2 ([S]) applies, and no adult regimen
    // is offered (c.7): the paediatric plan item, never an option.
    if c.under(t.child_age.value) {
        return ferritin
            .is_some_and(|v| v < t.rls_ferritin_child.value)
            .then_some(RuleId::PlanIronRepletionChild);
    }
    if c.gate(GateId::EsrdDialysis) {
        let ok = ferritin.is_some_and(|v| v < t.rls_esrd_ferritin.value) && tsat.is_some_and(|v| v < t.rls_tsat.value);
        return ok.then_some(RuleId::OptionIronSucroseEsrd);
    }
    if ferritin.is_some_and(|v| v <= t.rls_ferritin_iron.value) || tsat.is_some_and(|v| v < t.rls_tsat.value) {
        // Still low on oral iron: IV iron rather than more of the same ([U], the entry says so).
        return Some(if c.takes(SetId::OralIron) {
            RuleId::OptionIvIronAfterOral
        } else {
            RuleId::OptionOralIron
        });
    }
    if ferritin.is_some_and(|v| v > t.rls_ferritin_iron.value && v <= t.rls_ferritin_iv_only.value) {
        return Some(RuleId::OptionIvIron);
    }
    None
}

// ---- targeted labs (c.4) -------------------------------------------------------------------------

fn trigger_holds(c: &Ctx, trigger: Trigger, options: &[OptionItem]) -> bool {
    let s = &c.case.symptoms;
    let e = &c.case.exam;
    // Baclofen's option by its rule's entry (it has its own renal trigger and wording).
    let is_baclofen = |o: &OptionItem| std::ptr::eq(o.entry, c.rule(RuleId::OptionBaclofen));
    let trigger = match trigger {
        Trigger::Gate(g) => return c.gate(g),
        Trigger::Rule(t) => t,
    };
    match trigger {
        TriggerId::Diuretic => c.takes(SetId::Diuretics),
        TriggerId::Cirrhosis => c.gate(GateId::Cirrhosis),
        TriggerId::Ckd | TriggerId::CkdMagnesium => c.gate(GateId::Ckd) || c.gate(GateId::KidneyFailure),
        TriggerId::Dialysis => c.gate(GateId::EsrdDialysis),
        TriggerId::Laba => c.takes(SetId::Laba),
        TriggerId::Refractory => c.refractory(),
        TriggerId::Ppi => c.takes(SetId::Ppi),
        TriggerId::Teriparatide => c.takes(SetId::Teriparatide),
        TriggerId::Lithium => c.takes(SetId::Lithium),
        TriggerId::ThyroidTreatment => c.takes(SetId::ThyroidTreatments),
        TriggerId::ActiveVitaminD => c.takes(SetId::ActiveVitaminD),
        TriggerId::Nsaid => c.takes(SetId::Nsaids),
        TriggerId::BeforeBaclofen => options.iter().any(|o| o.conditional && is_baclofen(o)),
        // Any other option offered on the condition that kidney function is known first.
        TriggerId::RenalCheckFirst => options.iter().any(|o| o.conditional && !is_baclofen(o)),
        TriggerId::Neuropathy => c.p.neuropathy.is_some(),
        TriggerId::Diabetes => c.gate(GateId::Diabetes),
        TriggerId::Statin => c.takes(SetId::Statins),
        TriggerId::Weakness => yes(s.weakness) || yes(e.objective_weakness),
        TriggerId::Fasciculations => yes(e.fasciculations) || (yes(s.twitching) && c.p.mnd),
        TriggerId::Rls => c.p.rls.is_some_and(|st| st != DifferentialStatus::Unlikely),
        TriggerId::Plmd => c.p.plmd.is_some(),
        TriggerId::Metformin => c.takes(SetId::Metformin),
        TriggerId::Quinine => c.takes(SetId::Quinine),
        TriggerId::Bruising => yes(s.bleeding_or_bruising),
    }
}

fn lab_orders<'kb>(
    c: &Ctx<'_, 'kb>,
    interp: &dyn Fn(AnalyteId) -> Option<Interpretation>,
    findings: &[LabFinding<'kb>],
    options: &[OptionItem],
) -> Vec<LabOrder<'kb>> {
    let kb = c.kb;
    let w = &kb.wording.reasons;
    let mut out: Vec<LabOrder<'kb>> = Vec::new();
    // One order per test; the first analyte of a test whose entry is served speaks for it.
    let analytes = &kb.labs.analytes;
    for test in &kb.labs.tests {
        let Some((a_idx, entry)) = test
            .iter()
            .map(|&i| (i, kb.analyte_entry(i)))
            .find(|(_, e)| c.served(e))
        else {
            continue;
        };
        let a = &analytes[a_idx];
        let members = || test.iter().map(|&i| &analytes[i]);
        if members()
            .flat_map(|m| m.not_when.iter())
            .any(|t| trigger_holds(c, *t, options))
        {
            continue;
        }
        let triggers: Vec<Trigger> = members()
            .flat_map(|m| m.when.iter().copied())
            .filter(|t| trigger_holds(c, *t, options))
            .collect();
        // The latest usable result of any analyte of this test.
        let result =
            c.f.labs
                .iter()
                .zip(findings)
                .find(|(r, lf)| members().any(|m| m.id == r.id) && lf.interpretation.is_some());
        let mut reasons: Vec<&'kb crate::knowledge::Phrase> =
            triggers.iter().filter_map(|t| w.get(t.as_str())).collect();
        let (repeat, loinc) = match result {
            None if !triggers.is_empty() => (false, a.loinc[0].code.clone()),
            None => continue,
            Some((r, _)) => {
                let monitor = members()
                    .flat_map(|m| m.monitor_when.iter())
                    .any(|t| trigger_holds(c, *t, options));
                if abnormal(interp(r.id)) {
                    reasons.insert(0, &w["abnormal"]);
                } else if monitor {
                    reasons.insert(0, &w["monitor"]);
                } else {
                    continue;
                }
                let code = r
                    .loinc
                    .clone()
                    .unwrap_or_else(|| kb.labs.analytes[r.analyte].loinc[0].code.clone());
                (true, code)
            }
        };
        let unverified_reason = reasons.iter().any(|r| r.marks.iter().any(|m| !m.is_verified()));
        let review_status = if unverified_reason {
            entry.status.min(ReviewStatus::InReview)
        } else {
            entry.status
        };
        let display = result
            .map(|(r, _)| kb.labs.analytes[r.analyte].display.as_str())
            .unwrap_or(&a.display);
        out.push(LabOrder {
            loinc,
            display,
            repeat,
            reasons,
            entry,
            review_status,
        });
    }
    out
}

// ---- plan (c.10) -----------------------------------------------------------------------------

fn plan<'kb>(
    c: &Ctx<'_, 'kb>,
    interp: &dyn Fn(AnalyteId) -> Option<Interpretation>,
    flags: &[RedFlag<'kb>],
    max_flag: Option<Urgency>,
    reviewed_any: bool,
    quinine_flag: bool,
) -> Vec<PlanItem<'kb>> {
    use PlanId::*;
    let s = &c.case.symptoms;
    let e = &c.case.exam;
    let t = &c.kb.thresholds;
    let has = |id: RedFlagId| flags.iter().any(|f| f.id == id);
    let nlc = c.p.nlc_active();
    let rls_or_plmd_alone = c.p.rls_or_plmd_active() && !nlc;
    let poor_balance = c.gate(GateId::Falls) || c.age_at_least(t.seated_stretching_age.value);
    // Cramps only in the hands, arms or abdomen: the calf and foot advice (stretches, dorsiflexing the
    // foot, the sleeping position of the feet) does not apply.
    let legs_spared = s.legs_spared();
    let stretching_suppressed =
        has(RedFlagId::PossibleDvt) || has(RedFlagId::CriticalLimbIschaemia) || rls_or_plmd_alone || legs_spared;
    let urgent_or_higher = max_flag.is_some_and(|u| u >= Urgency::Urgent);
    let soon_or_higher = max_flag.is_some_and(|u| u >= Urgency::Soon);
    let cirrhosis = c.gate(GateId::Cirrhosis);
    let na_low =
        c.f.value(AnalyteId::Sodium)
            .is_some_and(|v| v < t.hydration_sodium_min.value);
    let electrolyte_abnormal = |id: AnalyteId| abnormal(interp(id));
    let mg_low = low(interp(AnalyteId::Magnesium));
    let k_low = c.deficiency(interp, AnalyteId::Potassium, GateId::Hypokalaemia);
    let na_low_interp = low(interp(AnalyteId::Sodium));
    let drug_lowering = (mg_low && c.takes(SetId::LowersMagnesium))
        || (k_low && c.takes(SetId::LowersPotassium))
        || (na_low_interp && c.takes(SetId::LowersSodium));
    let child = c.under(t.child_age.value);
    let iron_low = c.p.rls_or_plmd_active() && iron_rule(c).is_some();
    let diabetes = c.gate(GateId::Diabetes);
    let glycaemia_high = high(interp(AnalyteId::Hba1c)) || high(interp(AnalyteId::Glucose));
    let neuropathy = c.p.neuropathy.is_some_and(|st| st == DifferentialStatus::Likely)
        || matches!(c.p.most_likely, Some((Dx::Neuropathy, _)));
    let pad_path = c.p.pad_path();

    let mut items: Vec<PlanId> = Vec::new();
    let mut give = |id: PlanId, when: bool| {
        if when && !items.contains(&id) {
            items.push(id);
        }
    };
    // A neurological deficit of sudden onset also needs it (c.10): SPEC §3 records no onset, a
    // condition may say it (the flag then carries its `urgency_sudden`); otherwise the
    // neurological_deficit text tells the reader to treat a sudden change as an emergency.
    let sudden_deficit = flags
        .iter()
        .any(|f| f.id == RedFlagId::NeurologicalDeficit && f.entry.urgency_sudden == Some(f.urgency));
    give(
        SameDayAssessment,
        has(RedFlagId::PossibleDvt)
            || has(RedFlagId::QuinineToxicity)
            || has(RedFlagId::CaudaEquinaSymptoms)
            || sudden_deficit,
    );
    give(QuinineDiscontinuation, c.takes(SetId::Quinine));
    // c.5: with suspected toxicity or in pregnancy, quinine taken is stopped now (SPEC §8).
    let quinine_stop_now = quinine_flag && c.takes(SetId::Quinine);
    // c.7 older adults: a deprescribing review of a Beers drug taken (the avoid items name it).
    let deprescribing =
        c.age_at_least(t.older_adult_age.value) && (c.takes(SetId::Sedatives) || c.takes(SetId::MuscleRelaxants));
    // R-AASM2024: standard use of dopamine agonists for RLS is recommended against; one taken on the
    // RLS pathway is reviewed with its prescriber (the trigger is [U], in its entry).
    let dopamine_agonist_rls = c.p.rls_active() && c.takes(SetId::DopamineAgonists);
    give(
        PrescriberMedicationReview,
        reviewed_any || drug_lowering || deprescribing || dopamine_agonist_rls,
    );
    give(
        CorrectElectrolytes,
        [
            AnalyteId::Potassium,
            AnalyteId::Sodium,
            AnalyteId::Magnesium,
            AnalyteId::Calcium,
        ]
        .into_iter()
        .any(electrolyte_abnormal)
            || c.gate(GateId::Hypokalaemia)
            || c.gate(GateId::Hypomagnesaemia),
    );
    give(IronRepletion, iron_low);
    give(NightlyStretching, nlc && !stretching_suppressed);
    give(SeatedStretching, nlc && !stretching_suppressed && poor_balance);
    give(
        AcuteCrampRelief,
        nlc && !has(RedFlagId::PossibleDvt) && !has(RedFlagId::CriticalLimbIschaemia) && !legs_spared,
    );
    give(ParacetamolForSoreness, nlc && !urgent_or_higher);
    // c.5: cramps of a neuromuscular disease are not labelled idiopathic and get no reassurance.
    // Cramps only in the hands, arms or abdomen with weakness not yet ruled out: c.5's MND trigger
    // ("cramps in unusual places plus weakness") is open, and the reassurance text is about leg
    // cramps, so none until weakness is answered (the question is asked). Twitching alone keeps it:
    // c.10 gives the examination item for it ("document a normal exam"), and the reassurance is
    // conditional on normal checks.
    let mnd_open = legs_spared && !(s.weakness == Some(false) || e.objective_weakness == Some(false));
    // Weakness, wasting, trouble swallowing, sensory loss or reduced reflexes are not part of
    // idiopathic cramps (a normal examination is; c.5 names weakness, wasting and bulbar signs beside
    // fasciculations and says "no reassurance", and the safety-net advice names a swallowing change
    // as needing prompt care): none until they are explained, while the examination item asks for
    // them to be assessed. Fasciculations alone keep it, as twitching does (c.10: "document a
    // normal exam").
    let abnormal_signs = yes(s.weakness)
        || yes(s.muscle_wasting)
        || yes(s.dysphagia)
        || yes(e.objective_weakness)
        || yes(e.sensory_loss)
        || e.reflexes == Some(Reflexes::Reduced);
    give(
        Reassurance,
        nlc && !soon_or_higher && !c.gate(GateId::MotorNeuronDisease) && !mnd_open && !abnormal_signs,
    );
    let hydration_suppressed = c.gate(GateId::EsrdDialysis)
        || c.gate(GateId::HeartFailure)
        || na_low
        || c.gate(GateId::Hyponatraemia)
        || yes(c.case.patient.fluid_restricted)
        || c.gate(GateId::FluidRestriction)
        || c.gate(GateId::Nocturia)
        || poor_balance;
    give(Hydration, nlc && !hydration_suppressed);
    give(SleepPosition, nlc && !legs_spared);
    give(CrampDiary, nlc);
    give(SafetyNetAdvice, nlc);
    give(
        DialysisPrescriptionReview,
        c.gate(GateId::EsrdDialysis) && (nlc || c.p.nlc.is_some()),
    );
    give(HepatologyReview, cirrhosis);
    give(SupervisedExercise, c.p.confirmed_claudication());
    give(VascularAssessment, pad_path || c.p.clti);
    give(CardiovascularRiskManagement, pad_path || c.p.clti);
    give(SmokingCessation, c.gate(GateId::Smoker));
    give(WoundCare, c.p.wound);
    give(
        FootCare,
        // c.10 "diabetes with neuropathy": a neuropathy in the differential at all (with diabetes
        // it is there only with sensory symptoms and signs, or a burning or numb feeling).
        (diabetes && c.p.neuropathy.is_some()) || pad_path || c.p.clti || c.p.wound,
    );
    // Signs beyond the twitching or tingling that idiopathic cramps have (c.10; R-Hawke2013).
    let neuro_signs = yes(e.fasciculations)
        || yes(s.weakness)
        || yes(s.muscle_wasting)
        || yes(s.dysphagia)
        || yes(e.objective_weakness)
        || yes(e.sensory_loss)
        || e.reflexes == Some(Reflexes::Reduced)
        || yes(s.gait_or_speech_change);
    give(NeurologicalExam, neuro_signs || yes(s.twitching) || yes(s.tingling));
    give(
        SpineAssessment,
        c.p.neurogenic == Some(DifferentialStatus::Likely) || has(RedFlagId::CaudaEquinaSymptoms),
    );
    // A neuropathy already diagnosed is the neuropathy pathway's concern too.
    let neuropathy = neuropathy || c.gate(GateId::Neuropathy);
    give(GlycaemicControl, diabetes && (glycaemia_high || neuropathy));
    give(
        B12Assessment,
        neuropathy || c.takes(SetId::Metformin) || low(interp(AnalyteId::B12)),
    );
    give(SleepStudy, c.p.plmd_active());
    give(
        SleepApnoeaScreen,
        c.p.plmd_active() || (c.p.rls_active() && yes(s.sleep_disrupted)),
    );

    items
        .into_iter()
        .map(|id| PlanItem {
            id,
            entry: c.rule(match id {
                IronRepletion if child => RuleId::PlanIronRepletionChild,
                // c.7 children: common but atypical at this age; a cause is looked for.
                Reassurance if child => RuleId::PlanReassuranceChild,
                NeurologicalExam if neuro_signs || soon_or_higher => RuleId::PlanNeurologicalExamSigns,
                QuinineDiscontinuation if quinine_stop_now => RuleId::PlanQuinineStopNow,
                ParacetamolForSoreness if cirrhosis => RuleId::PlanParacetamolLiver,
                // c.7 older adults: fall-risk awareness (standing up at night to relieve a cramp).
                AcuteCrampRelief if poor_balance => RuleId::PlanAcuteReliefPoorBalance,
                PrescriberMedicationReview if quinine_stop_now => RuleId::PlanPrescriberReviewQuinineStop,
                PrescriberMedicationReview if dopamine_agonist_rls => RuleId::PlanPrescriberReviewDopamineAgonist,
                PrescriberMedicationReview if !reviewed_any && !drug_lowering => {
                    RuleId::PlanPrescriberReviewDeprescribing
                }
                _ => plan_rule(id),
            }),
        })
        .filter(|i| c.served(i.entry))
        .collect()
}

// ---- referral (c.5 rows with a destination; c.1 PLMD) --------------------------------------------

fn referral<'kb>(
    c: &Ctx<'_, 'kb>,
    interp: &dyn Fn(AnalyteId) -> Option<Interpretation>,
    flags: &[RedFlag<'kb>],
) -> Referral<'kb> {
    let mut r = Referral {
        urgency: None,
        to: Vec::new(),
        reasons: Vec::new(),
    };
    let mut add = |urgency: Urgency, to: &[Destination], entry: &'kb Entry| {
        if to.is_empty() {
            return;
        }
        r.urgency = r.urgency.max(Some(urgency));
        for d in to {
            if !r.to.contains(d) {
                r.to.push(*d);
            }
        }
        if !r.reasons.iter().any(|e| std::ptr::eq(*e, entry)) {
            r.reasons.push(entry);
        }
    };
    // c.7 children: paediatric review if persistent, weak or with a raised CK. "Persistent" is read
    // as cramps that persist despite first-line measures: the refractory_cramps flag ([U] reading).
    let weak = yes(c.case.symptoms.weakness) || yes(c.case.exam.objective_weakness) || high(interp(AnalyteId::Ck));
    let persistent = flags.iter().any(|f| f.id == RedFlagId::RefractoryCramps);
    for f in flags {
        if f.entry.urgency_sudden == Some(f.urgency) && !f.entry.refer_to_sudden.is_empty() {
            add(f.urgency, &f.entry.refer_to_sudden, f.entry);
            continue;
        }
        add(f.urgency, &f.entry.refer_to, f.entry);
        if f.id == RedFlagId::AtypicalAge && (weak || persistent) {
            add(f.urgency, &f.entry.refer_to_if_weak, f.entry);
        }
    }
    if c.gate(GateId::EsrdDialysis) && (c.p.nlc_active() || c.p.nlc.is_some()) {
        let e = c.rule(RuleId::ReferralDialysisTeam);
        add(e.urgency.unwrap_or(Urgency::Routine), &e.refer_to, e);
    }
    // c.7 pregnancy: obstetric input if severe (severe read as refractory_cramps' severity; [U]).
    if c.f.pregnant && !c.f.male && (c.p.nlc_active() || c.p.nlc.is_some()) && c.severe_cramps() {
        let e = c.rule(RuleId::ReferralObstetricInput);
        add(e.urgency.unwrap_or(Urgency::Routine), &e.refer_to, e);
    }
    if c.p.plmd_active() {
        let e = c.rule(RuleId::ReferralSleepStudy);
        add(e.urgency.unwrap_or(Urgency::Routine), &e.refer_to, e);
    }
    // RLS that needs a drug, iron not low, and none offered here ([U]): in pregnancy the maternity
    // team (c.7 "obstetric input"); with kidneys failing, or still troublesome on an alpha-2-delta
    // ligand, sleep medicine. Not under 18 (no adult regimen, c.7) and not while pregnancy is
    // unknown (that question comes first).
    if c.rls_needing_a_drug() && !c.under(c.kb.thresholds.child_age.value) && !c.f.pregnancy_unknown {
        let rule = if c.f.pregnant {
            Some(RuleId::ReferralRlsPregnancy)
        } else if c.kidneys_failing() || c.takes(SetId::Alpha2Delta) {
            Some(RuleId::ReferralRlsNoOption)
        } else {
            None
        };
        if let Some(e) = rule.map(|r| c.rule(r)) {
            add(e.urgency.unwrap_or(Urgency::Routine), &e.refer_to, e);
        }
    }
    r
}

// ---- considered drugs ----------------------------------------------------------------------------

/// Two ATC codes of which one is a prefix of the other (a class and a member, or the same code).
pub(crate) fn compatible(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

fn considered<'kb>(
    c: &Ctx<'_, 'kb>,
    interp: &dyn Fn(AnalyteId) -> Option<Interpretation>,
    options: &[OptionItem<'kb>],
    avoid: &[AvoidItem<'kb>],
    plan: &[PlanItem<'kb>],
    withheld: &[(GateId, &'kb Entry)],
) -> Vec<ConsideredItem<'kb>> {
    let kb = c.kb;
    // The analgesic the plan recommends for soreness is answered with that plan item (c.10).
    let soreness_item = plan
        .iter()
        .find(|p| p.id == PlanId::ParacetamolForSoreness)
        .map(|p| p.entry);
    // Under 18 no iron option is offered (no adult regimen, c.7): iron considered by a child whose
    // plan has iron repletion is answered with that (paediatric) plan item.
    let iron_item = plan
        .iter()
        .find(|p| p.id == PlanId::IronRepletion)
        .filter(|_| c.under(c.kb.thresholds.child_age.value))
        .map(|p| p.entry);
    // A supplement of an electrolyte documented low treats that deficiency (c.10
    // `correct_electrolytes`), not the cramps; magnesium in pregnancy is contested (C1, c.7).
    let mg_low = c.deficiency(interp, AnalyteId::Magnesium, GateId::Hypomagnesaemia);
    let treats_deficiency = |i: &facts::Ingredient| {
        (mg_low && i.in_set(SetId::MagnesiumSupplements))
            || (c.deficiency(interp, AnalyteId::Potassium, GateId::Hypokalaemia)
                && i.in_set(SetId::PotassiumSupplements))
            || (low(interp(AnalyteId::Calcium)) && i.in_set(SetId::CalciumSupplements))
    };
    let mut out = Vec::new();
    for i in c.f.ingredients.iter().filter(|i| i.considering) {
        let code = i.code.as_deref();
        let drug_name = i
            .drug
            .map(|d| kb.drugs.name_for(d, &i.label))
            .unwrap_or_else(|| i.label.clone());
        let in_avoid = code.is_some_and(|code| {
            avoid
                .iter()
                .any(|a| a.atc.as_deref().is_some_and(|x| compatible(x, code)))
        });
        let in_options = code.is_some_and(|code| {
            options
                .iter()
                .any(|o| o.entry.atc.as_deref().is_some_and(|x| compatible(x, code)))
        });
        let mut elsewhere = false;
        let mut undocumented = false;
        let statement = |r: RuleId| (Decision::Statement, Some(c.rule(r)), None);
        let (decision, entry, tier) = if in_avoid {
            (Decision::Avoid, None, None)
        } else if in_options {
            (Decision::Option, None, None)
        } else if let Some(entry) = iron_item.filter(|_| i.in_set(SetId::Iron)) {
            (Decision::Statement, Some(entry), None)
        } else if let Some(entry) = soreness_item.filter(|_| i.in_set(SetId::SorenessAnalgesic)) {
            (Decision::Statement, Some(entry), None)
        } else if c.p.rls_active() && i.in_set(SetId::Alpha2Delta) {
            // R-AASM2024: a strongly recommended RLS treatment (before its listing as a cramp cause).
            statement(RuleId::ConsideringAlpha2DeltaRls)
        } else if c.p.rls_active() && i.in_set(SetId::DopamineAgonists) {
            statement(RuleId::ConsideringDopamineAgonistRls)
        } else if i.in_set(SetId::Alpha2Delta) {
            // Not an NLC treatment (EVIDENCE a.2); its statement also says gabapentin is reported as
            // a cramp cause, so it comes before the cause list.
            statement(RuleId::ConsideringAlpha2Delta)
        } else if let Some(g) = i
            .profile
            .group(GroupRole::Cause)
            .filter(|_| !i.drug.is_some_and(|d| kb.drugs.drugs[d].not_a_cause))
        {
            (
                Decision::Statement,
                Some(c.rule(RuleId::ConsideringMayCauseCramps)),
                Some(kb.drugs.groups[g].tier),
            )
        } else if treats_deficiency(i) {
            statement(RuleId::ConsideringElectrolyteDeficiency)
        } else if c.f.pregnant && i.in_set(SetId::MagnesiumSupplements) {
            statement(RuleId::ConsideringMagnesiumPregnancy)
        } else if i.in_set(SetId::VitaminB) {
            statement(RuleId::ConsideringVitaminB)
        } else if i.in_set(SetId::Naftidrofuryl) {
            statement(RuleId::ConsideringNaftidrofuryl)
        } else if i.in_set(SetId::VitaminE) && c.gate(GateId::EsrdDialysis) {
            statement(RuleId::ConsideringVitaminEDialysis)
        } else if i.in_set(SetId::MuscleRelaxants) {
            // Under 65 and not pregnant (else avoided above): not routine (a.2).
            statement(RuleId::ConsideringMuscleRelaxant)
        } else if let Some(option) = code.and_then(|code| {
            // An option of another population (diltiazem outside refractory cramps, midodrine off
            // dialysis, albumin outside cirrhosis, iron without RLS): its own evidence and population.
            kb.entries.iter().find(|e| {
                e.option_for.is_some() && e.atc.as_deref().is_some_and(|x| compatible(x, code)) && c.served(e)
            })
        }) {
            elsewhere = true;
            // Or of this patient's population, withheld until its diagnosis is documented.
            undocumented = withheld.iter().any(|(_, e)| std::ptr::eq(*e, option));
            (Decision::Statement, Some(option), None)
        } else {
            statement(RuleId::ConsideringNotOffered)
        };
        if entry.is_some_and(|e| !c.served(e)) {
            continue;
        }
        out.push(ConsideredItem {
            name: i.label.clone(),
            atc: i.code.clone(),
            drug_name,
            decision,
            tier,
            entry,
            elsewhere,
            undocumented,
        });
    }
    out
}

// ---- classification output -----------------------------------------------------------------------

fn classification<'kb>(c: &Ctx<'_, 'kb>) -> Classification<'kb> {
    use DifferentialStatus::*;
    let kb = c.kb;
    // Type 1 diabetes named: a diabetic code's type 1 variant (`{id}_type1`: E10 for E11), where
    // conditions.toml has one; diabetes of unnamed type keeps E11, ICD-10-CM's default.
    let type1 = c.gate(GateId::DiabetesType1);
    let code = |id: &str| {
        type1
            .then(|| kb.code(&format!("{id}_type1")))
            .flatten()
            .or_else(|| kb.code(id))
            .expect("classification codes are loaded from conditions.toml")
    };
    let because = |key: &str| Because {
        phrase: &kb.wording.because[key],
        condition: None,
    };
    let diabetic = c.gate(GateId::Diabetes);
    let p = &c.p;
    let t = &kb.thresholds;
    let nlc_code_id = || -> &'static str {
        if c.f.pregnant && !c.f.male {
            match c.case.patient.gestational_weeks {
                Some(w) if w >= t.trimester_third_weeks.value => "pregnancy_cramps_t3",
                Some(w) if w >= t.trimester_second_weeks.value => "pregnancy_cramps_t2",
                Some(_) => "pregnancy_cramps_t1",
                None => "pregnancy_cramps_unspecified",
            }
        } else if c.gate(GateId::Cirrhosis) || c.gate(GateId::EsrdDialysis) || c.gate(GateId::MotorNeuronDisease) {
            "cramp_and_spasm"
        } else {
            "nlc"
        }
    };
    let not_sleep_related = matches!(
        c.case.symptoms.when,
        Some(When::Day | When::Walking | When::StandingOrWalking)
    ) || c.case.symptoms.legs_spared();
    let dx_code = |dx: Dx| -> &'static str {
        match dx {
            // Cramps by day or on exertion, or at night only outside the legs, are not sleep-related
            // leg cramps.
            Dx::Nlc if not_sleep_related => "cramp_and_spasm",
            Dx::Nlc => "nlc",
            Dx::Rls => "rls",
            Dx::Plmd => "plmd",
            Dx::Pad if diabetic => "pad_diabetic",
            Dx::Pad => "pad",
            // EVIDENCE d.1: with gangrene named, I70.26- (E11.52 with type 2 diabetes).
            Dx::Clti if diabetic && c.gate(GateId::Gangrene) => "clti_diabetic_gangrene",
            Dx::Clti if c.gate(GateId::Gangrene) => "clti_gangrene",
            Dx::Clti if diabetic => "clti_diabetic",
            Dx::Clti if p.clti_rest_pain => "clti_rest_pain",
            Dx::Clti => "clti",
            Dx::Neurogenic => "neurogenic_claudication",
            Dx::Neuropathy if diabetic => "neuropathy_diabetic",
            Dx::Neuropathy => "neuropathy",
            // EVIDENCE d.1: G12.21 when ALS is named.
            Dx::Mnd if c.gate(GateId::Als) => "mnd_als",
            Dx::Mnd => "mnd",
            Dx::Dvt => "dvt",
        }
    };
    // The four differentiating answers all cramp-typical: what "nlc_pattern" and
    // "rls_all_cramp_typical" say. Otherwise the cramps are called so on fewer answers.
    let s = &c.case.symptoms;
    let all_cramp_typical = s.feels_like == Some(FeelsLike::PainfulCramp)
        && s.worse_in_evening == Some(false)
        && s.relieved_by == Some(RelievedBy::Stretching)
        && s.returns_at_rest == Some(false);
    let pattern = |dx: Dx| -> &'static str {
        match dx {
            Dx::Nlc if p.coexisting => "coexisting",
            Dx::Nlc if p.indeterminate => "indeterminate",
            Dx::Nlc if all_cramp_typical => "nlc_pattern",
            Dx::Nlc => "nlc_partial",
            Dx::Rls if p.indeterminate => "rls_partial",
            Dx::Rls => "rls_pattern",
            Dx::Plmd => "plmd_pattern",
            Dx::Pad => "pad_pattern",
            Dx::Clti => "clti_pattern",
            Dx::Neurogenic => "neurogenic_pattern",
            Dx::Neuropathy if p.neuropathy_signs => "neuropathy_pattern",
            Dx::Neuropathy => "neuropathy_symptoms",
            Dx::Mnd => "mnd_pattern",
            Dx::Dvt if p.dvt_persistent_pain => "dvt_persistent_pain",
            Dx::Dvt => "dvt_pattern",
        }
    };
    let most_likely = p.most_likely.map(|(dx, confidence)| MostLikely {
        code: code(dx_code(dx)),
        confidence,
    });
    let mut diff: Vec<DifferentialItem<'kb>> = Vec::new();
    let mut push = |item: DifferentialItem<'kb>| {
        if !diff.iter().any(|d| d.code.code == item.code.code) {
            diff.push(item);
        }
    };
    if let Some((dx, _)) = p.most_likely {
        // An indeterminate call keeps its pathway's own status (possible), not "likely".
        let status = match dx {
            Dx::Nlc => p.nlc.unwrap_or(Likely),
            Dx::Rls => p.rls.unwrap_or(Likely),
            _ => Likely,
        };
        push(DifferentialItem {
            code: code(dx_code(dx)),
            status,
            because: vec![because(pattern(dx))],
        });
    }
    if let Some(st) = p.nlc {
        let key = if p.coexisting {
            "coexisting"
        } else if st == Likely && all_cramp_typical {
            "nlc_pattern"
        } else {
            "nlc_partial"
        };
        push(DifferentialItem {
            code: code(dx_code(Dx::Nlc)),
            status: st,
            because: vec![because(key)],
        });
    }
    if let Some(st) = p.rls {
        // RLS is also unlikely when the feeling is burning, numbness or nothing, whatever the
        // other three answers.
        let key = match st {
            Unlikely if p.rls_known => "rls_known",
            Unlikely if all_cramp_typical => "rls_all_cramp_typical",
            Unlikely => "rls_no_urge",
            Likely if p.coexisting => "coexisting",
            Likely => "rls_pattern",
            Possible if p.rls_known => "rls_known",
            Possible => "rls_partial",
        };
        push(DifferentialItem {
            code: code("rls"),
            status: st,
            because: vec![because(key)],
        });
    }
    if let Some(st) = p.plmd {
        push(DifferentialItem {
            code: code("plmd"),
            status: st,
            because: vec![because("plmd_pattern")],
        });
    }
    if let Some(st) = p.pad {
        let key = match st {
            Likely => "pad_pattern",
            _ if p.pad_exam_only => "pad_exam_only",
            _ if p.pad_known => "pad_known",
            _ if p.pad_exertional => "pad_exertional",
            _ => "pad_possible",
        };
        push(DifferentialItem {
            code: code(match (p.pad_exam_only, diabetic) {
                (true, true) => "pad_exam_diabetic",
                (true, false) => "pad_exam",
                (false, true) => "pad_diabetic",
                (false, false) => "pad",
            }),
            status: st,
            because: vec![because(key)],
        });
    }
    if let Some(st) = p.neurogenic {
        push(DifferentialItem {
            code: code("neurogenic_claudication"),
            status: st,
            because: vec![because(if p.neurogenic_known {
                "neurogenic_known"
            } else {
                "neurogenic_pattern"
            })],
        });
    }
    if let Some(st) = p.neuropathy {
        push(DifferentialItem {
            code: code(if diabetic { "neuropathy_diabetic" } else { "neuropathy" }),
            status: st,
            because: vec![because(if p.neuropathy_known {
                "neuropathy_known"
            } else if p.neuropathy_signs {
                "neuropathy_pattern"
            } else {
                "neuropathy_symptoms"
            })],
        });
    }
    // ALS already diagnosed, without the pathway of a possible motor neuron disease: its own code in
    // the differential (EVIDENCE d.1 G12.21), as a neuropathy on the problem list is.
    if c.gate(GateId::Als) {
        push(DifferentialItem {
            code: code("mnd_als"),
            status: Likely,
            because: vec![because("als_known")],
        });
    }
    // Disease-associated cramps: their own code beside G47.62 (SPEC §4).
    if p.nlc_active() && nlc_code_id() != "nlc" {
        let condition = if c.f.pregnant && !c.f.male {
            "pregnancy"
        } else if c.gate(GateId::Cirrhosis) {
            "cirrhosis"
        } else if c.gate(GateId::EsrdDialysis) {
            "dialysis"
        } else {
            "motor neuron disease"
        };
        push(DifferentialItem {
            code: code(nlc_code_id()),
            status: Likely,
            because: vec![Because {
                phrase: &kb.wording.because["disease_associated"],
                condition: Some(condition),
            }],
        });
    }
    for (analyte, code_id, key) in [
        (AnalyteId::Magnesium, "hypomagnesaemia", "hypomagnesaemia"),
        (AnalyteId::Potassium, "hypokalaemia", "hypokalaemia"),
    ] {
        let is_low = c.f.labs.iter().any(|r| {
            r.id == analyte && {
                let a = &kb.labs.analytes[r.analyte];
                let input = &c.case.labs[r.input];
                let lo = input
                    .ref_low
                    .filter(|_| !input.range_reversed())
                    .map(|x| (x + r.offset) * r.factor)
                    .or(a.range.and_then(|rg| rg.low));
                r.canonical.zip(lo).is_some_and(|(v, l)| v < l)
            }
        });
        if is_low {
            push(DifferentialItem {
                code: code(code_id),
                status: Likely,
                because: vec![because(key)],
            });
        }
    }
    Classification {
        most_likely,
        differential: diff,
        entry: c.rule(RuleId::Classification),
    }
}

// ---- questions (SPEC §4 "questions") -------------------------------------------------------------

fn questions(c: &Ctx, options: &[OptionItem]) -> Vec<Question> {
    let s = &c.case.symptoms;
    let e = &c.case.exam;
    let pt = &c.case.patient;
    let mut out: Vec<Question> = Vec::new();
    let mut ask = |field: &'static str, when: bool| {
        if when && !out.iter().any(|q| q.field == field) {
            out.push(Question { field });
        }
    };
    ask("symptoms.feels_like", s.feels_like.is_none());
    ask("symptoms.worse_in_evening", s.worse_in_evening.is_none());
    ask("symptoms.relieved_by", s.relieved_by.is_none());
    ask("symptoms.returns_at_rest", s.returns_at_rest.is_none());
    ask("patient.age", pt.age.is_none());
    // Missing for a woman of 12-55, or contradicted (pregnant false with a gestation or a
    // pregnancy code; pregnant with sex male or at an age outside 12-55): the safer reading is used
    // meanwhile.
    ask(
        "patient.pregnant",
        c.f.pregnancy_unknown || (pt.pregnant == Some(false) && c.f.pregnant) || c.f.pregnancy_doubtful,
    );
    ask(
        "symptoms.stretching_weeks_tried",
        s.stretching_weeks_tried.is_none() && c.frequent_or_severe() && c.p.nlc.is_some(),
    );
    // Weeks of stretching already tried: whether the cramps are refractory (c.5) turns on how often
    // and how badly they come.
    let severity_open = c.stretched_long_enough() && !c.frequent_or_severe() && c.p.nlc.is_some();
    ask(
        "symptoms.episodes_per_week",
        severity_open && s.episodes_per_week.is_none(),
    );
    ask("symptoms.sleep_disrupted", severity_open && s.sleep_disrupted.is_none());
    ask("symptoms.worst_pain", severity_open && s.worst_pain.is_none());
    let exam_deficit = yes(e.objective_weakness) || yes(e.sensory_loss) || e.reflexes == Some(Reflexes::Reduced);
    ask("symptoms.progressive", s.progressive.is_none() && exam_deficit);
    // Persistent calf pain is a DVT trigger when one-sided or after immobility (c.5): either answer
    // alone completes it.
    let dvt_open = c.p.persistent_calf_pain && !c.p.dvt;
    ask("symptoms.side", dvt_open && s.side.is_none());
    ask("symptoms.recent_immobility", dvt_open && s.recent_immobility.is_none());
    // Calf pain with a DVT risk: the signs that make it c.5's possible_dvt.
    ask(
        "symptoms.calf_swelling",
        c.p.dvt_signs_unknown && s.calf_swelling.is_none(),
    );
    ask(
        "symptoms.calf_warm_or_red",
        c.p.dvt_signs_unknown && s.calf_warm_or_red.is_none(),
    );
    // c.5 quinine_toxicity: bleeding or bruising on quinine is an emergency; when not known, ask.
    ask(
        "symptoms.bleeding_or_bruising",
        c.takes(SetId::Quinine) && s.bleeding_or_bruising.is_none(),
    );
    // c.5 cauda_equina_symptoms on the spinal (neurogenic claudication) pathway: its triggers.
    let spinal = c.p.neurogenic.is_some() && !c.p.neurogenic_known;
    ask(
        "symptoms.bladder_or_bowel_change",
        spinal && s.bladder_or_bowel_change.is_none(),
    );
    ask("symptoms.saddle_numbness", spinal && s.saddle_numbness.is_none());
    let vascular = c.p.pad.is_some() || c.p.clti || c.p.vascular_unknown;
    // c.5 critical_limb_ischaemia: an ulcer or gangrene beside arterial disease.
    ask(
        "symptoms.non_healing_wound",
        vascular && !c.p.wound && s.non_healing_wound.is_none(),
    );
    // c.5 qt_prolongation_risk: on quinine, the QTc is one of its triggers (action: ECG); not
    // when quinine is to be stopped now (in pregnancy or with bleeding: c.5).
    ask(
        "exam.qtc_ms",
        c.takes(SetId::Quinine) && c.f.qtc_ms.is_none() && !c.f.pregnant && !yes(s.bleeding_or_bruising),
    );
    // c.5 possible_motor_neuron_disease turns on weakness beside fasciculations or cramps in
    // unusual places: when it is not known, ask.
    ask(
        "symptoms.weakness",
        s.weakness.is_none()
            && e.objective_weakness.is_none()
            && (s.unusual_site()
                || yes(s.twitching)
                || yes(e.fasciculations)
                // c.5 atypical_age: paediatric review with weakness.
                || (c.under(c.kb.thresholds.child_age.value) && c.p.nlc.is_some())),
    );
    // c.5 possible_motor_neuron_disease: fasciculations beside weakness, wasting, a bulbar sign or
    // progression. With one of those and fasciculations not known either way, the patient's own
    // field for them is asked (the examination prompt follows below).
    ask(
        "symptoms.twitching",
        s.twitching.is_none()
            && e.fasciculations.is_none()
            && (yes(s.weakness)
                || yes(e.objective_weakness)
                || yes(s.muscle_wasting)
                || yes(s.dysphagia)
                || yes(s.gait_or_speech_change)
                || yes(s.progressive)),
    );
    // Then the examination prompts (SPEC §4: after the missing parts of red-flag triggers).
    // a.2 diltiazem: bradycardia is among the cardiac contraindications to check first; when it is
    // offered or considered and the heart rate is not known, ask.
    ask(
        "exam.heart_rate",
        e.heart_rate.is_none()
            && (options.iter().any(|o| o.option_for == OptionFor::RefractoryNlc) || c.f.considers(SetId::Diltiazem)),
    );
    ask("exam.pedal_pulses", vascular && e.pedal_pulses.is_none());
    ask("exam.abi", vascular && e.abi.is_none());
    if c.p.neuro_considered {
        ask("exam.reflexes", e.reflexes.is_none());
        ask("exam.objective_weakness", e.objective_weakness.is_none());
        ask("exam.sensory_loss", e.sensory_loss.is_none());
        ask("exam.fasciculations", e.fasciculations.is_none());
    }
    out
}
