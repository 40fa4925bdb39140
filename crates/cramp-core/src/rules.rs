//! The rule registry: every knowledge entry that a rule in code uses directly, by id.
//!
//! `cramp kb check` reads this list: each id must be an entry of kind `rule`, and each entry of kind
//! `rule` must be either listed here or referenced from a table (a drug group's or a lab analyte's
//! `entry`). Entries are resolved to indices once, at load, so the engine never hashes an id.

macro_rules! rules {
    ($($name:ident = $id:literal,)*) => {
        /// A rule's knowledge entry.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum RuleId { $($name,)* }
        /// Every rule id with its knowledge entry id.
        pub const RULES: &[(RuleId, &str)] = &[$((RuleId::$name, $id),)*];
    };
}

rules! {
    RedFlagMnd = "red_flag.possible_motor_neuron_disease",
    RedFlagNeuroDeficit = "red_flag.neurological_deficit",
    RedFlagNeuroDeficitExam = "red_flag.neurological_deficit_on_examination",
    RedFlagDvt = "red_flag.possible_dvt",
    RedFlagClti = "red_flag.critical_limb_ischaemia",
    RedFlagQuinineToxicity = "red_flag.quinine_toxicity",
    RedFlagQuininePregnancy = "red_flag.quinine_in_pregnancy",
    RedFlagQt = "red_flag.qt_prolongation_risk",
    RedFlagAtypicalAge = "red_flag.atypical_age",
    RedFlagRefractory = "red_flag.refractory_cramps",
    RedFlagBaclofenEncephalopathy = "red_flag.baclofen_encephalopathy",
    RedFlagElectrolytes = "red_flag.severe_electrolyte_disturbance",
    RedFlagCriticalLab = "red_flag.critical_lab_result",
    RedFlagCaudaEquina = "red_flag.cauda_equina_symptoms",
    ReferralDialysisTeam = "referral.dialysis_team",
    ReferralSleepStudy = "referral.sleep_study",
    ReferralObstetricInput = "referral.obstetric_input",
    PlanNightlyStretching = "plan.nightly_stretching",
    PlanSeatedStretching = "plan.seated_stretching",
    PlanAcuteCrampRelief = "plan.acute_cramp_relief",
    PlanReassurance = "plan.reassurance",
    PlanParacetamol = "plan.paracetamol_for_soreness",
    PlanHydration = "plan.hydration",
    PlanSleepPosition = "plan.sleep_position",
    PlanPrescriberReview = "plan.prescriber_medication_review",
    PlanCorrectElectrolytes = "plan.correct_electrolytes",
    PlanIronRepletion = "plan.iron_repletion",
    PlanSupervisedExercise = "plan.supervised_exercise",
    PlanSmokingCessation = "plan.smoking_cessation",
    PlanVascularAssessment = "plan.vascular_assessment",
    PlanSleepStudy = "plan.sleep_study",
    PlanDialysisReview = "plan.dialysis_prescription_review",
    PlanNeurologicalExam = "plan.neurological_exam",
    PlanSpineAssessment = "plan.spine_assessment",
    PlanGlycaemicControl = "plan.glycaemic_control",
    PlanB12Assessment = "plan.b12_assessment",
    PlanHepatologyReview = "plan.hepatology_review",
    PlanCrampDiary = "plan.cramp_diary",
    PlanSameDayAssessment = "plan.same_day_assessment",
    PlanSafetyNet = "plan.safety_net_advice",
    PlanQuinineDiscontinuation = "plan.quinine_discontinuation",
    PlanSleepApnoeaScreen = "plan.sleep_apnoea_screen",
    PlanFootCare = "plan.foot_care",
    PlanWoundCare = "plan.wound_care",
    PlanCardiovascularRisk = "plan.cardiovascular_risk_management",
    OptionBaclofen = "option.baclofen_cirrhosis",
    OptionAlbumin = "option.albumin_cirrhosis",
    OptionMidodrine = "option.midodrine_haemodialysis",
    OptionDiltiazem = "option.diltiazem_refractory",
    OptionOralIron = "option.iron_rls",
    OptionIvIron = "option.iv_iron_rls",
    OptionIronSucroseEsrd = "option.iv_iron_sucrose_esrd",
    OptionAlpha2DeltaRls = "option.alpha2delta_rls",
    OptionMagnesiumDeficiency = "option.magnesium_deficiency",
    OptionPotassiumDeficiency = "option.potassium_deficiency",
    OptionB12Deficiency = "option.b12_deficiency",
    OptionCilostazolPad = "option.cilostazol_pad",
    AvoidQuinine = "avoid.quinine",
    AvoidMagnesium = "avoid.magnesium",
    AvoidMagnesiumDialysis = "avoid.magnesium_dialysis",
    AvoidBaclofenNoIndication = "avoid.baclofen_no_indication",
    AvoidBaclofenContraindicated = "avoid.baclofen_contraindicated",
    AvoidBaclofenPregnancyUnknown = "avoid.baclofen_until_pregnancy_known",
    AvoidBaclofenUnconfirmed = "avoid.baclofen_until_confirmed",
    AvoidBeersRelaxants = "avoid.beers_muscle_relaxants",
    AvoidRelaxantsPregnancy = "avoid.muscle_relaxants_pregnancy",
    AvoidSedativesOlder = "avoid.sedatives_older_adults",
    AvoidNsaids = "avoid.nsaids_organ_risk",
    AvoidPotassium = "avoid.potassium_supplements",
    AvoidCalcium = "avoid.calcium_supplements_high_calcium",
    AvoidDiltiazemWithDhp = "avoid.diltiazem_with_dihydropyridine",
    AvoidDiltiazemCardiac = "avoid.diltiazem_cardiac",
    AvoidCilostazolHeartFailure = "avoid.cilostazol_heart_failure",
    ConflictMagnesium = "conflict.magnesium",
    ConflictStretching = "conflict.stretching",
    ConflictBaclofen = "conflict.baclofen",
    ConflictCcb = "conflict.calcium_channel_blockers",
    ConflictFerritin = "conflict.ferritin_threshold",
    ConflictNsaids = "conflict.nsaids",
    ConflictNeedForTreatment = "conflict.need_for_treatment",
    ConflictElectrolytes = "conflict.electrolytes",
    ConflictAcuteRelief = "conflict.acute_relief",
    ConflictDrugCauses = "conflict.drug_causes",
    ConflictQuinine = "conflict.quinine",
    ConflictHydration = "conflict.hydration",
    ConflictNeurologicalSigns = "conflict.neurological_signs",
    ConflictAge = "conflict.age",
    ConflictVitaminB12 = "conflict.vitamin_b12",
    Classification = "classification.differentiating_questions",
    ConsideringNotOffered = "considering.not_offered",
    ConsideringMayCauseCramps = "considering.may_cause_cramps",
    ConsideringAlpha2Delta = "considering.alpha2delta_for_nlc",
    ConsideringAlpha2DeltaRls = "considering.alpha2delta_for_rls",
    ConsideringDopamineAgonistRls = "considering.dopamine_agonist_for_rls",
    ConsideringVitaminB = "considering.vitamin_b",
    ConsideringNaftidrofuryl = "considering.naftidrofuryl",
    ConsideringVitaminEDialysis = "considering.vitamin_e_dialysis",
    ConsideringMuscleRelaxant = "considering.muscle_relaxant",
    ConsideringElectrolyteDeficiency = "considering.electrolyte_deficiency",
    ConsideringMagnesiumPregnancy = "considering.magnesium_pregnancy",
    PlanIronRepletionChild = "plan.iron_repletion_child",
    PlanNeurologicalExamSigns = "plan.neurological_exam_signs",
    PlanQuinineStopNow = "plan.quinine_stop_now",
    ReviewQuinineStopNow = "review.quinine_stop_now",
    AvoidQuinineStopNow = "avoid.quinine_stop_now",
    PlanParacetamolLiver = "plan.paracetamol_for_soreness_liver",
    PlanPrescriberReviewQuinineStop = "plan.prescriber_medication_review_quinine_stop",
    PlanPrescriberReviewDeprescribing = "plan.prescriber_medication_review_deprescribing",
    PlanAcuteReliefPoorBalance = "plan.acute_cramp_relief_poor_balance",
}

use crate::vocab::{ConflictTopic, PlanId};

/// The entry of each plan id (SPEC §4 vocabulary).
pub fn plan_rule(id: PlanId) -> RuleId {
    use PlanId::*;
    use RuleId::*;
    match id {
        NightlyStretching => PlanNightlyStretching,
        SeatedStretching => PlanSeatedStretching,
        AcuteCrampRelief => PlanAcuteCrampRelief,
        Reassurance => PlanReassurance,
        ParacetamolForSoreness => PlanParacetamol,
        Hydration => PlanHydration,
        SleepPosition => PlanSleepPosition,
        PrescriberMedicationReview => PlanPrescriberReview,
        CorrectElectrolytes => PlanCorrectElectrolytes,
        IronRepletion => PlanIronRepletion,
        SupervisedExercise => PlanSupervisedExercise,
        SmokingCessation => PlanSmokingCessation,
        VascularAssessment => PlanVascularAssessment,
        SleepStudy => PlanSleepStudy,
        DialysisPrescriptionReview => PlanDialysisReview,
        NeurologicalExam => PlanNeurologicalExam,
        SpineAssessment => PlanSpineAssessment,
        GlycaemicControl => PlanGlycaemicControl,
        B12Assessment => PlanB12Assessment,
        HepatologyReview => PlanHepatologyReview,
        CrampDiary => PlanCrampDiary,
        SameDayAssessment => PlanSameDayAssessment,
        SafetyNetAdvice => PlanSafetyNet,
        QuinineDiscontinuation => PlanQuinineDiscontinuation,
        SleepApnoeaScreen => PlanSleepApnoeaScreen,
        FootCare => PlanFootCare,
        WoundCare => PlanWoundCare,
        CardiovascularRiskManagement => PlanCardiovascularRisk,
    }
}

/// The entry of each evidence-conflict topic (EVIDENCE.md (b)).
pub fn conflict_rule(topic: ConflictTopic) -> RuleId {
    use ConflictTopic::*;
    use RuleId::*;
    match topic {
        Magnesium => ConflictMagnesium,
        Stretching => ConflictStretching,
        Baclofen => ConflictBaclofen,
        CalciumChannelBlockers => ConflictCcb,
        FerritinThreshold => ConflictFerritin,
        Nsaids => ConflictNsaids,
        NeedForTreatment => ConflictNeedForTreatment,
        Electrolytes => ConflictElectrolytes,
        AcuteRelief => ConflictAcuteRelief,
        DrugCauses => ConflictDrugCauses,
        Quinine => ConflictQuinine,
        Hydration => ConflictHydration,
        NeurologicalSigns => ConflictNeurologicalSigns,
        Age => ConflictAge,
        VitaminB12 => ConflictVitaminB12,
    }
}
