//! Drug recognition by name: combination products, and the `names_mark` that says which names
//! are general knowledge rather than EVIDENCE.md's (knowledge/drugs.toml header).

mod common;

use cramp_core::vocab::Mark;
use std::path::Path;

fn codes(name: &str) -> Vec<String> {
    let drugs = &common::kb().drugs;
    drugs
        .by_name(name)
        .into_iter()
        .map(|i| drugs.drugs[i].code().unwrap_or("").to_string())
        .collect()
}

/// The codes of every drug a name names, sorted (a combination product names several).
fn sorted_codes(name: &str) -> Vec<String> {
    let mut all = codes(name);
    all.sort();
    all
}

/// Each name names exactly one drug, with the code given.
fn each_names_one_code(cases: &[(&str, &str)]) {
    for (name, want) in cases {
        assert_eq!(codes(name), [*want], "{name}");
    }
}

#[test]
fn a_combination_inhaler_named_by_its_ingredients_is_the_combination_in_either_order() {
    for name in [
        "salmeterol/fluticasone 50/500 µg bd",
        "fluticasone propionate/salmeterol xinafoate",
        "Budesonide 200 micrograms / formoterol 6 micrograms",
        "formoterol/budesonide",
        "beclometasone dipropionate/formoterol (Fostair) 100/6",
        "fluticasone furoate/vilanterol 92/22",
    ] {
        let got = codes(name);
        assert!(got.iter().any(|c| c == "R03AK"), "{name}: {got:?}");
        assert!(
            !got.iter().any(|c| c.starts_with("R03AC")),
            "{name}: the LABA alone as well: {got:?}"
        );
    }
    // The LABA on its own stays itself.
    assert_eq!(codes("salmeterol 50 µg inhaler"), ["R03AC12"]);
    assert_eq!(codes("formoterol"), ["R03AC13"]);
}

#[test]
fn a_combination_brand_names_each_of_its_ingredients() {
    for (name, want) in [
        ("Dyazide", &["C03AA03", "C03DB"][..]),
        ("co-amilofruse 5/40", &["C03DB01", "C03CA01"][..]),
        ("Moduretic", &["C03AA03", "C03DB01"][..]),
        ("Co-triamterzide 50/25 mg", &["C03AA03", "C03DB"][..]),
        ("Frumil", &["C03DB01", "C03CA01"][..]),
    ] {
        let mut got = codes(name);
        got.sort();
        let mut want = want.to_vec();
        want.sort();
        assert_eq!(got, want, "{name}");
    }
    // A brand of one drug still names only that drug.
    assert_eq!(codes("Lasix 40 mg"), ["C03CA01"]);
    assert_eq!(codes("Nexium 20 mg"), ["A02BC"]);
    // The other loop diuretic (ATC C03CC), by name and by brand.
    assert_eq!(codes("ethacrynic acid 50 mg"), ["C03CC01"]);
    assert_eq!(codes("Edecrin"), ["C03CC01"]);
}

/// Whole-word, case-insensitive occurrence of `name` in `text` (already lower case).
#[test]
fn a_named_salt_with_its_own_code_is_told_apart_from_the_other_salts() {
    assert_eq!(codes("Magnesium oxide 400 mg"), ["A12CC10"]);
    assert_eq!(codes("Mag-Ox 400"), ["A12CC10"]);
    for name in [
        "magnesium",
        "magnesium citrate 100 mg",
        "Magnesium glycinate",
        "Slow-Mag",
    ] {
        assert_eq!(codes(name), ["A12CC"], "{name}");
    }
    assert_eq!(
        codes("potassium citrate"),
        ["A12BA"],
        "a salt without an entry of its own"
    );
    assert_eq!(codes("K-Dur 20 mEq"), ["A12BA"]);
}

#[test]
fn a_supplement_named_by_its_salt_form_is_that_supplement_and_a_salt_of_another_drug_is_not() {
    // "magnesium supplement" used to be read as magnesium, potassium and calcium together (the
    // three "… supplement" names shared the word left after the salt word was stripped), and the
    // salt forms outside the strip list made the supplement unrecognised.
    each_names_one_code(&[
        ("magnesium supplement", "A12CC"),
        ("Magnesium bisglycinate 200 mg", "A12CC"),
        ("magnesium taurate", "A12CC"),
        ("potassium supplement", "A12BA"),
        ("potassium gluconate", "A12BA"),
        ("calcium supplements", "A12AA"),
    ]);
    // The salt of a drug the knowledge base does not know is not a supplement; of one it knows, that drug.
    assert!(codes("sodium fusidate").is_empty());
    assert_eq!(codes("sodium valproate"), ["N03AG01"]);
    assert_eq!(codes("losartan potassium 50 mg"), ["C09CA"]);
    assert_eq!(codes("naproxen sodium 550 mg"), ["M01AE02"]);
    assert_eq!(codes("esomeprazole magnesium"), ["A02BC"]);
}

#[test]
fn other_inhaled_beta_agonists_and_their_combinations_are_recognised() {
    assert_eq!(codes("Anoro Ellipta 55/22"), ["R03AL"]);
    // The triple inhaler holds its corticosteroid too, recognised (and not reviewed) on its own.
    assert_eq!(
        sorted_codes("fluticasone furoate/umeclidinium/vilanterol"),
        ["R03AL", "R03BA05"]
    );
    assert_eq!(codes("tiotropium/olodaterol"), ["R03AL"]);
    assert_eq!(codes("olodaterol"), ["R03AC19"]);
    assert_eq!(codes("terbutaline 500 micrograms"), ["R03AC03"]);
    assert_eq!(codes("Spiriva 18 micrograms"), ["R03BB04"]);
    let mut combivent = codes("Combivent");
    combivent.sort();
    assert_eq!(combivent, ["R03AC02", "R03BB01"]);
}

fn spelled_out(text: &str, name: &str) -> bool {
    let name = name.to_lowercase();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
    text.match_indices(&name)
        .any(|(at, _)| !word(text[..at].chars().next_back()) && !word(text[at + name.len()..].chars().next()))
}

#[test]
fn every_drug_name_evidence_does_not_spell_out_is_marked_unverified() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/clinical/EVIDENCE.md");
    let Ok(evidence) = std::fs::read_to_string(&path) else {
        // CI always has ../shared beside the clone (scripts/test fails there without it).
        assert!(std::env::var_os("CI").is_none(), "{} is missing", path.display());
        eprintln!("note: ../shared is not beside this clone; names_mark not checked against EVIDENCE.md");
        return;
    };
    let evidence = evidence.to_lowercase();
    let mut unmarked = Vec::new();
    for d in &common::kb().drugs.drugs {
        let outside: Vec<&String> = d
            .names
            .iter()
            .chain(&d.brands)
            .filter(|n| !spelled_out(&evidence, n))
            .collect();
        if !outside.is_empty() && d.names_mark != Some(Mark::U) {
            unmarked.push(format!("{}: {outside:?}", d.id));
        }
    }
    assert!(
        unmarked.is_empty(),
        "names EVIDENCE.md does not spell out, without names_mark = \"U\":\n{}",
        unmarked.join("\n")
    );
}

#[test]
fn fixed_combinations_sent_by_atc_code_alone_are_reviewed_for_their_diuretic_or_statin() {
    let case: cramp_core::case::Case = serde_json::from_str(
        r#"{"medications": [{"atc": "C09DA01"}, {"atc": "C07BB07"}, {"atc": "C08GA01"}, {"atc": "C10BA02"}, {"atc": "C09AA05"}]}"#,
    )
    .unwrap();
    let a = cramp_core::engine::assess(common::kb(), &case, Default::default());
    let review: Vec<(&str, &str)> = a
        .medication_review
        .iter()
        .map(|r| (r.atc.as_str(), r.tier.as_str()))
        .collect();
    assert_eq!(
        review,
        [("C09DA01", "A"), ("C07BB07", "A"), ("C08GA01", "A"), ("C10BA02", "B")],
        "an ARB, a beta-blocker or a CCB with a diuretic; a statin combination; a plain ACE inhibitor is not flagged"
    );
}

#[test]
fn combination_brands_and_hyphenated_pairs_name_each_known_ingredient() {
    for (name, want) in [
        ("Hyzaar 50/12.5", vec!["C03AA03", "C09CA"]),
        ("Caduet 5/10", vec!["C08CA01", "C10AA05"]),
        ("Aldactazide", vec!["C03AA03", "C03DA01"]),
        ("losartan-HCTZ", vec!["C03AA03", "C09CA"]),
        ("amlodipine-atorvastatin", vec!["C08CA01", "C10AA05"]),
    ] {
        let mut got = codes(name);
        got.sort();
        assert_eq!(got, want, "{name}");
    }
    // A hyphenated name the table knows stays whole.
    let mut got = codes("co-amilofruse 5/40");
    got.sort();
    assert_eq!(got, ["C03CA01", "C03DB01"]);
}

#[test]
fn a_chemical_symbol_before_a_salt_form_is_that_supplement_and_mg_alone_is_milligrams() {
    each_names_one_code(&[
        ("Mg oxide 400 mg", "A12CC10"),
        ("MgO", "A12CC10"),
        ("Mg glycinate", "A12CC"),
        ("Mg citrate 200mg nocte", "A12CC"),
        ("KCl 20 mEq", "A12BA"),
        ("K citrate", "A12BA"),
        ("Ca carbonate 1.25 g", "A12AA"),
    ]);
    // "mg" without a salt form after it is a dose, not magnesium; so is "mg" after a drug's name.
    assert!(codes("Mg 400").is_empty());
    assert!(codes("tofacitinib 5 mg citrate").is_empty());
    assert_eq!(codes("sildenafil 50 mg citrate"), ["G04BE"]);
    assert_eq!(codes("orphenadrine 100 mg citrate"), ["M03BC01"]);
    assert_eq!(codes("furosemide 40 mg oral"), ["C03CA01"]);
    assert_eq!(codes("losartan K"), ["C09CA"]);
    assert!(codes("fusidate Na").is_empty());
    assert_eq!(codes("valproate Na"), ["N03AG01"]);
}

#[test]
fn rxnorm_clinical_drug_names_with_strengths_and_dose_forms_name_their_ingredients() {
    each_names_one_code(&[
        (
            "fluticasone propionate 0.25 MG/ACTUAT / salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler",
            "R03AK",
        ),
        (
            "budesonide 0.16 MG/ACTUAT / formoterol fumarate dihydrate 0.0045 MG/ACTUAT Metered Dose Inhaler",
            "R03AK",
        ),
        ("salmeterol 0.05 MG/ACTUAT Dry Powder Inhaler", "R03AC12"),
        ("Potassium Chloride 20 MEQ Extended Release Oral Tablet", "A12BA"),
        ("Magnesium Oxide 400 MG Oral Tablet", "A12CC10"),
        ("teriparatide 0.25 MG/ML Pen Injector", "H05AA02"),
        ("24 HR Nifedipine 30 MG Extended Release Oral Tablet", "C08CA05"),
    ]);
}

#[test]
fn uk_brands_of_diuretics_and_salbutamol_name_their_drug() {
    each_names_one_code(&[
        ("Aprinox 2.5 mg", "C03AA"),
        ("Neo-Naclex", "C03AA"),
        ("Hygroton", "C03BA04"),
        ("Burinex 1 mg", "C03CA02"),
        ("Salamol 100 micrograms inhaler", "R03AC02"),
        ("Airomir", "R03AC02"),
    ]);
    // The brand with "Plus" is perindopril with indapamide; without it, perindopril alone.
    assert_eq!(sorted_codes("Coversyl Plus 5/1.25"), ["C03BA11", "C09AA"]);
    assert_eq!(codes("Coversyl 4 mg"), ["C09AA"]);
}

#[test]
fn a_pm_analgesic_names_its_analgesic_and_its_diphenhydramine() {
    // Paracetamol has no code in EVIDENCE.md: it is named but emits none (filtered here).
    for (name, want) in [
        ("Tylenol PM", &["R06AA02"][..]),
        ("Advil PM 2 tabs at night", &["M01AE01", "R06AA02"][..]),
        ("Aleve PM", &["M01AE02", "R06AA02"][..]),
    ] {
        let mut got: Vec<String> = codes(name).into_iter().filter(|c| !c.is_empty()).collect();
        got.sort();
        assert_eq!(got, want, "{name}");
    }
    assert!(codes("Tylenol 500 mg").iter().all(String::is_empty));
    assert!(!codes("Tylenol 500 mg").is_empty(), "paracetamol is recognised");
    // Other antipsychotics are the class (N05A).
    assert_eq!(codes("Latuda 40 mg"), ["N05A"]);
    assert_eq!(codes("ziprasidone"), ["N05A"]);
}

#[test]
fn more_brands_of_statins_labas_and_dihydropyridines_name_their_drug() {
    each_names_one_code(&[
        ("Atozet 10/40", "C10AA05"),
        ("Ezallor", "C10AA07"),
        ("Roszet", "C10AA07"),
        ("Brovana nebules", "R03AC13"),
        ("arformoterol", "R03AC13"),
        ("Perforomist", "R03AC13"),
        ("Katerzia 1 mg/mL", "C08CA01"),
        ("Sular 17 mg", "C08CA"),
        ("DynaCirc", "C08CA"),
        ("Diclegis", "R06AA09"),
        ("Xonvea", "R06AA09"),
        ("Feosol 325 mg", "B03AA07"),
        ("Slow-Fe", "B03AA07"),
    ]);
}

#[test]
fn quinine_from_any_source_is_quinine_and_combination_brands_name_their_flagged_ingredient() {
    // c.6b: quinine already taken, "any salt, any source": tonic water and bitter lemon.
    each_names_one_code(&[
        ("tonic water nightly", "P01BC01"),
        ("Schweppes Indian Tonic", "P01BC01"),
        ("bitter lemon", "P01BC01"),
        ("Q-Vel", "P01BC01"),
        ("gin and tonic most nights", "P01BC01"),
        ("G&T (gin & tonic)", "P01BC01"),
        ("Norflex 100 mg", "M03BC01"),
        ("Visken", "C07"),
        ("Augmentin 625 mg", "J01CA04"),
        ("co-amoxiclav 500/125", "J01CA04"),
    ]);
    // A drink named without its tonic is not quinine.
    assert!(codes("gin").is_empty());
}

#[test]
fn other_members_of_the_raloxifene_and_teriparatide_classes_and_vilanterol_alone_are_recognised() {
    each_names_one_code(&[
        ("bazedoxifene 20 mg", "G03XC02"),
        ("Conbriza", "G03XC02"),
        ("Osphena 60 mg", "G03XC05"),
        ("lasofoxifene", "G03XC03"),
        ("Tymlos 80 mcg", "H05AA04"),
        ("vilanterol trifenatate", "R03AC"),
    ]);
    // Duavee is conjugated estrogens with bazedoxifene: both are reviewed.
    assert_eq!(sorted_codes("Duavee"), ["G03CA57", "G03XC02"]);
    // Vilanterol in its combinations is still the combination, not the LABA alone.
    assert_eq!(codes("umeclidinium/vilanterol"), ["R03AL"]);
    assert_eq!(codes("fluticasone furoate/vilanterol"), ["R03AK"]);
}

#[test]
fn more_thiazides_aldosterone_antagonists_and_antihistamines_name_their_drug() {
    each_names_one_code(&[
        ("chlorothiazide 500 mg", "C03AA"),
        ("cyclopenthiazide", "C03AA"),
        ("Kerendia 10 mg", "C03DA"),
        ("Xyzal 5 mg", "R06AE09"),
        ("cyclizine 50 mg", "R06AE03"),
        ("meclozine", "R06AE05"),
        ("Dramamine", "R06AA11"),
    ]);
    // Night Nurse is paracetamol with promethazine (and dextromethorphan, not known here).
    assert_eq!(sorted_codes("Night Nurse"), ["", "R06AD02"]);
}

#[test]
fn other_members_of_the_rls_worsening_classes_and_more_diuretic_and_iv_iron_names_are_recognised() {
    each_names_one_code(&[
        ("desipramine 25 mg", "N06AA"),
        ("Surmontil", "N06AA"),
        ("milnacipran", "N06AX17"),
        ("Fetzima 40 mg", "N06AX28"),
        ("loxapine", "N05A"),
        ("droperidol 1.25 mg IV", "N05A"),
        ("bilastine 20 mg", "R06A"),
        ("Periactin", "R06A"),
        ("dexchlorpheniramine", "R06A"),
        ("hydroflumethiazide", "C03AA"),
        ("Volmax 4 mg", "R03AC02"),
        ("Ferrlecit", "B03AC"),
    ]);
    // Aldactide is spironolactone with hydroflumethiazide.
    assert_eq!(sorted_codes("Aldactide 25"), ["C03AA", "C03DA01"]);
}

#[test]
fn prescribers_shorthand_for_common_statins_amlodipine_and_spironolactone_names_the_drug() {
    each_names_one_code(&[
        ("simva 40 nocte", "C10AA01"),
        ("atorva 20", "C10AA05"),
        ("rosuva 10mg", "C10AA07"),
        ("prava 40", "C10AA03"),
        ("amlo 5 od", "C08CA01"),
        ("spiro 25", "C03DA01"),
    ]);
    // Whole words only: a brand that begins the same is not the shorthand.
    assert!(!codes("Spiriva Respimat").contains(&"C03DA01".to_string()));
}

#[test]
fn spirolactone_and_the_hct_combination_names_read_their_diuretic_but_hct_alone_is_no_drug() {
    // Two letters short of the name: beyond the one-edit spelling check, so a name of its own.
    each_names_one_code(&[("spirolactone 25mg", "C03DA01")]);
    // "HCT" in a generic combination name is the thiazide, whatever joins it to the other drug.
    for name in [
        "losartan HCT 50/12.5",
        "Valsartan-HCT",
        "valsartan/HCT 160/12.5",
        "Lisinopril HCT 20/12.5",
    ] {
        assert!(
            codes(name).contains(&"C03AA03".to_string()),
            "{name}: {:?}",
            codes(name)
        );
    }
    // Alone it may be a haematocrit: not read as a drug.
    assert!(codes("HCT").is_empty());
}

#[test]
fn us_and_uk_brands_of_diuretics_nifedipine_zolpidem_gabapentin_and_antihistamines_name_their_drug() {
    each_names_one_code(&[
        ("Midamor 5 mg", "C03DB01"),
        ("Dytac", "C03DB"),
        ("Dyrenium", "C03DB"),
        ("Lozol", "C03BA11"),
        ("Thalitone 15 mg", "C03BA04"),
        ("Coracten SR", "C08CA05"),
        ("Nifedipress", "C08CA05"),
        ("Intermezzo 1.75 mg", "N05CF02"),
        ("Gralise 600 mg", "N02BF01"),
        ("Horizant 600 mg", "N02BF"),
        ("gabapentin enacarbil", "N02BF"),
        ("Avomine", "R06AD02"),
        ("Sominex", "R06A"),
    ]);
    // Combinations name each ingredient the knowledge base knows.
    assert_eq!(sorted_codes("Lasilactone 50/20"), ["C03CA01", "C03DA01"]);
    assert_eq!(sorted_codes("Navispare"), ["C03AA", "C03DB01"]);
    assert_eq!(sorted_codes("Kalten"), ["C03AA03", "C03DB01"]);
    assert_eq!(sorted_codes("Edarbyclor"), ["C03BA04"]);
    assert_eq!(sorted_codes("Triapin 5/5"), ["C08CA02"]);
}

#[test]
fn common_medicines_of_older_adults_are_known_by_their_class_or_own_code() {
    each_names_one_code(&[
        ("lisinopril 10 mg", "C09AA"),
        ("Tritace 5mg", "C09AA"),
        ("losartan 50 mg", "C09CA"),
        ("warfarin 3 mg", "B01AA"),
        ("Eliquis 5 mg bd", "B01AF"),
        ("Pradaxa 110 mg", "B01AE07"),
        ("allopurinol 100 mg", "M04AA01"),
        ("Flomax", "G04CA02"),
        ("alendronic acid 70 mg weekly", "M05BA"),
        ("Prolia", "M05BX04"),
        // Each P2Y12 inhibitor by its own code: the class B01AC also holds cilostazol (B01AC23).
        ("clopidogrel 75 mg", "B01AC04"),
        ("Brilinta", "B01AC24"),
        ("tramadol 50 mg", "N02A"),
        ("co-codamol 30/500", "N02A"),
        // Each antiepileptic by its own code: N03A also holds clonazepam (N03AE01) and the former
        // codes of gabapentin and pregabalin.
        ("sodium valproate 500 mg", "N03AG01"),
        ("Keppra", "N03AX14"),
        ("Sinemet 25/100", "N04BA02"),
        ("famotidine", "A02BA"),
        ("prednisolone 5 mg", "H02AB"),
        ("Mirena", "G03AC"),
        // Bupropion is not one of the c.6b antidepressants that can worsen RLS.
        ("Wellbutrin XL 150 mg", "N06AX12"),
        ("vitamin D3 1000 iu", "A11CC05"),
        ("Entresto 49/51", "C09DX04"),
    ]);
    // A topical NSAID is told from the tablet by its form; other drugs pass the form word over.
    each_names_one_code(&[
        ("Voltaren gel", "M02AA"),
        ("diclofenac sodium 10 MG/ML Topical Gel", "M02AA"),
        ("Voltaren", "M01A"),
        ("diclofenac 50 mg", "M01A"),
        ("rotigotine 2 mg/24 h patch", "N04BC"),
        ("fentanyl 25 mcg/hr transdermal patch", "N02A"),
    ]);
}

#[test]
fn everyday_names_of_common_medicines_are_recognised_without_touching_a_rule() {
    // Seventeenth session: inhaled corticosteroids, dialysis and prostate-cancer medicines,
    // laxatives and others were reported as unknown. None is in a set a rule reads.
    each_names_one_code(&[
        ("Clenil Modulite 100", "R03BA01"),
        ("budesonide 200 inhaler", "R03BA02"),
        ("Flixotide 125", "R03BA05"),
        ("theophylline MR 200 mg", "R03DA"),
        ("Laxido sachet", "A06AD15"),
        ("senna 15 mg nocte", "A06AB"),
        ("trazodone 50 mg", "N06AX05"),
        ("sevelamer carbonate 800 mg", "V03AE"),
        ("Lokelma 10 g", "V03AE"),
        ("epoetin alfa 4000 units", "B03XA"),
        ("Zoladex 10.8 mg implant", "L02AE"),
        ("bicalutamide 50 mg", "L02BB"),
        ("sumatriptan 50 mg prn", "N02CC"),
        ("riluzole 50 mg bd", "N07XX02"),
        ("nicotine patch 21 mg", "N07BA01"),
        ("Mounjaro 5 mg", "A10BX16"),
    ]);
    // The combined pill by its everyday names holds an oestrogen (c.5 possible_dvt); the
    // progestogen-only pill does not.
    each_names_one_code(&[
        ("contraceptive pill", "G03AA"),
        ("OCP", "G03AA"),
        ("oral contraceptive pill", "G03AA"),
    ]);
    each_names_one_code(&[("progestogen-only pill", "G03AC"), ("mini pill", "G03AC")]);
    // "Mag" is magnesium before a salt form, as "Mg" is.
    each_names_one_code(&[("mag glycinate", "A12CC"), ("Mag citrate 200 mg", "A12CC")]);
    // The combination inhalers keep their combination code beside the corticosteroid's own.
    assert_eq!(codes("Symbicort 200/6"), ["R03AK"]);
    assert_eq!(codes("salmeterol/fluticasone 50/500"), ["R03AK"]);
}
