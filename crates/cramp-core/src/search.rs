//! Follow-up questions (SPEC §2 item 9, §6): which **approved** entries answer a free-text question.
//!
//! Never generated text: an answer is a list of entries, served word for word (a `{drug}` template
//! filled with the drug the question names, or with the drug group the entry is about). The
//! vocabulary (synonyms, question words) and the ranking and refusal numbers are data, in
//! `knowledge/search.toml`; this module is the logic.
//!
//! 1. The question is analysed with the same English tokenizer as the entries (bm25's Snowball
//!    stemmer and stop words). Drug names and brands (the drug table) and synonym groups become
//!    *concepts*, expanded with every word of their group; each other word is a concept of its own.
//!    A group's phrase made only of question words once its stop words are out ("when a cramp
//!    starts") finds the group only when the question says it whole (articles aside).
//! 2. Entries that say at least one of the question's subjects are ranked by BM25 over their two
//!    voices (bm25's embedder and scorer), ties by knowledge-base order, so results are
//!    deterministic.
//! 3. Refusal: the question must name something the knowledge base has words for (a concept that is
//!    not only question words such as "help" or "safe"), and the best entry must cover at least
//!    `min_coverage` of the question's concepts (each weighted by its rarity, IDF) and score at least
//!    `min_score`. Both numbers are tuned on the evaluation set's tune half (`tests/ask/eval.toml`).

use crate::knowledge::{GroupRole, KnowledgeBase, SetId};
use crate::vocab::{Audience, ReviewStatus};
use bm25::{Embedder, EmbedderBuilder, Scorer, Tokenizer};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use serde::Deserialize;

/// `search.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchVocabulary {
    pub review: VocabularyReview,
    pub answers: Answers,
    pub ranking: Ranking,
    pub question_words: Vec<String>,
    /// Words that are one term together, in the entries and in a question ("calcium channel
    /// blocker"): a question saying one of them alone does not find the term.
    #[serde(default)]
    pub compounds: Vec<String>,
    pub synonyms: Vec<SynonymGroup>,
    /// Entries that are never an answer: variants an assessment serves only beside a red flag
    /// ("as the warning above says"), which read alone would tell someone to stop a medicine.
    #[serde(default)]
    pub not_searched: Vec<String>,
    /// Named lists of the words that name one population (`pregnancy = ["pregnancy", …]`): a word
    /// `"@pregnancy"` in `searched_only_with` or `not_searched_with` stands for the list.
    #[serde(default)]
    pub word_lists: std::collections::BTreeMap<String, Vec<String>>,
    /// Entries about one population that answer only a question naming it (entry id → words).
    #[serde(default)]
    pub searched_only_with: std::collections::BTreeMap<String, Vec<String>>,
    /// Entries that do not answer a question naming a population they exclude (entry id → words):
    /// "baclofen is not a treatment for your cramps" is wrong for someone asking about cirrhosis.
    #[serde(default)]
    pub not_searched_with: std::collections::BTreeMap<String, Vec<String>>,
    /// Warning signs a question may describe, each with the approved statement that says what to
    /// do: that statement comes first (SPEC §8: a red flag is never outranked).
    #[serde(default)]
    pub warning_signs: Vec<WarningSign>,
    /// What a question about cramps in general (what causes them, which tests, what to do), naming
    /// nothing else, is answered with first, not whatever entry its few words rank first. The first
    /// row the question fits answers it.
    #[serde(default)]
    pub general_questions: Vec<GeneralQuestions>,
    /// How a question states someone's age: the words of an age are no subject, and an age under
    /// the child age (`thresholds.toml`) is read as naming a child.
    #[serde(default)]
    pub ages: Ages,
    /// How a question says the asker already takes the drug it names, or asks about keeping or
    /// stopping it: the drug's review statement, written for someone taking it, then keeps its
    /// place before the statement not to start it.
    #[serde(default)]
    pub taking: Taking,
}

/// Phrases that say a drug is already taken (each matched with its stop words, stemmed as the
/// entries are), unless the word just before the phrase is one of `not_after` ("can I take" asks
/// whether to start: it is not "I take").
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Taking {
    pub phrases: Vec<String>,
    #[serde(default)]
    pub not_after: Vec<String>,
}

/// How a question states an age (each phrase matched with its stop words, stemmed as the entries
/// are): a whole number just after one of `before` ("I'm 17", "aged 12") or just before one of
/// `after` ("my 12-year-old", "16 yo", and "16yo" as one word).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ages {
    pub before: Vec<String>,
    pub after: Vec<String>,
    /// A word just after the number that makes it a quantity, not an age ("I am 5 weeks pregnant").
    #[serde(default)]
    pub not_after: Vec<String>,
    /// A word just before `before` that makes it a past age ("cramps since age 12").
    #[serde(default)]
    pub not_before: Vec<String>,
    /// The word a question stating an age under the child age is also read as saying (a word of
    /// the child warning sign and of the `@child` list).
    #[serde(default)]
    pub child_reads_as: String,
}

/// A question about cramps in general ("how do I prevent cramps?", "what can I do about my leg
/// cramps?"): it says one of `asks` and one of `must_say`, names no drug, and each of its subjects
/// is said in words of `about`, `asks` and `must_say` only.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GeneralQuestions {
    /// Phrases that ask it (matched with their stop words: "what can i do").
    pub asks: Vec<String>,
    /// The question must name cramps in one of these words.
    pub must_say: Vec<String>,
    /// Words that name no subject beyond cramps in general (where and when they are felt).
    pub about: Vec<String>,
    /// The approved entries that answer it first, in order; the ranking's own answers follow.
    pub answers: Vec<String>,
}

/// A warning sign a question may name, and the statement that answers it first.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WarningSign {
    /// The words that describe the sign (stemmed as the entries are; phrases match in order).
    pub signs: Vec<String>,
    /// Only when the question also names a drug of one of these ATC codes (empty: any question).
    #[serde(default)]
    pub with_atc: Vec<String>,
    /// Only when the question is not about a drug (it names none, and its best answer is no drug's
    /// statement): how dangerous a drug is, the drug's own statements answer (and its avoid
    /// statement is always carried).
    #[serde(default)]
    pub without_drug: bool,
    /// The entry that answers it; it must be approved, unless `refuse`.
    pub entry: String,
    /// The sign's own statement (`entry`) is not approved yet: a question describing it is refused
    /// (the refusal sends the asker to a clinician), never answered with another entry's words,
    /// and its signs are matched with their stop words ("numb between my legs"). `kb check` fails
    /// once the entry is approved, so that it is served instead.
    #[serde(default)]
    pub refuse: bool,
}

impl SearchVocabulary {
    /// Replaces each `"@name"` of `searched_only_with`, `not_searched_with` and the word lists of
    /// `general_questions` by the words of `word_lists.name`, once at load; an unknown name is an
    /// error.
    pub fn expand_word_lists(&mut self) -> Result<(), String> {
        let SearchVocabulary {
            word_lists,
            searched_only_with,
            not_searched_with,
            general_questions,
            ..
        } = self;
        let lists = searched_only_with
            .values_mut()
            .chain(not_searched_with.values_mut())
            .chain(
                general_questions
                    .iter_mut()
                    .flat_map(|g| [&mut g.asks, &mut g.must_say, &mut g.about]),
            );
        for words in lists {
            let mut out = Vec::with_capacity(words.len());
            for word in words.drain(..) {
                match word.strip_prefix('@') {
                    Some(name) => out.extend(
                        word_lists
                            .get(name)
                            .ok_or_else(|| format!("search.toml: no word list `{name}` for {word:?}"))?
                            .iter()
                            .cloned(),
                    ),
                    None => out.push(word),
                }
            }
            *words = out;
        }
        Ok(())
    }
}

/// The review record of the vocabulary itself (it is editorial, not clinical, content).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VocabularyReview {
    pub status: ReviewStatus,
    pub reviewer: String,
    pub reviewed_on: String,
    pub next_review_due: String,
    pub clinical_signoff: String,
}

/// The fixed words of an answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answers {
    pub not_found: crate::knowledge::Phrase,
    /// The refusal of a question that describes a warning sign whose statement is in review
    /// (`warning_signs` rows with `refuse`): it says the sign may need care quickly.
    pub warning_sign_refused: crate::knowledge::Phrase,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ranking {
    pub k1: f32,
    pub b: f32,
    pub min_coverage: f32,
    pub min_score: f32,
    pub max_statements: usize,
    pub relative_floor: f32,
    /// Added, per concept the entry's id or population says, times that concept's IDF.
    pub title_boost: f32,
    /// The share of a `context` concept's term score that counts beside another subject.
    pub context_share: f32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SynonymGroup {
    pub terms: Vec<String>,
    #[serde(default)]
    pub asked_as: Vec<String>,
    /// The setting every cramp question has ("at night"): beside another subject only a share of its
    /// term score counts (`Ranking::context_share`), and it does not count against an entry that
    /// does not say it.
    #[serde(default)]
    pub context: bool,
    /// A drug's name said inside one of the group's phrases is not the drug: "low potassium" is a
    /// blood result, not the potassium supplement.
    #[serde(default)]
    pub names_no_drug: bool,
}

/// bm25's own English analysis (Unicode words, lower case, stop words out, Snowball stems), after
/// one rewrite of our own: a vitamin named by one letter ("vitamin D", "vitamins C and E") becomes
/// one word ("vitamind0": the digit keeps the stemmer from taking "vitamine" for "vitamin"),
/// because the stop-word list drops single letters and every vitamin would otherwise be the same
/// "vitamin" (before this, "does vitamin D help cramps?" was answered with the dialysis statement
/// on vitamins E and C).
#[derive(Debug)]
struct English {
    analysis: bm25::DefaultTokenizer,
    /// The same analysis keeping the stop words: what a phrase trigger is matched on.
    phrases: bm25::DefaultTokenizer,
    /// Stems that are one term together (`search.toml` `compounds`), each with the one stem they
    /// become: "calcium channel blocker" is not "calcium".
    compounds: Vec<(Vec<String>, String)>,
}

/// Stop words a phrase trigger does without: "stop cramps" says "stop a cramp".
const ARTICLES: [&str; 3] = ["a", "an", "the"];

impl English {
    fn new() -> English {
        English {
            analysis: bm25::DefaultTokenizer::new(bm25::Language::English),
            phrases: bm25::DefaultTokenizer::builder()
                .language_mode(bm25::Language::English)
                .stopwords(false)
                .build(),
            compounds: Vec::new(),
        }
    }

    /// The same analysis, with `compounds` (each read with the analysis itself) made one stem.
    fn with_compounds(mut self, compounds: &[String]) -> English {
        self.compounds = compounds
            .iter()
            .map(|c| self.analysis.tokenize(c))
            .filter(|seq| seq.len() > 1)
            .map(|seq| {
                let joined = seq.concat();
                (seq, joined)
            })
            .collect();
        self
    }

    fn tokenize(&self, text: &str) -> Vec<String> {
        self.join_compounds(self.analysis.tokenize(&join_vitamin_letters(text)))
    }

    /// The text's stems with its stop words, less the articles.
    fn phrase(&self, text: &str) -> Vec<String> {
        let mut words = self.phrases.tokenize(&join_vitamin_letters(text));
        words.retain(|w| !ARTICLES.contains(&w.as_str()));
        self.join_compounds(words)
    }

    fn join_compounds(&self, words: Vec<String>) -> Vec<String> {
        // Most texts hold no compound's first word: they are passed on as they are.
        if !words.iter().any(|w| self.compounds.iter().any(|(seq, _)| seq[0] == *w)) {
            return words;
        }
        let mut out = Vec::with_capacity(words.len());
        let mut i = 0;
        while i < words.len() {
            match self.compounds.iter().find(|(seq, _)| words[i..].starts_with(seq)) {
                Some((seq, joined)) => {
                    out.push(joined.clone());
                    i += seq.len();
                }
                None => {
                    out.push(words[i].clone());
                    i += 1;
                }
            }
        }
        out
    }
}

/// "Vitamin D" → "vitamind0"; "vitamins C and E" → "vitaminc0 and vitamine0"; "vitamin B12" is left
/// as it is (its second word is not one letter). Case-insensitive; other text is unchanged.
fn join_vitamin_letters(text: &str) -> std::borrow::Cow<'_, str> {
    // Most texts name no vitamin: they are passed on as they are, without a lowercased copy.
    if !text.as_bytes().windows(7).any(|w| w.eq_ignore_ascii_case(b"vitamin")) {
        return std::borrow::Cow::Borrowed(text);
    }
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(' ').collect();
    fn letter(w: &str) -> Option<(&str, &str)> {
        let core = w.trim_end_matches(|c: char| c.is_ascii_punctuation());
        (core.len() == 1 && core.as_bytes()[0].is_ascii_alphabetic()).then_some((core, &w[core.len()..]))
    }
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        if (w == "vitamin" || w == "vitamins")
            && let Some((l, tail)) = words.get(i + 1).and_then(|n| letter(n))
        {
            out.push(format!("vitamin{l}0{tail}"));
            i += 2;
            // "vitamins C and E", "vitamins C, E": each further letter of the list ("a" and "i"
            // are words there: "vitamin C and a bit of zinc").
            while let Some(next) = words.get(i) {
                if let Some((l, tail)) = letter(next).filter(|(l, _)| *l != "a" && *l != "i") {
                    out.push(format!("vitamin{l}0{tail}"));
                } else if *next == "and" || *next == "or" {
                    out.push((*next).to_string());
                } else {
                    break;
                }
                i += 1;
            }
            continue;
        }
        out.push(w.to_string());
        i += 1;
    }
    std::borrow::Cow::Owned(out.join(" "))
}

/// The embedder sees text we have already analysed, one stem per space-separated word, so that
/// documents, synonyms and queries are stemmed exactly once and identically.
#[derive(Debug, Default)]
struct Analysed;

impl Tokenizer for Analysed {
    fn tokenize(&self, input_text: &str) -> Vec<String> {
        input_text
            .split(' ')
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// One searchable entry.
#[derive(Debug)]
struct Doc {
    entry: usize,
    terms: HashSet<String>,
    /// What the entry is about: the words of its id and its population.
    title: HashSet<String>,
    /// The words of its id alone: a word that only asks ("how long", "what causes") is about the
    /// entry only when its id says it, not when its population uses it in another sense
    /// ("long-acting").
    id_title: HashSet<String>,
    /// The drug groups whose statement this entry is (`review.*`): it answers about those drugs.
    groups: Vec<usize>,
    /// A `{drug}` template that no group stands for (`considering.*`): served only for a named drug.
    needs_drug: bool,
    /// Stems one of which the question must contain (`searched_only_with`).
    requires: Option<HashSet<String>>,
    /// Stems none of which the question may contain (`not_searched_with`).
    excluded_by: HashSet<String>,
}

impl Doc {
    /// Whether the entry may answer this question at all: it names the population the entry is
    /// only for (`searched_only_with`) and none the entry excludes (`not_searched_with`).
    fn fits(&self, a: &Analysis) -> bool {
        let required = self
            .requires
            .as_ref()
            .is_none_or(|req| a.concepts.iter().flat_map(|c| c.stems()).any(|t| req.contains(t)));
        required && !a.words.iter().any(|w| self.excluded_by.contains(w))
    }
}

/// A concept of the question: the ways an entry may say it (each a sequence of stems, all of which
/// the entry must contain), and whether it names a subject.
#[derive(Debug, Clone)]
pub struct Concept {
    pub alternatives: Vec<Vec<String>>,
    pub subject: bool,
    /// A `context` synonym group's concept, in a question that has another subject.
    pub context: bool,
    /// The IDF of its rarest stem the knowledge base knows, or of an unseen stem when it knows none.
    pub weight: f32,
}

impl Concept {
    fn stems(&self) -> impl Iterator<Item = &String> {
        self.alternatives.iter().flatten()
    }

    /// Whether `terms` hold all stems of one of the alternatives.
    fn said_by(&self, terms: &HashSet<String>) -> bool {
        self.alternatives.iter().any(|alt| says(terms, alt))
    }
}

/// Whether `terms` hold every stem of one alternative (an empty one says nothing).
fn says(terms: &HashSet<String>, alt: &[String]) -> bool {
    !alt.is_empty() && alt.iter().all(|t| terms.contains(t))
}

/// A drug the question names, and what it makes relevant (`drug_links`).
#[derive(Debug, Clone)]
pub struct NamedDrug {
    pub drug: usize,
    /// Its groups, by role.
    pub groups: Vec<usize>,
    /// The entries about it: its groups' statements and the statement about considering it.
    pub entries: Vec<usize>,
    /// The tier of its cramp-inducing group.
    pub tier: Option<&'static str>,
}

/// What a question was analysed into (for the evaluation report and the tests).
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The drugs of the table the question names.
    pub drugs: Vec<NamedDrug>,
    pub concepts: Vec<Concept>,
    /// The question's stems, in order, then `Ages::child_reads_as` when it states an age under
    /// the child age.
    pub words: Vec<String>,
}

/// Whether `words` hold `seq` as consecutive stems.
fn has_run(words: &[String], seq: &[String]) -> bool {
    !seq.is_empty() && words.windows(seq.len()).any(|w| w == seq)
}

/// A warning sign as stems: its sign phrases, the drugs it needs, and the searchable entry.
#[derive(Debug)]
struct SignStems {
    signs: Vec<Vec<String>>,
    with_atc: Vec<String>,
    without_drug: bool,
    doc: usize,
}

/// One answering entry, with the values its template is filled with.
#[derive(Debug, Clone)]
pub struct Hit {
    pub entry: usize,
    pub score: f32,
    pub coverage: f32,
    /// `{drug}` and `{tier}` for a template entry.
    pub drug: Option<String>,
    pub tier: Option<&'static str>,
}

/// The answer to a question: `answered` with the hits, best first, or refused.
#[derive(Debug, Clone)]
pub struct AskResult {
    pub answered: bool,
    pub hits: Vec<Hit>,
    /// The best candidate even when refused (score, coverage), for tuning and the evaluation report.
    pub best: Option<Hit>,
    /// False when the question names nothing the knowledge base has words for.
    pub touched: bool,
    /// Refused because it describes a warning sign whose statement is still in review.
    pub warning_sign: bool,
    pub analysis: Analysis,
}

impl AskResult {
    /// The text of hit `h` in the audience's voice, its template filled.
    pub fn text<'kb>(&self, kb: &'kb KnowledgeBase, h: &Hit, audience: Audience) -> std::borrow::Cow<'kb, str> {
        let raw = kb.entries[h.entry].text(audience);
        if raw.contains('{') {
            let drug = h.drug.as_deref().unwrap_or("");
            let tier = h.tier.unwrap_or("");
            std::borrow::Cow::Owned(crate::template::fill(raw, &[("drug", drug), ("tier", tier)]))
        } else {
            std::borrow::Cow::Borrowed(raw)
        }
    }
}

#[derive(Debug)]
struct SynonymStems {
    triggers: Vec<Vec<String>>,
    /// Per trigger: for one made only of question words once its stop words are out ("when a
    /// cramp starts" is "cramp start", which "cramps after starting a statin" also says), the
    /// whole phrase with its stop words, which the question must say too.
    phrases: Vec<Option<Vec<String>>>,
    searched: Vec<Vec<String>>,
    context: bool,
    names_no_drug: bool,
}

/// The search index over the approved entries of one knowledge base.
pub struct Searcher {
    analyser: English,
    embedder: Embedder<u32, Analysed>,
    scorer: Scorer<usize>,
    docs: Vec<Doc>,
    /// Document frequency of each stem.
    df: HashMap<String, u32>,
    /// Synonym groups: what finds the group (terms and `asked_as`) and what is searched for (terms),
    /// each as stem sequences.
    groups: Vec<SynonymStems>,
    question_words: HashSet<String>,
    /// `warning_signs` whose entry is searchable.
    warning: Vec<SignStems>,
    /// The signs of the `refuse` rows, with their stop words (`English::phrase`).
    refusing: Vec<Vec<String>>,
    general: Vec<GeneralStems>,
    ages: AgeStems,
    taking: TakingStems,
    ranking: Ranking,
}

/// `taking` as stems: its phrases with their stop words (`English::phrase`), and the words that
/// may not come just before one.
#[derive(Debug)]
struct TakingStems {
    phrases: Vec<Vec<String>>,
    not_after: HashSet<String>,
}

impl TakingStems {
    /// Whether a question (its stems with stop words) says the drug is taken, or asks about
    /// keeping or stopping it.
    fn said(&self, words: &[String]) -> bool {
        self.phrases.iter().filter(|t| !t.is_empty()).any(|t| {
            words
                .windows(t.len())
                .enumerate()
                .any(|(at, w)| w == t.as_slice() && (at == 0 || !self.not_after.contains(&words[at - 1])))
        })
    }
}

/// `ages` as stems (with their stop words, as `English::phrase` reads the question).
#[derive(Debug)]
struct AgeStems {
    before: Vec<Vec<String>>,
    after: Vec<Vec<String>>,
    not_after: HashSet<String>,
    not_before: HashSet<String>,
    /// The stems of `child_reads_as`.
    child: Vec<String>,
    /// `thresholds.toml` `child_age`.
    child_age: f64,
}

impl AgeStems {
    /// The ages `p` (a question's stems with stop words) states, each with the span of its phrase.
    fn read(&self, p: &[String]) -> Vec<(f64, std::ops::Range<usize>)> {
        let mut out = Vec::new();
        for (i, tok) in p.iter().enumerate() {
            let digits = tok.bytes().take_while(u8::is_ascii_digit).count();
            let Some(years) = tok[..digits].parse::<u32>().ok().filter(|&y| digits > 0 && y <= 130) else {
                continue;
            };
            let rest = &tok[digits..];
            if !rest.is_empty() {
                // "16yo": the number and a one-word `after` form run together.
                if self.after.iter().any(|a| a.len() == 1 && a[0] == rest) {
                    out.push((f64::from(years), i..i + 1));
                }
                continue;
            }
            if let Some(a) = self.after.iter().find(|a| p[i + 1..].starts_with(a)) {
                out.push((f64::from(years), i..i + 1 + a.len()));
                continue;
            }
            let quantity = p.get(i + 1).is_some_and(|n| self.not_after.contains(n));
            let before = self
                .before
                .iter()
                .find(|b| p[..i].ends_with(b) && !(i > b.len() && self.not_before.contains(&p[i - b.len() - 1])));
            if let Some(b) = before.filter(|_| !quantity) {
                out.push((f64::from(years), i - b.len()..i + 1));
            }
        }
        out
    }
}

/// `general_questions` as stems, with the searchable answers.
#[derive(Debug)]
struct GeneralStems {
    /// With their stop words, as `English::phrase` reads the question.
    asks: Vec<Vec<String>>,
    must_say: Vec<Vec<String>>,
    /// The stems of `about`, `asks` and `must_say` (without stop words).
    general_words: HashSet<String>,
    docs: Vec<usize>,
}

impl std::fmt::Debug for Searcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Searcher").field("docs", &self.docs.len()).finish()
    }
}

/// The entries a named drug makes relevant, with the tier its cramp-inducing group carries: the
/// group statements of its groups, and the statements about considering it (as the engine chooses
/// them for a considered drug).
fn drug_links(kb: &KnowledgeBase, drug: usize) -> NamedDrug {
    let d = &kb.drugs.drugs[drug];
    let profile = kb.drugs.ingredient_profile(d.code(), false, Some(drug));
    let groups: Vec<usize> = profile.groups.iter().flatten().copied().collect();
    let mut entries: Vec<usize> = groups.iter().map(|&g| kb.group_entry(g).index).collect();
    let cause = profile.group(GroupRole::Cause);
    let tier = cause.map(|g| kb.drugs.groups[g].tier.as_str());
    use crate::rules::RuleId;
    if profile.in_set(SetId::Alpha2Delta) {
        // For RLS a recommended drug, for cramps not a treatment (and gabapentin a reported cause).
        entries.push(kb.rule(RuleId::ConsideringAlpha2DeltaRls).index);
    }
    // As the engine: an alpha-2-delta ligand is no NLC treatment before it is a reported cause (its
    // statement says both; "is gabapentin good for leg cramps?" had the RLS statement second).
    if profile.in_set(SetId::Alpha2Delta) {
        entries.push(kb.rule(RuleId::ConsideringAlpha2Delta).index);
    } else if cause.is_some() {
        entries.push(kb.rule(RuleId::ConsideringMayCauseCramps).index);
    }
    if profile.in_set(SetId::DopamineAgonists) {
        entries.push(kb.rule(RuleId::ConsideringDopamineAgonistRls).index);
    }
    if profile.in_set(SetId::MagnesiumSupplements) {
        entries.push(kb.rule(RuleId::ConsideringMagnesiumPregnancy).index);
    }
    // "does vitamin B complex help cramps?" was refused: no statement was linked to the drug.
    if profile.in_set(SetId::VitaminB) {
        entries.push(kb.rule(RuleId::ConsideringVitaminB).index);
    }
    NamedDrug {
        drug,
        groups,
        entries,
        tier,
    }
}

impl Searcher {
    pub fn new(kb: &KnowledgeBase) -> Searcher {
        let voc = &kb.search;
        let analyser = English::new().with_compounds(&voc.compounds);
        let stems = |text: &str| analyser.tokenize(text);

        let mut docs = Vec::new();
        let mut texts = Vec::new();
        for e in kb
            .entries
            .iter()
            .filter(|e| e.status == ReviewStatus::Approved && !voc.not_searched.contains(&e.id))
        {
            let groups: Vec<usize> = (0..kb.drugs.groups.len())
                .filter(|&g| kb.group_entry(g).index == e.index)
                .collect();
            let templated = e.clinician.contains("{drug}") || e.patient.contains("{drug}");
            let subject = groups
                .iter()
                .map(|&g| kb.drugs.groups[g].display.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            let mut text = String::new();
            for part in [&e.clinician, &e.patient]
                .into_iter()
                .chain(e.display.as_ref())
                .chain(e.condition_clinician.as_ref())
                .chain(e.condition_patient.as_ref())
            {
                text.push_str(&crate::template::fill(part, &[("drug", &subject), ("tier", "")]));
                text.push(' ');
            }
            let terms = stems(&text);
            texts.push(terms.join(" "));
            let about =
                e.id.split_once('.')
                    .map_or(e.id.as_str(), |(_, rest)| rest)
                    .replace('_', " ");
            let title = stems(&format!("{about} {}", e.population)).into_iter().collect();
            let id_title = stems(&about).into_iter().collect();
            let requires = voc
                .searched_only_with
                .get(&e.id)
                .map(|words| words.iter().flat_map(|w| stems(w)).collect());
            let excluded_by = voc
                .not_searched_with
                .get(&e.id)
                .map(|words| words.iter().flat_map(|w| stems(w)).collect())
                .unwrap_or_default();
            docs.push(Doc {
                entry: e.index,
                terms: terms.into_iter().collect(),
                title,
                id_title,
                needs_drug: templated && groups.is_empty(),
                groups,
                requires,
                excluded_by,
            });
        }

        let mut df: HashMap<String, u32> = HashMap::default();
        for d in &docs {
            for t in &d.terms {
                *df.entry(t.clone()).or_default() += 1;
            }
        }
        let corpus: Vec<&str> = texts.iter().map(String::as_str).collect();
        let embedder = EmbedderBuilder::<u32, Analysed>::with_tokenizer_and_fit_to_corpus(Analysed, &corpus)
            .k1(voc.ranking.k1)
            .b(voc.ranking.b)
            .build();
        let mut scorer = Scorer::<usize>::new();
        for (i, t) in texts.iter().enumerate() {
            scorer.upsert(&i, embedder.embed(t));
        }

        let seqs = |terms: &[String]| -> Vec<Vec<String>> {
            terms.iter().map(|t| stems(t)).filter(|s| !s.is_empty()).collect()
        };
        let question_words: HashSet<String> = voc.question_words.iter().flat_map(|w| stems(w)).collect();
        let groups = voc
            .synonyms
            .iter()
            .map(|g| {
                // Every term and `asked_as` phrase finds the group; the terms are also what is
                // searched for.
                let mut triggers = Vec::new();
                let mut phrases = Vec::new();
                let mut searched = Vec::new();
                for (i, text) in g.terms.iter().chain(&g.asked_as).enumerate() {
                    let seq = stems(text);
                    if seq.is_empty() {
                        continue;
                    }
                    if i < g.terms.len() {
                        searched.push(seq.clone());
                    }
                    // A phrase only where it can differ from the trigger: one word with nothing
                    // around it ("cramp") is said whole wherever it occurs.
                    let weak = seq.iter().all(|t| question_words.contains(t));
                    let phrase = weak
                        .then(|| analyser.phrase(text))
                        .filter(|p| seq.len() > 1 || *p != seq);
                    phrases.push(phrase);
                    triggers.push(seq);
                }
                SynonymStems {
                    triggers,
                    phrases,
                    searched,
                    context: g.context,
                    names_no_drug: g.names_no_drug,
                }
            })
            .collect();
        // A sign whose entry is not searchable (not approved) is skipped: `kb check` reports it.
        let warning = voc
            .warning_signs
            .iter()
            .filter(|w| !w.refuse)
            .filter_map(|w| {
                let doc = docs.iter().position(|d| kb.entries[d.entry].id == w.entry)?;
                Some(SignStems {
                    signs: seqs(&w.signs),
                    with_atc: w.with_atc.clone(),
                    without_drug: w.without_drug,
                    doc,
                })
            })
            .collect();
        let phrases = |texts: &[String]| -> Vec<Vec<String>> {
            texts
                .iter()
                .map(|t| analyser.phrase(t))
                .filter(|p| !p.is_empty())
                .collect()
        };
        let general = voc
            .general_questions
            .iter()
            .map(|g| GeneralStems {
                asks: phrases(&g.asks),
                must_say: phrases(&g.must_say),
                general_words: g
                    .about
                    .iter()
                    .chain(&g.asks)
                    .chain(&g.must_say)
                    .flat_map(|w| stems(w))
                    .collect(),
                // An answer that is not searchable (not approved) is skipped: `kb check` reports it.
                docs: g
                    .answers
                    .iter()
                    .filter_map(|id| docs.iter().position(|d| kb.entries[d.entry].id == *id))
                    .collect(),
            })
            .collect();

        let taking = TakingStems {
            phrases: phrases(&voc.taking.phrases),
            not_after: phrases(&voc.taking.not_after).into_iter().flatten().collect(),
        };
        let refusing = voc
            .warning_signs
            .iter()
            .filter(|w| w.refuse)
            .flat_map(|w| phrases(&w.signs))
            .collect();
        let ages = AgeStems {
            before: phrases(&voc.ages.before),
            after: phrases(&voc.ages.after),
            not_after: phrases(&voc.ages.not_after).into_iter().flatten().collect(),
            not_before: phrases(&voc.ages.not_before).into_iter().flatten().collect(),
            child: stems(&voc.ages.child_reads_as),
            child_age: kb.thresholds.child_age.value,
        };

        Searcher {
            analyser,
            embedder,
            scorer,
            docs,
            df,
            groups,
            question_words,
            warning,
            refusing,
            general,
            ages,
            taking,
            ranking: voc.ranking.clone(),
        }
    }

    /// How many entries are searchable (the approved ones).
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    fn idf(&self, term: &str) -> f32 {
        let n = self.docs.len() as f32;
        let df = self.df.get(term).copied().unwrap_or(0) as f32;
        (1.0 + (n - df + 0.5) / (df + 0.5)).ln()
    }

    /// Splits a question into concepts: the drugs it names, the synonym groups it uses, and each
    /// other word.
    pub fn analyse(&self, kb: &KnowledgeBase, question: &str) -> Analysis {
        self.analyse_with(kb, question, &std::cell::OnceCell::new())
    }

    /// `analyse`, with the question's stems with stop words (`English::phrase`) read once, when
    /// first needed, and shared with the caller.
    fn analyse_with(
        &self,
        kb: &KnowledgeBase,
        question: &str,
        phrase_words: &std::cell::OnceCell<Vec<String>>,
    ) -> Analysis {
        let mut words = self.analyser.tokenize(question);
        let mut used = vec![false; words.len()];
        let mut concepts = Vec::new();

        // An age the question states ("I'm 17", "my 12-year-old") names no subject: its words are
        // not searched for ("I am 18 years old" found the entry that says "18"). Under the child
        // age it names a child (`Ages::child_reads_as`).
        let mut child = false;
        if question.bytes().any(|b| b.is_ascii_digit()) {
            let p = phrase_words.get_or_init(|| self.analyser.phrase(question));
            let ages = self.ages.read(p);
            if !ages.is_empty() {
                // `words` is `p` without its stop words: each stem of `p` found in it, in order.
                let mut at = vec![None; p.len()];
                let mut j = 0;
                for (i, t) in p.iter().enumerate() {
                    if words.get(j) == Some(t) {
                        at[i] = Some(j);
                        j += 1;
                    }
                }
                for (years, span) in ages {
                    child |= years < self.ages.child_age;
                    for k in span {
                        if let Some(j) = at[k] {
                            used[j] = true;
                        }
                    }
                }
            }
        }

        // A salt drug named in a question ("does magnesium help in pregnancy?") is read by name:
        // the question's other words are not drug words, so by_name takes it for a salt.
        let mut named = kb.drugs.by_name(question);
        if named.is_empty() {
            named = kb.drugs.salt_drugs_in(question);
        }
        // A drug's name misspelt by one letter ("quinnine"), read as the assessment reads a
        // medication list (`by_near_name`: one drug only, same first letter); the word as sent is
        // that drug's, not a subject of its own the knowledge base has never seen. Not a word the
        // entries or the synonym groups use: "oestrogen" is one letter from the brand "Oestrogel"
        // but is the vocabulary's own word.
        if named.is_empty()
            && let Some((drug, sent)) = self.misspelt_drug(kb, question)
        {
            named.push(drug);
            for (i, w) in words.iter().enumerate() {
                if sent.contains(w) {
                    used[i] = true;
                }
            }
        }
        // Every place a group's trigger occurs; a longer phrase of one group takes its words from
        // a shorter trigger of another inside it ("heating pad" is heat, not PAD's "pad").
        let mut found: Vec<(usize, usize, usize)> = Vec::new(); // (group, start, length)
        for (gi, g) in self.groups.iter().enumerate() {
            for (seq, phrase) in g.triggers.iter().zip(&g.phrases) {
                let n = seq.len();
                if n == 0 || n > words.len() {
                    continue;
                }
                let at = found.len();
                for start in 0..=words.len() - n {
                    if words[start..start + n] == seq[..] {
                        found.push((gi, start, n));
                    }
                }
                // The question is read again with its stop words only when such a trigger occurs.
                if found.len() > at
                    && let Some(phrase) = phrase
                    && !has_run(phrase_words.get_or_init(|| self.analyser.phrase(question)), phrase)
                {
                    found.truncate(at);
                }
            }
        }
        found.sort_by_key(|&(gi, start, n)| (std::cmp::Reverse(n), gi, start));
        let mut claimed: Vec<Option<usize>> = vec![None; words.len()];
        let mut hit = vec![false; self.groups.len()];
        for (gi, start, n) in found {
            let span = start..start + n;
            if claimed[span.clone()].iter().any(|c| c.is_some_and(|other| other != gi)) {
                continue;
            }
            hit[gi] = true;
            claimed[span.clone()].iter_mut().for_each(|c| *c = Some(gi));
            used[span].iter_mut().for_each(|u| *u = true);
        }
        // A drug whose every word in the question is inside a phrase of a `names_no_drug` group is
        // not named ("low potassium": a blood result, not the supplement).
        if claimed.iter().flatten().any(|&g| self.groups[g].names_no_drug) {
            named.retain(|&d| {
                let drug = &kb.drugs.drugs[d];
                let mut at = drug
                    .names
                    .iter()
                    .chain(&drug.brands)
                    .chain([&drug.display])
                    .flat_map(|n| self.analyser.tokenize(n))
                    .flat_map(|t| words.iter().enumerate().filter(move |(_, w)| **w == t).map(|(i, _)| i))
                    .peekable();
                at.peek().is_none() || !at.all(|i| claimed[i].is_some_and(|g| self.groups[g].names_no_drug))
            });
        }
        let drugs: Vec<NamedDrug> = named.into_iter().map(|d| drug_links(kb, d)).collect();
        for named in &drugs {
            let drug = &kb.drugs.drugs[named.drug];
            // An entry names the drug (a name, a brand) or its group ("Loop diuretic", which is
            // also what fills the group statement's `{drug}`).
            let mut alternatives: Vec<Vec<String>> = Vec::new();
            for n in drug.names.iter().chain(&drug.brands).chain([&drug.display]) {
                let seq = self.analyser.tokenize(n);
                for (i, w) in words.iter().enumerate() {
                    if seq.contains(w) {
                        used[i] = true;
                    }
                }
                alternatives.push(seq);
            }
            for &g in &named.groups {
                alternatives.push(self.analyser.tokenize(&kb.drugs.groups[g].display));
            }
            alternatives.retain(|a| !a.is_empty());
            alternatives.sort();
            alternatives.dedup();
            concepts.push(self.concept(alternatives, true));
        }

        for (g, hit) in self.groups.iter().zip(hit) {
            if hit {
                let subject = g.searched.iter().flatten().any(|t| !self.question_words.contains(t));
                let mut c = self.concept(g.searched.clone(), subject);
                c.context = g.context;
                concepts.push(c);
            }
        }

        let mut seen: Vec<&String> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if !used[i] && !seen.contains(&w) {
                seen.push(w);
                // A number ("I'm 72") names no subject either.
                let subject = !self.question_words.contains(w) && !w.bytes().all(|b| b.is_ascii_digit());
                concepts.push(self.concept(vec![vec![w.clone()]], subject));
            }
        }
        // A context concept is context only beside another subject; alone it is the subject.
        if !concepts.iter().any(|c| c.subject && !c.context) {
            concepts.iter_mut().for_each(|c| c.context = false);
        }
        // Said last, as no concept: it finds the child warning sign and the entries a child's
        // question excludes, and scores nothing.
        if child {
            words.extend(self.ages.child.iter().cloned());
        }
        Analysis { drugs, concepts, words }
    }

    /// The drug a question names misspelt by one letter, with the stems of the word as sent, unless
    /// that word is one the entries or a synonym group use.
    fn misspelt_drug(&self, kb: &KnowledgeBase, question: &str) -> Option<(usize, Vec<String>)> {
        let (drug, sent, _) = kb.drugs.by_near_name(question)?;
        let sent = self.analyser.tokenize(&sent);
        let known = |t: &String| {
            self.df.contains_key(t) || self.groups.iter().any(|g| g.triggers.iter().flatten().any(|s| s == t))
        };
        (!sent.iter().any(known)).then_some((drug, sent))
    }

    /// A concept with its weight: the IDF of its rarest stem in an alternative whose stems the
    /// knowledge base all knows (one that could be said), or of an unseen stem when there is none:
    /// "vitamin D3", a name of colecalciferol, is not weighed as the known word "vitamin".
    fn concept(&self, alternatives: Vec<Vec<String>>, subject: bool) -> Concept {
        let weight = alternatives
            .iter()
            .filter(|alt| alt.iter().all(|t| self.df.contains_key(t)))
            .flatten()
            .map(|t| self.idf(t))
            .fold(None, |m: Option<f32>, x| Some(m.map_or(x, |m| m.max(x))))
            .unwrap_or_else(|| self.idf(""));
        Concept {
            alternatives,
            subject,
            context: false,
            weight,
        }
    }

    /// The share of the question's subjects (IDF-weighted) that an entry says.
    fn coverage(&self, a: &Analysis, doc: &Doc) -> f32 {
        let (mut covered, mut total) = (0.0, 0.0);
        for c in a.concepts.iter().filter(|c| c.subject) {
            let said = c.said_by(&doc.terms);
            if c.context && !said {
                continue;
            }
            total += c.weight;
            if said {
                covered += c.weight;
            }
        }
        if total > 0.0 { covered / total } else { 0.0 }
    }

    /// BM25 of an entry for a question, one term per concept: a concept counts once, with its
    /// best-scoring alternative (the mean BM25 term score of that alternative's stems), so a
    /// synonym group or a drug's class words never add up against a question's other words.
    fn score(&self, a: &Analysis, stems: &HashMap<&str, bm25::Embedding<u32>>, id: usize) -> f32 {
        let doc = &self.docs[id];
        let mut total = 0.0;
        for c in &a.concepts {
            let mut best = 0.0f32;
            for alt in c.alternatives.iter().filter(|alt| says(&doc.terms, alt)) {
                let sum: f32 = alt
                    .iter()
                    .map(|t| self.scorer.score(&id, &stems[t.as_str()]).unwrap_or(0.0))
                    .sum();
                best = best.max(sum / alt.len() as f32);
            }
            // A context concept only breaks ties: a share of its term score, no title boost.
            if c.context {
                total += self.ranking.context_share * best;
                continue;
            }
            total += best;
            let title = if c.subject { &doc.title } else { &doc.id_title };
            if c.said_by(title) {
                total += self.ranking.title_boost * c.weight;
            }
        }
        total
    }

    /// The hit of searchable entry `d`: taken out of `hits` when the ranking has it, else scored
    /// for the question (an answer that safety or a general question puts in).
    fn take_hit(
        &self,
        hits: &mut Vec<Hit>,
        analysis: &Analysis,
        stems: &HashMap<&str, bm25::Embedding<u32>>,
        d: usize,
    ) -> Hit {
        let doc = &self.docs[d];
        match hits.iter().position(|h| h.entry == doc.entry) {
            Some(at) => hits.remove(at),
            None => Hit {
                entry: doc.entry,
                score: self.score(analysis, stems, d),
                coverage: self.coverage(analysis, doc),
                drug: None,
                tier: None,
            },
        }
    }

    /// Whether a question (its concepts, and its stems with stop words: `English::phrase`) is of
    /// the general kind `g`: every subject said in its general words, one of its cramp words and
    /// one of its asking phrases said (`general_questions`). The caller checks it names no drug.
    fn is_general(&self, g: &GeneralStems, analysis: &Analysis, words: &[String]) -> bool {
        if g.docs.is_empty() {
            return false;
        }
        let general = |c: &Concept| {
            !c.subject
                || c.alternatives
                    .iter()
                    .any(|alt| !alt.is_empty() && alt.iter().all(|t| g.general_words.contains(t)))
        };
        analysis.concepts.iter().all(general)
            && g.must_say.iter().any(|m| has_run(words, m))
            && g.asks.iter().any(|a| has_run(words, a))
    }

    /// Answers a question from the approved entries.
    pub fn ask(&self, kb: &KnowledgeBase, question: &str) -> AskResult {
        // The question with its stop words, read once if anything needs it.
        let phrase = std::cell::OnceCell::new();
        let analysis = self.analyse_with(kb, question, &phrase);
        // Safety: a warning sign whose statement is not approved yet is refused, not answered with
        // whatever else its words find ("I can't feel between my legs and my legs cramp" got the
        // criteria for restless legs).
        if !self.refusing.is_empty() {
            let p = phrase.get_or_init(|| self.analyser.phrase(question));
            if self.refusing.iter().any(|sign| has_run(p, sign)) {
                return AskResult {
                    answered: false,
                    hits: Vec::new(),
                    best: None,
                    touched: true,
                    warning_sign: true,
                    analysis,
                };
            }
        }
        let touched = analysis
            .concepts
            .iter()
            .any(|c| c.subject && c.stems().any(|t| self.df.contains_key(t)));

        // What the named drugs make relevant.
        let linked = |entry: usize| analysis.drugs.iter().find(|n| n.entries.contains(&entry));

        let mut stems: HashMap<&str, bm25::Embedding<u32>> = HashMap::default();
        for t in analysis.concepts.iter().flat_map(|c| c.stems()) {
            stems.entry(t.as_str()).or_insert_with(|| self.embedder.embed(t));
        }
        let mut candidates: Vec<Hit> = (0..self.docs.len())
            .filter_map(|id| {
                let doc = &self.docs[id];
                // An entry that says none of the question's subjects is no candidate: were it
                // ranked first on the question's other words ("do I need to see a doctor?": "need"),
                // it would refuse a question that another entry answers.
                if !analysis.concepts.iter().any(|c| c.subject && c.said_by(&doc.terms)) {
                    return None;
                }
                if !doc.fits(&analysis) {
                    return None;
                }
                let link = linked(doc.entry);
                let eligible = if doc.needs_drug {
                    link.is_some()
                } else {
                    analysis.drugs.is_empty()
                        || doc.groups.is_empty()
                        || analysis
                            .drugs
                            .iter()
                            .any(|n| doc.groups.iter().any(|g| n.groups.contains(g)))
                };
                if !eligible {
                    return None;
                }
                let (drug, tier) = match link {
                    Some(n) => (Some(kb.drugs.drugs[n.drug].display.clone()), n.tier),
                    None => match doc.groups.first() {
                        Some(&g) => (
                            Some(kb.drugs.groups[g].display.clone()),
                            Some(kb.drugs.groups[g].tier.as_str()),
                        ),
                        None => (None, None),
                    },
                };
                Some(Hit {
                    entry: doc.entry,
                    score: self.score(&analysis, &stems, id),
                    coverage: self.coverage(&analysis, doc),
                    drug,
                    tier,
                })
            })
            .collect();
        candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.entry.cmp(&b.entry)));

        let r = &self.ranking;
        let passes = |h: &Hit| h.coverage >= r.min_coverage && h.score >= r.min_score;
        let best = candidates.first().cloned();
        let mut answered = touched && best.as_ref().is_some_and(passes);
        let mut hits: Vec<Hit> = match (&best, answered) {
            (Some(top), true) => candidates
                .iter()
                .filter(|h| passes(h) && h.score >= r.relative_floor * top.score)
                .take(r.max_statements)
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        // A question about cramps in general gets its row's answers first (`general_questions`:
        // what to do gets the first-line plan), whatever its few words rank first: the definition
        // of a night cramp, or a clinician's third-line option.
        // Only when it names no drug; its stop words kept (the `phrase` read once above).
        let general = if analysis.drugs.is_empty() {
            let words = phrase.get_or_init(|| self.analyser.phrase(question));
            self.general.iter().find(|g| self.is_general(g, &analysis, words))
        } else {
            None
        };
        if let Some(g) = general {
            for (i, &d) in g.docs.iter().enumerate() {
                let hit = self.take_hit(&mut hits, &analysis, &stems, d);
                hits.insert(i, hit);
            }
            hits.truncate(r.max_statements.max(g.docs.len()));
            answered = !hits.is_empty();
        }
        // Safety: a question that describes a warning sign gets the statement that says what to do
        // about it first, whatever the ranking (`warning_signs`; the first listed ends first).
        let mut first: Vec<usize> = Vec::new();
        // About a drug: the question names one, or its best answer is a drug's statement (one
        // filled with a drug or a drug group).
        let about_drug = !analysis.drugs.is_empty() || hits.first().is_some_and(|h| h.drug.is_some());
        for w in self.warning.iter().rev() {
            let names_sign = w.signs.iter().any(|seq| has_run(&analysis.words, seq));
            let drug_ok = w.with_atc.is_empty()
                || analysis.drugs.iter().any(|n| {
                    kb.drugs.drugs[n.drug]
                        .code()
                        .is_some_and(|code| w.with_atc.iter().any(|a| crate::engine::compatible(a, code)))
                });
            if !(names_sign && drug_ok) || (w.without_drug && about_drug) {
                continue;
            }
            let hit = self.take_hit(&mut hits, &analysis, &stems, w.doc);
            first.push(hit.entry);
            hits.insert(0, hit);
            answered = true;
        }
        // Safety: an answer about a drug the knowledge base says to avoid always carries that avoid
        // statement (in place of the last hit when the list is full), whatever the ranking, also
        // when only a warning sign answered ("quinine in the first trimester").
        if answered {
            for named in &analysis.drugs {
                let Some(code) = kb.drugs.drugs[named.drug].code() else {
                    continue;
                };
                let avoid = self.docs.iter().find(|doc| {
                    let e = &kb.entries[doc.entry];
                    e.severity.is_some()
                        && e.atc.as_deref().is_some_and(|a| crate::engine::compatible(a, code))
                        && doc.fits(&analysis)
                });
                let Some(doc) = avoid else { continue };
                if !hits.iter().any(|h| h.entry == doc.entry) {
                    if hits.len() >= r.max_statements {
                        hits.pop();
                    }
                    hits.push(Hit {
                        entry: doc.entry,
                        score: candidates
                            .iter()
                            .find(|h| h.entry == doc.entry)
                            .map_or(0.0, |h| h.score),
                        coverage: self.coverage(&analysis, doc),
                        drug: None,
                        tier: None,
                    });
                }
                // Not to start it comes before the drug's review statement (written for someone
                // taking it: "talk with your prescriber about stopping it"), unless the question
                // says the asker takes it or asks about keeping or stopping it (`taking`):
                // "can I take quinine?" was answered first with the review of quinine already
                // taken. A warning sign stays first.
                let review = |h: &Hit| named.groups.iter().any(|&g| kb.group_entry(g).index == h.entry);
                let taking = || self.taking.said(phrase.get_or_init(|| self.analyser.phrase(question)));
                if let (Some(ri), Some(ai)) = (
                    hits.iter().position(|h| review(h) && !first.contains(&h.entry)),
                    hits.iter().position(|h| h.entry == doc.entry),
                ) && ri < ai
                    && !taking()
                {
                    let hit = hits.remove(ai);
                    hits.insert(ri, hit);
                }
            }
        }
        // Within the limit, the statements safety put in stay: the last other one goes.
        while hits.len() > r.max_statements {
            let kept = |h: &Hit| first.contains(&h.entry) || kb.entries[h.entry].severity.is_some();
            match hits.iter().rposition(|h| !kept(h)) {
                Some(i) => {
                    hits.remove(i);
                }
                None => break,
            }
        }
        AskResult {
            answered,
            hits,
            best,
            touched,
            warning_sign: false,
            analysis,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{SearchVocabulary, join_vitamin_letters};

    #[test]
    fn a_named_word_list_stands_for_its_words_and_an_unknown_name_is_an_error() {
        let text =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../knowledge/search.toml")).unwrap();
        let mut voc: SearchVocabulary = toml::from_str(&text).unwrap();
        let child = voc.word_lists["child"].clone();
        voc.not_searched_with
            .insert("x".into(), vec!["@child".into(), "heart".into()]);
        voc.expand_word_lists().unwrap();
        let mut want = child;
        want.push("heart".into());
        assert_eq!(voc.not_searched_with["x"], want);
        assert!(voc.not_searched_with.values().flatten().all(|w| !w.starts_with('@')));
        let general = voc
            .general_questions
            .iter()
            .flat_map(|g| g.asks.iter().chain(&g.must_say).chain(&g.about));
        assert!(general.clone().all(|w| !w.starts_with('@')));
        assert!(general.clone().any(|w| w == "calves"), "cramp_setting expanded");
        voc.searched_only_with.insert("y".into(), vec!["@nobody".into()]);
        assert!(voc.expand_word_lists().unwrap_err().contains("nobody"));
    }

    #[test]
    fn a_vitamin_named_by_one_letter_becomes_one_word() {
        assert_eq!(join_vitamin_letters("Does vitamin D help?"), "does vitamind0 help?");
        assert_eq!(
            join_vitamin_letters("vitamins C and E, or vitamin b12"),
            "vitaminc0 and vitamine0, or vitamin b12"
        );
        assert_eq!(
            join_vitamin_letters("vitamin C and a bit of zinc"),
            "vitaminc0 and a bit of zinc"
        );
        assert_eq!(join_vitamin_letters("magnesium at night"), "magnesium at night");
    }
}
