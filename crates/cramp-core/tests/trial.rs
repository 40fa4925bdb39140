//! The n-of-1 stretching trial (SPEC §7): periods, missing nights, minimum data, the Welch
//! interval, the verdict order, adherence, pain; properties; and cramp's intervals for the fixtures
//! of tests/trial/, written for the independent check with scipy (tests/trial/crosscheck.py).

mod common;

use common::kb;
use cramp_core::trial::{EpisodePain, Night, Verdict, evaluate, welch};
use proptest::prelude::*;
use std::path::Path;
use time::{Date, Duration, macros::date};

const START: Date = date!(2026 - 01 - 01);

/// Consecutive nights from `START`: `baseline` unstretched, then `stretching` with the given flags.
fn diary(baseline: &[u32], stretching: &[(bool, u32)]) -> Vec<Night> {
    let mut out = Vec::new();
    let mut d = START;
    for &c in baseline {
        out.push(Night {
            date: d,
            stretched: false,
            cramps: c,
        });
        d = d.next_day().unwrap();
    }
    for &(s, c) in stretching {
        out.push(Night {
            date: d,
            stretched: s,
            cramps: c,
        });
        d = d.next_day().unwrap();
    }
    out
}

fn stretched(cramps: &[u32]) -> Vec<(bool, u32)> {
    cramps.iter().map(|&c| (true, c)).collect()
}

#[test]
fn the_stretching_period_is_the_first_stretched_night_and_the_41_dates_after_it() {
    let nights = diary(&[2; 14], &stretched(&[1; 50]));
    let t = evaluate(&kb().trial, &nights, &[]);
    assert_eq!(t.baseline.nights, 14);
    assert_eq!(t.stretching.nights, 42, "nights after the 42nd date are not used");
    assert_eq!(t.stretching.first_date, Some(START + Duration::days(14)));
    assert_eq!(t.stretching.last_date, Some(START + Duration::days(14 + 41)));
}

#[test]
fn a_missing_night_is_missing_not_zero() {
    // Every other stretching night is missing: the mean is over logged nights only.
    let mut nights = diary(&[3; 14], &[]);
    for i in (0..42).step_by(2) {
        nights.push(Night {
            date: START + Duration::days(14 + i),
            stretched: true,
            cramps: 1,
        });
    }
    let t = evaluate(&kb().trial, &nights, &[]);
    assert_eq!(t.stretching.nights, 21);
    assert_eq!(t.stretching.cramps_per_night, Some(1.0));
}

#[test]
fn too_few_nights_is_inconclusive_by_construction_with_the_nights_still_needed() {
    let t = evaluate(&kb().trial, &diary(&[4; 14], &stretched(&[0; 6])), &[]);
    assert_eq!(t.verdict, Verdict::Inconclusive);
    assert_eq!(t.nights_needed, Some(4));
    assert!(t.reason.contains("4 more"), "{}", t.reason);
    // Before any stretched night: inconclusive, and the reason says how the trial starts.
    let t = evaluate(&kb().trial, &diary(&[4; 20], &[]), &[]);
    assert_eq!(t.verdict, Verdict::Inconclusive);
    assert_eq!(t.adherence, None);
    assert_eq!(t.effect.estimate, None);
    // Fewer than 2 nights in a period: no interval at all.
    let t = evaluate(&kb().trial, &diary(&[4], &stretched(&[0; 12])), &[]);
    assert_eq!(
        (t.effect.estimate, t.effect.ci_low, t.effect.ci_high),
        (None, None, None)
    );
}

#[test]
fn a_short_baseline_is_said_whatever_the_verdict() {
    let t = evaluate(&kb().trial, &diary(&[5; 11], &stretched(&[0; 42])), &[]);
    assert_eq!(t.verdict, Verdict::Improved);
    assert!(t.reason.contains("11 nights"), "{}", t.reason);
}

#[test]
fn a_baseline_too_short_to_judge_is_said_once() {
    let t = evaluate(&kb().trial, &diary(&[2; 3], &stretched(&[1; 12])), &[]);
    assert_eq!(t.verdict, Verdict::Inconclusive);
    assert_eq!(t.nights_needed, Some(7));
    assert_eq!(t.reason.matches("baseline").count(), 1, "{}", t.reason);
}

#[test]
fn when_both_periods_have_no_spread_the_interval_is_the_estimate() {
    let t = evaluate(&kb().trial, &diary(&[3; 14], &stretched(&[1; 42])), &[]);
    assert_eq!(t.effect.estimate, Some(-2.0));
    assert_eq!((t.effect.ci_low, t.effect.ci_high), (Some(-2.0), Some(-2.0)));
    assert_eq!(t.verdict, Verdict::Improved);
    assert_eq!(t.effect.rate_ratio, Some(1.0 / 3.0));
}

#[test]
fn the_verdict_rules_apply_in_their_order() {
    let trial = |b: &[u32], s: &[u32]| evaluate(&kb().trial, &diary(b, &stretched(s)), &[]);
    // Wide: spans both -0.5 and +0.5.
    let wide = trial(
        &[0, 6, 0, 6, 0, 6, 0, 6, 0, 6, 0, 6, 0, 6],
        &[6, 0, 6, 0, 6, 0, 6, 0, 6, 0],
    );
    assert!(wide.effect.ci_low.unwrap() <= -0.5 && wide.effect.ci_high.unwrap() >= 0.5);
    assert_eq!(wide.verdict, Verdict::Inconclusive);
    // All below zero: improved; all above: worse.
    assert_eq!(
        trial(
            &[3, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4, 3, 4],
            &[0, 1, 0, 1, 0, 1, 0, 1, 0, 1]
        )
        .verdict,
        Verdict::Improved
    );
    assert_eq!(
        trial(
            &[0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1],
            &[3, 4, 3, 4, 3, 4, 3, 4, 3, 4]
        )
        .verdict,
        Verdict::Worse
    );
    // Narrow around zero: no change.
    let same = trial(
        &[1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2],
        &[2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1],
    );
    assert_eq!(same.verdict, Verdict::NoChange);
    // No change with a baseline mean of zero: no rate ratio.
    assert_eq!(trial(&[0; 14], &[0; 42]).effect.rate_ratio, None);
}

#[test]
fn adherence_and_pain_are_per_period() {
    let mut s = stretched(&[1; 40]);
    s[1].0 = false;
    s[2].0 = false;
    let nights = diary(&[2; 14], &s);
    let episodes = [
        EpisodePain {
            date: START + Duration::days(2),
            pain: 8.0,
        },
        EpisodePain {
            date: START + Duration::days(3),
            pain: 6.0,
        },
        EpisodePain {
            date: START + Duration::days(20),
            pain: 3.0,
        },
        // Beyond the stretching period's 42 dates: not counted.
        EpisodePain {
            date: START + Duration::days(14 + 45),
            pain: 10.0,
        },
    ];
    let t = evaluate(&kb().trial, &nights, &episodes);
    assert_eq!(t.adherence, Some(38.0 / 40.0));
    assert_eq!(t.baseline.mean_pain, Some(7.0));
    assert_eq!(t.stretching.mean_pain, Some(3.0));
    assert_eq!(t.published.source, "R-Hall2012");
    assert_eq!(t.published.estimate, -1.2);
}

#[test]
fn the_t_quantile_is_the_textbook_one() {
    // Two nights each, spread 1: t(0.975, df) with df = 2 exactly.
    let (d, lo, hi, df) = welch(&[1.0, 2.0], &[1.0, 2.0], 0.95).unwrap();
    assert_eq!(d, 0.0);
    assert!((df.unwrap() - 2.0).abs() < 1e-12);
    // se = sqrt(0.25 + 0.25); t(0.975, 2) = 4.302652729911275
    let half = 4.302652729911275 * 0.5f64.sqrt();
    assert!((hi - half).abs() < 1e-9 && (lo + half).abs() < 1e-9, "{lo} {hi}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    /// The same nights in both periods are never "improved" (nor "worse").
    #[test]
    fn identical_periods_are_never_improved(cramps in prop::collection::vec(0u32..8, 10..42)) {
        let t = evaluate(&kb().trial, &diary(&cramps, &stretched(&cramps)), &[]);
        prop_assert!(t.verdict != Verdict::Improved && t.verdict != Verdict::Worse, "{:?}", t.verdict);
        prop_assert_eq!(t.effect.estimate, Some(0.0));
    }

    /// A large simulated effect (four cramps fewer a night, with noise) is "improved".
    #[test]
    fn a_large_effect_is_improved(
        base in prop::collection::vec(4u32..8, 14..30),
        after in prop::collection::vec(0u32..2, 42..43),
    ) {
        let t = evaluate(&kb().trial, &diary(&base, &stretched(&after)), &[]);
        prop_assert_eq!(t.verdict, Verdict::Improved);
    }
}

/// cramp's interval for every fixture of tests/trial/fixtures.json, written where
/// tests/trial/crosscheck.py (run by scripts/test) compares it with scipy's.
#[test]
fn intervals_for_the_scipy_crosscheck_are_written() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/trial/fixtures.json");
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for fx in f["fixtures"].as_array().unwrap() {
        let series = |k: &str| {
            fx[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect::<Vec<f64>>()
        };
        let (b, s) = (series("baseline"), series("stretching"));
        let (d, lo, hi, df) = welch(&b, &s, kb().trial.confidence).unwrap();
        // The same numbers through the whole evaluation.
        let cramps = |v: &[f64]| v.iter().map(|&x| x as u32).collect::<Vec<u32>>();
        let t = evaluate(&kb().trial, &diary(&cramps(&b), &stretched(&cramps(&s))), &[]);
        assert_eq!(t.effect.estimate, Some(d));
        out.push(serde_json::json!({ "name": fx["name"], "estimate": d, "ci_low": lo, "ci_high": hi, "df": df }));
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(
        dir.join("trial-crosscheck.json"),
        serde_json::to_string_pretty(&out).unwrap(),
    )
    .unwrap();
}
