//! The case (SPEC §3): everything optional, enums closed.
//!
//! The wire crate deserialises JSON into these types (unknown fields rejected) and then checks the
//! ranges with `Case::validate`, so the engine receives only cases whose every value is allowed.

use serde::Deserialize;

/// Objects of the case are JSON objects only: serde's derived structs would also accept an array
/// positionally (`"patient": [67, "female"]`), which would bypass the unknown-field check.
pub mod strict {
    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor, value::MapAccessDeserializer};
    use std::fmt;
    use std::marker::PhantomData;

    struct ObjectVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map))
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Ok(T::default())
        }
    }

    /// A JSON object (or null, read as empty).
    pub fn object<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
        d.deserialize_any(ObjectVisitor(PhantomData))
    }

    struct Strict<T>(T);

    impl<'de, T: Deserialize<'de> + Default> Deserialize<'de> for Strict<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            object(d).map(Strict)
        }
    }

    struct ListVisitor<T>(PhantomData<T>);

    impl<'de, T: Deserialize<'de> + Default> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(Strict(item)) = seq.next_element::<Strict<T>>()? {
                out.push(item);
            }
            Ok(out)
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
    }

    /// A JSON list of objects (or null, read as empty).
    pub fn objects<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<Vec<T>, D::Error> {
        d.deserialize_any(ListVisitor(PhantomData))
    }
}

/// Reads one of `codes` as its index; anything else is an error naming the codes.
struct CodeVisitor(&'static [&'static str]);

impl serde::de::Visitor<'_> for CodeVisitor {
    type Value = usize;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "one of: {}", self.0.join(", "))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<usize, E> {
        self.0
            .iter()
            .position(|c| *c == v)
            .ok_or_else(|| E::unknown_variant(v, self.0))
    }
}

macro_rules! case_enum {
    ($name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The codes, in the order of `ALL`.
            pub const CODES: &'static [&'static str] = &[$($text),+];
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
        }
        // By hand rather than derived: serde_json answers a derived enum given `true` or a number
        // with a *syntax* error ("expected value"), which would blame the JSON instead of naming
        // the field and its allowed codes.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                d.deserialize_str(CodeVisitor(Self::CODES)).map(|i| Self::ALL[i])
            }
        }
    };
}

case_enum!(Sex { Female = "female", Male = "male", Other = "other", Unknown = "unknown" });
case_enum!(FeelsLike { PainfulCramp = "painful_cramp", UrgeToMove = "urge_to_move", Both = "both", BurningOrNumb = "burning_or_numb", None = "none" });
case_enum!(RelievedBy {
    Stretching = "stretching", AnyMovement = "any_movement", Rest = "rest",
    SittingOrBendingForward = "sitting_or_bending_forward", HangingLegDown = "hanging_leg_down", Nothing = "nothing",
});
case_enum!(When { Night = "night", Day = "day", DayAndNight = "day_and_night", Walking = "walking", StandingOrWalking = "standing_or_walking", Constant = "constant" });
case_enum!(Location { Calf = "calf", Foot = "foot", Thigh = "thigh", Hamstring = "hamstring", Hand = "hand", Arm = "arm", Abdomen = "abdomen", Other = "other" });
case_enum!(Side { Left = "left", Right = "right", Both = "both" });
case_enum!(CalfSwelling { None = "none", OneLeg = "one_leg", BothLegs = "both_legs" });
case_enum!(Pulses { Normal = "normal", Reduced = "reduced", Absent = "absent" });
case_enum!(Reflexes { Normal = "normal", Reduced = "reduced", Brisk = "brisk" });

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    #[serde(default, deserialize_with = "strict::object")]
    pub patient: Patient,
    #[serde(default, deserialize_with = "strict::object")]
    pub symptoms: Symptoms,
    #[serde(default, deserialize_with = "strict::objects")]
    pub medications: Vec<DrugInput>,
    #[serde(default, deserialize_with = "strict::objects")]
    pub conditions: Vec<ConditionInput>,
    #[serde(default, deserialize_with = "strict::objects")]
    pub labs: Vec<LabInput>,
    #[serde(default, deserialize_with = "strict::object")]
    pub exam: Exam,
    #[serde(default, deserialize_with = "strict::objects")]
    pub considering: Vec<DrugInput>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    pub age: Option<f64>,
    pub sex: Option<Sex>,
    pub pregnant: Option<bool>,
    pub gestational_weeks: Option<f64>,
    pub smoker: Option<bool>,
    pub poor_balance_or_falls: Option<bool>,
    pub fluid_restricted: Option<bool>,
}

/// The yes/no fields of `symptoms` (SPEC §3), for schemas and generators that list them.
pub const SYMPTOM_FLAGS: &[&str] = &[
    "kicking_reported",
    "twitching",
    "tingling",
    "numbness",
    "weakness",
    "muscle_wasting",
    "gait_or_speech_change",
    "dysphagia",
    "calf_warm_or_red",
    "recent_immobility",
    "non_healing_wound",
    "bleeding_or_bruising",
    "bladder_or_bowel_change",
    "saddle_numbness",
    "nocturia",
    "progressive",
    "sleep_disrupted",
];

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Symptoms {
    pub feels_like: Option<FeelsLike>,
    pub worse_in_evening: Option<bool>,
    pub relieved_by: Option<RelievedBy>,
    pub returns_at_rest: Option<bool>,
    pub episodes_per_week: Option<f64>,
    pub worst_pain: Option<f64>,
    pub when: Option<When>,
    pub location: Option<Vec<Location>>,
    pub side: Option<Side>,
    pub kicking_reported: Option<bool>,
    pub twitching: Option<bool>,
    pub tingling: Option<bool>,
    pub numbness: Option<bool>,
    pub weakness: Option<bool>,
    pub muscle_wasting: Option<bool>,
    pub gait_or_speech_change: Option<bool>,
    pub dysphagia: Option<bool>,
    pub calf_swelling: Option<CalfSwelling>,
    pub calf_warm_or_red: Option<bool>,
    pub recent_immobility: Option<bool>,
    pub non_healing_wound: Option<bool>,
    pub bleeding_or_bruising: Option<bool>,
    pub bladder_or_bowel_change: Option<bool>,
    pub saddle_numbness: Option<bool>,
    pub nocturia: Option<bool>,
    pub progressive: Option<bool>,
    pub sleep_disrupted: Option<bool>,
    pub stretching_weeks_tried: Option<f64>,
}

impl Symptoms {
    /// Cramps in a place leg cramps do not reach (arms, hands, abdomen): with weakness, c.5's
    /// possible motor neuron disease.
    pub fn unusual_site(&self) -> bool {
        self.location.as_ref().is_some_and(|l| {
            l.iter()
                .any(|x| matches!(x, Location::Hand | Location::Arm | Location::Abdomen))
        })
    }

    /// Cramps only in unusual places, none in the legs: not leg cramps (G47.62) but cramp and spasm.
    pub fn legs_spared(&self) -> bool {
        self.unusual_site()
            && self.location.as_ref().is_some_and(|l| {
                !l.iter().any(|x| {
                    matches!(
                        x,
                        Location::Calf | Location::Foot | Location::Thigh | Location::Hamstring
                    )
                })
            })
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exam {
    pub abi: Option<f64>,
    pub pedal_pulses: Option<Pulses>,
    pub reflexes: Option<Reflexes>,
    pub fasciculations: Option<bool>,
    pub sensory_loss: Option<bool>,
    pub objective_weakness: Option<bool>,
    pub qtc_ms: Option<f64>,
    pub heart_rate: Option<f64>,
}

/// A medication taken (`medications[]`) or considered (`considering[]`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrugInput {
    pub name: Option<String>,
    pub atc: Option<String>,
    pub rxnorm: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConditionInput {
    pub name: Option<String>,
    pub icd10: Option<String>,
    pub snomed: Option<String>,
    /// Recorded as not yet confirmed (a FHIR Condition's `verificationStatus` unconfirmed,
    /// provisional or differential): read for every rule that withholds or reviews, never to start
    /// a drug. Not part of the SPEC §3 JSON (the FHIR reader sets it).
    #[serde(skip)]
    pub unconfirmed: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabInput {
    pub loinc: Option<String>,
    pub name: Option<String>,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub ref_low: Option<f64>,
    pub ref_high: Option<f64>,
    pub date: Option<String>,
    /// Where the result was read from when it did not come as a case (a FHIR Observation, e.g.
    /// `Observation/k1` or `Observation/ecg.component[2]`): warnings about it name that place, not
    /// `labs[i]`. Not part of the SPEC §3 JSON (the FHIR reader sets it).
    #[serde(skip)]
    pub origin: Option<String>,
}

impl ConditionInput {
    /// How a message names the condition: its name, else the code as sent.
    pub fn shown(&self) -> &str {
        self.name
            .as_deref()
            .or(self.icd10.as_deref())
            .or(self.snomed.as_deref())
            .unwrap_or("")
    }
}

impl LabInput {
    /// Whether the laboratory range is upside down (`ref_low` above `ref_high`): it cannot be
    /// read either way with confidence, so it is not used.
    pub fn range_reversed(&self) -> bool {
        matches!((self.ref_low, self.ref_high), (Some(low), Some(high)) if low > high)
    }
}

/// A value in the case that SPEC §3 does not allow; the message names the field and the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("`{field}`: {problem}")]
pub struct CaseError {
    pub field: String,
    pub problem: String,
}

fn err(field: impl Into<String>, problem: impl Into<String>) -> CaseError {
    CaseError {
        field: field.into(),
        problem: problem.into(),
    }
}

fn range(field: &str, value: Option<f64>, lo: f64, hi: Option<f64>, what: &str) -> Result<(), CaseError> {
    let Some(v) = value else { return Ok(()) };
    let ok = v >= lo && hi.is_none_or(|h| v <= h);
    if ok {
        return Ok(());
    }
    let allowed = match hi {
        Some(h) => format!("{lo}–{h}"),
        None => format!("{lo} or more"),
    };
    Err(err(field, format!("{v} is outside {allowed}; send {what}")))
}

/// An empty string is an error; the field path is built only then.
fn non_empty(value: &Option<String>, field: impl FnOnce() -> String) -> Result<(), CaseError> {
    match value {
        Some(s) if s.trim().is_empty() => Err(err(field(), "must not be empty; give the value or leave the field out")),
        _ => Ok(()),
    }
}

/// ISO 8601 date (YYYY-MM-DD) or date-time beginning with one.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    let date_ok = b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    if !date_ok {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap_or(0);
    let day: u32 = s[8..10].parse().unwrap_or(0);
    (1..=12).contains(&month) && (1..=31).contains(&day) && (b.len() == 10 || b[10] == b'T' || b[10] == b' ')
}

impl Case {
    /// Checks every range and shape rule of SPEC §3 that the types cannot express.
    pub fn validate(&self) -> Result<(), CaseError> {
        let p = &self.patient;
        range("patient.age", p.age, 0.0, Some(AGE_MAX), "the age in years, 0–130")?;
        range(
            "patient.gestational_weeks",
            p.gestational_weeks,
            0.0,
            Some(45.0),
            "completed weeks of pregnancy, 0–45",
        )?;
        let s = &self.symptoms;
        range(
            "symptoms.episodes_per_week",
            s.episodes_per_week,
            0.0,
            None,
            "the number of cramps a week, 0 or more",
        )?;
        range(
            "symptoms.worst_pain",
            s.worst_pain,
            0.0,
            Some(10.0),
            "a pain score from 0 (none) to 10 (worst)",
        )?;
        range(
            "symptoms.stretching_weeks_tried",
            s.stretching_weeks_tried,
            0.0,
            None,
            "the weeks of nightly stretching tried, 0 or more",
        )?;
        if let Some(loc) = &s.location {
            if loc.is_empty() {
                return Err(err(
                    "symptoms.location",
                    "must not be an empty list; name at least one of calf, foot, thigh, hamstring, hand, arm, abdomen, other, or leave it out",
                ));
            }
            for (i, l) in loc.iter().enumerate() {
                if loc[..i].contains(l) {
                    return Err(err(
                        "symptoms.location",
                        format!("{:?} is listed twice; list each place once", l.as_str()),
                    ));
                }
            }
        }
        let e = &self.exam;
        range("exam.abi", e.abi, 0.0, Some(3.0), "the ankle-brachial index, 0–3")?;
        range(
            "exam.qtc_ms",
            e.qtc_ms,
            QTC_MS_BOUNDS.0,
            Some(QTC_MS_BOUNDS.1),
            "the corrected QT interval in ms, 300–700",
        )?;
        range(
            "exam.heart_rate",
            e.heart_rate,
            20.0,
            Some(250.0),
            "beats per minute, 20–250",
        )?;
        // Field paths are formatted only for the error that is returned.
        for (list, key) in [(&self.medications, "medications"), (&self.considering, "considering")] {
            for (i, d) in list.iter().enumerate() {
                non_empty(&d.name, || format!("{key}[{i}].name"))?;
                non_empty(&d.atc, || format!("{key}[{i}].atc"))?;
                non_empty(&d.rxnorm, || format!("{key}[{i}].rxnorm"))?;
                if d.name.is_none() && d.atc.is_none() && d.rxnorm.is_none() {
                    return Err(err(
                        format!("{key}[{i}]"),
                        "has neither name nor code; give at least one of name, atc, rxnorm",
                    ));
                }
            }
        }
        for (i, c) in self.conditions.iter().enumerate() {
            non_empty(&c.name, || format!("conditions[{i}].name"))?;
            non_empty(&c.icd10, || format!("conditions[{i}].icd10"))?;
            non_empty(&c.snomed, || format!("conditions[{i}].snomed"))?;
            if c.name.is_none() && c.icd10.is_none() && c.snomed.is_none() {
                return Err(err(
                    format!("conditions[{i}]"),
                    "has neither name nor code; give at least one of name, icd10, snomed",
                ));
            }
        }
        for (i, l) in self.labs.iter().enumerate() {
            non_empty(&l.loinc, || format!("labs[{i}].loinc"))?;
            non_empty(&l.name, || format!("labs[{i}].name"))?;
            if l.loinc.is_none() && l.name.is_none() {
                return Err(err(
                    format!("labs[{i}]"),
                    "has neither loinc nor name; give at least one",
                ));
            }
            if l.value.is_none() {
                return Err(err(
                    format!("labs[{i}].value"),
                    "is required: send the result as a number",
                ));
            }
            if let Some(d) = &l.date
                && !is_iso_date(d)
            {
                return Err(err(
                    format!("labs[{i}].date"),
                    format!(
                        "{d:?} is not an ISO 8601 date; send YYYY-MM-DD or a date-time such as 2026-03-01T08:30:00Z"
                    ),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_symptom_flag_is_a_field_of_the_case() {
        for flag in SYMPTOM_FLAGS {
            let json = format!("{{\"{flag}\": true}}");
            assert!(toml::from_str::<Symptoms>(&format!("{flag} = true")).is_ok(), "{json}");
        }
    }

    #[test]
    fn an_age_of_300_is_rejected_with_the_allowed_range() {
        let mut case = Case::default();
        case.patient.age = Some(300.0);
        let e = case.validate().unwrap_err();
        assert_eq!(e.field, "patient.age");
        assert!(e.problem.contains("300 is outside 0–130"), "{}", e.problem);
    }

    #[test]
    fn a_medication_with_neither_name_nor_code_is_rejected() {
        let case = Case {
            medications: vec![DrugInput::default()],
            ..Case::default()
        };
        assert_eq!(case.validate().unwrap_err().field, "medications[0]");
    }

    #[test]
    fn a_lab_without_a_value_is_rejected() {
        let case = Case {
            labs: vec![LabInput {
                name: Some("ferritin".into()),
                ..LabInput::default()
            }],
            ..Case::default()
        };
        assert_eq!(case.validate().unwrap_err().field, "labs[0].value");
    }

    #[test]
    fn dates_must_be_iso_8601() {
        assert!(is_iso_date("2026-03-01"));
        assert!(is_iso_date("2026-03-01T08:30:00Z"));
        assert!(!is_iso_date("01/03/2026"));
        assert!(!is_iso_date("2026-13-01"));
    }
}

/// The bounds of a corrected QT the case accepts, in ms (`exam.qtc_ms`; a QTc sent as a lab too).
pub const QTC_MS_BOUNDS: (f64, f64) = (300.0, 700.0);

/// The oldest age a case may give (`patient.age`, years).
pub const AGE_MAX: f64 = 130.0;

/// The kind of answer a case field takes, for forms and Questionnaires built from the case itself.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldKind {
    Boolean,
    /// A number in `[min, max]` (no upper bound when `max` is `None`).
    Decimal {
        min: f64,
        max: Option<f64>,
    },
    /// One of the codes.
    Choice(&'static [&'static str]),
    /// Any of the codes (a list field).
    Choices(&'static [&'static str]),
}

/// Every answerable field of the case's `patient`, `symptoms` and `exam` sections (SPEC §3), by
/// path, in form order (the four differentiating questions first). Lists of drugs, conditions and
/// labs are not form questions: they come from the record.
pub fn form_fields() -> Vec<(String, FieldKind)> {
    use FieldKind::*;
    let out = vec![
        ("symptoms.feels_like", Choice(FeelsLike::CODES)),
        ("symptoms.worse_in_evening", Boolean),
        ("symptoms.relieved_by", Choice(RelievedBy::CODES)),
        ("symptoms.returns_at_rest", Boolean),
        (
            "patient.age",
            Decimal {
                min: 0.0,
                max: Some(AGE_MAX),
            },
        ),
        ("patient.sex", Choice(Sex::CODES)),
        ("patient.pregnant", Boolean),
        (
            "patient.gestational_weeks",
            Decimal {
                min: 0.0,
                max: Some(45.0),
            },
        ),
        ("patient.smoker", Boolean),
        ("patient.poor_balance_or_falls", Boolean),
        ("patient.fluid_restricted", Boolean),
        ("symptoms.episodes_per_week", Decimal { min: 0.0, max: None }),
        (
            "symptoms.worst_pain",
            Decimal {
                min: 0.0,
                max: Some(10.0),
            },
        ),
        ("symptoms.stretching_weeks_tried", Decimal { min: 0.0, max: None }),
        ("symptoms.when", Choice(When::CODES)),
        ("symptoms.location", Choices(Location::CODES)),
        ("symptoms.side", Choice(Side::CODES)),
        ("symptoms.calf_swelling", Choice(CalfSwelling::CODES)),
    ];
    let mut out: Vec<(String, FieldKind)> = out.into_iter().map(|(p, k)| (p.to_string(), k)).collect();
    out.extend(SYMPTOM_FLAGS.iter().map(|f| (format!("symptoms.{f}"), Boolean)));
    out.extend(
        [
            (
                "exam.abi",
                Decimal {
                    min: 0.0,
                    max: Some(3.0),
                },
            ),
            ("exam.pedal_pulses", Choice(Pulses::CODES)),
            ("exam.reflexes", Choice(Reflexes::CODES)),
            ("exam.fasciculations", Boolean),
            ("exam.sensory_loss", Boolean),
            ("exam.objective_weakness", Boolean),
            (
                "exam.qtc_ms",
                Decimal {
                    min: QTC_MS_BOUNDS.0,
                    max: Some(QTC_MS_BOUNDS.1),
                },
            ),
            (
                "exam.heart_rate",
                Decimal {
                    min: 20.0,
                    max: Some(250.0),
                },
            ),
        ]
        .map(|(p, k)| (p.to_string(), k)),
    );
    out
}
