//! The diary's server-rendered views: the chart (SVG: cramps per night as bars, stretched nights
//! marked, the night's worst episode pain as dots; with a table alternative) and the printable
//! doctor-visit summary (HTML, one page). Every word from the knowledge base or the diary is
//! HTML-escaped; numbers are formatted here.

use crate::diary::Contents;
use crate::pages::esc;
use cramp_core::KnowledgeBase;
use cramp_core::diary::Helped;
use cramp_core::knowledge::parse_iso_date;
use cramp_core::trial::{Trial, short};
use std::collections::BTreeMap;
use std::fmt::Write;
use time::Date;

/// Nights the chart shows: the last 12 weeks up to the latest logged date.
const CHART_DAYS: i64 = 84;

/// One date of the chart.
struct Day {
    date: Date,
    cramps: Option<u32>,
    stretched: bool,
    worst_pain: Option<f64>,
}

fn days(d: &Contents) -> Vec<Day> {
    let mut pain: BTreeMap<Date, f64> = BTreeMap::new();
    for e in &d.episodes {
        if let Some(date) = parse_iso_date(&e.local_date) {
            let p = pain.entry(date).or_insert(e.episode.pain);
            *p = p.max(e.episode.pain);
        }
    }
    let nights: BTreeMap<Date, (u32, bool)> = d
        .nights
        .iter()
        .filter_map(|n| Some((parse_iso_date(&n.night.date)?, (n.night.cramps, n.night.stretched))))
        .collect();
    let Some(last) = nights.keys().chain(pain.keys()).max().copied() else {
        return Vec::new();
    };
    let first_logged = nights.keys().chain(pain.keys()).min().copied().unwrap_or(last);
    let first = first_logged.max(last - time::Duration::days(CHART_DAYS - 1));
    let mut out = Vec::new();
    let mut date = first;
    while date <= last {
        let night = nights.get(&date);
        out.push(Day {
            date,
            cramps: night.map(|n| n.0),
            stretched: night.is_some_and(|n| n.1),
            worst_pain: pain.get(&date).copied(),
        });
        match date.next_day() {
            Some(n) => date = n,
            None => break,
        }
    }
    out
}

/// The chart as a standalone SVG document.
pub fn chart_svg(d: &Contents) -> String {
    svg(&days(d))
}

fn svg(days: &[Day]) -> String {
    let (w_day, h, top, left, bottom) = (12.0_f64, 220.0_f64, 24.0_f64, 36.0_f64, 40.0_f64);
    let plot_h = h - top - bottom;
    let width = left + w_day * days.len().max(1) as f64 + 16.0;
    let max_cramps = days.iter().filter_map(|d| d.cramps).max().unwrap_or(0).max(4);
    let y_cramps = |c: f64| top + plot_h - c / f64::from(max_cramps) * plot_h;
    let y_pain = |p: f64| top + plot_h - p / 10.0 * plot_h;
    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img" aria-labelledby="chart-title chart-desc" class="diary-chart">
<title id="chart-title">Cramps per night, stretching and pain</title>
<desc id="chart-desc">Bars: cramps each logged night (no bar: night not logged). Green marks under a bar: stretched that evening. Dots: worst pain of that night's episodes, 0 to 10. The table beside the chart has the same numbers.</desc>
"##
    );
    // Axes and grid.
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="#555"/>"##,
        top + plot_h
    );
    let _ = writeln!(
        s,
        r##"<line x1="{left}" y1="{0}" x2="{1}" y2="{0}" stroke="#555"/>"##,
        top + plot_h,
        width - 8.0
    );
    for c in [0, max_cramps / 2, max_cramps] {
        let y = y_cramps(f64::from(c));
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="10" text-anchor="end" fill="#333">{c}</text>"##,
            left - 4.0,
            y + 3.0
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="4" y="12" font-size="10" fill="#333">cramps per night (bars) · pain 0–10 (dots)</text>"##
    );
    for (i, day) in days.iter().enumerate() {
        let x = left + 2.0 + i as f64 * w_day;
        if let Some(c) = day.cramps {
            let y = y_cramps(f64::from(c));
            let _ = writeln!(
                s,
                r##"<rect x="{x}" y="{y}" width="{}" height="{}" fill="#3b6ea5"><title>{}: {c} cramps</title></rect>"##,
                w_day - 3.0,
                (top + plot_h - y).max(0.0),
                day.date
            );
        }
        if day.stretched {
            let _ = writeln!(
                s,
                r##"<rect x="{x}" y="{}" width="{}" height="5" fill="#2e7d32"><title>{}: stretched</title></rect>"##,
                top + plot_h + 3.0,
                w_day - 3.0,
                day.date
            );
        }
        if let Some(p) = day.worst_pain {
            let _ = writeln!(
                s,
                r##"<circle cx="{}" cy="{}" r="3" fill="#c62828"><title>{}: worst pain {}</title></circle>"##,
                x + (w_day - 3.0) / 2.0,
                y_pain(p),
                day.date,
                short(p)
            );
        }
        if i == 0 || i + 1 == days.len() || day.date.day() == 1 {
            let _ = writeln!(
                s,
                r##"<text x="{x}" y="{}" font-size="9" fill="#333">{}</text>"##,
                h - 8.0,
                day.date
            );
        }
    }
    if days.is_empty() {
        let _ = writeln!(
            s,
            r##"<text x="{}" y="{}" font-size="12" fill="#333">Nothing logged yet.</text>"##,
            left + 8.0,
            top + plot_h / 2.0
        );
    }
    s.push_str("</svg>\n");
    s
}

/// The chart's table alternative (the same dates, newest first).
fn table(days: &[Day]) -> String {
    let mut s = String::from(
        "<table class=\"diary-table\"><caption>Nights and episodes, newest first</caption>\n<thead><tr><th scope=\"col\">Date</th><th scope=\"col\">Cramps</th><th scope=\"col\">Stretched</th><th scope=\"col\">Worst pain</th></tr></thead>\n<tbody>\n",
    );
    for day in days.iter().rev() {
        let _ = writeln!(
            s,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
            day.date,
            day.cramps.map_or_else(|| "not logged".to_string(), |c| c.to_string()),
            if day.cramps.is_none() {
                "–"
            } else if day.stretched {
                "yes"
            } else {
                "no"
            },
            day.worst_pain.map_or_else(|| "–".to_string(), short)
        );
    }
    s.push_str("</tbody></table>\n");
    s
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "–".into(), short)
}

/// The printable doctor-visit summary: a whole HTML document with its own print styles.
pub fn render(kb: &KnowledgeBase, d: &Contents, t: &Trial, generated: &str) -> String {
    let mut b = String::new();
    let episodes: Vec<(&str, &cramp_core::diary::Episode)> =
        d.episodes.iter().map(|e| (e.local_date.as_str(), &e.episode)).collect();
    let nights: Vec<&cramp_core::diary::Night> = d.nights.iter().map(|n| &n.night).collect();
    let dates = || {
        episodes
            .iter()
            .map(|e| e.0)
            .chain(nights.iter().map(|n| n.date.as_str()))
    };
    let (first, last) = (dates().min(), dates().max());
    let _ = write!(
        b,
        "<h1>Leg cramp diary: summary for the doctor</h1>\n<p class=\"meta\">Made {} from the patient's own diary ({} to {}): {} episodes, {} nightly check-ins. This summary does not replace a clinician's assessment.</p>\n",
        esc(&generated[..10.min(generated.len())]),
        esc(first.unwrap_or("–")),
        esc(last.unwrap_or("–")),
        episodes.len(),
        nights.len()
    );

    // Warning signs first: a red flag is never below reassurance.
    let mut signs: Vec<(&str, cramp_core::diary::WarningSign)> = Vec::new();
    for (date, e) in &episodes {
        for w in &e.warning_signs {
            signs.push((date, *w));
        }
    }
    if !signs.is_empty() {
        b.push_str("<section class=\"warning\"><h2>Warning signs reported</h2>\n<ul>\n");
        // One line per sign, with the dates it was reported on.
        for w in cramp_core::diary::WarningSign::ALL {
            let mut dates: Vec<&str> = signs.iter().filter(|s| s.1 == *w).map(|s| s.0).collect();
            dates.dedup();
            if dates.is_empty() {
                continue;
            }
            let label = kb.diary.labels.get(w).map_or(w.as_str(), String::as_str);
            let _ = writeln!(b, "<li>{}: {}</li>", esc(label), esc(&dates.join(", ")));
        }
        b.push_str("</ul>\n");
        let all: Vec<_> = signs.iter().map(|s| s.1).collect();
        if let Some(a) = cramp_core::diary::advice(kb, &all) {
            for e in &a.entries {
                let _ = writeln!(
                    b,
                    "<p><strong>{}</strong> ({}; {}): {} <a href=\"/knowledge/{}\">Evidence</a></p>",
                    esc(&e.id),
                    esc(e.urgency.map_or("", |u| u.as_str())),
                    esc(e.status.as_str()),
                    esc(&e.clinician),
                    esc(&e.id)
                );
            }
        }
        b.push_str("</section>\n");
    }

    // The case fields the diary knows.
    b.push_str("<h2>For the assessment form</h2>\n");
    match cramp_wire::diary::summary_case(&episodes, &nights) {
        Some(case) => {
            let _ = write!(
                b,
                "<p>The fields of the cramp assessment the diary knows (last {} days up to the latest entry; an unticked warning sign is left blank, not \"no\"):</p>\n<dl class=\"case\">\n",
                cramp_wire::diary::CASE_WINDOW_DAYS
            );
            if let Some(map) = case["symptoms"].as_object() {
                for (k, v) in map {
                    let value = match v {
                        serde_json::Value::Array(xs) => xs
                            .iter()
                            .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                            .collect::<Vec<_>>()
                            .join(", "),
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    let _ = writeln!(b, "<dt>symptoms.{}</dt><dd>{}</dd>", esc(k), esc(&value));
                }
            }
            let _ = write!(
                b,
                "</dl>\n<details><summary>As JSON for the assessment (SPEC §3 case)</summary><pre class=\"case-json\">{}</pre></details>\n",
                esc(&serde_json::to_string_pretty(&case).unwrap_or_default())
            );
        }
        None => b.push_str("<p>Nothing logged yet.</p>\n"),
    }

    // What helped.
    let mut helped: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, e) in &episodes {
        for h in &e.helped {
            *helped.entry(h.as_str()).or_default() += 1;
        }
    }
    if !helped.is_empty() {
        b.push_str("<h2>What helped</h2>\n<ul>\n");
        for h in Helped::ALL {
            if let Some(n) = helped.get(h.as_str()) {
                let _ = writeln!(b, "<li>{}: {n} of {} episodes</li>", esc(h.as_str()), episodes.len());
            }
        }
        b.push_str("</ul>\n");
    }

    // The n-of-1 stretching trial.
    let _ = write!(
        b,
        "<h2>Stretching trial (n-of-1)</h2>\n<p><strong>Result: {}</strong>. {}</p>\n<table><thead><tr><th scope=\"col\"></th><th scope=\"col\">Nights</th><th scope=\"col\">Dates</th><th scope=\"col\">Cramps per night</th><th scope=\"col\">Mean pain</th></tr></thead><tbody>\n",
        esc(t.verdict.as_str()),
        esc(&t.reason)
    );
    for (name, p) in [("Baseline", &t.baseline), ("Stretching", &t.stretching)] {
        let _ = writeln!(
            b,
            "<tr><th scope=\"row\">{name}</th><td>{}</td><td>{} to {}</td><td>{}</td><td>{}</td></tr>",
            p.nights,
            p.first_date.map_or_else(|| "–".into(), |d| d.to_string()),
            p.last_date.map_or_else(|| "–".into(), |d| d.to_string()),
            opt(p.cramps_per_night),
            opt(p.mean_pain)
        );
    }
    let _ = write!(
        b,
        "</tbody></table>\n<p>Change while stretching: {} cramps a night (95 % CI {} to {}, Welch t); adherence {}.</p>\n<p class=\"published\">{} <a href=\"/knowledge/{}\">Source</a></p>\n",
        opt(t.effect.estimate),
        opt(t.effect.ci_low),
        opt(t.effect.ci_high),
        t.adherence
            .map_or_else(|| "–".into(), |a| format!("{:.0} %", a * 100.0)),
        esc(&t.published.text),
        esc(&t.published.source)
    );

    b.push_str("<h2>Nights and pain</h2>\n");
    let days = days(d);
    b.push_str(&svg(&days));
    b.push_str(&table(&days));

    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Leg cramp diary summary · cramp</title>\n<style>\nbody{{font:14px/1.45 system-ui,sans-serif;max-width:46rem;margin:1rem auto;padding:0 1rem;color:#111}}\nh1{{font-size:1.4rem}} h2{{font-size:1.1rem;margin-top:1.2rem}}\n.warning{{border:2px solid #b71c1c;padding:.3rem .8rem;background:#fff5f5}}\ntable{{border-collapse:collapse}} td,th{{border:1px solid #999;padding:2px 6px;text-align:left}}\n.diary-chart{{max-width:100%;height:auto}} dl.case{{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem}} dt{{font-weight:600}} dd{{margin:0}}\n@page{{margin:12mm}}\n@media print{{a{{color:inherit;text-decoration:none}} details,.diary-table{{display:none}} body{{margin:0;padding:0;max-width:none;font-size:11px;line-height:1.3}} h1{{font-size:1.2rem;margin:0 0 .2rem}} h2{{font-size:1rem;margin:.5rem 0 .2rem}} p,ul{{margin:.2rem 0}} .diary-chart{{max-height:150px;width:auto}}}}\n</style>\n</head>\n<body>\n<main>\n{b}<p class=\"meta\">cramp · knowledge base {} · engine {}</p>\n</main>\n</body>\n</html>\n",
        esc(&kb.kb_version),
        cramp_core::ENGINE_VERSION
    )
}
