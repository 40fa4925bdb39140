//! The closed vocabularies of SPEC §4, shared by the knowledge base and the engine.
//!
//! Each enum parses from the knowledge files (serde) and prints its SPEC spelling with `as_str`;
//! the wire crate uses `as_str`, so the core carries no output serialisation.

use serde::Deserialize;

macro_rules! vocab {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($text => Some($name::$variant),)+ _ => None } }
            /// The allowed spellings, for error messages.
            pub fn allowed() -> String { [$($text),+].join(", ") }
        }
    };
}
pub(crate) use vocab;

vocab!(
    /// Red-flag and referral urgency, ordered from least to most urgent.
    Urgency { Routine = "routine", Soon = "soon", Urgent = "urgent", Emergency = "emergency" }
);
vocab!(Destination {
    Neurology = "neurology", Vascular = "vascular", SleepMedicine = "sleep_medicine", Hepatology = "hepatology",
    Nephrology = "nephrology", Obstetrics = "obstetrics", Cardiology = "cardiology", Emergency = "emergency",
    PrimaryCare = "primary_care", Spine = "spine", Paediatrics = "paediatrics", Haematology = "haematology",
    Psychiatry = "psychiatry", Respiratory = "respiratory", Gynaecology = "gynaecology",
});
vocab!(PlanTier { FirstLine = "first_line", SecondLine = "second_line", Specialist = "specialist", SelfCare = "self_care" });
vocab!(Certainty { High = "high", Moderate = "moderate", Low = "low", VeryLow = "very_low" });
vocab!(Severity { Critical = "critical", Warning = "warning", Info = "info" });
vocab!(OptionFor {
    RefractoryNlc = "refractory_nlc", Cirrhosis = "cirrhosis", Haemodialysis = "haemodialysis", Rls = "rls",
    Plmd = "plmd", Pad = "pad", Deficiency = "deficiency", Pregnancy = "pregnancy",
});
vocab!(ReviewStatus { Draft = "draft", InReview = "in_review", Approved = "approved" });
vocab!(
    /// EVIDENCE.md verification marks.
    Mark { V = "V", V2 = "V2", S = "S", U = "U" }
);
vocab!(SourceKind {
    Guideline = "guideline", SystematicReview = "systematic_review", Rct = "rct", Cohort = "cohort",
    CaseControl = "case_control", Observational = "observational", NarrativeReview = "narrative_review",
    RegulatorNotice = "regulator_notice", Consensus = "consensus", ExpertOpinion = "expert_opinion",
});
vocab!(EntryKind { Rule = "rule", Education = "education" });
vocab!(
    /// Medication-review tier: A/B/C evidence that the drug induces cramps (c.6), S safety review of
    /// quinine, R may worsen RLS/PLMS (c.6b).
    Tier { A = "A", B = "B", C = "C", S = "S", R = "R" }
);
vocab!(Interpretation {
    CriticallyLow = "critically_low", Low = "low", Normal = "normal", High = "high", CriticallyHigh = "critically_high",
});
vocab!(Confidence { High = "high", Moderate = "moderate", Low = "low" });
vocab!(DifferentialStatus { Likely = "likely", Possible = "possible", Unlikely = "unlikely" });
vocab!(Audience { Clinician = "clinician", Patient = "patient" });
vocab!(RedFlagId {
    PossibleMotorNeuronDisease = "possible_motor_neuron_disease", NeurologicalDeficit = "neurological_deficit",
    PossibleDvt = "possible_dvt", CriticalLimbIschaemia = "critical_limb_ischaemia", QuinineToxicity = "quinine_toxicity",
    QuinineInPregnancy = "quinine_in_pregnancy", SevereElectrolyteDisturbance = "severe_electrolyte_disturbance",
    AtypicalAge = "atypical_age", RefractoryCramps = "refractory_cramps", CaudaEquinaSymptoms = "cauda_equina_symptoms",
    QtProlongationRisk = "qt_prolongation_risk", BaclofenEncephalopathy = "baclofen_encephalopathy",
    CriticalLabResult = "critical_lab_result",
});
vocab!(PlanId {
    NightlyStretching = "nightly_stretching", SeatedStretching = "seated_stretching", AcuteCrampRelief = "acute_cramp_relief",
    Reassurance = "reassurance", ParacetamolForSoreness = "paracetamol_for_soreness", Hydration = "hydration",
    SleepPosition = "sleep_position", PrescriberMedicationReview = "prescriber_medication_review",
    CorrectElectrolytes = "correct_electrolytes", IronRepletion = "iron_repletion", SupervisedExercise = "supervised_exercise",
    SmokingCessation = "smoking_cessation", VascularAssessment = "vascular_assessment", SleepStudy = "sleep_study",
    DialysisPrescriptionReview = "dialysis_prescription_review", NeurologicalExam = "neurological_exam",
    SpineAssessment = "spine_assessment", GlycaemicControl = "glycaemic_control", B12Assessment = "b12_assessment",
    HepatologyReview = "hepatology_review", CrampDiary = "cramp_diary", SameDayAssessment = "same_day_assessment",
    SafetyNetAdvice = "safety_net_advice", QuinineDiscontinuation = "quinine_discontinuation",
    SleepApnoeaScreen = "sleep_apnoea_screen", FootCare = "foot_care", WoundCare = "wound_care",
    CardiovascularRiskManagement = "cardiovascular_risk_management",
});
vocab!(ConflictTopic {
    Magnesium = "magnesium", Stretching = "stretching", Baclofen = "baclofen",
    CalciumChannelBlockers = "calcium_channel_blockers", FerritinThreshold = "ferritin_threshold", Nsaids = "nsaids",
    NeedForTreatment = "need_for_treatment", Electrolytes = "electrolytes", AcuteRelief = "acute_relief",
    DrugCauses = "drug_causes", Quinine = "quinine", Hydration = "hydration", NeurologicalSigns = "neurological_signs",
    Age = "age", VitaminB12 = "vitamin_b12",
});

impl Mark {
    /// [V] and [V2] are verified; [S] and [U] hold an entry at `in_review` or below.
    pub fn is_verified(self) -> bool {
        matches!(self, Mark::V | Mark::V2)
    }
}
