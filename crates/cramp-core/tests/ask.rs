//! Follow-up questions (issue 7, SPEC §6): the evaluation set `tests/ask/eval.toml` run against the
//! repository's knowledge base, and the behaviours every answer must have.
//!
//! The figures (precision at 1, refusal accuracy, per half) are written to
//! `target/tmp/ask-eval.json` and recorded in BENCHMARKS.md. `CRAMP_EVAL_SPLITS=tune` limits the run
//! to the tune half (what tuning the numbers in `knowledge/search.toml` may look at);
//! `CRAMP_EVAL_VERBOSE=1` prints each question's outcome.

mod common;

use cramp_core::search::{AskResult, Searcher};
use cramp_core::vocab::{Audience, ReviewStatus};
use serde::Deserialize;
use std::path::Path;
use std::sync::OnceLock;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Eval {
    question: Vec<Question>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Question {
    split: String,
    text: String,
    #[serde(default)]
    expect: Vec<String>,
    #[serde(default)]
    refuse: bool,
}

fn searcher() -> &'static Searcher {
    static S: OnceLock<Searcher> = OnceLock::new();
    S.get_or_init(|| Searcher::new(common::kb()))
}

fn ask(q: &str) -> AskResult {
    searcher().ask(common::kb(), q)
}

fn first(q: &str) -> Option<String> {
    let kb = common::kb();
    let r = ask(q);
    r.hits.first().map(|h| kb.entries[h.entry].id.clone())
}

/// The ids of the statements a question is answered with, in order.
fn hit_ids(q: &str) -> Vec<String> {
    let kb = common::kb();
    ask(q).hits.iter().map(|h| kb.entries[h.entry].id.clone()).collect()
}

fn eval_set() -> Eval {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/ask/eval.toml");
    toml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[derive(Default, Debug)]
struct Tally {
    answerable: usize,
    right_first: usize,
    to_refuse: usize,
    refused: usize,
    wrongly_refused: usize,
}

#[test]
fn the_evaluation_set_is_well_formed() {
    let kb = common::kb();
    let set = eval_set();
    let answerable = set.question.iter().filter(|q| !q.refuse).count();
    let refusals = set.question.iter().filter(|q| q.refuse).count();
    assert!(
        answerable >= 40,
        "{answerable} answerable questions; the issue asks for at least 40"
    );
    assert!(
        refusals >= 10,
        "{refusals} questions to refuse; the issue asks for at least 10"
    );
    for q in &set.question {
        assert!(
            q.split == "tune" || q.split == "holdout",
            "{}: split {}",
            q.text,
            q.split
        );
        assert_eq!(q.refuse, q.expect.is_empty(), "{}: either refuse or expect", q.text);
        for id in &q.expect {
            let e = kb.entry(id).unwrap_or_else(|| panic!("{}: no entry {id}", q.text));
            assert_eq!(e.status, ReviewStatus::Approved, "{}: {id} is not approved", q.text);
        }
    }
    for split in ["tune", "holdout"] {
        let n = set.question.iter().filter(|q| q.split == split).count();
        assert!(
            n * 2 >= set.question.len() - 1,
            "the halves are uneven: {split} has {n}"
        );
    }
}

#[test]
fn the_evaluation_set_scores_above_its_floor() {
    let kb = common::kb();
    let splits: Vec<String> = std::env::var("CRAMP_EVAL_SPLITS")
        .map(|s| s.split(',').map(str::to_string).collect())
        .unwrap_or_else(|_| vec!["tune".into(), "holdout".into()]);
    let verbose = std::env::var_os("CRAMP_EVAL_VERBOSE").is_some();
    let mut report = serde_json::Map::new();
    let mut tallies = Vec::new();
    for split in &splits {
        let mut t = Tally::default();
        for q in eval_set().question.iter().filter(|q| &q.split == split) {
            let r = ask(&q.text);
            let top = r.hits.first().map(|h| kb.entries[h.entry].id.as_str());
            let best = r.best.as_ref().map(|h| {
                format!(
                    "{} score {:.2} coverage {:.2}",
                    kb.entries[h.entry].id, h.score, h.coverage
                )
            });
            let ok = if q.refuse {
                t.to_refuse += 1;
                t.refused += usize::from(!r.answered);
                !r.answered
            } else {
                t.answerable += 1;
                t.wrongly_refused += usize::from(!r.answered);
                let ok = top.is_some_and(|id| q.expect.iter().any(|e| e == id));
                t.right_first += usize::from(ok);
                ok
            };
            if verbose {
                println!(
                    "[{split}] {} {:?} -> {} (best: {}; touched {}; concepts {})",
                    if ok { "ok  " } else { "MISS" },
                    q.text,
                    top.unwrap_or("refused"),
                    best.unwrap_or_else(|| "none".into()),
                    r.touched,
                    r.analysis
                        .concepts
                        .iter()
                        .map(|c| format!(
                            "{}{}",
                            c.alternatives.iter().map(|a| a.join("+")).collect::<Vec<_>>().join("|"),
                            if c.subject { "" } else { "(q)" }
                        ))
                        .collect::<Vec<_>>()
                        .join(" ")
                );
            }
        }
        let p1 = t.right_first as f64 / t.answerable as f64;
        let refusal = t.refused as f64 / t.to_refuse as f64;
        println!(
            "[{split}] precision@1 {p1:.3} ({}/{}), refusal accuracy {refusal:.3} ({}/{}), answerable refused {}",
            t.right_first, t.answerable, t.refused, t.to_refuse, t.wrongly_refused
        );
        report.insert(
            split.clone(),
            serde_json::json!({
                "answerable": t.answerable, "right_first": t.right_first, "precision_at_1": p1,
                "to_refuse": t.to_refuse, "refused": t.refused, "refusal_accuracy": refusal,
                "answerable_refused": t.wrongly_refused,
            }),
        );
        tallies.push((split.clone(), p1, refusal));
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/tmp");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(
        out.join("ask-eval.json"),
        serde_json::to_string_pretty(&report).unwrap(),
    )
    .unwrap();
    // Floors, not the measured figures: a change to the vocabulary or the entries that costs more
    // than a question or two on either half fails here (figures in BENCHMARKS.md).
    for (split, p1, refusal) in tallies {
        assert!(p1 >= FLOOR_P1, "[{split}] precision at 1 {p1:.3} fell below {FLOOR_P1}");
        assert!(
            refusal >= FLOOR_REFUSAL,
            "[{split}] refusal accuracy {refusal:.3} fell below {FLOOR_REFUSAL}"
        );
    }
}

const FLOOR_P1: f64 = 0.6;
const FLOOR_REFUSAL: f64 = 0.85;

// ---- behaviours every answer has ------------------------------------------------------------

#[test]
fn only_approved_entries_are_searched_and_answers_are_their_words() {
    let kb = common::kb();
    let approved = kb
        .entries
        .iter()
        .filter(|e| e.status == ReviewStatus::Approved && !kb.search.not_searched.contains(&e.id))
        .count();
    assert_eq!(searcher().len(), approved);
    for q in eval_set().question {
        let r = ask(&q.text);
        assert_eq!(r.answered, !r.hits.is_empty());
        for h in &r.hits {
            let e = &kb.entries[h.entry];
            assert_eq!(e.status, ReviewStatus::Approved);
            for audience in [Audience::Clinician, Audience::Patient] {
                let text = r.text(kb, h, audience);
                assert!(!text.contains('{'), "{}: unfilled template in {text}", e.id);
                // Word for word: the entry's text with at most its placeholders filled.
                let raw = e.text(audience);
                let literal = raw.split('{').next().unwrap_or("");
                assert!(text.starts_with(literal) || raw.starts_with('{'), "{}: {text}", e.id);
            }
        }
    }
}

#[test]
fn results_are_deterministic() {
    let kb = common::kb();
    let a = Searcher::new(kb);
    let b = Searcher::new(kb);
    for q in eval_set().question {
        let x: Vec<(usize, u32)> = a
            .ask(kb, &q.text)
            .hits
            .iter()
            .map(|h| (h.entry, h.score.to_bits()))
            .collect();
        let y: Vec<(usize, u32)> = b
            .ask(kb, &q.text)
            .hits
            .iter()
            .map(|h| (h.entry, h.score.to_bits()))
            .collect();
        assert_eq!(x, y, "{}", q.text);
    }
}

#[test]
fn an_empty_or_wordless_question_is_refused() {
    for q in ["", "   ", "?!", "the and of", "how do I", "does it help"] {
        let r = ask(q);
        assert!(!r.answered, "{q:?} was answered");
        assert!(!r.touched, "{q:?} touched the vocabulary");
    }
}

#[test]
fn a_named_drug_fills_the_template_of_its_group_statement() {
    let kb = common::kb();
    let r = ask("Does hydrochlorothiazide cause cramps?");
    assert!(r.answered);
    let h = &r.hits[0];
    assert!(
        kb.entries[h.entry].id.starts_with("review."),
        "{}",
        kb.entries[h.entry].id
    );
    assert!(r.text(kb, h, Audience::Patient).starts_with("Hydrochlorothiazide"));
}

#[test]
fn a_named_drug_keeps_other_drugs_statements_out() {
    let kb = common::kb();
    for h in ask("Can a statin give me cramps?").hits {
        let id = &kb.entries[h.entry].id;
        assert!(!id.starts_with("review.") || id == "review.statin", "{id}");
    }
}

// The questions the issue names, as a user would type them (not part of the evaluation set).
#[test]
fn the_issues_example_questions_are_answered_from_the_right_entries() {
    let cases: [(&str, &[&str]); 4] = [
        (
            "does magnesium help?",
            &["avoid.magnesium", "education.magnesium_trials", "conflict.magnesium"],
        ),
        // Every quinine statement warns; the UK's conditions of use, a jurisdiction note for
        // clinicians, answer only a question naming the UK (`searched_only_with`).
        (
            "is quinine safe?",
            &[
                "avoid.quinine",
                "conflict.quinine",
                "education.quinine_effect_size",
                "review.quinine",
            ],
        ),
        ("how do I stretch before bed?", &["plan.nightly_stretching"]),
        (
            "charley horse at 3 am",
            &["plan.acute_cramp_relief", "education.what_nocturnal_leg_cramps_are"],
        ),
    ];
    for (q, expect) in cases {
        let got = first(q);
        assert!(
            got.as_deref().is_some_and(|id| expect.contains(&id)),
            "{q:?} -> {got:?}, expected one of {expect:?}"
        );
    }
}

#[test]
fn an_answer_about_a_drug_to_avoid_carries_its_avoid_statement() {
    let kb = common::kb();
    for q in [
        "is quinine safe?",
        "Why check the platelet count on quinine?",
        "I take Qualaquin",
    ] {
        let r = ask(q);
        assert!(r.answered, "{q}");
        let ids: Vec<&str> = r.hits.iter().map(|h| kb.entries[h.entry].id.as_str()).collect();
        assert!(ids.contains(&"avoid.quinine"), "{q}: {ids:?}");
    }
}

#[test]
fn a_question_describing_a_warning_sign_gets_what_to_do_first() {
    // SPEC §8: a red flag is never outranked. The bleeding-on-quinine red flag is in review, so the
    // approved safety-net statement answers it; before, the platelet test came first.
    for (q, want) in [
        ("I bruise easily on quinine", "plan.safety_net_advice"),
        ("quinine and nosebleeds", "plan.safety_net_advice"),
        ("my calf is swollen", "red_flag.possible_dvt"),
        ("my calf is red and hot after a long flight", "red_flag.possible_dvt"),
        ("swollen calf and bruising on quinine", "red_flag.possible_dvt"),
        ("new weakness in my legs", "plan.safety_net_advice"),
    ] {
        assert_eq!(first(q).as_deref(), Some(want), "{q}");
    }
    let kb = common::kb();
    let both = ask("swollen calf and bruising on quinine");
    let ids: Vec<&str> = both.hits.iter().map(|h| kb.entries[h.entry].id.as_str()).collect();
    assert!(
        ids.contains(&"plan.safety_net_advice") && ids.contains(&"avoid.quinine"),
        "{ids:?}"
    );
    assert!(ids.len() <= kb.search.ranking.max_statements, "{ids:?}");
    // Bleeding without quinine named is not this sign: nothing is forced.
    assert!(!ask("I bruise easily").answered);
}

#[test]
fn a_question_about_blood_tests_on_quinine_gets_the_platelet_count() {
    // The entry says "blood count"; the question says "blood test".
    assert_eq!(first("What blood tests on quinine?").as_deref(), Some("lab.platelets"));
}

#[test]
fn a_statement_served_only_beside_a_red_flag_is_never_an_answer() {
    // "Stop taking quinine now, as the warning above says" answered "should I stop quinine?" when
    // these variants were first added: read alone it tells someone to stop a medicine (SPEC §8).
    let kb = common::kb();
    let hidden = &kb.search.not_searched;
    assert!(hidden.iter().any(|id| id == "plan.quinine_stop_now"));
    for q in [
        "I take quinine, should I stop it?",
        "should I keep taking quinine",
        "is quinine safe?",
        "I'm pregnant and take quinine",
        "quinine bruising",
        "do I need to see a doctor about my medicines?",
    ] {
        let r = ask(q);
        for h in &r.hits {
            let id = &kb.entries[h.entry].id;
            assert!(!hidden.contains(id), "{q}: {id}");
            assert!(
                !kb.entries[h.entry].patient.contains("as the warning above says"),
                "{q}: {id}"
            );
        }
    }
}

#[test]
fn magnesium_in_pregnancy_is_answered_with_the_pregnancy_statement_and_only_when_pregnancy_is_named() {
    let kb = common::kb();
    let ids = |q: &str| -> Vec<String> { ask(q).hits.iter().map(|h| kb.entries[h.entry].id.clone()).collect() };
    for q in ["magnesium in pregnancy", "I'm pregnant, can I take magnesium?"] {
        assert_eq!(
            ids(q).first().map(String::as_str),
            Some("considering.magnesium_pregnancy"),
            "{q}"
        );
    }
    for q in ["does magnesium help?", "which magnesium supplement works best?"] {
        let got = ids(q);
        assert!(
            !got.iter().any(|id| id == "considering.magnesium_pregnancy"),
            "{q}: {got:?}"
        );
        assert!(got.iter().any(|id| id == "avoid.magnesium"), "{q}: {got:?}");
    }
}

#[test]
fn a_word_that_only_asks_is_about_an_entry_only_when_its_id_says_it() {
    // "How long" asks for a duration; "long" in the LABA statement's population is "long-acting".
    // Before, the LABA review came first for how long a cramp lasts.
    for q in ["how long do cramps last", "How long does a cramp last?"] {
        assert_eq!(
            first(q).as_deref(),
            Some("education.what_nocturnal_leg_cramps_are"),
            "{q}"
        );
    }
    // A word of the entry's id still is ("what causes cramps").
    assert_eq!(
        first("what causes cramps").as_deref(),
        Some("education.what_causes_cramps")
    );
    // The subject words still find the population: the LABA review for a long-acting inhaler.
    assert_eq!(first("long-acting inhaler cramps").as_deref(), Some("review.laba"));
}

#[test]
fn at_night_is_the_setting_not_the_subject_and_asking_when_to_get_care_finds_the_safety_net() {
    // Beside another subject "at night" does not decide the answer; alone it still does.
    assert_eq!(
        first("I'm pregnant and get cramps at night").as_deref(),
        Some("education.cramps_in_pregnancy")
    );
    assert_eq!(
        first("What are nocturnal leg cramps?").as_deref(),
        Some("education.what_nocturnal_leg_cramps_are")
    );
    // It still breaks ties: stretching before bed is the nightly stretching plan.
    assert_eq!(
        first("how do I stretch before bed?").as_deref(),
        Some("plan.nightly_stretching")
    );
    assert_eq!(
        first("Should I see a doctor about my cramps?").as_deref(),
        Some("plan.safety_net_advice")
    );
}

#[test]
fn asking_what_to_do_during_a_cramp_gets_the_acute_relief_statement() {
    for q in [
        "What should I do when a cramp wakes me up?",
        "how do I stop a cramp",
        "my cramp woke me up again",
        // pointed toes, which the statement's pull undoes (got the quinine trials' "3-point scale")
        "should I point my toes?",
    ] {
        assert_eq!(first(q).as_deref(), Some("plan.acute_cramp_relief"), "{q}");
    }
    // The group's triggers each keep a word besides "cramp": other cramp questions are untouched.
    assert_eq!(first("can statins cause cramps").as_deref(), Some("review.statin"));
}

// Everyday words that named the wrong subject: "heating pad" read as PAD, "vitamin D" as any
// vitamin (the stop words drop the letter), "exercise" as the claudication programme, "go away" as
// the DVT statement's "pain that does not go away".
#[test]
fn household_words_find_their_own_subject() {
    let relief = ["plan.acute_cramp_relief", "conflict.acute_relief"];
    for q in [
        "can I use a heating pad",
        "is a hot water bottle good for a cramp",
        "should I put ice on my calf",
        "does a hot bath before bed help",
    ] {
        let got = first(q);
        assert!(
            got.as_deref().is_some_and(|id| relief.contains(&id)),
            "{q:?} -> {got:?}"
        );
    }
    let pad = [
        "plan.supervised_exercise",
        "plan.cardiovascular_risk_management",
        "plan.vascular_assessment",
    ];
    for q in ["can I use a heating pad", "why do I get cramps after exercise"] {
        let ids = hit_ids(q);
        assert!(!ids.iter().any(|id| pad.contains(&id.as_str())), "{q:?}: {ids:?}");
    }
    // The claudication statements still answer a question about leg pain on walking.
    assert!(first("leg pain when walking, is it my arteries?").is_some_and(|id| pad.contains(&id.as_str())));
    // Nothing approved is about vitamin D; vitamin E is the dialysis statement.
    assert!(!ask("does vitamin D help cramps?").answered);
    assert_eq!(
        first("does vitamin E help cramps?").as_deref(),
        Some("education.cramps_on_dialysis")
    );
    assert_ne!(
        first("will my cramps go away?").as_deref(),
        Some("red_flag.possible_dvt")
    );
    // "ALS" is not the "al" of "et al." in a citation (it found the baclofen cohort statement).
    assert!(!ask("cramps in ALS").answered);
    // A quinine statement names its side effects; it answers only a question that names quinine.
    let ids = hit_ids("cramps and dark urine");
    assert!(!ids.iter().any(|id| id.contains("quinine")), "{ids:?}");
    assert_eq!(first("I take Q-vel").as_deref(), Some("review.quinine"));
    // "HRT" alone is the oestrogen group of the vocabulary, not a drug without a statement.
    assert_eq!(
        first("does HRT cause leg cramps?").as_deref(),
        Some("review.conjugated_estrogens")
    );
    // Kidney failure finds the ESRD statement.
    assert_eq!(
        first("RLS with kidney failure").as_deref(),
        Some("option.iv_iron_sucrose_esrd")
    );
}

#[test]
fn a_statement_that_excludes_a_population_does_not_answer_it() {
    assert!(ask("what is the dose of baclofen in cirrhosis?").answered);
    let ids = hit_ids("what is the dose of baclofen in cirrhosis?");
    assert!(!ids.iter().any(|id| id == "avoid.baclofen_no_indication"), "{ids:?}");
    // With hepatic encephalopathy, where baclofen is never offered and the statements saying so are
    // in review, nothing presents baclofen in cirrhosis: the question is refused.
    for q in [
        "is baclofen safe with hepatic encephalopathy and cirrhosis?",
        "baclofen makes me confused, I have cirrhosis",
    ] {
        assert!(!ask(q).answered, "{q}");
    }
    // Outside cirrhosis it still answers.
    assert_eq!(
        first("is baclofen safe for cramps?").as_deref(),
        Some("avoid.baclofen_no_indication")
    );
}

#[test]
fn a_phrase_of_question_words_finds_its_group_only_when_said_whole() {
    // "When a cramp starts" is "cramp start" without its stop words, which "cramps after starting
    // a statin" also says: the question about the statin was taken for one about the moment of a
    // cramp, and refused.
    assert_eq!(
        first("cramps after starting a statin").as_deref(),
        Some("review.statin")
    );
    assert_eq!(
        first("cramps after starting amlodipine").as_deref(),
        Some("review.dihydropyridine_ccb")
    );
    // Said whole, with or without its articles, the phrase still finds what to do in the moment.
    for q in [
        "what should I do when a cramp starts",
        "what do I do when cramps start",
        "how do I stop cramps",
        "what to do when a cramp wakes me up",
    ] {
        assert_eq!(first(q).as_deref(), Some("plan.acute_cramp_relief"), "{q:?}");
    }
}

#[test]
fn an_entry_that_says_none_of_the_subjects_does_not_refuse_the_question() {
    // "Need" is a question word; the entry ranked first on it said nothing of seeing a doctor.
    assert_eq!(
        first("do I need to see a doctor").as_deref(),
        Some("plan.safety_net_advice")
    );
}

#[test]
fn magnesium_is_not_called_useless_in_pregnancy_nor_answered_for_kidney_disease() {
    // EVIDENCE.md c.7: in pregnancy the magnesium evidence conflicts; "works no better than a dummy
    // pill for ordinary night cramps" (avoid.magnesium, whose population is not pregnant) came first
    // on pregnancy questions, even ones that did not name magnesium.
    for q in [
        "does magnesium work in pregnancy",
        "Cramps in pregnancy, what works?",
        "I'm 30 weeks pregnant and my calves cramp in bed, what can I do?",
    ] {
        let ids = hit_ids(q);
        assert!(!ids.is_empty(), "{q}");
        assert!(!ids.iter().any(|id| id == "avoid.magnesium"), "{q}: {ids:?}");
    }
    assert_eq!(
        first("does magnesium work in pregnancy").as_deref(),
        Some("considering.magnesium_pregnancy")
    );
    // With kidney disease or on dialysis magnesium needs the kidney team, and the statement that
    // says so is in review: the question is refused rather than answered with the general ones.
    for q in [
        "can I take magnesium on dialysis",
        "is magnesium safe with kidney disease",
    ] {
        assert!(!ask(q).answered, "{q}");
    }
    // Elsewhere the general statement still answers.
    assert_eq!(first("does magnesium help cramps").as_deref(), Some("avoid.magnesium"));
    // The statement for a case whose pregnancy status is unknown is never an answer.
    for q in [
        "Cramps in pregnancy, what works?",
        "can I take baclofen if I might be pregnant",
    ] {
        assert!(
            !hit_ids(q).iter().any(|id| id == "avoid.baclofen_until_pregnancy_known"),
            "{q}"
        );
    }
}

#[test]
fn a_drug_misspelt_by_one_letter_is_that_drug_and_a_word_of_degree_is_no_subject() {
    // Read as the assessment reads a medication list: one edit, one drug, same first letter.
    assert_eq!(first("is quinnine safe?").as_deref(), Some("avoid.quinine"));
    assert_eq!(first("atorvastatine and cramps").as_deref(), Some("review.statin"));
    // A word the vocabulary uses is not taken for a brand one letter away ("oestrogen" and the
    // brand "Oestrogel").
    assert_eq!(
        first("does oestrogen cause cramps").as_deref(),
        Some("review.conjugated_estrogens")
    );
    // How bad the cramps are names no subject: "terrible" had sunk the cirrhosis statement's
    // coverage and the question was refused.
    assert_eq!(
        first("I have cirrhosis and terrible cramps, what can help?").as_deref(),
        Some("education.cramps_in_cirrhosis")
    );
    // An unknown subject is still refused.
    assert!(!ask("does acupuncture help terrible cramps?").answered);
}

#[test]
fn who_said_it_and_a_number_name_no_subject() {
    // "Wife" and "says" had weighed as unseen subjects and refused the question the bed-partner
    // statement answers.
    let ids = hit_ids("my wife says I kick in my sleep");
    assert!(
        ids.iter().any(|id| id == "education.periodic_limb_movements"),
        "{ids:?}"
    );
    assert_eq!(first("my mum takes quinine").as_deref(), Some("review.quinine"));
    assert!(ask("I'm 72 and get cramps").answered);
    // A child is a subject: its statements differ, and those are in review.
    assert!(!ask("my son gets cramps").answered);
}

#[test]
fn asking_whether_cramps_are_serious_gets_when_to_seek_care_before_reassurance() {
    // SPEC §8: reassurance never outranks a red flag. "Are leg cramps dangerous?" had been answered
    // with "they are painful but not dangerous" alone; "when should I worry?" was refused.
    for q in [
        "are leg cramps dangerous?",
        "red flags for leg cramps",
        "when should I worry about leg cramps",
        "could my cramps be something serious",
        "when should I go to a doctor about my cramps?",
    ] {
        assert_eq!(first(q).as_deref(), Some("plan.safety_net_advice"), "{q}");
    }
    let ids = hit_ids("are leg cramps dangerous?");
    assert!(ids.iter().any(|id| id == "plan.reassurance"), "{ids:?}");
    // A question about a drug's dangers is the drug's: its statements answer, first.
    assert_eq!(first("is quinine dangerous?").as_deref(), Some("avoid.quinine"));
    assert_eq!(
        first("I'm worried my cramps are from my statin").as_deref(),
        Some("review.statin")
    );
    // The assessment's "be seen today about the warning sign above" never answers alone.
    for q in ["what are the warning signs", "when do I need same-day care for cramps"] {
        assert!(!hit_ids(q).iter().any(|id| id == "plan.same_day_assessment"), "{q}");
    }
}

#[test]
fn asking_for_the_best_treatment_or_prevention_finds_the_first_line_and_options_keep_to_their_population() {
    assert_eq!(
        first("what is the best treatment for night leg cramps?").as_deref(),
        Some("plan.nightly_stretching")
    );
    assert_eq!(
        first("how do I prevent calf cramps?").as_deref(),
        Some("plan.nightly_stretching")
    );
    assert_eq!(
        first("does magnesium prevent cramps?").as_deref(),
        Some("avoid.magnesium")
    );
    // Diltiazem's option is for adults who are not pregnant, without heart failure or kidney
    // disease: it answered "how can I prevent cramps in pregnancy?" and "is diltiazem safe with
    // heart failure?".
    for q in [
        "how can I prevent cramps in pregnancy?",
        "is diltiazem safe with heart failure?",
        "can I take diltiazem for cramps on dialysis?",
    ] {
        assert!(!hit_ids(q).iter().any(|id| id == "option.diltiazem_refractory"), "{q}");
    }
    assert_eq!(
        first("does diltiazem help cramps?").as_deref(),
        Some("option.diltiazem_refractory")
    );
}

#[test]
fn cholesterol_tablets_are_the_statins() {
    for q in [
        "can cholesterol tablets cause cramps?",
        "do cholesterol pills cause leg cramps",
    ] {
        assert_eq!(first(q).as_deref(), Some("review.statin"), "{q}");
    }
}

#[test]
fn who_gave_a_medicine_names_no_subject_and_adult_options_do_not_answer_about_a_child() {
    let ids = hit_ids("my doctor gave me quinine, is it ok?");
    assert!(ids.iter().any(|id| id == "avoid.quinine"), "{ids:?}");
    // Nor how long or by whom it is taken (refused: "term" and "users" weighed as unseen subjects).
    let ids = hit_ids("should I stop quinine in long-term users?");
    assert!(ids.iter().any(|id| id == "plan.quinine_discontinuation"), "{ids:?}");
    // Nor where it is bought ("can I buy quinine online?" was refused).
    let ids = hit_ids("can I buy quinine online?");
    assert!(ids.iter().any(|id| id == "avoid.quinine"), "{ids:?}");
    // The options and statements for adults (their populations) do not answer about a child.
    for (q, never) in [
        (
            "can I give my child diltiazem for cramps?",
            "option.diltiazem_refractory",
        ),
        ("can children take diltiazem?", "option.diltiazem_refractory"),
        ("can my son take magnesium for cramps?", "avoid.magnesium"),
        ("my teenager has cramps, can she take magnesium?", "avoid.magnesium"),
    ] {
        assert!(!hit_ids(q).iter().any(|id| id == never), "{q}");
    }
}

#[test]
fn a_general_question_about_what_to_do_gets_the_first_line_plan_first() {
    // Few words, nothing named but cramps: the ranking had served the definition of a night
    // cramp ("how can I stop leg cramps?"), a clinician's third-line option ("how do I prevent
    // cramps?") or nothing ("how do I get rid of night cramps?").
    for q in [
        "what can I do to stop leg cramps at night?",
        "how can I stop leg cramps?",
        "how do I prevent cramps?",
        "how do I get rid of night cramps?",
        "what is the treatment for nocturnal leg cramps?",
        "I keep getting cramps in my calves at night, what can I do?",
        // what to take (had the dialysis statement first)
        "what can I take for cramps?",
    ] {
        let ids = hit_ids(q);
        assert_eq!(ids[..2], ["plan.nightly_stretching", "plan.acute_cramp_relief"], "{q}");
    }
    // A question that names more than cramps is not general: its own statements answer it, and a
    // warning sign still comes first.
    assert_eq!(
        first("how can I prevent cramps in pregnancy?").as_deref(),
        Some("education.cramps_in_pregnancy")
    );
    assert_eq!(
        first("how do I prevent cramps from my statin?").as_deref(),
        Some("review.statin")
    );
    assert_eq!(
        first("what can I do about cramps, my calf is swollen").as_deref(),
        Some("red_flag.possible_dvt")
    );
    assert_eq!(
        first("does magnesium prevent cramps?").as_deref(),
        Some("avoid.magnesium")
    );
    // The dialysis statement answers about the kidneys or its vitamins, not every cramp question.
    assert!(
        !hit_ids("what can I take for cramps?")
            .iter()
            .any(|id| id == "education.cramps_on_dialysis")
    );
    assert!(
        hit_ids("does vitamin E help dialysis cramps?")
            .iter()
            .any(|id| id == "education.cramps_on_dialysis")
    );
    // Asking what to do about nothing named is still refused.
    assert!(hit_ids("what can I do?").is_empty());
}

#[test]
fn calcium_alone_is_not_a_calcium_channel_blocker_and_an_unsaid_drug_name_weighs_as_unseen() {
    // "Calcium channel blocker" is one term (`search.toml` `compounds`): the statement on them
    // answered "does calcium help cramps?".
    assert!(hit_ids("does calcium help cramps?").is_empty());
    for q in [
        "do calcium channel blockers help cramps?",
        "can calcium-channel blockers cause cramps?",
        "is a CCB good for cramps?",
    ] {
        assert!(
            hit_ids(q).iter().any(|id| id == "conflict.calcium_channel_blockers"),
            "{q}"
        );
    }
    // Vitamin D is in the drug table (colecalciferol, "vitamin D3"), and no statement says it: it
    // was weighed as the known word "vitamin", and "can vitamin D deficiency cause cramps?" was
    // answered with the magnesium statement, which says "deficiency".
    for q in ["can vitamin D deficiency cause cramps?", "does vitamin D help cramps?"] {
        assert!(hit_ids(q).is_empty(), "{q}: {:?}", hit_ids(q));
    }
    // B12 is read as B12: its evidence conflict and, since the drug links it, the statement on
    // vitamin B taken for cramps.
    let b12 = hit_ids("does B12 help cramps?");
    assert!(b12[..2].contains(&"conflict.vitamin_b12".to_string()), "{b12:?}");
    assert!(b12[..2].contains(&"considering.vitamin_b".to_string()), "{b12:?}");
}

#[test]
fn a_question_about_a_childs_cramps_gets_first_that_a_doctor_should_look_for_a_cause() {
    // Cramps under 18 are a red flag (`atypical_age`, in review); the approved statement on age
    // says the same for young people and comes first.
    for q in [
        "what can I do about my child's leg cramps?",
        "are leg cramps normal in teenagers?",
        "is quinine safe for children?",
        "can children take diltiazem?",
        "my 12 year old has leg cramps at night",
        "my 15-year-old son gets calf cramps",
    ] {
        assert_eq!(first(q).as_deref(), Some("conflict.age"), "{q}");
    }
    assert_ne!(
        first("I am 72 years old and get cramps").as_deref(),
        Some("conflict.age")
    );
    // The quinine question still carries the avoid statement; a warning sign still comes first.
    assert!(
        hit_ids("is quinine safe for children?")
            .iter()
            .any(|id| id == "avoid.quinine")
    );
    assert_eq!(
        first("my child has cramps and weakness in his legs").as_deref(),
        Some("plan.safety_net_advice")
    );
    // A son or daughter may be an adult.
    assert_eq!(
        first("my daughter is pregnant and has leg cramps").as_deref(),
        Some("education.cramps_in_pregnancy")
    );
    // The ferritin conflict (which names the paediatric threshold) answers iron questions only.
    assert!(
        !hit_ids("can children take diltiazem?")
            .iter()
            .any(|id| id == "conflict.ferritin_threshold")
    );
    assert_eq!(
        first("ferritin 60 restless legs").as_deref(),
        Some("conflict.ferritin_threshold")
    );
}

#[test]
fn an_age_stated_in_the_question_is_no_search_term_and_under_18_names_a_child() {
    // `search.toml` `[ages]`: "I'm 17" had the safety-net advice first, "I am 16 and have leg
    // cramps every night" the adults' plan, and "I am 18 years old" the statement that says "18".
    for q in [
        "I'm 17 and get calf cramps",
        "I am 16 and have leg cramps every night",
        "she's 16 and has leg cramps",
        "i'm 17yo with calf cramps",
        "aged 13, cramps in my calves at night",
        "a 14 y/o with night cramps",
        // the person named with the age ("my daughter is 15 and gets leg cramps" was refused)
        "my daughter is 15 and gets leg cramps",
        "my son is 12, he wakes with calf cramps",
    ] {
        assert_eq!(first(q).as_deref(), Some("conflict.age"), "{q}");
    }
    // A son or daughter of an adult's age is no child.
    assert!(
        !hit_ids("my son is 35 and gets cramps")
            .iter()
            .any(|id| id == "conflict.age")
    );
    // A stated child's age excludes the options for adults, as the child words do.
    for (q, never) in [
        ("can my 15 year old take magnesium for cramps?", "avoid.magnesium"),
        ("can a 12 year old take diltiazem?", "option.diltiazem_refractory"),
    ] {
        let ids = hit_ids(q);
        assert_eq!(ids.first().map(String::as_str), Some("conflict.age"), "{q}");
        assert!(!ids.iter().any(|id| id == never), "{q}: {ids:?}");
    }
    // An adult's age, a quantity after "I am", or a past age names no child, and no age is searched
    // for: the numbers and "years old" find nothing.
    let adult = hit_ids("I am 18 years old, what helps cramps?");
    assert_eq!(adult[..2], ["plan.nightly_stretching", "plan.acute_cramp_relief"]);
    assert!(
        !adult.iter().any(|id| id == "avoid.baclofen_no_indication"),
        "{adult:?}"
    );
    for q in [
        "I am 18 years old, what helps cramps?",
        "I'm 72 and get cramps every night, what should I do?",
        "I am 5 weeks pregnant with cramps",
        "my pain is 7 out of 10 at night",
        "I am 16 weeks pregnant and get leg cramps",
    ] {
        assert!(!hit_ids(q).iter().any(|id| id == "conflict.age"), "{q}");
    }
    let words = |q: &str| searcher().analyse(common::kb(), q).words;
    assert!(!words("cramps since age 12").contains(&"child".to_string()));
    assert!(words("cramps since I was 12, now aged 12").contains(&"child".to_string()));
}

#[test]
fn a_warning_sign_whose_statement_is_in_review_is_refused_not_answered_with_other_words() {
    // Cauda equina and limb-threatening ischaemia (`refuse` rows): their red-flag statements are
    // in review, so a question describing them is refused (sent to a clinician). Before, saddle
    // numbness got the criteria for restless legs and a pale painful foot the advice for a cramp.
    for q in [
        "I can't feel between my legs and my legs cramp",
        "numbness in my saddle area and cramps",
        "I've been wetting myself and have back pain",
        "leg cramps and I cannot pee",
        "my foot is cold and pale and hurts at night",
        "I have a sore on my foot that will not heal",
        "cramps and a black toe",
        "cramps and my leg is cold and blue",
        // too much quinine, or quinine swallowed by someone else (c.5 quinine_toxicity, in review)
        "I took too many quinine tablets",
        "my child swallowed my quinine",
    ] {
        let r = ask(q);
        assert!(!r.answered && r.hits.is_empty() && r.warning_sign, "{q}");
    }
    assert!(!ask("does acupuncture help?").warning_sign);
    // Fluid retention is not urinary retention; a cold foot alone is no sign.
    assert!(ask("I have fluid retention from cirrhosis and cramps").answered);
    assert!(ask("my feet are cold at night and cramp").answered);
    // One leg bigger, bed rest after surgery (c.5 possible_dvt); choking, a foot that trips (weakness).
    for (q, expected) in [
        ("one leg is bigger than the other and cramps", "red_flag.possible_dvt"),
        (
            "I've been in bed for a week after surgery and my calf hurts",
            "red_flag.possible_dvt",
        ),
        ("I'm choking on food and get cramps", "plan.safety_net_advice"),
        ("I keep tripping over my foot", "plan.safety_net_advice"),
    ] {
        assert_eq!(first(q).as_deref(), Some(expected), "{q}");
    }
    // A past operation or a night in bed is no sign.
    assert!(
        !hit_ids("I had knee surgery last year and get cramps")
            .iter()
            .any(|id| id == "red_flag.possible_dvt")
    );
    // Fever and dark urine on quinine (c.5 quinine_toxicity) get the safety-net advice first.
    assert_eq!(
        first("quinine and I feel feverish with dark pee").as_deref(),
        Some("plan.safety_net_advice")
    );
    // Weak hands are weakness: what to do comes first.
    assert_eq!(
        first("my legs twitch and I drop things").as_deref(),
        Some("plan.safety_net_advice")
    );
}

#[test]
fn recent_immobility_growing_weakness_and_a_fall_are_read_as_what_they_are() {
    // c.5 possible_dvt: "above all after immobility" (a long journey, bed rest).
    assert_eq!(
        first("cramps after a long car trip, my calf is sore and tight").as_deref(),
        Some("red_flag.possible_dvt")
    );
    // Weakness that grows, or a foot that cannot be lifted: what needs prompt care first.
    for q in [
        "my hands are getting weaker and I cramp",
        "I can't lift my foot properly and get cramps",
    ] {
        assert_eq!(first(q).as_deref(), Some("plan.safety_net_advice"), "{q}");
    }
    // Blue toes are limb ischaemia, whose statement is in review: refused.
    assert!(!ask("my toes are blue and my calf hurts").answered);
    // The magnesium trials say cramps "fell": not an answer to a fall.
    assert!(
        !hit_ids("I fell because of a cramp")
            .iter()
            .any(|id| id == "education.magnesium_trials")
    );
}

#[test]
fn the_sleep_study_answers_questions_about_leg_movements_in_sleep_not_about_recording_cramps() {
    assert!(
        !hit_ids("how do I record my cramps?")
            .iter()
            .any(|id| id == "plan.sleep_study")
    );
    for q in ["what is periodic limb movement disorder?", "Who needs a sleep study?"] {
        assert!(hit_ids(q).iter().any(|id| id == "plan.sleep_study"), "{q}");
    }
}

#[test]
fn quinine_named_with_a_pregnancy_gets_its_red_flag_first_and_restless_legs_in_pregnancy_do_not() {
    for q in [
        "can I take quinine for restless legs when pregnant?",
        "I take quinine and just found out I'm pregnant",
        "quinine in the first trimester",
    ] {
        assert_eq!(first(q).as_deref(), Some("red_flag.quinine_in_pregnancy"), "{q}");
    }
    // Answered only by the warning sign (the ranking refused it), it still carries the avoid
    // statement of the drug it names.
    assert!(
        hit_ids("quinine in the first trimester")
            .iter()
            .any(|id| id == "avoid.quinine")
    );
    // Quinine is no treatment for restless legs: a question that does not name it is not answered
    // with the quinine red flag.
    let ids = hit_ids("what can I take for restless legs in pregnancy?");
    assert!(!ids.iter().any(|id| id == "red_flag.quinine_in_pregnancy"), "{ids:?}");
}

#[test]
fn iron_infusions_are_iv_iron_a_cramp_cause_and_dialysis_iron_answers_only_about_the_kidneys() {
    assert_eq!(
        first("I get cramps since my iron infusions").as_deref(),
        Some("review.iv_iron_sucrose")
    );
    for q in ["IV iron for RLS", "I get cramps since my iron infusions"] {
        assert!(!hit_ids(q).iter().any(|id| id == "option.iv_iron_sucrose_esrd"), "{q}");
    }
}

#[test]
fn keeping_the_feet_warm_is_heat_not_the_warm_calf_of_a_clot() {
    for q in [
        "should I keep my feet warm at night?",
        "do warm socks help night cramps?",
    ] {
        let ids = hit_ids(q);
        assert!(ids.iter().any(|id| id == "conflict.acute_relief"), "{q}: {ids:?}");
        assert!(!ids.iter().any(|id| id == "red_flag.possible_dvt"), "{q}: {ids:?}");
    }
    for q in ["my calf is warm and swollen", "my leg is warm and red"] {
        assert_eq!(first(q).as_deref(), Some("red_flag.possible_dvt"), "{q}");
    }
}

#[test]
fn blood_tests_for_cramps_are_not_the_iron_tests_for_restless_legs_and_nlc_is_a_cramp() {
    // The iron tests for restless legs came first on every question about blood tests.
    for q in [
        "should I have a blood test for cramps",
        "which blood tests for night cramps?",
        "do I need blood tests for my cramps?",
    ] {
        assert!(!hit_ids(q).iter().any(|id| id == "education.iron_tests_for_rls"), "{q}");
    }
    assert_eq!(
        first("which blood tests for night cramps?").as_deref(),
        Some("conflict.electrolytes")
    );
    assert_eq!(
        first("ferritin test for restless legs").as_deref(),
        Some("education.iron_tests_for_rls")
    );
    // "NLC" was an unseen word, which weighs most: the question was refused.
    assert_eq!(
        first("evidence for stretching in NLC").as_deref(),
        Some("plan.nightly_stretching")
    );
    assert_eq!(first("is NLC dangerous?").as_deref(), Some("plan.safety_net_advice"));
}

#[test]
fn the_pregnancy_statement_and_the_dvt_flag_answer_only_their_own_subject() {
    assert!(
        !hit_ids("cramps every nite")
            .iter()
            .any(|id| id == "education.cramps_in_pregnancy")
    );
    assert_eq!(
        first("I'm pregnant and get cramps at night").as_deref(),
        Some("education.cramps_in_pregnancy")
    );
    // Back pain is not a calf's clot; a swollen calf still gets the DVT red flag first.
    assert!(
        !hit_ids("back pain and leg cramps")
            .iter()
            .any(|id| id == "red_flag.possible_dvt")
    );
    assert_eq!(
        first("back pain and a swollen calf").as_deref(),
        Some("red_flag.possible_dvt")
    );
    // Words written without their apostrophe ask, as their contractions do.
    assert!(!hit_ids("leg cramps wont stop").is_empty());
}

#[test]
fn a_general_question_about_causes_or_tests_gets_its_own_statements_first() {
    for q in [
        "why do I get cramps at night?",
        "why do my legs cramp?",
        "what causes leg cramps at night",
    ] {
        assert_eq!(first(q).as_deref(), Some("education.what_causes_cramps"), "{q}");
    }
    // Tests: most night cramps are not from low blood salts; tests help when a cause is likely.
    for q in [
        "do I need blood tests for my cramps?",
        "what labs should I order for leg cramps?",
        "should I get my bloods checked for cramps?",
    ] {
        assert_eq!(first(q).as_deref(), Some("conflict.electrolytes"), "{q}");
    }
    // A question naming more keeps its own answers.
    assert_eq!(
        first("what causes cramps in pregnancy?").as_deref(),
        Some("education.cramps_in_pregnancy")
    );
    assert_eq!(first("can statins cause cramps").as_deref(), Some("review.statin"));
}

#[test]
fn a_question_about_which_medicine_gets_stretching_first_and_the_drugs_not_recommended() {
    // `search.toml` general row "which medicine": "what is the best drug for nocturnal leg cramps?"
    // had the definition of a night cramp, "pharmacological treatment of leg cramps" was refused.
    for q in [
        "what is the best drug for nocturnal leg cramps?",
        "is there a medicine for leg cramps?",
        "which medication is recommended for leg cramps",
        "pharmacological treatment of leg cramps",
        "best drug for NLC",
    ] {
        assert_eq!(
            hit_ids(q)[..3],
            ["plan.nightly_stretching", "avoid.quinine", "avoid.magnesium"],
            "{q}"
        );
    }
    // Not when it names a population: pregnancy has its own statements.
    assert_eq!(
        first("is there a medicine for leg cramps in pregnancy?").as_deref(),
        Some("education.cramps_in_pregnancy")
    );
}

#[test]
fn gabapentin_asked_about_for_cramps_gets_the_statement_that_it_is_no_cramp_treatment() {
    // As the assessment reads a considered alpha-2-delta ligand: not an NLC treatment, before its
    // listing as a reported cause ("Does gabapentin help nocturnal leg cramps?" had the RLS statement).
    let ids = hit_ids("Does gabapentin help nocturnal leg cramps?");
    assert_eq!(
        ids.first().map(String::as_str),
        Some("considering.alpha2delta_for_nlc"),
        "{ids:?}"
    );
    assert!(ids.iter().any(|id| id == "review.gabapentin"), "{ids:?}");
}

#[test]
fn a_named_vitamin_b_links_its_statement_as_the_assessment_reads_a_considered_one() {
    // "does vitamin B complex help cramps?" was refused: no statement was linked to the drug.
    assert_eq!(
        first("does vitamin B complex help cramps?").as_deref(),
        Some("considering.vitamin_b")
    );
}

#[test]
fn the_dvt_red_flag_answers_questions_about_a_clot_or_a_swollen_calf_not_about_stretching_by_day() {
    // Its text says "do not stretch" and "the same day": it came first on stretching by day.
    let ids = hit_ids("can I stretch during the day?");
    assert!(!ids.iter().any(|id| id == "red_flag.possible_dvt"), "{ids:?}");
    assert!(ids.iter().any(|id| id == "plan.nightly_stretching"), "{ids:?}");
    for q in ["is it a blood clot?", "could this be DVT?", "my calf is swollen"] {
        assert_eq!(first(q).as_deref(), Some("red_flag.possible_dvt"), "{q}");
    }
    // Massage is the patient's "rub the muscle" (the question was refused in that voice).
    assert_eq!(
        first("can I massage my calf?").as_deref(),
        Some("plan.acute_cramp_relief")
    );
}

#[test]
fn a_question_about_blood_tests_alone_is_about_the_cramps_and_a_named_test_keeps_its_own_answer() {
    // "do I need a blood test?" had the platelet count for quinine first.
    for q in [
        "do I need a blood test?",
        "what labs should I order?",
        "should I have bloods done?",
    ] {
        assert_eq!(first(q).as_deref(), Some("conflict.electrolytes"), "{q}");
    }
    assert_eq!(
        first("do I need a blood test for my thyroid?").as_deref(),
        Some("lab.tsh")
    );
    assert_eq!(
        first("do I need my potassium checked?").as_deref(),
        Some("lab.potassium")
    );
    assert_eq!(first("What blood tests on quinine?").as_deref(), Some("lab.platelets"));
}

#[test]
fn asking_whether_to_take_quinine_gets_not_to_start_it_first_and_a_user_gets_the_review_of_it() {
    // "can I take quinine?" had the review of quinine already taken ("talk with your prescriber
    // about stopping it") first. Where it is bought names no subject either (it was refused).
    for q in [
        "can I take quinine?",
        "is quinine safe?",
        "can I buy quinine online?",
        "can i take quinine from the pharmacy",
        "can I take tonic water for cramps?",
        "does gin and tonic help?",
    ] {
        let ids = hit_ids(q);
        assert_eq!(ids.first().map(String::as_str), Some("avoid.quinine"), "{q}: {ids:?}");
        assert!(ids.iter().any(|id| id == "review.quinine"), "{q}: {ids:?}");
    }
    // Someone who takes it, or asks about keeping or stopping it: the review comes first.
    for q in [
        "I take Qualaquin, should I keep taking it?",
        "I take quinine, should I stop it?",
        "I'm on quinine, is that ok?",
        "I've had quinine for months, is it ok?",
        "I have had quinine for years",
    ] {
        assert_eq!(first(q).as_deref(), Some("review.quinine"), "{q}");
    }
    // Cramps had for years are not quinine had for years.
    assert_eq!(
        first("I've had cramps for years, can I take quinine?").as_deref(),
        Some("avoid.quinine")
    );
    // A warning sign stays first.
    assert_eq!(
        first("I'm pregnant and take quinine").as_deref(),
        Some("red_flag.quinine_in_pregnancy")
    );
}

#[test]
fn laba_is_the_long_acting_beta_agonist_of_its_statement() {
    // "LABA cramps evidence" was refused: the statement says "long-acting beta-agonists".
    for q in ["LABA cramps evidence", "do LABAs cause cramps?"] {
        assert_eq!(first(q).as_deref(), Some("review.laba"), "{q}");
    }
}

#[test]
fn a_cramp_under_way_gets_what_to_do_during_it_first_and_prevention_keeps_the_stretching_first() {
    // "what do I do during a cramp?" had the nightly stretching first; "my calf is cramping right
    // now" and "how to relieve a leg cramp" the definition of a cramp; "how to stop a cramp fast"
    // the fasting glucose test.
    for q in [
        "what do I do during a cramp?",
        "I'm having a cramp, what do I do?",
        "what should I do when I get a cramp in the night?",
        "my calf is cramping right now",
        "what can I do right now, my calf is cramping",
        "how to relieve a leg cramp",
        "how to stop a cramp fast",
        "fast relief for leg cramps",
        "quick fix for a calf cramp",
    ] {
        assert_eq!(first(q).as_deref(), Some("plan.acute_cramp_relief"), "{q}");
    }
    // Preventing the next one: the nightly stretching first, as before.
    for q in [
        "how can I stop leg cramps?",
        "what can I do to stop leg cramps at night?",
        "how do I prevent cramps?",
    ] {
        assert_eq!(first(q).as_deref(), Some("plan.nightly_stretching"), "{q}");
    }
    // A fasting test is still the glucose test.
    assert_eq!(
        first("do I need a fasting glucose test for cramps?").as_deref(),
        Some("lab.glycaemia")
    );
}

#[test]
fn a_low_blood_salt_named_finds_the_statement_on_blood_salts() {
    // "does low sodium cause cramps?" and "low calcium and cramps" were refused; "can low magnesium
    // cause cramps?" had the magnesium supplement statement first.
    // "does low potassium cause cramps?" read "potassium" as the potassium supplement and was
    // refused (`names_no_drug`).
    for q in [
        "does low sodium cause cramps?",
        "low calcium and cramps",
        "can low magnesium cause cramps?",
        "does low potassium cause cramps?",
        "are cramps linked to low potassium?",
        "low potassium and cramps",
    ] {
        assert_eq!(first(q).as_deref(), Some("conflict.electrolytes"), "{q}");
    }
    // Treating a low magnesium is still about the supplement.
    assert_eq!(
        first("should I give magnesium for low magnesium?").as_deref(),
        Some("avoid.magnesium")
    );
    // A salt's name inside "low …" names no drug; said again on its own, it still does.
    let drugs = |q: &str| {
        let kb = common::kb();
        let a = searcher().analyse(kb, q);
        a.drugs
            .iter()
            .map(|n| kb.drugs.drugs[n.drug].display.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(drugs("does low potassium cause cramps?"), Vec::<String>::new());
    assert_eq!(drugs("low magnesium and cramps"), Vec::<String>::new());
    assert_eq!(drugs("my potassium is low, should I take potassium?").len(), 1);
    assert_eq!(drugs("I have low magnesium, should I take magnesium?").len(), 1);
}

#[test]
fn how_long_is_not_long_acting_and_pain_that_stays_after_a_cramp_is_soreness() {
    // "Long-acting" is one term (`search.toml` `compounds`): "how long does a cramp last?" had the
    // inhaler statement second, which says "long" only in "long-acting".
    assert_eq!(
        hit_ids("how long does a cramp last?"),
        ["education.what_nocturnal_leg_cramps_are"]
    );
    for q in [
        "do long-acting inhalers cause cramps?",
        "long acting inhaler cramps",
        "do LABAs cause cramps?",
    ] {
        assert_eq!(first(q).as_deref(), Some("review.laba"), "{q}");
    }
    // "my leg still hurts the day after a cramp" was refused.
    for q in ["my leg still hurts the day after a cramp", "my calf hurts the next day"] {
        assert_eq!(first(q).as_deref(), Some("plan.paracetamol_for_soreness"), "{q}");
    }
    // Not leg pain beside cramps, nor pain asked about as a cramp, which is not soreness after one.
    assert!(!hit_ids("my calf hurts, is it a cramp?").contains(&"plan.paracetamol_for_soreness".to_string()));
    assert!(!hit_ids("leg pain and cramps at night").contains(&"plan.paracetamol_for_soreness".to_string()));
}

#[test]
fn a_clinician_s_words_for_dialysis_cramps_a_trial_and_the_stretching_routine_are_read() {
    // Each was refused: "intradialytic" and "RCT" were unseen subjects, and "protocol" weighed as
    // one ("Hallegraeff protocol").
    assert_eq!(
        first("intradialytic cramps management").as_deref(),
        Some("education.cramps_on_dialysis")
    );
    assert_eq!(
        first("stretching RCT evidence").as_deref(),
        Some("education.stretching_trials")
    );
    assert_eq!(
        first("is there a randomised controlled trial of magnesium?").as_deref(),
        Some("education.magnesium_trials")
    );
    let ids = hit_ids("Hallegraeff protocol");
    assert!(ids.iter().any(|id| id == "plan.nightly_stretching"), "{ids:?}");
}

#[test]
fn a_stage_of_pregnancy_is_pregnancy_and_when_a_drug_was_given_names_no_subject() {
    // Both were refused: "trimester" and "ago" weighed as unseen subjects.
    assert_eq!(
        first("cramps in third trimester").as_deref(),
        Some("education.cramps_in_pregnancy")
    );
    assert_eq!(
        first("I'm 7 months pregnant, can I take quinine?").as_deref(),
        Some("red_flag.quinine_in_pregnancy")
    );
    assert_eq!(
        first("my doctor gave me quinine years ago, is it still ok?").as_deref(),
        Some("review.quinine")
    );
}

#[test]
fn tapering_a_medicine_and_a_diagnosis_asked_for_are_read() {
    // Both were refused: "taper" and "diagnosis" weighed as unseen subjects.
    for q in ["how to taper quinine", "weaning off quinine"] {
        assert_eq!(first(q).as_deref(), Some("plan.quinine_discontinuation"), "{q}");
    }
    let ids = hit_ids("PLMD diagnosis");
    assert!(
        ids.iter().any(|id| id == "education.periodic_limb_movements"),
        "{ids:?}"
    );
    // "come off" is not read as tapering: "come" alone would be ("my cramps come with low blood
    // pressure" was refused when it was).
    assert!(!hit_ids("I'm on dialysis and my cramps come with low blood pressure").is_empty());
}

mod arbitrary_questions {
    use super::*;
    use proptest::prelude::*;

    /// Words that reach every reading of a question: drug names and brands (also misspelt), the
    /// synonym groups' phrases, the `taking` phrases, ages, warning signs, stop words, punctuation.
    const WORDS: &[&str] = &[
        "low",
        "potassium",
        "magnesium",
        "sodium",
        "quinine",
        "quinnine",
        "tonic",
        "water",
        "gin",
        "and",
        "baclofen",
        "diltiazem",
        "amlodipine",
        "statin",
        "lasix",
        "long-acting",
        "long",
        "how",
        "does",
        "cramp",
        "cramps",
        "leg",
        "at",
        "night",
        "nite",
        "pregnant",
        "third",
        "trimester",
        "I'm",
        "17",
        "72",
        "years",
        "old",
        "ago",
        "my",
        "son",
        "is",
        "on",
        "dialysis",
        "intradialytic",
        "RCT",
        "Hallegraeff",
        "protocol",
        "taper",
        "wean",
        "still",
        "hurts",
        "the",
        "next",
        "day",
        "swollen",
        "calf",
        "bleeding",
        "what",
        "can",
        "I",
        "take",
        "stop",
        "help",
        "?",
        ",",
        "-",
        "vitamin",
        "E",
        "B12",
        "iron",
        "rls",
        "restless",
        "legs",
        "ALS",
        "twitching",
        "why",
        "diagnosis",
        "µmol/L",
        "ü",
        "0",
        "",
        "  ",
    ];

    fn question() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.join(" ")),
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

        /// Whatever is asked: no panic, the same answer twice, and an answer is only approved,
        /// searchable statements, each once, with every placeholder filled.
        #[test]
        fn any_question_gets_approved_statements_or_a_refusal(q in question()) {
            let kb = common::kb();
            let r = ask(&q);
            prop_assert_eq!(r.answered, !r.hits.is_empty(), "{:?}", q);
            let again: Vec<usize> = ask(&q).hits.iter().map(|h| h.entry).collect();
            prop_assert_eq!(r.hits.iter().map(|h| h.entry).collect::<Vec<_>>(), again);
            let mut seen = std::collections::HashSet::new();
            for h in &r.hits {
                let e = &kb.entries[h.entry];
                prop_assert_eq!(e.status, ReviewStatus::Approved, "{:?}: {}", q, e.id);
                prop_assert!(!kb.search.not_searched.contains(&e.id), "{:?}: {}", q, e.id);
                prop_assert!(seen.insert(h.entry), "{:?}: {} twice", q, e.id);
                for audience in [Audience::Clinician, Audience::Patient] {
                    let text = r.text(kb, h, audience);
                    prop_assert!(!text.contains("{drug}") && !text.contains("{tier}"), "{:?}: {}", q, text);
                }
            }
        }
    }
}

#[test]
fn the_twitching_statement_answers_twitching_tingling_or_weakness_not_every_night_cramp() {
    // "night cramps", "cramp in calf" and "charlie horse" had it second.
    for q in [
        "night cramps",
        "cramp in calf",
        "charlie horse",
        "how common are night cramps?",
    ] {
        let ids = hit_ids(q);
        assert!(!ids.is_empty(), "{q}");
        assert!(
            !ids.iter().any(|id| id == "education.twitching_and_tingling"),
            "{q}: {ids:?}"
        );
    }
    for q in [
        "my legs twitch and cramp",
        "tingling and cramps at night",
        "pins and needles and cramps",
    ] {
        assert_eq!(first(q).as_deref(), Some("education.twitching_and_tingling"), "{q}");
    }
}

#[test]
fn a_cramp_question_no_approved_statement_answers_is_refused_not_answered_with_a_lower_ranked_one() {
    // `ask` answers only when its best-scoring candidate covers the question's subjects. Taking
    // the best covering candidate instead (tried, twenty-fourth session) answered these with
    // statements about something else: "do not start quinine" for the first two, the pregnancy
    // statements for the third, whose own statement is still in review.
    for q in [
        "do thyroid problems cause cramps?",
        "are night cramps linked to heart problems?",
        "baclofen in pregnancy",
    ] {
        assert!(hit_ids(q).is_empty(), "{q}: {:?}", hit_ids(q));
    }
}
