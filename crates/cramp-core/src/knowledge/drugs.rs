//! The drug table: recognition by ATC, RxNorm or name, and the groups that rules act on.

use super::LoadError;
use crate::vocab::Tier;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupRole {
    /// c.6: may induce cramps.
    Cause,
    /// c.6b: may worsen RLS or PLMS.
    Rls,
    /// c.6b: quinine already taken (safety review).
    Safety,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrugGroup {
    pub id: String,
    pub display: String,
    pub role: GroupRole,
    pub tier: Tier,
    pub atc: Vec<String>,
    #[serde(default)]
    pub atc_exclude: Vec<String>,
    pub entry: String,
}

impl DrugGroup {
    /// The length of the longest prefix of this group that `code` starts with, if any.
    fn matches(&self, code: &str) -> Option<usize> {
        if self.atc_exclude.iter().any(|x| code.starts_with(x.as_str())) {
            return None;
        }
        self.atc
            .iter()
            .filter(|p| code.starts_with(p.as_str()))
            .map(|p| p.len())
            .max()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDrug {
    id: String,
    display: String,
    #[serde(default)]
    atc: Option<String>,
    #[serde(default)]
    atc_mark: Option<crate::vocab::Mark>,
    #[serde(default)]
    class_atc: Option<String>,
    #[serde(default)]
    atc_former: Vec<String>,
    #[serde(default)]
    rxnorm: Option<String>,
    #[serde(default)]
    rxnorm_mark: Option<crate::vocab::Mark>,
    #[serde(default)]
    group: Option<String>,
    names: Vec<String>,
    /// `U` when a name or brand is not spelled out in EVIDENCE.md (general knowledge to confirm).
    #[serde(default)]
    names_mark: Option<crate::vocab::Mark>,
    #[serde(default)]
    brands: Vec<String>,
    #[serde(default)]
    oral_atc: Option<String>,
    #[serde(default)]
    oral_brands: Vec<String>,
    #[serde(default)]
    not_a_cause: bool,
    #[serde(default)]
    named_by_member: bool,
    /// The drug this one is when its name says it is given by vein (`parenteral_form_words`).
    #[serde(default)]
    parenteral: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDrugs {
    strip_words: Vec<String>,
    salt_drugs: Vec<String>,
    /// Salt words kept beside a salt drug when nothing else remains ("magnesium oxide" is not
    /// "magnesium citrate").
    #[serde(default)]
    salt_anions: Vec<String>,
    /// Chemical symbols read as their salt drug when a salt form follows ("Mg oxide", "K citrate").
    #[serde(default)]
    salt_symbols: HashMap<String, String>,
    /// Words in a medication's name that say it is no longer taken ("stopped", "discontinued").
    #[serde(default)]
    stopped_words: Vec<String>,
    /// Whole names that say no medicine is taken ("none", "nil").
    #[serde(default)]
    none_names: Vec<String>,
    /// Words in a medication's name that say it is taken by mouth ("tablets", "syrup"), and words
    /// that say it is inhaled ("inhaler", "nebules"): a drug with an `oral_atc` is coded by the
    /// form its name gives.
    #[serde(default)]
    oral_form_words: Vec<String>,
    #[serde(default)]
    inhaled_form_words: Vec<String>,
    /// Words in a medication's name that say it is given by vein ("IV", "infusion"): a drug with a
    /// `parenteral` drug is that drug when its name says one.
    #[serde(default)]
    parenteral_form_words: Vec<String>,
    atc_sets: HashMap<String, AtcSet>,
    beers_avoid_group: Vec<BeersGroup>,
    group: Vec<DrugGroup>,
    drug: Vec<RawDrug>,
}

/// A named list of ATC prefixes a rule acts on (with exclusions and drugs known only by name).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtcSet {
    pub include: Vec<String>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub drugs: Vec<String>,
}

impl AtcSet {
    pub fn contains_code(&self, code: &str) -> bool {
        self.include.iter().any(|p| code.starts_with(p.as_str()))
            && !self.exclude.iter().any(|p| code.starts_with(p.as_str()))
    }
}

/// A drug name's significant tokens and the drugs it names (several for a brand of a combination
/// product listed under each ingredient).
type NamePattern = (Vec<String>, Vec<usize>);

/// A group of skeletal muscle relaxants avoided as one item at 65 or over (the Beers list).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BeersGroup {
    pub atc: String,
    pub display: String,
    /// The group named in the patient voice (no code).
    pub display_patient: String,
}

macro_rules! sets {
    ($($name:ident = $id:literal,)*) => {
        /// The ATC sets rules use; each must be defined in drugs.toml.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum SetId { $($name,)* }
        impl SetId {
            pub const ALL: &'static [SetId] = &[$(SetId::$name,)*];
            pub fn as_str(self) -> &'static str { match self { $(SetId::$name => $id,)* } }
        }
    };
}

sets! {
    Quinine = "quinine", Diuretics = "diuretics", PotassiumSparing = "potassium_sparing",
    Dihydropyridines = "dihydropyridines", Diltiazem = "diltiazem", CalciumChannelBlockers = "calcium_channel_blockers",
    Statins = "statins", Lithium = "lithium", Nsaids = "nsaids", Laba = "laba", Teriparatide = "teriparatide",
    Metformin = "metformin", Ppi = "ppi", Baclofen = "baclofen", MagnesiumSupplements = "magnesium_supplements",
    PotassiumSupplements = "potassium_supplements", CalciumSupplements = "calcium_supplements",
    Alpha2Delta = "alpha2delta", Iron = "iron", OralIron = "oral_iron", QtProlonging = "qt_prolonging", MuscleRelaxants = "muscle_relaxants",
    Sedatives = "sedatives", LowersMagnesium = "lowers_magnesium", LowersPotassium = "lowers_potassium",
    Oestrogens = "oestrogens", DopamineAgonists = "dopamine_agonists", SorenessAnalgesic = "soreness_analgesic",
    VitaminB = "vitamin_b", Naftidrofuryl = "naftidrofuryl", VitaminE = "vitamin_e",
    LowersSodium = "lowers_sodium", BetaBlockers = "beta_blockers", OtherMuscleRelaxants = "other_muscle_relaxants",
    Cilostazol = "cilostazol", EncephalopathyTreatments = "encephalopathy_treatments",
    ThyroidTreatments = "thyroid_treatments", ActiveVitaminD = "active_vitamin_d",
    DiabetesTreatments = "diabetes_treatments",
}

/// A drug of the table.
#[derive(Debug, Clone)]
pub struct Drug {
    pub id: String,
    pub display: String,
    /// Its own current WHO ATC code, where EVIDENCE.md gives one.
    pub atc: Option<String>,
    pub atc_mark: Option<crate::vocab::Mark>,
    /// The class code to emit when the drug has no code of its own.
    pub class_atc: Option<String>,
    pub atc_former: Vec<String>,
    pub rxnorm: Option<String>,
    pub rxnorm_mark: Option<crate::vocab::Mark>,
    /// An explicit group for a drug recognised by name only.
    pub group: Option<usize>,
    pub names: Vec<String>,
    /// The mark of the names and brands as a whole: `U` when any is not spelled out in EVIDENCE.md.
    pub names_mark: Option<crate::vocab::Mark>,
    pub brands: Vec<String>,
    /// The code of the drug taken by mouth, when it differs from `atc` (salbutamol: R03AC02
    /// inhaled, R03CC02 oral): used when the name says a form taken by mouth and no inhaled
    /// form, or is one of `oral_brands`.
    pub oral_atc: Option<String>,
    pub oral_brands: Vec<String>,
    /// Recognised by name as a member of a class whose cause row names another member (ferric
    /// carboxymaltose under B03AC, whose row is iron sucrose): the class's cause group does not
    /// apply to it.
    pub not_a_cause: bool,
    /// A class entry ("SSRI antidepressant") whose members are named in output by the member name
    /// or brand the patient's list gives ("Sertraline"), not by the class.
    pub named_by_member: bool,
    /// The drug this one is when the name says it is given by vein ("IV iron" is not the oral
    /// iron that "iron" alone names: both are "iron" once dose forms and routes are stripped).
    pub parenteral: Option<usize>,
}

impl Drug {
    /// The code that identifies this drug in output: its own code, else its class.
    pub fn code(&self) -> Option<&str> {
        self.atc.as_deref().or(self.class_atc.as_deref())
    }
}

#[derive(Debug, Clone)]
pub struct DrugTable {
    pub groups: Vec<DrugGroup>,
    pub sets: Vec<AtcSet>,
    pub beers_groups: Vec<BeersGroup>,
    pub drugs: Vec<Drug>,
    strip_words: HashSet<String>,
    salt_drugs: HashSet<String>,
    salt_anions: HashSet<String>,
    salt_symbols: HashMap<String, String>,
    stopped_words: Vec<String>,
    /// `stopped_words` in one automaton, ASCII case ignored: a name is scanned once, not copied.
    stopped: aho_corasick::AhoCorasick,
    pub none_names: Vec<String>,
    oral_form_words: HashSet<String>,
    inhaled_form_words: HashSet<String>,
    parenteral_form_words: HashSet<String>,
    /// Name token sequences indexed by their first word, longest first, each with the drugs it names
    /// (several for a brand of a combination product listed under each ingredient).
    names: HashMap<String, Vec<NamePattern>>,
    /// The keys of `names` by their first character, in `names`' own order: a misspelling keeps
    /// the first letter (`one_edit_apart`), so `by_near_name` compares a word only with these.
    near_keys: HashMap<char, Vec<String>>,
    by_atc: HashMap<String, usize>,
    by_former_atc: HashMap<String, String>,
    by_rxnorm: HashMap<String, usize>,
    /// Per drug, what its own table code (`Drug::code`) and its id place it in, worked out at load:
    /// the rules ask these questions many times per case.
    profiles: Vec<CodeProfile>,
    id_sets: Vec<SetMask>,
    /// Per ATC main group (a code's first letter, A-Z), the sets and groups with a prefix that
    /// starts with it: `code_profile` tests only those (a code of another letter matches none).
    by_letter: Vec<(SetMask, Vec<usize>)>,
}

/// Membership of one ATC code in every set, as one bit per `SetId`.
pub type SetMask = u64;
const _: () = assert!(SetId::ALL.len() <= SetMask::BITS as usize);

/// What an ATC code is in the drug tables: its sets, and the most specific group per role.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeProfile {
    pub sets: SetMask,
    /// Indexed by `GroupRole as usize`.
    pub groups: [Option<usize>; 3],
}

impl CodeProfile {
    pub fn in_set(&self, id: SetId) -> bool {
        self.sets & (1 << id as usize) != 0
    }

    pub fn group(&self, role: GroupRole) -> Option<usize> {
        self.groups[role as usize]
    }
}

/// Splits a free-text medication name into lower-case word tokens, dropping numbers.
pub(crate) fn tokens(text: &str) -> Vec<String> {
    words(text).map(str::to_lowercase).collect()
}

/// The words of a text as `tokens` splits them (hyphens kept inside a word, numbers dropped),
/// borrowed and not lowercased.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-'))
        .map(|t| t.trim_matches('-'))
        .filter(|t| !t.is_empty() && !t.starts_with(|c: char| c.is_ascii_digit()))
}

/// Normalises an ATC code as given: trimmed, upper case, no spaces.
pub fn normalise_atc(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase()
}

/// The first word of a code field after any label words (`labels`, compared in lower case), the
/// field split at spaces and `: ; , ( ) |`.
fn first_after_labels<'a>(trimmed: &'a str, labels: &[&str]) -> Option<&'a str> {
    trimmed
        .split(|c: char| c.is_whitespace() || ":;,()|".contains(c))
        .filter(|w| !w.is_empty())
        .find(|w| !labels.iter().any(|l| w.eq_ignore_ascii_case(l)))
}

/// The ATC code in an `atc` field: the field itself ("C03AA03", "c03 aa03"), or its first word
/// after a label ("ATC: C03AA03") when that word is one ("C03AA03 hydrochlorothiazide").
pub fn atc_in(sent: &str) -> Option<super::CodeRead<'_>> {
    let trimmed = sent.trim();
    let whole = normalise_atc(trimmed);
    if is_atc(&whole) {
        return Some(super::CodeRead {
            code: whole.into(),
            as_sent: trimmed,
            decorated: false,
        });
    }
    let w = first_after_labels(trimmed, &["atc", "who-atc", "code"])?;
    let code = normalise_atc(w);
    is_atc(&code).then_some(super::CodeRead {
        code: code.into(),
        as_sent: w,
        decorated: true,
    })
}

/// The RxNorm RXCUI in an `rxnorm` field: the field itself when it is all digits, or its first
/// word after a label ("RxCUI 5487") when that word is ("5487 (hydrochlorothiazide)"). A number
/// later in the text ("hydrochlorothiazide 25 mg") is not taken for one.
pub fn rxnorm_in(sent: &str) -> Option<super::CodeRead<'_>> {
    let trimmed = sent.trim();
    let digits = |w: &str| (1..=9).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit());
    if digits(trimmed) {
        return Some(super::CodeRead {
            code: trimmed.into(),
            as_sent: trimmed,
            decorated: false,
        });
    }
    let w = first_after_labels(trimmed, &["rxnorm", "rxcui", "rx", "cui", "code"])?;
    digits(w).then(|| super::CodeRead {
        code: w.into(),
        as_sent: w,
        decorated: true,
    })
}

/// ATC syntax: L, LNN, LNNL, LNNLL or LNNLLNN (anatomical group to chemical substance), the first
/// letter one of the fourteen anatomical main groups of the WHO ATC classification (A, B, C, D, G,
/// H, J, L, M, N, P, R, S, V): "X01AA01" has the shape of a code but names no drug.
pub fn is_atc(code: &str) -> bool {
    let b = code.as_bytes();
    if !b.first().is_some_and(|c| b"ABCDGHJLMNPRSV".contains(c)) {
        return false;
    }
    let letter = |i: usize| b.get(i).is_some_and(u8::is_ascii_uppercase);
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    match b.len() {
        1 => letter(0),
        3 => letter(0) && digit(1) && digit(2),
        4 => letter(0) && digit(1) && digit(2) && letter(3),
        5 => letter(0) && digit(1) && digit(2) && letter(3) && letter(4),
        7 => letter(0) && digit(1) && digit(2) && letter(3) && letter(4) && digit(5) && digit(6),
        _ => false,
    }
}

impl DrugTable {
    pub(super) fn load(raw: &RawDrugs) -> Result<DrugTable, LoadError> {
        let strip_words: HashSet<String> = raw.strip_words.iter().map(|w| w.to_lowercase()).collect();
        let salt_drugs: HashSet<String> = raw.salt_drugs.iter().map(|w| w.to_lowercase()).collect();
        let salt_anions: HashSet<String> = raw.salt_anions.iter().map(|w| w.to_lowercase()).collect();
        let groups = raw.group.clone();
        let mut drugs = Vec::new();
        let mut by_atc = HashMap::default();
        let mut by_former_atc = HashMap::default();
        let mut by_rxnorm = HashMap::default();
        let mut seen = HashMap::default();
        for d in &raw.drug {
            let idx = drugs.len();
            if seen.insert(d.id.clone(), idx).is_some() {
                return Err(LoadError::DuplicateId {
                    file: "drugs.toml".into(),
                    id: d.id.clone(),
                });
            }
            for code in d
                .atc
                .iter()
                .chain(d.class_atc.iter())
                .chain(d.atc_former.iter())
                .chain(d.oral_atc.iter())
            {
                if !is_atc(code) {
                    return Err(LoadError::Invalid(format!(
                        "drugs.toml: {}: malformed ATC code {code:?}",
                        d.id
                    )));
                }
            }
            if let Some(code) = &d.atc {
                by_atc.insert(code.clone(), idx);
                for former in &d.atc_former {
                    by_former_atc.insert(former.clone(), code.clone());
                }
            }
            if let Some(rx) = &d.rxnorm {
                if !rx.chars().all(|c| c.is_ascii_digit()) || rx.is_empty() {
                    return Err(LoadError::Invalid(format!(
                        "drugs.toml: {}: malformed RxNorm RXCUI {rx:?}",
                        d.id
                    )));
                }
                by_rxnorm.insert(rx.clone(), idx);
            }
            let group = match &d.group {
                Some(g) => Some(
                    groups
                        .iter()
                        .position(|x| &x.id == g)
                        .ok_or_else(|| LoadError::Invalid(format!("drugs.toml: {}: unknown group {g}", d.id)))?,
                ),
                None => None,
            };
            drugs.push(Drug {
                id: d.id.clone(),
                display: d.display.clone(),
                atc: d.atc.clone(),
                atc_mark: d.atc_mark,
                class_atc: d.class_atc.clone(),
                atc_former: d.atc_former.clone(),
                rxnorm: d.rxnorm.clone(),
                rxnorm_mark: d.rxnorm_mark,
                group,
                names: d.names.clone(),
                names_mark: d.names_mark,
                brands: d.brands.clone(),
                oral_atc: d.oral_atc.clone(),
                oral_brands: d.oral_brands.iter().map(|b| b.to_lowercase()).collect(),
                not_a_cause: d.not_a_cause,
                named_by_member: d.named_by_member,
                parenteral: None,
            });
        }
        // Each `parenteral` drug, by id.
        for (i, d) in raw.drug.iter().enumerate() {
            if let Some(p) = &d.parenteral {
                let at =
                    raw.drug.iter().position(|x| &x.id == p).ok_or_else(|| {
                        LoadError::Invalid(format!("drugs.toml: {}: unknown parenteral drug {p}", d.id))
                    })?;
                drugs[i].parenteral = Some(at);
            }
        }
        for g in &groups {
            for code in g.atc.iter().chain(g.atc_exclude.iter()) {
                if !is_atc(code) {
                    return Err(LoadError::Invalid(format!(
                        "drugs.toml: group {}: malformed ATC code {code:?}",
                        g.id
                    )));
                }
            }
        }
        let mut sets = Vec::with_capacity(SetId::ALL.len());
        for id in SetId::ALL {
            let set = raw
                .atc_sets
                .get(id.as_str())
                .cloned()
                .ok_or_else(|| LoadError::Invalid(format!("drugs.toml: atc_sets.{} is missing", id.as_str())))?;
            for code in set.include.iter().chain(set.exclude.iter()) {
                if !is_atc(code) {
                    return Err(LoadError::Invalid(format!(
                        "drugs.toml: atc_sets.{}: malformed ATC code {code:?}",
                        id.as_str()
                    )));
                }
            }
            for d in &set.drugs {
                if !seen.contains_key(d) {
                    return Err(LoadError::Invalid(format!(
                        "drugs.toml: atc_sets.{}: unknown drug {d}",
                        id.as_str()
                    )));
                }
            }
            sets.push(set);
        }
        // A drug in a group without ATC prefixes is emitted with its own or class code: it must have one.
        for d in &drugs {
            if let Some(g) = d.group
                && groups[g].atc.is_empty()
                && d.code().is_none()
            {
                return Err(LoadError::Invalid(format!(
                    "drugs.toml: {} needs atc or class_atc (group {} has none)",
                    d.id, groups[g].id
                )));
            }
        }
        let beers_groups = raw.beers_avoid_group.clone();
        let mut table = DrugTable {
            groups,
            sets,
            beers_groups,
            drugs,
            strip_words,
            salt_drugs,
            salt_anions,
            salt_symbols: raw
                .salt_symbols
                .iter()
                .map(|(k, v)| (k.to_lowercase(), v.to_lowercase()))
                .collect(),
            stopped: aho_corasick::AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .build(&raw.stopped_words)
                .map_err(|e| LoadError::Invalid(format!("drugs.toml: stopped_words: {e}")))?,
            stopped_words: raw.stopped_words.iter().map(|w| w.to_lowercase()).collect(),
            none_names: raw.none_names.iter().map(|w| w.to_lowercase()).collect(),
            oral_form_words: raw.oral_form_words.iter().map(|w| w.to_lowercase()).collect(),
            inhaled_form_words: raw.inhaled_form_words.iter().map(|w| w.to_lowercase()).collect(),
            parenteral_form_words: raw.parenteral_form_words.iter().map(|w| w.to_lowercase()).collect(),
            names: HashMap::default(),
            near_keys: HashMap::default(),
            by_atc,
            by_former_atc,
            by_rxnorm,
            profiles: Vec::new(),
            id_sets: Vec::new(),
            by_letter: Vec::new(),
        };
        table.by_letter = (b'A'..=b'Z')
            .map(|letter| {
                let starts = |p: &String| p.as_bytes().first() == Some(&letter);
                let sets = table.set_mask(|s| s.include.iter().any(starts));
                let groups = (0..table.groups.len())
                    .filter(|&i| table.groups[i].atc.iter().any(starts))
                    .collect();
                (sets, groups)
            })
            .collect();
        table.profiles = table
            .drugs
            .iter()
            .map(|d| d.code().map(|c| table.code_profile(c)).unwrap_or_default())
            .collect();
        table.id_sets = table
            .drugs
            .iter()
            .map(|d| table.set_mask(|s| s.drugs.contains(&d.id)))
            .collect();
        let mut names: HashMap<String, Vec<NamePattern>> = HashMap::default();
        for (idx, d) in table.drugs.iter().enumerate() {
            for n in d.names.iter().chain(d.brands.iter()) {
                let toks = table.significant_tokens(n);
                let Some(first) = toks.first() else { continue };
                let bucket = names.entry(first.clone()).or_default();
                match bucket.iter_mut().find(|(p, _)| *p == toks) {
                    Some((_, drugs)) if !drugs.contains(&idx) => drugs.push(idx),
                    Some(_) => {}
                    None => bucket.push((toks, vec![idx])),
                }
            }
        }
        for bucket in names.values_mut() {
            bucket.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        }
        for key in names.keys() {
            if let Some(first) = key.chars().next() {
                table.near_keys.entry(first).or_default().push(key.clone());
            }
        }
        table.names = names;
        Ok(table)
    }

    /// The tokens of a name that can identify a drug: dose text, forms and salts removed. A salt
    /// word that is also a drug ("magnesium") is kept when nothing but salt forms remains, with the
    /// salt words beside it ("magnesium oxide", "magnesium bisglycinate").
    fn significant_tokens(&self, name: &str) -> Vec<String> {
        let all = tokens(name);
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        self.significant(&all).into_iter().map(str::to_string).collect()
    }

    /// `significant_tokens` over words already split and lowercased.
    fn significant<'a>(&self, all: &[&'a str]) -> Vec<&'a str> {
        let kept = |t: &&str| !self.strip_words.contains(*t);
        let salt_drug = || all.iter().any(|t| self.salt_drugs.contains(*t));
        // Beside its salt forms only ("magnesium bisglycinate"), a salt drug is the drug itself.
        // (The salt forms are tested first: a drug word fails at its first token.)
        let only_salt_forms = || all.iter().filter(|t| kept(t)).all(|t| self.salt_anions.contains(*t)) && salt_drug();
        if all.iter().any(kept) && !only_salt_forms() {
            return all.iter().copied().filter(kept).collect();
        }
        if !salt_drug() {
            return Vec::new();
        }
        all.iter()
            .copied()
            .filter(|t| self.salt_drugs.contains(*t) || self.salt_anions.contains(*t))
            .collect()
    }

    /// The word of `stopped_words` a medication's name contains ("quinine (stopped 2023)"), if
    /// any: the entry says the medicine is no longer taken.
    pub fn stopped_word(&self, name: &str) -> Option<&str> {
        if !self.stopped.is_match(name) {
            return None;
        }
        let alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
        self.stopped
            .find_overlapping_iter(name)
            .find(|m| !alnum(name[..m.start()].chars().next_back()) && !alnum(name[m.end()..].chars().next()))
            .map(|m| self.stopped_words[m.pattern().as_usize()].as_str())
    }

    /// The drugs a free-text name names: one for a single drug, several for a combination product
    /// (named by its ingredients, or by a brand listed under each of them), none when the knowledge
    /// base does not know it. At each word, the longest known name that starts there wins; each word
    /// is used once.
    pub fn by_name(&self, name: &str) -> Vec<usize> {
        // The words borrowed from one lowercased copy of an ASCII name (the usual case: no
        // allocation per word); other names lowercased word by word, as `tokens` does.
        let (lower, owned);
        let all: Vec<&str> = if name.is_ascii() {
            lower = name.to_ascii_lowercase();
            words(&lower).collect()
        } else {
            owned = tokens(name);
            owned.iter().map(String::as_str).collect()
        };
        let all = self.symbols_read(all);
        let mut toks = self.significant(&all);
        // A hyphenated word that no name starts with is read as its parts ("losartan-HCTZ"); a
        // known one stays whole ("co-amilofruse", "slow-mag").
        if toks.iter().any(|t| t.contains('-') && !self.names.contains_key(*t)) {
            toks = toks
                .into_iter()
                .flat_map(|t| {
                    if t.contains('-') && !self.names.contains_key(t) {
                        t.split('-')
                            .filter(|p| !p.is_empty() && !self.strip_words.contains(*p))
                            .collect()
                    } else {
                        vec![t]
                    }
                })
                .collect();
        }
        let mut found = self.match_tokens(&toks);
        if !found.is_empty() {
            // Given by vein, a drug with a `parenteral` drug is that one.
            if all.iter().any(|w| self.parenteral_form_words.contains(*w)) {
                for d in &mut found {
                    if let Some(p) = self.drugs[*d].parenteral {
                        *d = p;
                    }
                }
                found.dedup();
            }
            return found;
        }
        // A salt drug named with its salt form ("potassium chloride", "calcium carbonate") beside
        // words that name nothing ("ER 20 mEq", "+ vitamin D3") is that supplement. Only so named:
        // "losartan potassium" (a salt of a drug the table does not know) stays unrecognised.
        let named_salt = all
            .windows(2)
            .any(|w| self.salt_drugs.contains(w[0]) && self.salt_anions.contains(w[1]));
        if !named_salt {
            return found;
        }
        let salts: Vec<&str> = all
            .into_iter()
            .filter(|t| self.salt_drugs.contains(*t) || self.salt_anions.contains(*t))
            .collect();
        self.match_tokens(&salts)
    }

    /// The words with a first word of `salt_symbols` that a salt form follows read as its salt
    /// drug ("mg oxide" is "magnesium oxide"). Only the first word: "mg" alone, or after a drug
    /// ("sildenafil 50 mg citrate"), stays milligrams.
    fn symbols_read<'a>(&'a self, mut all: Vec<&'a str>) -> Vec<&'a str> {
        if let [first, second, ..] = all[..]
            && let Some(drug) = self
                .salt_symbols
                .get(first)
                .filter(|_| self.salt_anions.contains(second))
        {
            all[0] = drug.as_str();
        }
        all
    }

    /// How output names drug `idx` given as `label`: its display, or for a class entry named by its
    /// members (`named_by_member`) the member name or brand `label` names, capitalised
    /// ("sertraline 50 mg" is "Sertraline", not "SSRI antidepressant").
    pub fn name_for(&self, idx: usize, label: &str) -> String {
        let d = &self.drugs[idx];
        if d.named_by_member {
            let toks = self.significant_tokens(label);
            let toks: Vec<&str> = toks.iter().map(String::as_str).collect();
            if let Some((pattern, _)) = self.patterns(&toks).find(|(_, drugs)| drugs.contains(&idx)) {
                let name = pattern.join(" ");
                let mut c = name.chars();
                return c
                    .next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default();
            }
        }
        d.display.clone()
    }

    /// At each word, the longest known name that starts there; each word used once.
    fn patterns<'p>(&'p self, toks: &'p [&str]) -> impl Iterator<Item = &'p NamePattern> + 'p {
        let mut i = 0;
        std::iter::from_fn(move || {
            while i < toks.len() {
                let hit = self.names.get(toks[i]).and_then(|bucket| {
                    bucket.iter().find(|(pattern, _)| {
                        toks.len() - i >= pattern.len()
                            && toks[i..i + pattern.len()].iter().zip(pattern).all(|(t, p)| *t == p)
                    })
                });
                match hit {
                    Some(p) => {
                        i += p.0.len();
                        return Some(p);
                    }
                    None => i += 1,
                }
            }
            None
        })
    }

    /// The drugs the names `patterns` finds in `toks` name, each once, in order.
    fn match_tokens(&self, toks: &[&str]) -> Vec<usize> {
        let mut found = Vec::new();
        for (_, drugs) in self.patterns(toks) {
            for idx in drugs {
                if !found.contains(idx) {
                    found.push(*idx);
                }
            }
        }
        found
    }

    /// A drug whose one-word name or brand is one edit (a letter added, dropped, changed or two
    /// swapped) from a word of `name`, for a name `by_name` does not know: "furosimide",
    /// "amlodipin", "quinin" (`one_edit_apart`). Only words of at least `NEAR_MIN_LEN` letters, with the same first
    /// letter, and only when one drug is that near (two drugs one edit away: none). Returns the
    /// drug, the word as sent and the name it was read as.
    pub fn by_near_name(&self, name: &str) -> Option<(usize, String, String)> {
        let mut best: Option<(usize, String, String)> = None;
        for tok in self.significant_tokens(name) {
            if tok.chars().count() < super::NEAR_MIN_LEN
                || !tok.chars().all(char::is_alphabetic)
                || self.names.contains_key(&tok)
            {
                continue;
            }
            let keys = tok.chars().next().and_then(|c| self.near_keys.get(&c));
            for key in keys.into_iter().flatten() {
                if !super::one_edit_apart(&tok, key) {
                    continue;
                }
                for (pattern, drugs) in &self.names[key] {
                    if pattern.len() != 1 || drugs.len() != 1 {
                        continue;
                    }
                    match &best {
                        Some((d, ..)) if *d != drugs[0] => return None,
                        Some(_) => {}
                        None => best = Some((drugs[0], tok.clone(), key.clone())),
                    }
                }
            }
        }
        best
    }

    /// The code of drug `idx` as the medication's name gives it: its oral code when the name says
    /// a form taken by mouth and no inhaled form, or is an oral brand; else its code.
    pub fn code_as_named(&self, idx: usize, name: &str) -> Option<&str> {
        let drug = &self.drugs[idx];
        if let Some(oral) = &drug.oral_atc {
            let words = tokens(name);
            let says = |set: &HashSet<String>| words.iter().any(|w| set.contains(w.as_str()));
            let brand = words.iter().any(|w| drug.oral_brands.contains(w));
            if brand || (says(&self.oral_form_words) && !says(&self.inhaled_form_words)) {
                return Some(oral);
            }
        }
        drug.code()
    }

    /// The salt drugs ("magnesium", "potassium", "calcium") a free text names as words, each read
    /// as the drug itself (for questions, whose other words are not drug words).
    pub fn salt_drugs_in(&self, text: &str) -> Vec<usize> {
        let mut found = Vec::new();
        for t in tokens(text).iter().filter(|t| self.salt_drugs.contains(t.as_str())) {
            for idx in self.by_name(t) {
                if !found.contains(&idx) {
                    found.push(idx);
                }
            }
        }
        found
    }

    pub fn set(&self, id: SetId) -> &AtcSet {
        &self.sets[id as usize]
    }

    /// Maps a former ATC code (e.g. gabapentin N03AX12) to the current WHO code.
    pub fn current_atc(&self, code: &str) -> String {
        self.by_former_atc
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    pub fn by_atc(&self, code: &str) -> Option<usize> {
        self.by_atc.get(code).copied()
    }

    pub fn by_rxnorm(&self, rxcui: &str) -> Option<usize> {
        self.by_rxnorm.get(rxcui).copied()
    }

    /// A medicine of a case as a reader sees it: its name; without one, the drug its code names with
    /// the code as sent ("Hydrochlorothiazide (RxNorm 5487)"); else the code alone.
    pub fn shown(&self, d: &crate::case::DrugInput) -> String {
        if let Some(name) = d.name.as_deref() {
            return name.to_string();
        }
        // The codes read as the rules read them (`atc_in`, `rxnorm_in`: a label or a description
        // beside the code is passed over).
        let (code, drug) = match (d.atc.as_deref(), d.rxnorm.as_deref()) {
            (Some(atc), _) => (
                atc.to_string(),
                atc_in(atc).and_then(|r| self.by_atc(&self.current_atc(&r.code))),
            ),
            (None, Some(rx)) => (
                format!("RxNorm {rx}"),
                rxnorm_in(rx).and_then(|r| self.by_rxnorm(&r.code)),
            ),
            (None, None) => return String::new(),
        };
        match drug {
            Some(idx) => self.labelled(idx, &code),
            None => code,
        }
    }

    /// A drug named by a code alone: the drug the code names, with the code as sent
    /// ("Hydrochlorothiazide (RxNorm 5487)").
    pub fn labelled(&self, idx: usize, code_as_sent: &str) -> String {
        format!("{} ({code_as_sent})", self.drugs[idx].display)
    }

    /// One bit per set for which `test` holds.
    fn set_mask(&self, test: impl Fn(&AtcSet) -> bool) -> SetMask {
        SetId::ALL
            .iter()
            .filter(|id| test(&self.sets[**id as usize]))
            .fold(0, |m, id| m | 1 << *id as usize)
    }

    /// The sets and groups of an ATC code, by its prefixes.
    pub fn code_profile(&self, code: &str) -> CodeProfile {
        let Some((maybe_sets, maybe_groups)) = code
            .as_bytes()
            .first()
            .filter(|b| b.is_ascii_uppercase())
            .and_then(|b| self.by_letter.get((b - b'A') as usize))
        else {
            return CodeProfile::default();
        };
        let sets = SetId::ALL
            .iter()
            .filter(|id| maybe_sets & (1 << **id as usize) != 0 && self.sets[**id as usize].contains_code(code))
            .fold(0, |m, id| m | 1 << *id as usize);
        // The most specific group of each role (as `group_for`), over the letter's groups only.
        let mut best: [Option<(usize, usize)>; 3] = [None; 3];
        for &i in maybe_groups {
            let g = &self.groups[i];
            if let Some(len) = g.matches(code) {
                let slot = &mut best[g.role as usize];
                if slot.is_none_or(|(_, l)| len >= l) {
                    *slot = Some((i, len));
                }
            }
        }
        CodeProfile {
            sets,
            groups: best.map(|b| b.map(|(i, _)| i)),
        }
    }

    /// The profile of an ingredient: by `code` (the patient's own code, or the drug's table code
    /// when `own_code` is false), plus the sets that list the drug by id. A table drug's own
    /// code uses the profile worked out at load.
    pub fn ingredient_profile(&self, code: Option<&str>, own_code: bool, drug: Option<usize>) -> CodeProfile {
        // A code that is some table drug's own code (the usual case) has its profile worked out.
        let known = |c: &str| {
            drug.filter(|_| !own_code)
                .or_else(|| self.by_atc(c))
                .filter(|&d| self.drugs[d].code() == Some(c))
                .map(|d| self.profiles[d])
        };
        let mut p = match code {
            Some(c) => known(c).unwrap_or_else(|| self.code_profile(c)),
            None => CodeProfile::default(),
        };
        if let Some(d) = drug {
            p.sets |= self.id_sets[d];
        }
        p
    }

    /// The most specific group of `role` that an ATC code belongs to.
    pub fn group_for(&self, code: &str, role: super::GroupRole) -> Option<usize> {
        self.groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.role == role)
            .filter_map(|(i, g)| g.matches(code).map(|len| (i, len)))
            .max_by_key(|&(_, len)| len)
            .map(|(i, _)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> DrugTable {
        let raw: RawDrugs = toml::from_str(include_str!("../../../../knowledge/drugs.toml")).unwrap();
        DrugTable::load(&raw).unwrap()
    }

    #[test]
    fn an_ascii_name_read_from_borrowed_words_names_what_it_names_read_word_by_word() {
        // A trailing "·" (not a word character, not ASCII) sends a name down the other path.
        let t = table();
        let mut names: Vec<String> = t
            .drugs
            .iter()
            .flat_map(|d| d.names.iter().chain(&d.brands).cloned())
            .collect();
        names.extend(
            [
                "Furosemide 40 mg PO OD",
                "losartan-HCTZ 50/12.5",
                "co-amilofruse 5/40",
                "potassium chloride ER 20 mEq",
                "Calcium carbonate + vitamin D3",
                "losartan potassium 50mg",
                "magnesium bisglycinate",
                "SALMETEROL/FLUTICASONE 50/500 µg",
                "-quinine- 300mg",
                "",
                "20 mg",
            ]
            .map(String::from),
        );
        for n in &names {
            for variant in [n.clone(), n.to_uppercase(), format!("{n} 10 mg tablets")] {
                assert_eq!(t.by_name(&variant), t.by_name(&format!("{variant} ·")), "{variant:?}");
            }
        }
    }

    #[test]
    fn a_codes_profile_by_its_letters_sets_and_groups_is_the_profile_by_every_set_and_group() {
        let t = table();
        // The reference: every set and every group tested, as before the letter index.
        let by_scan = |code: &str| CodeProfile {
            sets: t.set_mask(|s| s.contains_code(code)),
            groups: [GroupRole::Cause, GroupRole::Rls, GroupRole::Safety].map(|r| t.group_for(code, r)),
        };
        let mut codes: Vec<String> = t.drugs.iter().filter_map(|d| d.code().map(str::to_string)).collect();
        codes.extend(t.sets.iter().flat_map(|s| s.include.iter().chain(&s.exclude).cloned()));
        codes.extend(
            t.groups
                .iter()
                .flat_map(|g| g.atc.iter().chain(&g.atc_exclude).cloned()),
        );
        for c in codes.clone() {
            codes.extend((1..c.len()).map(|n| c[..n].to_string()));
            codes.push(format!("{c}9"));
        }
        codes.extend(["C07AA05", "Z99", "", "c03", "N05AN01", "R03AK06", "M01AE02"].map(String::from));
        for c in &codes {
            assert_eq!(t.code_profile(c), by_scan(c), "{c}");
        }
    }

    #[test]
    fn a_seven_character_atc_code_is_well_formed_and_a_word_is_not() {
        assert!(is_atc("C03AA03"));
        assert!(is_atc("C03"));
        assert!(is_atc("R03AK"));
        assert!(!is_atc("C3AA03"));
        assert!(!is_atc("hello"));
        // The shape of a code, but no anatomical main group of the classification.
        assert!(!is_atc("X01AA01"));
        assert!(!is_atc("Z99"));
    }

    #[test]
    fn tokens_drop_numbers_and_split_combinations() {
        assert_eq!(
            tokens("salmeterol/fluticasone 50/500 µg bd"),
            vec!["salmeterol", "fluticasone", "µg", "bd"]
        );
        assert_eq!(tokens("Lasix 40mg tab"), vec!["lasix", "tab"]);
    }
}
