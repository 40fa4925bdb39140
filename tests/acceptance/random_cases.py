#!/usr/bin/env python3
"""Random cases through the acceptance checker's global checks (scripts/test, beside the vignettes).

The public vignettes are a sample; held-out cases are judged by the same checker
(../shared/tools/check_vignettes.py), whose global checks apply to every case whatever it expects:
exit code and strict JSON, the output's shape and closed enumerations, every item cited from an
EVIDENCE.md source, no unitless lab interpreted, the safety rules of SPEC §2.5 and §8 (no quinine
offered; nothing both offered and avoided; baclofen, albumin, midodrine, magnesium and diltiazem
only in their populations) and the same decisions in both voices. This script builds valid SPEC §3
cases at random (other drugs of the rules' classes, by name or code; special populations; red-flag
findings; labs in other units or without one) and runs each through the checker's own `run_case`
with no expectations, so only those global checks apply.

Usage: random_cases.py CRAMP_BINARY CHECKER_DIR [--cases N] [--seed S]
Deterministic for a seed (default 1). Exit 0 when every case passes, 1 otherwise.

One input shape is left out on purpose: two results of one analyte where one has no unit. The
checker matches a name-only finding to a unitless lab by name, so it cannot tell the unitless
result (not interpreted, as SPEC §3 asks) from the other result of the same name (interpreted).
"""

import argparse
import json
import random
import sys

# Inputs, not clinical content: names and codes a clinician or an EHR might send.
DRUGS = [
    {"name": "hydrochlorothiazide 25 mg"}, {"name": "Lasix 40mg"}, {"name": "nifedipine MR 30 mg"},
    {"name": "amlodipine", "atc": "C08CA01"}, {"name": "felodipine"}, {"name": "quinine sulfate 300 mg"},
    {"rxnorm": "9071"}, {"name": "budesonide/formoterol"}, {"name": "citalopram"}, {"name": "sertraline"},
    {"name": "escitalopram"}, {"name": "baclofen"}, {"name": "diltiazem"}, {"name": "verapamil", "atc": "C08DA01"},
    {"name": "magnesium oxide"}, {"name": "potassium chloride"}, {"name": "naproxen"}, {"name": "ibuprofen"},
    {"name": "zolpidem"}, {"name": "clonazepam"}, {"name": "cyclobenzaprine"}, {"name": "orphenadrine"},
    {"name": "carisoprodol"}, {"name": "midodrine"}, {"name": "human albumin 20%"}, {"name": "ferrous sulfate"},
    {"name": "gabapentin", "atc": "N03AX12"}, {"name": "pregabalin"}, {"name": "atorvastatin"},
    {"name": "lithium carbonate"}, {"name": "raloxifene"}, {"name": "teriparatide"}, {"name": "iron sucrose"},
    {"name": "salbutamol inhaler"}, {"name": "spironolactone"}, {"name": "amiloride"}, {"name": "indapamide"},
    {"name": "omeprazole"}, {"name": "metformin"}, {"name": "haloperidol"}, {"name": "cetirizine"},
    {"name": "mirtazapine"}, {"name": "pramipexole"}, {"name": "vitamin B12", "atc": "B03BA01"},
    {"name": "naftidrofuryl"}, {"name": "cilostazol"}, {"name": "erythromycin"}, {"name": "wibblezol"},
    {"name": "tonic water"}, {"name": "Pletal"}, {"name": "Slow-Mag"}, {"name": "Sando-K"},
    {"name": "amlodipine 5 mg", "atc": "C03AA03"}, {"name": "Osphena 60 mg"}, {"name": "Duavee"},
    {"name": "Tymlos"}, {"name": "vilanterol"}, {"name": "finerenone"}, {"name": "cyclizine"},
]
CONDITIONS = [
    {"name": "cirrhosis", "icd10": "K74.60"}, {"name": "alcoholic cirrhosis", "icd10": "K70.30"},
    {"name": "hepatic encephalopathy"}, {"name": "hepatic encephalopathy", "icd10": "K76.82"},
    {"name": "end-stage renal disease", "icd10": "N18.6"}, {"name": "on haemodialysis"},
    {"name": "dependence on renal dialysis", "icd10": "Z99.2"}, {"name": "CKD stage 4", "icd10": "N18.4"},
    {"name": "CKD stage 5", "icd10": "N18.5"}, {"name": "CKD stage 3", "icd10": "N18.30"}, {"name": "kidney failure"},
    {"name": "heart failure", "icd10": "I50.9"}, {"name": "type 2 diabetes", "icd10": "E11.9"},
    {"name": "peripheral artery disease", "icd10": "I73.9"}, {"name": "pregnancy", "icd10": "Z33.1"},
    {"name": "supervision of normal pregnancy", "icd10": "Z34.90"}, {"name": "pre-eclampsia", "icd10": "O14.90"},
    {"name": "hypomagnesaemia", "icd10": "E83.42"}, {"name": "AV block", "icd10": "I44.2"},
    {"name": "restless legs syndrome", "icd10": "G25.81"}, {"name": "hypothyroidism", "icd10": "E03.9"},
    {"name": "hypertension", "icd10": "I10"}, {"name": "spinal stenosis", "icd10": "M48.062"},
    {"name": "something unusual"},
    {"name": "amyotrophic lateral sclerosis", "icd10": "G12.21"}, {"name": "diabetic polyneuropathy", "icd10": "E11.42"},
    {"name": "gangrene of toe", "icd10": "I70.261"}, {"name": "diabetic foot ulcer"}, {"name": "fever"},
    {"name": "possible cirrhosis"}, {"name": "?cirrhosis", "icd10": "K74.60"}, {"name": "low potassium diet"},
    {"name": "low potassium"}, {"name": "dysphagia", "icd10": "R13.10"}, {"name": "fasciculations"}, {"name": "foot drop"},
    {"name": "sudden onset slurred speech"}, {"name": "muscle wasting"},
    {"name": "dark urine"}, {"name": "alcohol use disorder", "icd10": "F10.20"}, {"name": "diarrhoea", "icd10": "R19.7"},
    {"name": "hypoparathyroidism"}, {"name": "vitamin D deficiency", "icd10": "E55.9"}, {"name": "myalgia"},
    # What the knowledge base reads beyond EVIDENCE d.1a's own terms (abbreviations, SNOMED CT ids,
    # misspellings), beside the plain forms: these may withhold a drug but must never start one.
    {"name": "ESKD"}, {"name": "ESRF on CAPD"}, {"name": "haemodialisis"}, {"name": "liver cirhosis"},
    {"name": "cirrhosis"}, {"name": "no cirrhosis"}, {"snomed": "19943007"}, {"snomed": "46177005"},
    {"snomed": "190855004"}, {"name": "hypomagnsaemia"}, {"name": "hypomagnesemia"}, {"name": "pregant"},
    {"name": "intradialytic hypotension", "icd10": "I95.3"}, {"name": "hypokalaemia", "icd10": "E87.6"},
    {"name": "liver disease", "icd10": "ICD-10-CM: K74.60"}, {"icd10": "N18.6; I95.3"},
]
# Per analyte: (LOINC, name, low, high, unit) variants; "" unit = sent without one.
LABS = {
    "potassium": [("2823-3", "potassium", 2.0, 7.0, "mmol/L"), ("2823-3", "potassium", 2.0, 7.0, ""),
                  (None, "K", 2.0, 7.0, "mmol/L")],
    "sodium": [("2951-2", "sodium", 118, 160, "mEq/L")],
    "magnesium": [("2601-3", "magnesium", 0.3, 2.5, "mmol/L"), ("19123-9", "magnesium", 0.8, 5.0, "mg/dL"),
                  (None, "Mg", 0.3, 2.5, "mmol/L"), (None, "Mg2+", 0.8, 5.0, "mg/dL"),
                  ("2601-3", "magnesium", 0.3, 2.5, "mmol/litre"), ("LOINC: 2601-3", "Mg", 0.3, 2.5, "mmol/L"),
                  ("99999-9", "magnesium", 0.3, 2.5, "mmol/L")],
    "b12": [("2132-9", "vitamin B12", 100, 1000, "pg/mL")],
    "calcium": [("2000-8", "calcium", 1.5, 3.5, "mmol/L")],
    "egfr": [("98979-8", "eGFR", 5, 120, "mL/min/1.73 m2")],
    "ferritin": [("2276-4", "ferritin", 5, 500, "ug/L")],
    "tsat": [("2502-3", "TSAT", 5, 60, "%")],
    "platelets": [("777-3", "platelets", 20, 500, "x10^9/L")],
    "creatinine": [("14682-9", "creatinine", 40, 900, "umol/L")],
    "tsh": [("3016-3", "TSH", 0.1, 20, "mIU/L")],
    "ck": [("2157-6", "CK", 20, 3000, "U/L")],
    "lithium": [("14334-7", "lithium", 0.2, 2.0, "mmol/L")],
    "glucose": [("2345-7", "glucose", 2.0, 30.0, "mmol/L")],
    "urine sodium": [(None, "urine sodium", 5, 200, "mmol/L")],
}
FLAGS = [
    "kicking_reported", "twitching", "tingling", "numbness", "weakness", "muscle_wasting", "gait_or_speech_change",
    "dysphagia", "calf_warm_or_red", "recent_immobility", "non_healing_wound", "bleeding_or_bruising",
    "bladder_or_bowel_change", "saddle_numbness", "nocturia", "progressive", "sleep_disrupted",
]


def case(r: random.Random) -> dict:
    def some(p, value):
        return value if r.random() < p else None

    def dense(d):
        return {k: v for k, v in d.items() if v is not None}

    patient = dense({
        "age": some(0.9, r.randint(3, 99)),
        "sex": some(0.9, r.choice(["female", "male", "other", "unknown"])),
        "pregnant": some(0.15, r.random() < 0.5),
        "gestational_weeks": some(0.07, r.randint(6, 40)),
        "smoker": some(0.3, r.random() < 0.4),
        "poor_balance_or_falls": some(0.2, r.random() < 0.5),
        "fluid_restricted": some(0.1, r.random() < 0.5),
    })
    symptoms = dense({
        "feels_like": some(0.9, r.choice(["painful_cramp"] * 4 + ["urge_to_move", "both", "burning_or_numb", "none"])),
        "worse_in_evening": some(0.8, r.random() < 0.3),
        "relieved_by": some(0.9, r.choice(["stretching"] * 4 + [
            "any_movement", "rest", "sitting_or_bending_forward", "hanging_leg_down", "nothing"])),
        "returns_at_rest": some(0.8, r.random() < 0.3),
        "when": some(0.9, r.choice(["night"] * 4 + ["day", "day_and_night", "walking", "standing_or_walking", "constant"])),
        "episodes_per_week": some(0.7, r.randint(0, 14)),
        "worst_pain": some(0.7, r.randint(0, 10)),
        "stretching_weeks_tried": some(0.4, r.randint(0, 12)),
        "calf_swelling": some(0.3, r.choice(["none", "none", "one_leg", "both_legs"])),
        "location": some(0.8, r.sample(["calf", "foot", "thigh", "hamstring", "hand", "arm", "abdomen", "other"],
                                       r.choice([1, 1, 1, 2, 3]))),
        "side": some(0.3, r.choice(["left", "right", "both"])),
        **{f: some(0.35, r.random() < 0.12) for f in FLAGS},
    })
    exam = dense({
        "abi": some(0.2, round(r.uniform(0.3, 1.4), 2)),
        "pedal_pulses": some(0.2, r.choice(["normal", "reduced", "absent"])),
        "reflexes": some(0.2, r.choice(["normal", "reduced", "brisk"])),
        "fasciculations": some(0.2, r.random() < 0.2),
        "sensory_loss": some(0.15, r.random() < 0.2),
        "objective_weakness": some(0.15, r.random() < 0.2),
        "qtc_ms": some(0.2, r.randint(380, 520)),
        "heart_rate": some(0.1, r.randint(40, 130)),
    })
    labs = []
    for analyte in r.sample(sorted(LABS), r.choice([0, 0, 1, 2, 3, 5])):
        loinc, name, low, high, unit = r.choice(LABS[analyte])
        lab = {"name": name, "value": round(r.uniform(low, high), 2)}
        if loinc and r.random() < 0.8:
            lab["loinc"] = loinc
        if unit:
            lab["unit"] = unit
        labs.append(lab)
    return dense({
        "patient": patient or None,
        "symptoms": symptoms or None,
        "exam": exam or None,
        "medications": r.sample(DRUGS, r.choice([0, 0, 1, 2, 3, 4])) or None,
        "conditions": r.sample(CONDITIONS, r.choice([0, 0, 1, 1, 2, 3])) or None,
        "labs": labs or None,
        "considering": r.sample(DRUGS, r.choice([0, 0, 0, 1, 2])) or None,
    })


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("binary")
    ap.add_argument("checker_dir", help="the folder of check_vignettes.py (../shared/tools)")
    ap.add_argument("--cases", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    sys.path.insert(0, args.checker_dir)
    sys.dont_write_bytecode = True  # leave no __pycache__ in ../shared
    import check_vignettes  # the acceptance checker itself, not a copy of its rules

    r = random.Random(args.seed)
    failed = 0
    for i in range(args.cases):
        c = case(r)
        reasons = check_vignettes.run_case(args.binary, {"case": c})
        if reasons:
            failed += 1
            print(f"FAIL case {i} (seed {args.seed}): {'; '.join(reasons)}\n  {json.dumps(c)}")
    print(f"{args.cases - failed} passed, {failed} failed (seed {args.seed})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
