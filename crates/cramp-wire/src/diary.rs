//! The diary's JSON (SPEC §7): request bodies read and checked field by field (400 for a body that is
//! not JSON, 422 naming the field and the fix for anything else), and the shapes the API answers
//! with: episodes, nights, warning-sign advice, the n-of-1 trial, and the CSV and JSON exports.

use crate::problem::{self, ProblemType};
use cramp_core::KnowledgeBase;
use cramp_core::diary::{Advice, Episode, Helped, Leg, Muscle, Night, WarningSign};
use cramp_core::trial::{EpisodePain, Night as TrialNight, Period, Trial};
use cramp_core::vocab::Audience;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A diary request the caller got wrong: not JSON (`INVALID_JSON`, 400) or a field
/// (`INVALID_DIARY_ENTRY`, 422).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiaryError {
    pub kind: &'static ProblemType,
    pub detail: String,
}

fn field(detail: String) -> DiaryError {
    DiaryError {
        kind: &problem::INVALID_DIARY_ENTRY,
        detail,
    }
}

/// The body as a JSON object, plus its canonical text (keys sorted, no spaces: the same request
/// written differently hashes the same, for idempotency keys).
fn object(text: &str, example: &str) -> Result<(Map<String, Value>, String), DiaryError> {
    let value: Value = serde_json::from_str(text).map_err(|e| DiaryError {
        kind: &problem::INVALID_JSON,
        detail: format!("the body is not JSON ({e}); send a JSON object such as {example}"),
    })?;
    let canonical = value.to_string();
    match value {
        Value::Object(m) => Ok((m, canonical)),
        other => Err(field(format!(
            "the body is {}, not a JSON object; send an object such as {example}",
            kind(&other)
        ))),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Refuses fields the call does not know, naming the closest known one.
fn known(m: &Map<String, Value>, fields: &[&str]) -> Result<(), DiaryError> {
    for k in m.keys() {
        if !fields.contains(&k.as_str()) {
            let near = fields
                .iter()
                .map(|f| (strsim::jaro_winkler(f, k), *f))
                .filter(|(s, _)| *s > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let hint = near.map_or_else(
                || format!("the fields are {}", fields.join(", ")),
                |(_, f)| format!("did you mean `{f}`?"),
            );
            return Err(field(format!("unknown field `{k}`; {hint}")));
        }
    }
    Ok(())
}

fn required<'a>(m: &'a Map<String, Value>, name: &str, what: &str) -> Result<&'a Value, DiaryError> {
    match m.get(name) {
        None | Some(Value::Null) => Err(field(format!("`{name}` is required: {what}"))),
        Some(v) => Ok(v),
    }
}

fn number(m: &Map<String, Value>, name: &str, min: f64, max: Option<f64>, what: &str) -> Result<f64, DiaryError> {
    let v = required(m, name, what)?;
    let x = v
        .as_f64()
        .ok_or_else(|| field(format!("`{name}` must be a number ({what}), not {}", kind(v))))?;
    let in_range = x >= min && max.is_none_or(|max| x <= max);
    if !in_range {
        let range = max.map_or_else(|| format!("at least {min}"), |max| format!("from {min} to {max}"));
        return Err(field(format!("`{name}` is {x}; it must be {range}")));
    }
    Ok(x)
}

fn boolean(m: &Map<String, Value>, name: &str, what: &str) -> Result<bool, DiaryError> {
    let v = required(m, name, what)?;
    v.as_bool()
        .ok_or_else(|| field(format!("`{name}` must be true or false ({what}), not {}", kind(v))))
}

fn word<T>(v: &Value, name: &str, parse: fn(&str) -> Option<T>, allowed: String) -> Result<T, DiaryError> {
    let s = v
        .as_str()
        .ok_or_else(|| field(format!("`{name}` must be a string, one of {allowed}; not {}", kind(v))))?;
    parse(s).ok_or_else(|| field(format!("`{name}`: {s:?} is not allowed; use one of {allowed}")))
}

fn words<T: PartialEq>(
    m: &Map<String, Value>,
    name: &str,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
    optional: bool,
) -> Result<Vec<T>, DiaryError> {
    let v = match m.get(name) {
        None | Some(Value::Null) if optional => return Ok(Vec::new()),
        _ => required(m, name, &format!("a list of any of {}, possibly empty", allowed()))?,
    };
    let items = v.as_array().ok_or_else(|| {
        field(format!(
            "`{name}` must be a list of any of {}; not {}",
            allowed(),
            kind(v)
        ))
    })?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let w = word(item, &format!("{name}[{i}]"), parse, allowed())?;
        if !out.contains(&w) {
            out.push(w);
        }
    }
    Ok(out)
}

/// A UTC instant as fixed-width text (nanoseconds, `Z`): text order is time order.
pub fn utc_text(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.nanosecond()
    )
}

/// An episode read from a request body.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEpisode {
    pub episode: Episode,
    /// The start as UTC fixed-width text (the list order).
    pub started_utc: String,
    /// The date of the start in the patient's own offset.
    pub local_date: String,
    /// The body's canonical JSON (for the idempotency key's hash).
    pub canonical: String,
}

/// The fields of an episode body, in SPEC §7's order; all required but `warning_signs`.
pub const EPISODE_FIELDS: &[&str] = &[
    "started_at",
    "leg",
    "muscle",
    "duration_min",
    "pain",
    "woke_from_sleep",
    "helped",
    "warning_signs",
];

const EPISODE_EXAMPLE: &str = r#"{"started_at": "2026-11-23T03:10:00+01:00", "leg": "left", "muscle": "calf", "duration_min": 2, "pain": 7, "woke_from_sleep": true, "helped": ["stretching"]}"#;

/// `POST …/episodes`.
pub fn parse_episode(text: &str) -> Result<NewEpisode, DiaryError> {
    let (m, canonical) = object(text, EPISODE_EXAMPLE)?;
    known(&m, EPISODE_FIELDS)?;
    let at = required(
        &m,
        "started_at",
        "when the cramp started, RFC 3339 (e.g. 2026-11-23T03:10:00+01:00)",
    )?;
    let started_at = at
        .as_str()
        .ok_or_else(|| field(format!("`started_at` must be an RFC 3339 string, not {}", kind(at))))?;
    let t = OffsetDateTime::parse(started_at, &Rfc3339).map_err(|_| {
        field(format!(
            "`started_at`: {started_at:?} is not an RFC 3339 date-time; use e.g. 2026-11-23T03:10:00+01:00"
        ))
    })?;
    let leg = word(
        required(&m, "leg", "left, right or both")?,
        "leg",
        Leg::parse,
        Leg::allowed(),
    )?;
    let muscle = word(
        required(&m, "muscle", &format!("one of {}", Muscle::allowed()))?,
        "muscle",
        Muscle::parse,
        Muscle::allowed(),
    )?;
    let episode = Episode {
        started_at: started_at.to_string(),
        leg,
        muscle,
        duration_min: number(&m, "duration_min", 0.0, None, "how long it lasted, in minutes")?,
        pain: number(&m, "pain", 0.0, Some(10.0), "0 (none) to 10 (worst)")?,
        woke_from_sleep: boolean(&m, "woke_from_sleep", "whether the cramp woke you")?,
        helped: words(&m, "helped", Helped::parse, Helped::allowed, false)?,
        warning_signs: words(&m, "warning_signs", WarningSign::parse, WarningSign::allowed, true)?,
    };
    Ok(NewEpisode {
        episode,
        started_utc: utc_text(t),
        local_date: t.date().to_string(),
        canonical,
    })
}

/// The fields of a nightly check-in body, all required.
pub const NIGHT_FIELDS: &[&str] = &["date", "stretched", "sleep_quality", "cramps"];
const NIGHT_EXAMPLE: &str = r#"{"date": "2026-11-23", "stretched": true, "sleep_quality": 6, "cramps": 1}"#;

/// `POST …/nights`.
pub fn parse_night(text: &str) -> Result<Night, DiaryError> {
    let (m, _) = object(text, NIGHT_EXAMPLE)?;
    known(&m, NIGHT_FIELDS)?;
    let d = required(&m, "date", "the night's date, YYYY-MM-DD")?;
    let date = d
        .as_str()
        .ok_or_else(|| field(format!("`date` must be a YYYY-MM-DD string, not {}", kind(d))))?;
    if cramp_core::knowledge::parse_iso_date(date).is_none() {
        return Err(field(format!("`date`: {date:?} is not a date; use YYYY-MM-DD")));
    }
    let c = required(&m, "cramps", "how many cramps that night (0 or more)")?;
    let cramps = c
        .as_u64()
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| field(format!("`cramps` must be a whole number, 0 or more; not {c}")))?;
    Ok(Night {
        date: date.to_string(),
        stretched: boolean(&m, "stretched", "whether you stretched that evening")?,
        sleep_quality: number(&m, "sleep_quality", 0.0, Some(10.0), "0 (worst) to 10 (best)")?,
        cramps,
    })
}

/// `POST /api/v1/diaries`: an empty body or `{}`; a new diary takes no fields.
pub fn parse_new_diary(text: &str) -> Result<(), DiaryError> {
    if text.trim().is_empty() {
        return Ok(());
    }
    let (m, _) = object(text, "{}")?;
    if m.is_empty() {
        Ok(())
    } else {
        Err(field("a new diary takes no fields; send an empty body or {}".into()))
    }
}

/// `POST …/shares`: an empty body, or `{"expires_in_days": n}` (1–365; 30 by default).
pub fn parse_share(text: &str, default_days: u32) -> Result<u32, DiaryError> {
    if text.trim().is_empty() {
        return Ok(default_days);
    }
    let (m, _) = object(text, r#"{"expires_in_days": 30}"#)?;
    known(&m, &["expires_in_days"])?;
    match m.get("expires_in_days") {
        None | Some(Value::Null) => Ok(default_days),
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=365).contains(n))
            .map(|n| n as u32)
            .ok_or_else(|| {
                field(format!(
                    "`expires_in_days` must be a whole number from 1 to 365; not {v}"
                ))
            }),
    }
}

/// A number as the caller wrote it: whole numbers without a decimal point (7, not 7.0), as every
/// number of the assessment.
fn number_out(x: f64) -> Value {
    json!(crate::output::Num(x))
}

/// An episode as the API shows it.
pub fn episode_json(id: &str, e: &Episode, recorded_at: &str) -> Value {
    json!({
        "id": id,
        "started_at": e.started_at,
        "leg": e.leg.as_str(),
        "muscle": e.muscle.as_str(),
        "duration_min": number_out(e.duration_min),
        "pain": number_out(e.pain),
        "woke_from_sleep": e.woke_from_sleep,
        "helped": e.helped.iter().map(|h| h.as_str()).collect::<Vec<_>>(),
        "warning_signs": e.warning_signs.iter().map(|w| w.as_str()).collect::<Vec<_>>(),
        "recorded_at": recorded_at,
    })
}

/// A nightly check-in as the API shows it.
pub fn night_json(n: &Night, recorded_at: &str) -> Value {
    json!({
        "date": n.date,
        "stretched": n.stretched,
        "sleep_quality": number_out(n.sleep_quality),
        "cramps": n.cramps,
        "recorded_at": recorded_at,
    })
}

/// The advice for warning signs: urgency, the red-flag entries' patient text, their sources, and
/// the entries themselves with their evidence pages.
pub fn advice_json(kb: &KnowledgeBase, a: &Advice) -> Value {
    json!({
        "urgency": a.urgency.as_str(),
        "text": a.text(Audience::Patient),
        "sources": a.sources().iter().filter_map(|id| kb.source(id)).map(|s| crate::output::source_out(s, None)).collect::<Vec<_>>(),
        "entries": a.entries.iter().map(|e| json!({
            "id": e.id,
            "review_status": e.status.as_str(),
            "evidence_page": format!("/knowledge/{}", e.id),
        })).collect::<Vec<_>>(),
    })
}

/// Two decimals, as SPEC §7's example shows them.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn opt2(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |x| json!(round2(x)))
}

fn period_json(p: &Period) -> Value {
    json!({
        "nights": p.nights,
        "first_date": p.first_date.map(|d| d.to_string()),
        "last_date": p.last_date.map(|d| d.to_string()),
        "cramps_per_night": opt2(p.cramps_per_night),
        "mean_pain": opt2(p.mean_pain),
    })
}

/// The trial's inputs from stored nights and episodes (dates already checked on the way in; a
/// date that does not parse is left out rather than guessed).
pub fn trial_inputs<'a>(
    nights: impl Iterator<Item = &'a Night>,
    episodes: impl Iterator<Item = (&'a str, f64)>,
) -> (Vec<TrialNight>, Vec<EpisodePain>) {
    let nights = nights
        .filter_map(|n| {
            Some(TrialNight {
                date: cramp_core::knowledge::parse_iso_date(&n.date)?,
                stretched: n.stretched,
                cramps: n.cramps,
            })
        })
        .collect();
    let pains = episodes
        .filter_map(|(date, pain)| {
            Some(EpisodePain {
                date: cramp_core::knowledge::parse_iso_date(date)?,
                pain,
            })
        })
        .collect();
    (nights, pains)
}

/// `GET …/trial`: SPEC §7's shape, plus `nights_needed` and `kb_version`.
pub fn trial_json(kb: &KnowledgeBase, t: &Trial) -> Value {
    let p = t.published;
    json!({
        "verdict": t.verdict.as_str(),
        "reason": t.reason,
        "nights_needed": t.nights_needed,
        "adherence": opt2(t.adherence),
        "baseline": period_json(&t.baseline),
        "stretching": period_json(&t.stretching),
        "effect": {
            "measure": "mean_difference",
            "unit": "cramps/night",
            "estimate": opt2(t.effect.estimate),
            "ci_low": opt2(t.effect.ci_low),
            "ci_high": opt2(t.effect.ci_high),
            "method": "welch_t",
            "rate_ratio": opt2(t.effect.rate_ratio),
        },
        "published_effect": {
            "source": p.source,
            "sources": p.sources,
            "measure": "mean_difference",
            "unit": "cramps/night",
            "estimate": p.estimate,
            "ci_low": p.ci_low,
            "ci_high": p.ci_high,
            "text": p.text,
        },
        "kb_version": kb.kb_version,
    })
}

/// The columns of the CSV export: `record_type` first, then episode columns, then night columns.
pub const CSV_COLUMNS: &[&str] = &[
    "record_type",
    "id",
    "started_at",
    "leg",
    "muscle",
    "duration_min",
    "pain",
    "woke_from_sleep",
    "helped",
    "warning_signs",
    "date",
    "stretched",
    "sleep_quality",
    "cramps",
    "recorded_at",
];

/// One RFC 4180 UTF-8 CSV file (CRLF line ends, quoted where needed): every episode (oldest first)
/// then every night (oldest first). Lists are `;`-separated within their field.
pub fn export_csv<'a>(
    episodes: impl Iterator<Item = (&'a str, &'a Episode, &'a str)>,
    nights: impl Iterator<Item = (&'a Night, &'a str)>,
) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    w.write_record(CSV_COLUMNS)?;
    let num = |x: f64| crate::output::Num(x).to_string();
    for (id, e, recorded) in episodes {
        let helped = e.helped.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(";");
        let signs = e.warning_signs.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(";");
        w.write_record([
            "episode",
            id,
            &e.started_at,
            e.leg.as_str(),
            e.muscle.as_str(),
            &num(e.duration_min),
            &num(e.pain),
            if e.woke_from_sleep { "true" } else { "false" },
            &helped,
            &signs,
            "",
            "",
            "",
            "",
            recorded,
        ])?;
    }
    for (n, recorded) in nights {
        w.write_record([
            "night",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            &n.date,
            if n.stretched { "true" } else { "false" },
            &num(n.sleep_quality),
            &n.cramps.to_string(),
            recorded,
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Days of diary the summary's case covers: the last four weeks up to the latest logged date.
pub const CASE_WINDOW_DAYS: i64 = 28;

/// The SPEC §3 fields the diary knows, for the clinician's assessment form: only what the diary
/// records, never a guess. Over the last 28 days up to the latest logged date:
/// - `symptoms.episodes_per_week`: cramps per logged night × 7 when there are check-ins, else
///   episodes ÷ 4;
/// - `symptoms.worst_pain`: the highest episode pain; `symptoms.location`: the muscles logged
///   (`other` included); `symptoms.side`: left, right, or both (both logged or "both");
/// - `symptoms.sleep_disrupted: true` when an episode woke the patient; `symptoms.when: "night"` only
///   when every episode did;
/// - warning signs ever reported become `calf_swelling: "one_leg"`, `calf_warm_or_red`, `weakness`,
///   `bleeding_or_bruising` (`true` only: an unticked box is not a "no");
/// - `symptoms.stretching_weeks_tried`: nights with stretching ÷ 7 (all time, one decimal).
///
/// `None` when the diary is empty.
pub fn summary_case<'a>(episodes: &[(&'a str, &'a Episode)], nights: &[&'a Night]) -> Option<Value> {
    let latest = episodes
        .iter()
        .map(|(d, _)| *d)
        .chain(nights.iter().map(|n| n.date.as_str()))
        .filter_map(cramp_core::knowledge::parse_iso_date)
        .max()?;
    let from = latest - time::Duration::days(CASE_WINDOW_DAYS - 1);
    let in_window = |d: &str| cramp_core::knowledge::parse_iso_date(d).is_some_and(|d| d >= from && d <= latest);
    let eps: Vec<&Episode> = episodes.iter().filter(|(d, _)| in_window(d)).map(|(_, e)| *e).collect();
    let ns: Vec<&Night> = nights.iter().copied().filter(|n| in_window(&n.date)).collect();
    let mut s = Map::new();
    if !ns.is_empty() {
        let per_night = ns.iter().map(|n| f64::from(n.cramps)).sum::<f64>() / ns.len() as f64;
        s.insert("episodes_per_week".into(), json!(round2(per_night * 7.0)));
    } else if !eps.is_empty() {
        s.insert("episodes_per_week".into(), json!(round2(eps.len() as f64 / 4.0)));
    }
    if let Some(worst) = eps.iter().map(|e| e.pain).max_by(f64::total_cmp) {
        s.insert("worst_pain".into(), json!(worst));
    }
    let mut location: Vec<&str> = Vec::new();
    for e in &eps {
        if !location.contains(&e.muscle.as_str()) {
            location.push(e.muscle.as_str());
        }
    }
    if !location.is_empty() {
        s.insert("location".into(), json!(location));
    }
    let has = |l: Leg| eps.iter().any(|e| e.leg == l);
    let side = if has(Leg::Both) || (has(Leg::Left) && has(Leg::Right)) {
        Some("both")
    } else if has(Leg::Left) {
        Some("left")
    } else if has(Leg::Right) {
        Some("right")
    } else {
        None
    };
    if let Some(side) = side {
        s.insert("side".into(), json!(side));
    }
    if eps.iter().any(|e| e.woke_from_sleep) {
        s.insert("sleep_disrupted".into(), json!(true));
    }
    if !eps.is_empty() && eps.iter().all(|e| e.woke_from_sleep) {
        s.insert("when".into(), json!("night"));
    }
    let reported = |w: WarningSign| episodes.iter().any(|(_, e)| e.warning_signs.contains(&w));
    if reported(WarningSign::CalfSwollenOneSide) {
        s.insert("calf_swelling".into(), json!("one_leg"));
    }
    for (sign, name) in [
        (WarningSign::CalfWarmOrRed, "calf_warm_or_red"),
        (WarningSign::NewWeakness, "weakness"),
        (WarningSign::UnusualBleedingOrBruising, "bleeding_or_bruising"),
    ] {
        if reported(sign) {
            s.insert(name.into(), json!(true));
        }
    }
    let stretched = nights.iter().filter(|n| n.stretched).count();
    if stretched > 0 {
        s.insert(
            "stretching_weeks_tried".into(),
            json!((stretched as f64 / 7.0 * 10.0).round() / 10.0),
        );
    }
    Some(json!({ "symptoms": s }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_episode_is_read_with_its_utc_instant_and_local_date() {
        let e = parse_episode(
            r#"{"started_at":"2026-11-23T00:30:00+01:00","leg":"left","muscle":"calf","duration_min":2,
                "pain":7,"woke_from_sleep":true,"helped":["stretching","stretching"],"warning_signs":["new_weakness"]}"#,
        )
        .unwrap();
        assert_eq!(e.started_utc, "2026-11-22T23:30:00.000000000Z");
        assert_eq!(e.local_date, "2026-11-23");
        assert_eq!(e.episode.helped, vec![Helped::Stretching], "duplicates once");
        assert_eq!(e.episode.warning_signs, vec![WarningSign::NewWeakness]);
    }

    #[test]
    fn bad_bodies_name_the_field_and_the_fix() {
        let ok = r#""started_at":"2026-11-23T03:00:00Z","leg":"left","muscle":"calf","duration_min":2,"pain":7,"woke_from_sleep":true,"helped":[]"#;
        let cases = [
            ("not json".to_string(), 400, "not JSON"),
            ("[1]".to_string(), 422, "not a JSON object"),
            (format!("{{{ok},\"pian\":3}}"), 422, "did you mean `pain`"),
            (
                format!("{{{}}}", ok.replace("\"pain\":7", "\"pain\":11")),
                422,
                "`pain` is 11",
            ),
            (
                format!("{{{}}}", ok.replace("\"left\"", "\"middle\"")),
                422,
                "left, right, both",
            ),
            (
                format!("{{{}}}", ok.replace("2026-11-23T03:00:00Z", "yesterday")),
                422,
                "RFC 3339",
            ),
            (
                format!("{{{}}}", ok.replace("\"helped\":[]", "\"helped\":[\"prayer\"]")),
                422,
                "helped[0]",
            ),
            (
                format!("{{{}}}", ok.replace(",\"helped\":[]", "")),
                422,
                "`helped` is required",
            ),
            (format!("{{{}}}", ok.replace("true", "\"yes\"")), 422, "true or false"),
            (
                format!("{{{}}}", ok.replace("\"duration_min\":2", "\"duration_min\":-1")),
                422,
                "at least 0",
            ),
        ];
        for (body, status, says) in cases {
            let e = parse_episode(&body).unwrap_err();
            assert_eq!(e.kind.status, status, "{body}: {e:?}");
            assert!(e.detail.contains(says), "{body}: {}", e.detail);
        }
    }

    #[test]
    fn nights_need_a_real_date_and_a_whole_count() {
        assert!(parse_night(r#"{"date":"2026-02-29","stretched":true,"sleep_quality":5,"cramps":1}"#).is_err());
        assert!(parse_night(r#"{"date":"2026-02-28","stretched":true,"sleep_quality":5,"cramps":1.5}"#).is_err());
        assert!(parse_night(r#"{"date":"2026-02-28","stretched":true,"sleep_quality":5,"cramps":-1}"#).is_err());
        let n = parse_night(r#"{"date":"2026-02-28","stretched":false,"sleep_quality":4.5,"cramps":3}"#).unwrap();
        assert_eq!(n.cramps, 3);
    }

    #[test]
    fn the_summary_case_is_a_valid_spec_case_with_only_what_the_diary_knows() {
        let e = |at: &str, leg: &str, pain: u8, woke: bool, signs: &str| {
            parse_episode(&format!(
                r#"{{"started_at":"{at}","leg":"{leg}","muscle":"calf","duration_min":1,"pain":{pain},"woke_from_sleep":{woke},"helped":[],"warning_signs":[{signs}]}}"#
            ))
            .unwrap()
        };
        let eps = [
            e("2026-01-01T03:00:00Z", "left", 4, true, ""),
            e("2026-03-01T03:00:00Z", "right", 8, true, r#""calf_warm_or_red""#),
            e("2026-03-02T03:00:00Z", "left", 6, true, ""),
        ];
        let night = |date: &str, cramps: u32| Night {
            date: date.into(),
            stretched: true,
            sleep_quality: 5.0,
            cramps,
        };
        let nights = [night("2026-03-01", 1), night("2026-03-02", 2)];
        let case = summary_case(
            &eps.iter()
                .map(|e| (e.local_date.as_str(), &e.episode))
                .collect::<Vec<_>>(),
            &nights.iter().collect::<Vec<_>>(),
        )
        .unwrap();
        let s = &case["symptoms"];
        assert_eq!(s["episodes_per_week"], json!(10.5), "1.5 a night × 7");
        assert_eq!(s["worst_pain"], json!(8.0), "the January episode is outside the window");
        assert_eq!(s["side"], json!("both"));
        assert_eq!(s["when"], json!("night"));
        assert_eq!(s["calf_warm_or_red"], json!(true));
        assert!(s.get("weakness").is_none(), "an unticked sign is not a no");
        assert_eq!(s["stretching_weeks_tried"], json!(0.3));
        crate::parse_case(&case.to_string()).expect("a SPEC §3 case");
        assert!(summary_case(&[], &[]).is_none());
    }

    #[test]
    fn the_csv_is_rfc_4180() {
        let e = parse_episode(
            r#"{"started_at":"2026-11-23T03:00:00Z","leg":"left","muscle":"calf","duration_min":1.5,"pain":7,"woke_from_sleep":true,"helped":["heat","massage"]}"#,
        )
        .unwrap()
        .episode;
        let n = Night {
            date: "2026-11-23".into(),
            stretched: true,
            sleep_quality: 6.0,
            cramps: 2,
        };
        let csv =
            String::from_utf8(export_csv([("e1", &e, "r1")].into_iter(), [(&n, "r2")].into_iter()).unwrap()).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(lines.len(), 4, "header, two records, and the final CRLF: {csv:?}");
        assert!(lines[0].starts_with("record_type,id,started_at"));
        assert_eq!(
            lines[1],
            "episode,e1,2026-11-23T03:00:00Z,left,calf,1.5,7,true,heat;massage,,,,,,r1"
        );
        assert_eq!(lines[2], "night,,,,,,,,,,2026-11-23,true,6,2,r2");
    }
}
