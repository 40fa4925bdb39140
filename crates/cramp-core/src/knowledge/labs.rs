//! Laboratory analytes (EVIDENCE.md c.3, c.3a, c.4): codes, names, units, ranges and the triggers
//! that call for each test.

use super::LoadError;
use super::conditions::GateId;
use rustc_hash::FxHashMap as HashMap;
use serde::Deserialize;

macro_rules! closed_ids {
    ($(#[$meta:meta])* $ty:ident { $($name:ident = $id:literal,)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $ty { $($name,)* }
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$name,)*];
            pub fn as_str(self) -> &'static str { match self { $($ty::$name => $id,)* } }
            pub fn parse(s: &str) -> Option<$ty> { match s { $($id => Some($ty::$name),)* _ => None } }
        }
    };
}

closed_ids!(
    /// The analytes that rules read.
    AnalyteId {
        Potassium = "potassium", Sodium = "sodium", Magnesium = "magnesium", Calcium = "calcium",
        Creatinine = "creatinine", Egfr = "egfr", Tsh = "tsh", Hba1c = "hba1c", Glucose = "glucose", Ck = "ck",
        B12 = "b12", Ferritin = "ferritin", Tsat = "tsat", Iron = "iron", Platelets = "platelets",
        Albumin = "albumin", LithiumLevel = "lithium_level",
    }
);

closed_ids!(
    /// What in the history calls for a test (EVIDENCE.md c.4 "When"); the engine decides each.
    TriggerId {
        Diuretic = "diuretic", Cirrhosis = "cirrhosis", Ckd = "ckd", Dialysis = "dialysis", Laba = "laba",
        Refractory = "refractory", Ppi = "ppi", Teriparatide = "teriparatide", Lithium = "lithium", Nsaid = "nsaid",
        BeforeBaclofen = "before_baclofen", Neuropathy = "neuropathy", Diabetes = "diabetes", Statin = "statin",
        Weakness = "weakness", Fasciculations = "fasciculations", Rls = "rls", Plmd = "plmd", Metformin = "metformin",
        Quinine = "quinine", Bruising = "bruising", CkdMagnesium = "ckd_magnesium",
        RenalCheckFirst = "renal_check_first", ThyroidTreatment = "thyroid_treatment",
        ActiveVitaminD = "active_vitamin_d",
    }
);

/// A trigger of a test: a decision of the engine (`TriggerId`), or a condition gate named by its id
/// (`conditions.toml`), met when the case has that condition. The reason shown is the wording
/// reason of the same name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Rule(TriggerId),
    Gate(GateId),
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Rule(t) => t.as_str(),
            Trigger::Gate(g) => g.as_str(),
        }
    }

    /// An engine trigger's id first, else a gate's.
    pub fn parse(s: &str) -> Option<Trigger> {
        TriggerId::parse(s)
            .map(Trigger::Rule)
            .or_else(|| GateId::ALL.iter().find(|g| g.as_str() == s).map(|g| Trigger::Gate(*g)))
    }
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Range {
    pub low: Option<f64>,
    pub high: Option<f64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitConversion {
    pub factor: f64,
    #[serde(default)]
    pub offset: f64,
    #[serde(default)]
    pub property: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoincCode {
    pub code: String,
    pub property: String,
    pub mark: crate::vocab::Mark,
    #[serde(default)]
    pub fasting: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnalyte {
    id: String,
    display: String,
    names: Vec<String>,
    loinc: Vec<LoincCode>,
    canonical_unit: String,
    units: HashMap<String, UnitConversion>,
    #[serde(default)]
    range: Option<Range>,
    #[serde(default)]
    range_female: Option<Range>,
    #[serde(default)]
    range_male: Option<Range>,
    #[serde(default)]
    range_fasting: Option<Range>,
    #[serde(default)]
    critical: Range,
    entry: String,
    #[serde(default)]
    test: Option<String>,
    when: Vec<String>,
    #[serde(default)]
    monitor_when: Vec<String>,
    #[serde(default)]
    not_when: Vec<String>,
    #[serde(default)]
    electrolyte: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLabs {
    /// Words that make a result named so something other than the serum or plasma analyte.
    not_serum: Vec<String>,
    /// Words that say a calcium result is already adjusted for albumin.
    already_adjusted: Vec<String>,
    /// Words that say a result was taken fasting ("fasting glucose", "FBG").
    #[serde(default)]
    fasting_words: Vec<String>,
    /// Names that do not match when a number follows them ("CA 125").
    not_before_number: Vec<String>,
    qtc_as_lab: QtcAsLab,
    /// Words of unit spellings rewritten before the aliases are read ("litre" as "l").
    unit_words: HashMap<String, String>,
    unit_aliases: HashMap<String, String>,
    unit_property: HashMap<String, String>,
    analyte: Vec<RawAnalyte>,
}

/// The names and units of an ECG's corrected QT sent among the labs (read as `exam.qtc_ms`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct QtcAsLab {
    names: Vec<String>,
    #[serde(default)]
    loinc: Vec<String>,
    units: Vec<String>,
    prefetch_key: Option<String>,
    display: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Analyte {
    pub id: AnalyteId,
    pub key: String,
    pub display: String,
    /// Lower-case names, longest first.
    pub names: Vec<String>,
    pub loinc: Vec<LoincCode>,
    pub canonical_unit: String,
    pub units: HashMap<String, UnitConversion>,
    pub range: Option<Range>,
    pub range_female: Option<Range>,
    pub range_male: Option<Range>,
    pub range_fasting: Option<Range>,
    pub critical: Range,
    pub entry: String,
    /// Analytes that share a test (creatinine and eGFR are one "renal function" test).
    pub test: String,
    pub when: Vec<Trigger>,
    pub monitor_when: Vec<Trigger>,
    /// What makes the test pointless however it was called for (renal function on dialysis).
    pub not_when: Vec<Trigger>,
    pub electrolyte: bool,
}

#[derive(Debug, Clone)]
pub struct LabTable {
    pub analytes: Vec<Analyte>,
    /// Canonical spellings as written ("mmol/L"): most results arrive so and skip normalising.
    exact_units: HashMap<String, String>,
    /// `unit_words`, normalised, longest first.
    unit_words: Vec<(String, String)>,
    unit_aliases: HashMap<String, String>,
    unit_property: HashMap<String, String>,
    by_loinc: HashMap<String, usize>,
    /// (name, analyte) longest first.
    by_name: Vec<(String, usize)>,
    /// Lower-case words (as whole words) that make a named result not the serum or plasma analyte.
    not_serum: Vec<String>,
    /// Lower-case words (as whole words) that say a calcium result is already albumin-adjusted.
    already_adjusted: Vec<String>,
    /// Lower-case words (as whole words) that say a result was taken fasting.
    fasting_words: Vec<String>,
    /// Lower-case analyte names that do not match when a number follows them.
    not_before_number: Vec<String>,
    /// Lower-case names (as whole words) and units of a QTc sent as a lab result.
    qtc_names: Vec<String>,
    qtc_loinc: Vec<String>,
    qtc_units: Vec<String>,
    /// The prefetch key and the display of the QTc (`qtc_as_lab.prefetch_key`, `display`).
    qtc_prefetch: Option<(String, String)>,
    /// The analytes of each test (`Analyte::test`), tests in order of their first analyte: one lab
    /// order covers a test (e.g. creatinine and eGFR), worked out once rather than per case.
    pub tests: Vec<Vec<usize>>,
}

/// Unit spelling as compared (EVIDENCE.md c.3): trimmed, no spaces, lower case, µ/μ as "u",
/// "×" as "x", superscript digits as "^" and digits, "*" as "^".
pub fn normalise_unit(unit: &str) -> String {
    let mut out = String::with_capacity(unit.len() + 2);
    let mut in_superscript = false;
    for c in unit.trim().chars() {
        let sup = match c {
            '⁰' => Some('0'),
            '¹' => Some('1'),
            '²' => Some('2'),
            '³' => Some('3'),
            '⁴' => Some('4'),
            '⁵' => Some('5'),
            '⁶' => Some('6'),
            '⁷' => Some('7'),
            '⁸' => Some('8'),
            '⁹' => Some('9'),
            _ => None,
        };
        if let Some(d) = sup {
            if !in_superscript {
                out.push('^');
            }
            out.push(d);
            in_superscript = true;
            continue;
        }
        in_superscript = false;
        match c {
            c if c.is_whitespace() => {}
            'µ' | 'μ' => out.push('u'),
            '×' => out.push('x'),
            '*' => out.push('^'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

impl LabTable {
    pub(super) fn load(raw: RawLabs) -> Result<LabTable, LoadError> {
        let unit_aliases: HashMap<String, String> = raw
            .unit_aliases
            .iter()
            .map(|(k, v)| (normalise_unit(k), v.clone()))
            .collect();
        let mut analytes = Vec::new();
        let mut by_loinc = HashMap::default();
        let mut by_name = Vec::new();
        for a in raw.analyte {
            let id = AnalyteId::parse(&a.id)
                .ok_or_else(|| LoadError::Invalid(format!("labs.toml: unknown analyte {}", a.id)))?;
            let parse_triggers = |list: &[String]| -> Result<Vec<Trigger>, LoadError> {
                list.iter()
                    .map(|t| {
                        Trigger::parse(t)
                            .ok_or_else(|| LoadError::Invalid(format!("labs.toml: {}: unknown trigger {t}", a.id)))
                    })
                    .collect()
            };
            for l in &a.loinc {
                if !is_loinc(&l.code) {
                    return Err(LoadError::Invalid(format!(
                        "labs.toml: {}: malformed LOINC {:?}",
                        a.id, l.code
                    )));
                }
                if by_loinc.insert(l.code.clone(), analytes.len()).is_some() {
                    return Err(LoadError::Invalid(format!("labs.toml: LOINC {} listed twice", l.code)));
                }
            }
            for unit in a.units.keys().chain(std::iter::once(&a.canonical_unit)) {
                if !raw.unit_property.contains_key(unit) {
                    return Err(LoadError::Invalid(format!(
                        "labs.toml: {}: unit {unit} has no unit_property",
                        a.id
                    )));
                }
            }
            for n in &a.names {
                by_name.push((n.to_lowercase(), analytes.len()));
            }
            analytes.push(Analyte {
                id,
                key: a.id.clone(),
                display: a.display,
                names: a.names.iter().map(|n| n.to_lowercase()).collect(),
                loinc: a.loinc,
                canonical_unit: a.canonical_unit,
                units: a.units,
                range: a.range,
                range_female: a.range_female,
                range_male: a.range_male,
                range_fasting: a.range_fasting,
                critical: a.critical,
                entry: a.entry,
                test: a.test.unwrap_or_else(|| a.id.clone()),
                when: parse_triggers(&a.when)?,
                monitor_when: parse_triggers(&a.monitor_when)?,
                not_when: parse_triggers(&a.not_when)?,
                electrolyte: a.electrolyte,
            });
        }
        for id in AnalyteId::ALL {
            if !analytes.iter().any(|a| a.id == *id) {
                return Err(LoadError::Invalid(format!(
                    "labs.toml: analyte {} is missing",
                    id.as_str()
                )));
            }
        }
        by_name.sort_by_key(|n| std::cmp::Reverse(n.0.len()));
        let exact_units = unit_aliases.values().map(|c: &String| (c.clone(), c.clone())).collect();
        let mut tests: Vec<Vec<usize>> = Vec::new();
        for (i, a) in analytes.iter().enumerate() {
            match tests.iter_mut().find(|t| analytes[t[0]].test == a.test) {
                Some(t) => t.push(i),
                None => tests.push(vec![i]),
            }
        }
        let mut unit_words: Vec<(String, String)> = raw
            .unit_words
            .iter()
            .map(|(k, v)| (normalise_unit(k), normalise_unit(v)))
            .collect();
        unit_words.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        Ok(LabTable {
            analytes,
            exact_units,
            unit_words,
            unit_aliases,
            unit_property: raw.unit_property,
            by_loinc,
            by_name,
            not_serum: raw.not_serum.iter().map(|w| w.to_lowercase()).collect(),
            already_adjusted: raw.already_adjusted.iter().map(|w| w.to_lowercase()).collect(),
            fasting_words: raw.fasting_words.iter().map(|w| w.to_lowercase()).collect(),
            not_before_number: raw.not_before_number.iter().map(|w| w.to_lowercase()).collect(),
            qtc_names: raw.qtc_as_lab.names.iter().map(|w| w.to_lowercase()).collect(),
            qtc_loinc: raw.qtc_as_lab.loinc.clone(),
            qtc_prefetch: raw.qtc_as_lab.prefetch_key.clone().zip(raw.qtc_as_lab.display.clone()),
            qtc_units: raw.qtc_as_lab.units.iter().map(|u| normalise_unit(u)).collect(),
            tests,
        })
    }

    pub fn analyte(&self, id: AnalyteId) -> &Analyte {
        self.analytes
            .iter()
            .find(|a| a.id == id)
            .expect("every analyte is checked at load")
    }

    pub fn by_loinc(&self, code: &str) -> Option<usize> {
        self.by_loinc.get(code.trim()).copied()
    }

    /// An analyte by a name as sent: a known name occurring as whole words, unless a word of
    /// `not_serum` says the result is of something else (urine, ionised calcium, ascitic fluid).
    pub fn by_name(&self, name: &str) -> Option<usize> {
        let lower = name.to_lowercase();
        if self.not_serum.iter().any(|w| has_word(&lower, w)) {
            return None;
        }
        self.by_lower_name(&lower)
    }

    /// `by_name` for a name the caller has already found free of `not_serum` words.
    pub fn by_serum_name(&self, name: &str) -> Option<usize> {
        self.by_lower_name(&name.to_lowercase())
    }

    fn by_lower_name(&self, lower: &str) -> Option<usize> {
        self.by_name
            .iter()
            .find(|(n, _)| has_word(lower, n) && !(self.not_before_number.contains(n) && numbered(lower, n)))
            .map(|(_, idx)| *idx)
    }

    /// Whether a result's name says it is already adjusted (or corrected) for albumin (c.3).
    pub fn named_adjusted(&self, name: &str) -> bool {
        names_any(&self.already_adjusted, name)
    }

    /// Whether a result's name says it was taken fasting (`fasting_words`).
    pub fn named_fasting(&self, name: &str) -> bool {
        names_any(&self.fasting_words, name)
    }

    /// Whether a result's name says it is an ECG's corrected QT (`qtc_as_lab`), not an analyte.
    pub fn names_qtc(&self, name: &str) -> bool {
        names_any(&self.qtc_names, name)
    }

    /// Whether a LOINC code is an ECG's corrected QT (`qtc_as_lab.loinc`), read whatever the name.
    pub fn qtc_loinc(&self, code: &str) -> bool {
        self.qtc_loinc.iter().any(|c| c == code)
    }

    /// The LOINC codes of an ECG's corrected QT (`qtc_as_lab.loinc`).
    pub fn qtc_loincs(&self) -> &[String] {
        &self.qtc_loinc
    }

    /// The CDS Hooks prefetch key of the QTc and how a missing one is named, if it has one.
    pub fn qtc_prefetch(&self) -> Option<(&str, &str)> {
        self.qtc_prefetch.as_ref().map(|(k, d)| (k.as_str(), d.as_str()))
    }

    /// Whether a unit is one a QTc sent as a lab result may carry (milliseconds).
    pub fn qtc_unit(&self, unit: &str) -> bool {
        self.qtc_units.contains(&normalise_unit(unit))
    }

    /// The `not_serum` word a result's name carries, if any.
    pub fn not_serum_word(&self, name: &str) -> Option<&str> {
        let lower = name.to_lowercase();
        self.not_serum.iter().find(|w| has_word(&lower, w)).map(String::as_str)
    }

    /// The canonical (UCUM) spelling of a unit as sent, if it is one the knowledge base accepts.
    pub fn canonical_unit(&self, unit: &str) -> Option<&str> {
        if let Some(c) = self.canonical_unit_as_spelled(unit) {
            return Some(c);
        }
        let normal = normalise_unit(unit);
        // Spelled out or in other words ("mmol/litre", "micromol/L", "mL/min per 1.73 m2"): each
        // `unit_words` word, longest first, rewritten once, then the aliases read again.
        let mut rewritten = normal.trim_end_matches('.').to_string();
        for (word, with) in &self.unit_words {
            if rewritten.contains(word.as_str()) {
                rewritten = rewritten.replace(word.as_str(), with);
            }
        }
        self.unit_aliases.get(&rewritten).map(String::as_str)
    }

    /// The canonical unit of a spelling the alias table lists (c.3's, after `normalise_unit`),
    /// without reading words of a unit spelled out ("mmol/litre").
    pub fn canonical_unit_as_spelled(&self, unit: &str) -> Option<&str> {
        if let Some(c) = self.exact_units.get(unit) {
            return Some(c);
        }
        self.unit_aliases.get(&normalise_unit(unit)).map(String::as_str)
    }

    /// What a canonical unit measures (`moles`, `mass`, …).
    pub fn unit_property(&self, canonical: &str) -> Option<&str> {
        self.unit_property.get(canonical).map(String::as_str)
    }
}

/// Whether every whole-word occurrence of a name is followed by a number, as in the tumour markers
/// "CA 125" and "CA 19-9": not the calcium that "Ca" names alone (`not_before_number`).
fn numbered(lower: &str, word: &str) -> bool {
    let mut any = false;
    for end in whole_words(lower, word) {
        any = true;
        if !lower[end..]
            .trim_start_matches([' ', '-'])
            .starts_with(|c: char| c.is_ascii_digit())
        {
            return false;
        }
    }
    any
}

/// `word` occurs in `lower` as whole words (not inside a longer word).
/// Whether `name` contains one of the lower-case `words` as a whole word (case ignored).
fn names_any(words: &[String], name: &str) -> bool {
    let lower = name.to_lowercase();
    words.iter().any(|w| has_word(&lower, w))
}

pub(crate) fn has_word(lower: &str, word: &str) -> bool {
    whole_words(lower, word).next().is_some()
}

/// Where each whole-word occurrence of `word` in `lower` ends.
fn whole_words<'a>(lower: &'a str, word: &'a str) -> impl Iterator<Item = usize> + 'a {
    let (h, n) = (lower.as_bytes(), word.as_bytes());
    // Names are short: finding the first byte and comparing the rest is much cheaper than setting
    // up `str::find`'s two-way searcher for each of the table's names (as in `conditions.rs`).
    n.first()
        .into_iter()
        .flat_map(move |&first| memchr::memchr_iter(first, h))
        .filter(move |&start| h[start..].starts_with(n))
        .filter_map(move |start| {
            // `word` is whole UTF-8, so a match starts and ends on character boundaries.
            let end = start + n.len();
            let before_ok = lower[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after_ok = lower[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            (before_ok && after_ok).then_some(end)
        })
}

/// LOINC syntax: 1-7 digits, a hyphen, one check digit.
/// The LOINC code in a `loinc` field: the first word (split at spaces and `: ; , ( ) |`) that is
/// one, so a label ("LOINC: 2823-3") or a name after it is passed over.
pub fn loinc_in(sent: &str) -> Option<super::CodeRead<'_>> {
    let trimmed = sent.trim();
    if is_loinc(trimmed) {
        return Some(super::CodeRead {
            code: trimmed.into(),
            as_sent: trimmed,
            decorated: false,
        });
    }
    trimmed
        .split(|c: char| c.is_whitespace() || ":;,()|".contains(c))
        .find(|w| is_loinc(w))
        .map(|w| super::CodeRead {
            code: w.into(),
            as_sent: w,
            decorated: w.len() != trimmed.len(),
        })
}

pub fn is_loinc(code: &str) -> bool {
    let Some((num, check)) = code.split_once('-') else {
        return false;
    };
    !num.is_empty()
        && num.len() <= 7
        && num.bytes().all(|b| b.is_ascii_digit())
        && check.len() == 1
        && check.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn micro_signs_superscripts_and_spaces_normalise_to_one_spelling() {
        assert_eq!(normalise_unit("µmol/L"), "umol/l");
        assert_eq!(normalise_unit("μmol/L"), "umol/l");
        assert_eq!(normalise_unit("×10⁹/L"), "x10^9/l");
        assert_eq!(normalise_unit("10*9/L"), "10^9/l");
        assert_eq!(normalise_unit("mL/min/1.73 m²"), "ml/min/1.73m^2");
    }

    #[test]
    fn a_loinc_code_has_digits_a_hyphen_and_a_check_digit() {
        assert!(is_loinc("2823-3"));
        assert!(is_loinc("98979-8"));
        assert!(!is_loinc("2823"));
        assert!(!is_loinc("abc-1"));
    }

    /// The first implementation, with `str::find`: the reference the byte scan is tested against.
    fn has_word_by_find(lower: &str, word: &str) -> bool {
        let mut from = 0;
        while let Some(pos) = lower[from..].find(word) {
            let start = from + pos;
            let end = start + word.len();
            let before_ok = lower[..start].chars().next_back().is_none_or(|c| !c.is_alphanumeric());
            let after_ok = lower[end..].chars().next().is_none_or(|c| !c.is_alphanumeric());
            if before_ok && after_ok {
                return true;
            }
            from = start + lower[start..].chars().next().map_or(1, char::len_utf8);
        }
        false
    }

    proptest::proptest! {
        #[test]
        fn the_byte_scan_finds_whole_words_as_str_find_does(
            hay in "[ a-cµü+2-]{0,12}", word in "[a-cµü+2]{1,3}"
        ) {
            proptest::prop_assert_eq!(has_word(&hay, &word), has_word_by_find(&hay, &word));
        }
    }

    #[test]
    fn whole_words_only_and_ca_before_a_number_is_not_calcium() {
        assert!(has_word("serum k", "k"));
        assert!(has_word("k+", "k"));
        assert!(!has_word("ck", "k"));
        assert!(has_word("vitamin b12 (µg)", "b12"));
        assert!(numbered("ca 125", "ca") && numbered("ca-19-9", "ca"));
        assert!(!numbered("ca", "ca") && !numbered("ca (serum)", "ca"));
    }
}
