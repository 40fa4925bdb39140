//! The n-of-1 stretching trial of the patient diary, exactly as SPEC §7 states it (documented in
//! `docs/n-of-1.md`): periods from the nightly check-ins, missing nights missing (never zero), the
//! mean difference with a 95 % Welch t interval, the verdict rules in their order, adherence, mean
//! pain, and the published effect beside it. The protocol's numbers and words are `knowledge/trial.toml`.

use crate::template::fill;
use serde::Deserialize;
use statrs::distribution::{ContinuousCDF, StudentsT};
use time::Date;

/// `knowledge/trial.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialConfig {
    pub stretching_nights: u32,
    pub baseline_nights_asked: usize,
    pub minimum_nights: usize,
    pub margin: f64,
    pub confidence: f64,
    pub published_effect: PublishedEffect,
    pub reasons: TrialReasons,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedEffect {
    pub source: String,
    pub sources: Vec<String>,
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub mark: crate::vocab::Mark,
    pub text: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialReasons {
    pub no_stretching: String,
    pub baseline_short: String,
    pub too_few: String,
    pub spans: String,
    pub improved: String,
    pub worse: String,
    pub no_change: String,
    pub baseline_name: String,
    pub stretching_name: String,
}

/// One nightly check-in (one per date).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Night {
    pub date: Date,
    pub stretched: bool,
    pub cramps: u32,
}

/// The pain of one episode, by the date it started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpisodePain {
    pub date: Date,
    pub pain: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Improved,
    NoChange,
    Worse,
    Inconclusive,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Improved => "improved",
            Verdict::NoChange => "no_change",
            Verdict::Worse => "worse",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// One period of the trial.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    pub nights: usize,
    pub first_date: Option<Date>,
    pub last_date: Option<Date>,
    pub cramps_per_night: Option<f64>,
    pub mean_pain: Option<f64>,
}

/// Stretching mean minus baseline mean, with its Welch interval (`None` when a period has fewer
/// than 2 nights), and the rate ratio (`None` when the baseline mean is 0 or a period is empty).
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    pub estimate: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// Welch–Satterthwaite degrees of freedom (`None` when both variances are zero).
    pub df: Option<f64>,
    pub rate_ratio: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Trial<'kb> {
    pub verdict: Verdict,
    pub reason: String,
    /// Nights still needed, when too few nights are why the verdict is inconclusive: in the baseline
    /// if it has too few, else in the stretching period (no stretched night yet: the whole minimum).
    pub nights_needed: Option<usize>,
    /// The share of stretching-period nights with stretching (`None` before the period starts).
    pub adherence: Option<f64>,
    pub baseline: Period,
    pub stretching: Period,
    pub effect: Effect,
    pub published: &'kb PublishedEffect,
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// Sample variance (n − 1).
fn variance(xs: &[f64], m: f64) -> f64 {
    xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (xs.len() - 1) as f64
}

/// The mean difference `b − a` with its Welch t interval at `confidence`; `None` with fewer than 2
/// values on either side. Both variances zero: the interval is the estimate itself.
pub fn welch(a: &[f64], b: &[f64], confidence: f64) -> Option<(f64, f64, f64, Option<f64>)> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (ma, mb) = (mean(a)?, mean(b)?);
    let (va, vb) = (variance(a, ma) / a.len() as f64, variance(b, mb) / b.len() as f64);
    let d = mb - ma;
    let se2 = va + vb;
    if se2 == 0.0 {
        return Some((d, d, d, None));
    }
    let df = se2 * se2 / (va * va / (a.len() - 1) as f64 + vb * vb / (b.len() - 1) as f64);
    let t = StudentsT::new(0.0, 1.0, df)
        .ok()?
        .inverse_cdf(1.0 - (1.0 - confidence) / 2.0);
    let half = t * se2.sqrt();
    Some((d, d - half, d + half, Some(df)))
}

/// A number for people: two decimals, no trailing zeros (the trial's reasons, the diary summary).
pub fn short(x: f64) -> String {
    let s = format!("{:.2}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Evaluates the trial from every nightly check-in and episode of a diary (any order; one check-in
/// per date).
pub fn evaluate<'kb>(config: &'kb TrialConfig, nights: &[Night], episodes: &[EpisodePain]) -> Trial<'kb> {
    let mut nights: Vec<Night> = nights.to_vec();
    nights.sort_by_key(|n| n.date);
    let start = nights.iter().find(|n| n.stretched).map(|n| n.date);
    let end = start.and_then(|s| s.checked_add(time::Duration::days(i64::from(config.stretching_nights) - 1)));
    let (baseline, stretching): (Vec<Night>, Vec<Night>) = match (start, end) {
        (Some(s), Some(e)) => (
            nights.iter().copied().filter(|n| n.date < s).collect(),
            nights.iter().copied().filter(|n| n.date >= s && n.date <= e).collect(),
        ),
        _ => (nights.clone(), Vec::new()),
    };
    let cramps = |p: &[Night]| p.iter().map(|n| f64::from(n.cramps)).collect::<Vec<f64>>();
    let (cb, cs) = (cramps(&baseline), cramps(&stretching));
    // A period's dates: the baseline from its first logged night to the eve of the first stretched
    // night; the stretching period its 42 dates. An episode's pain counts in the period of its date.
    let pain_in = |from: Option<Date>, to: Option<Date>| {
        let (Some(from), Some(to)) = (from, to) else {
            return None;
        };
        mean(
            &episodes
                .iter()
                .filter(|e| e.date >= from && e.date <= to)
                .map(|e| e.pain)
                .collect::<Vec<_>>(),
        )
    };
    let baseline_to = start.and_then(|s| s.previous_day()).or(baseline.last().map(|n| n.date));
    let period = |p: &[Night], c: &[f64], from: Option<Date>, to: Option<Date>| Period {
        nights: p.len(),
        first_date: p.first().map(|n| n.date),
        last_date: p.last().map(|n| n.date),
        cramps_per_night: mean(c),
        mean_pain: pain_in(from, to),
    };
    let baseline_period = period(&baseline, &cb, baseline.first().map(|n| n.date), baseline_to);
    let stretching_period = period(&stretching, &cs, start, end);

    let w = welch(&cb, &cs, config.confidence);
    let rate_ratio = match (baseline_period.cramps_per_night, stretching_period.cramps_per_night) {
        (Some(b), Some(s)) if b != 0.0 => Some(s / b),
        _ => None,
    };
    let effect = Effect {
        estimate: w.map(|w| w.0),
        ci_low: w.map(|w| w.1),
        ci_high: w.map(|w| w.2),
        df: w.and_then(|w| w.3),
        rate_ratio,
    };
    let adherence = (!stretching.is_empty())
        .then(|| stretching.iter().filter(|n| n.stretched).count() as f64 / stretching.len() as f64);

    let r = &config.reasons;
    let min = config.minimum_nights;
    let mut needed = None;
    let (verdict, reason) = if start.is_none() {
        needed = Some(min);
        (Verdict::Inconclusive, r.no_stretching.clone())
    } else if baseline.len() < min || stretching.len() < min {
        let (name, n) = if baseline.len() < min {
            (&r.baseline_name, baseline.len())
        } else {
            (&r.stretching_name, stretching.len())
        };
        needed = Some(min - n);
        (
            Verdict::Inconclusive,
            fill(
                &r.too_few,
                &[
                    ("period", name.as_str()),
                    ("nights", &n.to_string()),
                    ("needed", &(min - n).to_string()),
                ],
            ),
        )
    } else {
        // At least `min` (≥ 2) nights on each side: the interval exists.
        let (ci_lo, ci_hi) = (effect.ci_low.unwrap_or(0.0), effect.ci_high.unwrap_or(0.0));
        let (lo, hi) = (short(ci_lo), short(ci_hi));
        let vars = [("low", lo.as_str()), ("high", hi.as_str())];
        if ci_lo <= -config.margin && ci_hi >= config.margin {
            (Verdict::Inconclusive, fill(&r.spans, &vars))
        } else if ci_hi < 0.0 {
            (Verdict::Improved, fill(&r.improved, &vars))
        } else if ci_lo > 0.0 {
            (Verdict::Worse, fill(&r.worse, &vars))
        } else {
            (Verdict::NoChange, fill(&r.no_change, &vars))
        }
    };
    // The protocol's baseline request is said whatever the verdict, while it is not met (unless the
    // reason already is the baseline's shortage).
    let baseline_is_the_reason = needed.is_some() && baseline.len() < min;
    let reason = if start.is_some() && baseline.len() < config.baseline_nights_asked && !baseline_is_the_reason {
        format!(
            "{reason} {}",
            fill(&r.baseline_short, &[("nights", &baseline.len().to_string())])
        )
    } else {
        reason
    };
    Trial {
        verdict,
        reason,
        nights_needed: needed,
        adherence,
        baseline: baseline_period,
        stretching: stretching_period,
        effect,
        published: &config.published_effect,
    }
}
