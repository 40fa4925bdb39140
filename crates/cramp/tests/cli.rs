//! The `cramp` command line as a user runs it: exit codes, stdin, formats, `--knowledge` copies.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const CRAMP: &str = env!("CARGO_BIN_EXE_cramp");
const TYPICAL: &str = r#"{"patient": {"age": 67, "sex": "female", "pregnant": false},
  "symptoms": {"feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "stretching", "returns_at_rest": false},
  "medications": [{"name": "hydrochlorothiazide 25 mg"}]}"#;

fn cramp(args: &[&str], stdin: Option<&str>) -> Output {
    cramp_in(args, stdin, &std::env::temp_dir(), &[])
}

fn cramp_in(args: &[&str], stdin: Option<&str>, dir: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(CRAMP);
    cmd.args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("CRAMP_KNOWLEDGE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("cramp runs");
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cramp-cli-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// A copy of the repository's knowledge base, to edit in a test.
fn knowledge_copy(name: &str) -> PathBuf {
    let dir = scratch(name).join("knowledge");
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge"), &dir);
    dir
}

/// `cramp --knowledge DIR kb check` on an edited copy, as of a fixed date.
fn kb_check(kb: &Path) -> Output {
    cramp(
        &[
            "--knowledge",
            kb.to_str().unwrap(),
            "kb",
            "check",
            "--as-of",
            "2026-12-01",
        ],
        None,
    )
}

fn edit(file: &Path, from: &str, to: &str) {
    let s = std::fs::read_to_string(file).unwrap();
    assert!(s.contains(from), "{from:?} not in {}", file.display());
    std::fs::write(file, s.replacen(from, to, 1)).unwrap();
}

#[test]
fn a_piped_case_gives_the_json_assessment_by_default() {
    let o = cramp(&["assess", "-"], Some(TYPICAL));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["classification"]["most_likely"]["code"], "G47.62");
    assert!(v["kb_version"].as_str().unwrap().contains('+'));
    assert!(v["engine_version"].is_string());
}

#[test]
fn a_case_file_is_read_from_any_directory_with_the_embedded_knowledge_base() {
    let dir = scratch("anydir");
    std::fs::write(dir.join("case.json"), TYPICAL).unwrap();
    let o = cramp_in(&["assess", "case.json", "--format", "markdown"], None, &dir, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).starts_with("# cramp assessment (clinician)"));
    assert!(stdout(&o).contains("kb_version"));
}

#[test]
fn the_patient_audience_speaks_plainly_and_opens_with_the_notice() {
    let o = cramp(
        &["assess", "-", "--audience", "patient", "--format", "text"],
        Some(TYPICAL),
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("This does not replace a clinician"));
    assert!(out.contains("do not stop it on your own"));
    // "What else it could be" does not name again the condition the line above named; the
    // clinician's differential lists both.
    let (_, others) = out.split_once("What else it could be").expect("a differential");
    let others = others.split("Who to see").next().unwrap();
    assert!(!others.contains("Night-time leg cramps"), "{others}");
    assert!(others.contains("Restless legs syndrome: unlikely"), "{others}");
    let o = cramp(&["assess", "-", "--format", "text"], Some(TYPICAL));
    let out = stdout(&o);
    let differential = out
        .split_once("Differential")
        .unwrap()
        .1
        .split("Referral")
        .next()
        .unwrap();
    assert!(
        differential.contains("G47.62") && differential.contains("G25.81"),
        "{differential}"
    );
}

#[test]
fn invalid_json_exits_2_with_line_and_column() {
    let o = cramp(&["assess", "-"], Some("{\n \"patient\": {\"age\": 6\n}"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 3, column"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
}

#[test]
fn an_unknown_field_exits_2_naming_the_nearest_valid_name() {
    let o = cramp(&["assess", "-"], Some(r#"{"patient": {"pregant": true}}"#));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `pregnant`"), "{}", stderr(&o));
}

#[test]
fn a_wrong_type_and_an_out_of_range_value_exit_2_naming_the_field() {
    let o = cramp(&["assess", "-"], Some(r#"{"symptoms": {"worst_pain": "bad"}}"#));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("`symptoms.worst_pain`: expected a number"));
    let o = cramp(&["assess", "-"], Some(r#"{"symptoms": {"worst_pain": 11}}"#));
    assert!(stderr(&o).contains("`symptoms.worst_pain`: 11 is outside 0–10"));
}

#[test]
fn a_missing_file_exits_2_with_the_fix() {
    let o = cramp(&["assess", "/no/such/case.json"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read the case file"));
}

#[test]
fn a_lab_without_a_unit_is_a_warning_not_an_error() {
    let o = cramp(
        &["assess", "-"],
        Some(r#"{"labs": [{"name": "ferritin", "value": 40}]}"#),
    );
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["input_warnings"][0].as_str().unwrap().contains("no unit"));
    assert!(v["lab_findings"][0]["interpretation"].is_null());
}

#[test]
fn help_explains_the_commands() {
    let o = cramp(&["--help"], None);
    assert_eq!(o.status.code(), Some(0));
    for word in ["assess", "kb", "--knowledge", "Examples"] {
        assert!(stdout(&o).contains(word), "{word}");
    }
    let o = cramp(&["assess", "--format", "yaml"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn kb_check_is_clean_now_and_fails_when_reviews_are_past_due() {
    let o = cramp(&["kb", "check", "--as-of", "2026-11-23"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 errors"));
    let o = cramp(&["kb", "check", "--as-of", "2028-01-01"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("review past due"));
    let o = cramp(&["kb", "check", "--as-of", "next week"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn kb_show_prints_an_entry_with_its_review_status_and_a_source_with_its_passage() {
    let o = cramp(&["kb", "show", "avoid.quinine"], None);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("status:            approved") && out.contains("clinical_signoff:  (none yet)"));
    let o = cramp(&["kb", "show", "R-FDA2010"], None);
    assert!(stdout(&o).contains("quote (verbatim)"));
    let o = cramp(&["kb", "show", "avoid.quinin"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean avoid.quinine"));
}

#[test]
fn kb_check_fails_on_an_uncited_entry_and_an_unknown_source() {
    let kb = knowledge_copy("uncited");
    edit(
        &kb.join("entries/plan.toml"),
        r#"sources = ["R-Hall2012", "R-CochND2021"]"#,
        "sources = []",
    );
    let o = kb_check(&kb);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("plan.nightly_stretching: uncited entry"));

    let kb = knowledge_copy("unknown-source");
    edit(
        &kb.join("entries/plan.toml"),
        r#"sources = ["R-Hall2012", "R-CochND2021"]"#,
        r#"sources = ["R-Nowhere2030"]"#,
    );
    let o = kb_check(&kb);
    assert!(stdout(&o).contains("cites unknown source R-Nowhere2030"));
}

#[test]
fn kb_check_fails_on_an_unused_rule_an_approved_unverified_entry_and_an_empty_passage() {
    let kb = knowledge_copy("lint");
    let plan = kb.join("entries/plan.toml");
    let mut s = std::fs::read_to_string(&plan).unwrap();
    s.push_str("\n[[entry]]\nid = \"plan.orphan\"\nitem = \"cramp_diary\"\ntier = \"self_care\"\npopulation = \"x\"\nmarks = [\"V\"]\nsources = [\"R-CKS\"]\nstatus = \"approved\"\nclinician = \"x\"\npatient = \"x\"\n");
    std::fs::write(&plan, s).unwrap();
    edit(
        &plan,
        "marks = [\"U\"]\nsources = [\"R-CKS\"]\nconflicts = [\"hydration\"]\nstatus = \"in_review\"",
        "marks = [\"U\"]\nsources = [\"R-CKS\"]\nconflicts = [\"hydration\"]\nstatus = \"approved\"",
    );
    edit(
        &kb.join("sources.toml"),
        r#"passage = "Qualaquin should not be used for night time leg cramps.""#,
        r#"passage = """#,
    );
    let o = kb_check(&kb);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out.contains("plan.orphan: entry of kind rule that no rule in code uses"),
        "{out}"
    );
    assert!(
        out.contains("plan.hydration: rests on a [U] or [S] row but is approved"),
        "{out}"
    );
    assert!(out.contains("R-FDA2010: empty passage"), "{out}");
}

#[test]
fn kb_check_fails_when_a_refused_warning_sign_is_approved_or_a_child_age_reads_as_no_child_word() {
    // search.toml: a `refuse` row waits for its statement's approval (then it is served instead);
    // an age under 18 must read as a word of the child list and signs.
    let kb = knowledge_copy("search-refuse");
    edit(
        &kb.join("entries/red_flags.toml"),
        "sources = [\"R-AFP2012\"]\nstatus = \"in_review\"\nclinician = \"New urinary retention",
        "sources = [\"R-AFP2012\"]\nstatus = \"approved\"\nclinician = \"New urinary retention",
    );
    edit(
        &kb.join("search.toml"),
        "child_reads_as = \"child\"",
        "child_reads_as = \"adult\"",
    );
    edit(
        &kb.join("search.toml"),
        "entry = \"red_flag.critical_limb_ischaemia\"\nrefuse = true",
        "entry = \"red_flag.critical_limb_ischaemia\"\nrefuse = true\nwithout_drug = true",
    );
    let o = kb_check(&kb);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        out.contains("red_flag.cauda_equina_symptoms is approved: serve it (drop `refuse`)"),
        "{out}"
    );
    assert!(out.contains("child_reads_as \"adult\" must be a word"), "{out}");
    assert!(
        out.contains("red_flag.critical_limb_ischaemia: a `refuse` row is read on its signs alone"),
        "{out}"
    );
}

#[test]
fn kb_check_fails_when_an_order_reason_names_no_avoid_entry_or_a_word_is_not_lowercase() {
    // cds.toml [order_reasons]: the avoid items an order for another indication drops must exist,
    // and the words and codes that keep a card must be readable as written.
    let kb = knowledge_copy("order-reasons");
    let cds = kb.join("cds.toml");
    edit(
        &cds,
        r#""avoid.baclofen_no_indication", "#,
        r#""avoid.baclofen_no_indications", "#,
    );
    edit(&cds, r#"in_scope_words = ["cramp", "#, r#"in_scope_words = ["Cramp", "#);
    edit(
        &cds,
        r#"in_scope_icd10 = ["M62.83", "#,
        r#"in_scope_icd10 = ["m62.83", "#,
    );
    let o = kb_check(&kb);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1));
    assert!(out.contains("for_cramps_only.avoid.baclofen_no_indications"), "{out}");
    assert!(out.contains("each lowercase and trimmed"), "{out}");
    assert!(out.contains("in_scope_icd10.m62.83"), "{out}");
}

#[test]
fn kb_check_fails_when_a_source_kind_has_no_words_and_reports_show_the_words() {
    let kb = knowledge_copy("source-kinds");
    edit(
        &kb.join("wording.toml"),
        "rct = { clinician = \"randomised controlled trial\", patient = \"randomised trial\" }\n",
        "rtc = { clinician = \"randomised controlled trial\", patient = \"randomised trial\" }\n",
    );
    let o = kb_check(&kb);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("no words for the source kind rct"), "{out}");
    assert!(out.contains("rtc is not a source kind"), "{out}");
    // The text report and a follow-up answer cite a trial in words, in each voice.
    let o = cramp(&["assess", "-", "--format", "text"], Some(TYPICAL));
    assert!(
        stdout(&o).contains("(randomised controlled trial, 2012;"),
        "{}",
        stdout(&o)
    );
    let o = cramp(
        &["assess", "-", "--audience", "patient", "--format", "text"],
        Some(TYPICAL),
    );
    assert!(stdout(&o).contains("(randomised trial, 2012;"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("systematic_review"));
    let o = cramp(&["ask", "--format", "text", "does", "stretching", "help?"], None);
    assert!(
        stdout(&o).contains("(randomised controlled trial, 2012)"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn kb_check_fails_on_a_rule_in_code_without_a_knowledge_entry_and_a_malformed_code() {
    let kb = knowledge_copy("missing-rule");
    edit(
        &kb.join("entries/plan.toml"),
        r#"id = "plan.sleep_position""#,
        r#"id = "plan.sleep_posture""#,
    );
    let o = kb_check(&kb);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("rule plan.sleep_position has no knowledge entry"),
        "{}",
        stderr(&o)
    );

    let kb = knowledge_copy("malformed-code");
    edit(&kb.join("drugs.toml"), r#"atc = "C03AA03""#, r#"atc = "C3AA03""#);
    let o = kb_check(&kb);
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("malformed ATC code \"C3AA03\""), "{}", stderr(&o));
}

#[test]
fn a_broken_knowledge_copy_exits_2_naming_the_file() {
    let kb = knowledge_copy("broken");
    std::fs::write(kb.join("thresholds.toml"), "this is = = not toml").unwrap();
    let o = cramp(&["--knowledge", kb.to_str().unwrap(), "assess", "-"], Some("{}"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("thresholds.toml"));
}

#[test]
fn a_draft_entry_is_served_only_with_include_unreviewed_but_a_draft_red_flag_always() {
    let kb = knowledge_copy("draft");
    let plan = kb.join("entries/plan.toml");
    edit(
        &plan,
        "status = \"approved\"\nclinician = \"First line: calf",
        "status = \"draft\"\nclinician = \"First line: calf",
    );
    edit(
        &kb.join("entries/red_flags.toml"),
        "status = \"approved\"\nclinician = \"Unilateral calf swelling",
        "status = \"draft\"\nclinician = \"Unilateral calf swelling",
    );
    let dvt = r#"{"symptoms": {"feels_like": "painful_cramp", "worse_in_evening": false, "relieved_by": "stretching", "returns_at_rest": false, "calf_swelling": "one_leg"}}"#;
    let nlc = TYPICAL;
    let dir = kb.to_str().unwrap();
    let run = |args: &[&str], case: &str| -> serde_json::Value {
        let o = cramp_in(args, Some(case), &std::env::temp_dir(), &[("CRAMP_KNOWLEDGE", dir)]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let plan_ids = |v: &serde_json::Value| {
        v["plan"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let v = run(&["assess", "-"], nlc);
    assert!(!plan_ids(&v).contains(&"nightly_stretching".to_string()));
    let v = run(&["assess", "-", "--include-unreviewed"], nlc);
    let item = v["plan"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == "nightly_stretching")
        .unwrap();
    assert_eq!(item["review_status"], "draft");
    let v = run(&["assess", "-"], dvt);
    let flag = v["red_flags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "possible_dvt")
        .unwrap();
    assert_eq!(flag["review_status"], "draft");
}

#[test]
fn kb_version_changes_when_content_changes() {
    let kb = knowledge_copy("version");
    let version = |dir: &str| -> String {
        let o = cramp(&["--knowledge", dir, "assess", "-"], Some("{}"));
        serde_json::from_str::<serde_json::Value>(&stdout(&o)).unwrap()["kb_version"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = version(kb.to_str().unwrap());
    edit(
        &kb.join("entries/plan.toml"),
        "Night cramps are very common",
        "Night cramps are very, very common",
    );
    assert_ne!(before, version(kb.to_str().unwrap()));
    assert!(before.starts_with("0.1.0+"));
}

#[test]
fn a_fhir_bundle_is_assessed_like_a_case() {
    let bundle = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/fhir-bundle-cirrhosis.json");
    let out = cramp(&["assess", bundle.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["classification"]["most_likely"]["code"], "G47.62");
    assert_eq!(v["medication_review"].as_array().unwrap().len(), 2);
    // A stopped quinine order is history, not a drug taken: no safety review of it.
    assert!(
        v["medication_review"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["tier"] != "S")
    );
}

#[test]
fn a_bundle_with_a_wrong_answer_exits_2_naming_the_item() {
    let bundle = r#"{"resourceType": "Bundle", "entry": [{"resource": {"resourceType": "QuestionnaireResponse", "id": "q",
        "status": "completed", "item": [{"linkId": "symptoms.worst_pain", "answer": [{"valueDecimal": 12}]}]}}]}"#;
    let out = cramp(&["assess", "-", "--format", "json"], Some(bundle));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("symptoms.worst_pain"), "{}", stderr(&out));
}

#[test]
fn serve_refuses_a_bad_public_url_or_trusted_issuers_file_with_exit_2_and_the_fix() {
    let o = cramp(
        &["serve", "--addr", "127.0.0.1:0", "--public-url", "ftp://cramp.test"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--public-url"), "{}", stderr(&o));
    let o = cramp(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--trusted-issuers",
            "/no/such/issuers.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--trusted-issuers"), "{}", stderr(&o));
    let bad = scratch("issuers").join("issuers.json");
    std::fs::write(&bad, r#"{"issuers": []}"#).unwrap();
    let o = cramp(
        &[
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--trusted-issuers",
            bad.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("at least one trusted CDS client"), "{}", stderr(&o));
}

#[test]
fn kb_status_lists_entries_by_status_due_and_overdue_reviews_and_missing_signoffs() {
    let o = cramp(&["kb", "status", "--as-of", "2026-11-23", "--format", "json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let n = |k: &str| v["counts"][k].as_u64().unwrap();
    for status in ["approved", "in_review", "draft"] {
        assert_eq!(n(status) as usize, v[status].as_array().unwrap().len(), "{status}");
    }
    assert!(n("approved") > 0 && n("in_review") > 0);
    assert_eq!(n("overdue"), 0);
    assert!(
        v["in_review"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id == "avoid.baclofen_contraindicated")
    );
    assert_eq!(
        n("without_clinical_signoff") as usize,
        v["without_clinical_signoff"].as_array().unwrap().len()
    );
    // A year on, every review is overdue; a month before it, due soon.
    let o = cramp(&["kb", "status", "--as-of", "2028-01-01", "--format", "json"], None);
    let later: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        later["counts"]["overdue"],
        later["counts"]["approved"].as_u64().unwrap() + later["counts"]["in_review"].as_u64().unwrap()
    );
    let o = cramp(&["kb", "status", "--as-of", "2027-11-01", "--due-within", "30"], None);
    assert!(stdout(&o).contains("Reviews due within 30 days"), "{}", stdout(&o));
    assert!(stdout(&o).contains("2027-11-23  avoid.quinine"), "{}", stdout(&o));
    // A draft in an editor's copy is listed as a draft.
    let kb = knowledge_copy("status");
    edit(
        &kb.join("entries/options_avoid.toml"),
        "id = \"avoid.magnesium\"\natc = \"A12CC\"\ndisplay = \"Magnesium supplements\"\nseverity = \"info\"\npopulation = \"Adults with idiopathic cramps, not pregnant, without a documented magnesium deficiency\"\ncertainty = \"moderate\"\nmarks = [\"V\"]\nsources = [\"R-CochMg2020\", \"R-RM2017\"]\nconflicts = [\"magnesium\"]\nstatus = \"approved\"",
        "id = \"avoid.magnesium\"\natc = \"A12CC\"\ndisplay = \"Magnesium supplements\"\nseverity = \"info\"\npopulation = \"Adults with idiopathic cramps, not pregnant, without a documented magnesium deficiency\"\ncertainty = \"moderate\"\nmarks = [\"V\"]\nsources = [\"R-CochMg2020\", \"R-RM2017\"]\nconflicts = [\"magnesium\"]\nstatus = \"draft\"",
    );
    let o = cramp(
        &[
            "--knowledge",
            kb.to_str().unwrap(),
            "kb",
            "status",
            "--as-of",
            "2026-11-23",
        ],
        None,
    );
    assert!(stdout(&o).contains("Draft (1):\n  avoid.magnesium"), "{}", stdout(&o));
}

#[test]
fn kb_export_fhir_prints_a_bundle_with_the_plan_definition_at_kb_version() {
    let o = cramp(
        &["kb", "export", "--format", "fhir", "--public-url", "https://cramp.test"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let b: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(b["resourceType"], "Bundle");
    let plan = &b["entry"][0]["resource"];
    assert_eq!(plan["resourceType"], "PlanDefinition");
    assert_eq!(
        plan["url"],
        "https://cramp.test/fhir/PlanDefinition/cramp-nocturnal-leg-cramps"
    );
    let check = cramp(&["kb", "check"], None);
    assert!(
        stdout(&check).contains(plan["version"].as_str().unwrap()),
        "version = kb_version"
    );
    let o = cramp(
        &["kb", "export", "--format", "fhir", "--public-url", "cramp.test"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--public-url"));
    let o = cramp(&["kb", "export", "--format", "pdf"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn ask_answers_in_json_with_citations_and_the_same_shape_as_the_api() {
    let o = cramp(&["ask", "how do I stretch before bed?", "--format", "json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["answered"], true);
    assert_eq!(v["statements"][0]["id"], "plan.nightly_stretching");
    assert_eq!(v["statements"][0]["review_status"], "approved");
    assert!(v["sources"].as_array().unwrap().iter().any(|s| s["id"] == "R-Hall2012"));
}

#[test]
fn ask_speaks_in_the_patients_voice_and_refuses_plainly() {
    let o = cramp(
        &[
            "ask",
            "--audience",
            "patient",
            "--format",
            "text",
            "does",
            "acupuncture",
            "help?",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("Question: does acupuncture help?"), "{out}");
    assert!(out.contains("we never make one up"), "{out}");
    let o = cramp(
        &[
            "ask",
            "--audience",
            "patient",
            "--format",
            "markdown",
            "does magnesium help?",
        ],
        None,
    );
    let out = stdout(&o);
    assert!(out.contains("**Sources**") && out.contains("dummy pill"), "{out}");
}

#[test]
fn ask_without_a_question_is_a_usage_error() {
    let o = cramp(&["ask", "   "], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("QUESTION: the question is empty"), "{}", stderr(&o));
    let o = cramp(&["ask"], None);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_knowledge_changelog_s_newest_heading_is_the_knowledge_base_s_version() {
    // Every content change gets its entry under the kb_version it produced (knowledge/CHANGELOG.md).
    let o = cramp(&["kb", "check"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let version = out
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.strip_suffix(':'))
        .expect("kb check names the version");
    let log =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge/CHANGELOG.md")).unwrap();
    let newest = log.lines().find(|l| l.starts_with("## ")).expect("a version heading");
    assert!(
        newest.starts_with(&format!("## {version} (")),
        "knowledge/CHANGELOG.md's newest heading is {newest:?}; the knowledge base is {version}: add an entry under it"
    );
}
