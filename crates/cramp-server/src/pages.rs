//! The web page, the About page and the evidence pages. HTML structure lives here; every clinical
//! word comes from the knowledge base (entries, sources, notices) and is HTML-escaped.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use cramp_core::KnowledgeBase;
use cramp_core::knowledge::{Entry, Source};
use cramp_core::vocab::{Audience, ReviewStatus, SourceKind};
use std::collections::HashMap;

pub const INDEX: &str = include_str!("../../../web/index.html");
pub const APP_JS: &str = include_str!("../../../web/app.js");
pub const STYLE_CSS: &str = include_str!("../../../web/style.css");
pub const DIARY_JS: &str = include_str!("../../../web/diary.js");
const ABOUT: &str = include_str!("../../../web/about.html");
const DIARY: &str = include_str!("../../../web/diary.html");

/// Escapes text for HTML element content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn fill(template: &str, vars: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (k, v) in vars {
        out = out.replace(&format!("{{{{{k}}}}}"), v);
    }
    out
}

/// A page with the site header and footer (every page links to About).
fn layout(kb: &KnowledgeBase, title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} · cramp</title>\n<link rel=\"stylesheet\" href=\"/assets/style.css\">\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n<header><nav aria-label=\"Site\"><a href=\"/\"><strong>cramp</strong></a> <a href=\"/diary\">Diary</a> <a href=\"/knowledge/\">Evidence</a> <a href=\"/about\">About</a></nav></header>\n<main id=\"main\">\n{}\n</main>\n<footer><a href=\"/about\">About cramp</a> · knowledge base {} · engine {}</footer>\n</body>\n</html>\n",
        esc(title),
        body,
        esc(&kb.kb_version),
        cramp_core::ENGINE_VERSION
    )
}

/// A review status as people read it ("in review"); the files and the JSON keep the code.
fn status_words(s: ReviewStatus) -> &'static str {
    match s {
        ReviewStatus::Draft => "draft",
        ReviewStatus::InReview => "in review",
        ReviewStatus::Approved => "approved",
    }
}

/// A source's kind in the clinician's words ("randomised controlled trial"), for the evidence pages.
fn kind_words<'k>(kb: &'k KnowledgeBase, s: &Source) -> &'k str {
    kb.wording.source_kind_word(s.kind.as_str(), Audience::Clinician)
}

/// A value for a page's script as JSON in a `<script type="application/json">` element: `</`
/// escaped so that no text can close the element.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string().replace("</", "<\\/")
}

fn date(d: Option<time::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "-".into())
}

fn entry_page(kb: &KnowledgeBase, e: &Entry) -> String {
    let mut b = String::new();
    b.push_str(&format!("<h1>{}</h1>\n", esc(&e.id)));
    if e.status != ReviewStatus::Approved {
        b.push_str(&format!(
            "<p class=\"notice\">Review status: <strong>{}</strong>. This statement is not yet approved.</p>\n",
            status_words(e.status)
        ));
    }
    b.push_str("<h2>For clinicians</h2>\n");
    b.push_str(&format!("<p>{}</p>\n", esc(&e.clinician)));
    if let Some(d) = &e.dosing {
        b.push_str(&format!(
            "<p><strong>Dosing (clinicians only):</strong> {}</p>\n",
            esc(d)
        ));
    }
    b.push_str("<h2>For patients</h2>\n");
    b.push_str(&format!("<p>{}</p>\n", esc(&e.patient)));
    b.push_str("<h2>Review</h2>\n<dl>\n");
    let marks: Vec<String> = e.marks.iter().map(|m| format!("[{}]", m.as_str())).collect();
    let reviewer = match kb.role(&e.reviewer) {
        Some(r) => format!(
            "{} ({}; checks: {})",
            esc(&r.name),
            esc(&r.performed_by),
            esc(&r.checks)
        ),
        None => esc(&e.reviewer),
    };
    let signoff = if e.clinical_signoff.is_empty() {
        "none yet".to_string()
    } else {
        esc(&e.clinical_signoff)
    };
    for (k, v) in [
        ("Status", status_words(e.status).to_string()),
        ("Kind", esc(e.kind.as_str())),
        ("Population", esc(&e.population)),
        (
            "Certainty",
            esc(e.certainty.map(|c| c.as_str()).unwrap_or("not graded")),
        ),
        ("Verification marks", esc(&marks.join(" "))),
        ("Reviewer", reviewer),
        ("Reviewed on", date(e.reviewed_on)),
        ("Next review due", date(e.next_review_due)),
        ("Clinical sign-off", signoff),
    ] {
        b.push_str(&format!("<dt>{k}</dt><dd>{v}</dd>\n"));
    }
    b.push_str("</dl>\n");
    if !e.conflicts.is_empty() {
        b.push_str("<h2>Where the evidence conflicts</h2>\n<ul>\n");
        for t in &e.conflicts {
            let id = format!("conflict.{}", t.as_str());
            b.push_str(&format!(
                "<li><a href=\"/knowledge/{}\">{}</a></li>\n",
                esc(&id),
                esc(t.as_str())
            ));
        }
        b.push_str("</ul>\n");
    }
    b.push_str("<h2>Sources</h2>\n");
    for s in e.sources.iter().filter_map(|s| kb.source(s)) {
        b.push_str(&source_block(kb, s));
    }
    layout(kb, &e.id, &b)
}

fn source_block(kb: &KnowledgeBase, s: &Source) -> String {
    let kind = if s.passage_verbatim {
        "Quote (verbatim)"
    } else {
        "Passage (summary, not a verbatim quote)"
    };
    let link = s
        .link()
        .map(|u| format!(" <a href=\"{}\">{}</a>", esc(&u), esc(&u)))
        .unwrap_or_default();
    format!(
        "<section class=\"block\"><h3><a href=\"/knowledge/{id}\">{id}</a></h3><p>{citation}{link}</p><p class=\"meta\">{kind_}, {year}; where: {locator}; verified [{mark}]</p><p><strong>{kind}:</strong></p><blockquote>{passage}</blockquote></section>\n",
        id = esc(&s.id),
        citation = esc(&s.citation),
        kind_ = esc(kind_words(kb, s)),
        year = s.year,
        locator = esc(&s.locator),
        mark = esc(s.verification.as_str()),
        passage = esc(&s.passage),
    )
}

fn source_page(kb: &KnowledgeBase, s: &Source) -> String {
    let mut b = format!("<h1>{}</h1>\n", esc(&s.id));
    b.push_str(&source_block(kb, s));
    b.push_str("<h2>Statements that cite it</h2>\n<ul>\n");
    for e in kb.entries.iter().filter(|e| e.sources.iter().any(|x| x == &s.id)) {
        b.push_str(&format!(
            "<li><a href=\"/knowledge/{}\">{}</a> ({})</li>\n",
            esc(&e.id),
            esc(&e.id),
            status_words(e.status)
        ));
    }
    b.push_str("</ul>\n");
    layout(kb, &s.id, &b)
}

/// The groups of the evidence index: an entry id's prefix and its heading, in the order a clinician
/// reads a result (warning signs first); an id with another prefix goes under "Other statements".
const INDEX_GROUPS: &[(&str, &str)] = &[
    ("red_flag", "Red flags"),
    ("referral", "Referral"),
    ("classification", "Classification"),
    ("review", "Medication review"),
    ("avoid", "What to avoid"),
    ("plan", "Plan"),
    ("option", "Medication options"),
    ("considering", "Drugs being considered"),
    ("lab", "Tests and results"),
    ("conflict", "Where the evidence conflicts"),
    ("education", "Background for patients and clinicians"),
];

fn knowledge_index(kb: &KnowledgeBase) -> String {
    let group_of = |id: &str| {
        let prefix = id.split('.').next().unwrap_or(id);
        INDEX_GROUPS
            .iter()
            .position(|(p, _)| *p == prefix)
            .unwrap_or(INDEX_GROUPS.len())
    };
    let mut groups: Vec<Vec<&Entry>> = vec![Vec::new(); INDEX_GROUPS.len() + 1];
    for e in &kb.entries {
        groups[group_of(&e.id)].push(e);
    }
    let heading = |i: usize| INDEX_GROUPS.get(i).map_or("Other statements", |(_, h)| h);
    let anchor = |i: usize| INDEX_GROUPS.get(i).map_or("other", |(p, _)| p);
    let mut b = String::from(
        "<h1>Evidence</h1>\n<p>Every statement cramp can show, with its review status, and every source it cites.</p>\n<h2>Statements</h2>\n<nav aria-label=\"Statement groups\"><ul class=\"groups\">\n",
    );
    for (i, g) in groups.iter().enumerate().filter(|(_, g)| !g.is_empty()) {
        b.push_str(&format!(
            "<li><a href=\"#{}\">{}</a> ({})</li>\n",
            anchor(i),
            heading(i),
            g.len()
        ));
    }
    b.push_str("<li><a href=\"#sources\">Sources</a></li>\n</ul></nav>\n");
    for (i, g) in groups.iter().enumerate().filter(|(_, g)| !g.is_empty()) {
        b.push_str(&format!(
            "<h3 id=\"{}\">{}</h3>\n<table class=\"index\">\n<thead><tr><th scope=\"col\">Statement</th><th scope=\"col\">Status</th><th scope=\"col\">Next review</th><th scope=\"col\">Sources</th></tr></thead>\n<tbody>\n",
            anchor(i),
            heading(i)
        ));
        for e in g {
            b.push_str(&format!(
                "<tr><td><a href=\"/knowledge/{id}\">{id}</a></td><td data-label=\"Status\">{}</td><td data-label=\"Next review\">{}</td><td data-label=\"Sources\">{}</td></tr>\n",
                status_words(e.status),
                date(e.next_review_due),
                esc(&e.sources.join(", ")),
                id = esc(&e.id)
            ));
        }
        b.push_str("</tbody>\n</table>\n");
    }
    b.push_str("<h2 id=\"sources\">Sources</h2>\n<ul>\n");
    for s in &kb.sources {
        b.push_str(&format!(
            "<li><a href=\"/knowledge/{id}\">{id}</a>: {} ({}, {})</li>\n",
            esc(&s.citation),
            esc(kind_words(kb, s)),
            s.year,
            id = esc(&s.id)
        ));
    }
    b.push_str("</ul>\n");
    layout(kb, "Evidence", &b)
}

/// Every page, rendered once at start.
pub struct Pages {
    pub index: String,
    pub diary: String,
    pub about: String,
    pub knowledge_index: String,
    pub knowledge: HashMap<String, String>,
    /// `/problems/` and one page per problem type (`problem::TYPES`).
    pub problems_index: String,
    pub problems: HashMap<&'static str, String>,
}

impl Pages {
    pub fn render(kb: &KnowledgeBase) -> Pages {
        let t = &kb.wording.templates;
        let report = kb.check(None);
        let vars = [
            ("notice_patient", esc(&t.notice_patient)),
            ("notice_clinician", esc(&t.notice_clinician)),
            ("kb_version", esc(&kb.kb_version)),
            ("engine_version", cramp_core::ENGINE_VERSION.to_string()),
            ("entries", kb.entries.len().to_string()),
            ("sources", kb.sources.len().to_string()),
            ("approved", report.approved.to_string()),
            ("in_review", report.in_review.to_string()),
            ("draft", report.draft.to_string()),
            ("without_signoff", report.without_signoff.to_string()),
        ];
        let mut knowledge = HashMap::new();
        for e in &kb.entries {
            knowledge.insert(e.id.clone(), entry_page(kb, e));
        }
        for s in &kb.sources {
            knowledge.insert(s.id.clone(), source_page(kb, s));
        }
        // The warning signs a patient can tick, in the knowledge base's words.
        let signs: String = cramp_core::diary::WarningSign::ALL
            .iter()
            .map(|w| {
                let label = kb.diary.labels.get(w).map_or(w.as_str(), String::as_str);
                format!(
                    "<label class=\"check\"><input type=\"checkbox\" name=\"warning_signs\" value=\"{}\"> {}</label>\n",
                    w.as_str(),
                    esc(label)
                )
            })
            .collect();
        // The page's headline words from the knowledge base, for diary.js.
        let v = &kb.diary.verdicts;
        let words = script_json(&serde_json::json!({
            "verdicts": { "improved": v.improved, "no_change": v.no_change, "worse": v.worse, "inconclusive": v.inconclusive },
            "advice_headings": kb.diary.advice_headings.iter().map(|(u, h)| (u.as_str(), h)).collect::<std::collections::BTreeMap<_, _>>(),
        }));
        // Words app.js shows for codes of the answer (a source's kind), per voice.
        let kinds = |a: Audience| {
            SourceKind::ALL
                .iter()
                .map(|k| (k.as_str(), kb.wording.source_kind_word(k.as_str(), a)))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let page_words = script_json(&serde_json::json!({
            "source_kinds": { "clinician": kinds(Audience::Clinician), "patient": kinds(Audience::Patient) },
        }));
        let mut index_vars = vars.to_vec();
        index_vars.push(("page_words", page_words));
        let mut diary_vars = vars.to_vec();
        diary_vars.push(("warning_signs", signs));
        diary_vars.push(("diary_words", words));
        Pages {
            index: fill(INDEX, &index_vars),
            diary: fill(DIARY, &diary_vars),
            about: layout(kb, "About", &fill(ABOUT, &vars)),
            knowledge_index: knowledge_index(kb),
            knowledge,
            problems_index: problems_index(kb),
            problems: crate::problem::TYPES
                .iter()
                .map(|t| (t.slug, problem_page(kb, t)))
                .collect(),
        }
    }
}

/// `/problems/`: every problem type the API answers with (RFC 9457), each linked to its page.
fn problems_index(kb: &KnowledgeBase) -> String {
    let rows: String = crate::problem::TYPES
        .iter()
        .map(|t| {
            format!(
                "<tr><td data-label=\"Type\"><a href=\"{uri}\"><code>{uri}</code></a></td><td data-label=\"Status\">{}</td><td data-label=\"Title\">{}</td></tr>\n",
                t.status,
                esc(t.title),
                uri = esc(&t.type_uri()),
            )
        })
        .collect();
    let body = format!(
        "<h1>Problem types</h1>\n<p>Every error of the API is an <code>application/problem+json</code> body (RFC 9457) whose <code>type</code> is one of these references, relative to this server; its <code>detail</code> names the field or the limit and the fix.</p>\n<table class=\"index\">\n<thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Status</th><th scope=\"col\">Title</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n"
    );
    layout(kb, "Problem types", &body)
}

/// `/problems/{slug}`: what one problem type means and what the caller does about it.
fn problem_page(kb: &KnowledgeBase, t: &crate::problem::ProblemType) -> String {
    let body = format!(
        "<h1>{}</h1>\n<dl>\n<dt>Type</dt><dd><code>{}</code></dd>\n<dt>HTTP status</dt><dd>{}</dd>\n<dt>When</dt><dd>{}</dd>\n<dt>What to do</dt><dd>{}</dd>\n</dl>\n<p><a href=\"/problems/\">All problem types</a> · <a href=\"/openapi.json\">OpenAPI description</a></p>\n",
        esc(t.title),
        esc(&t.type_uri()),
        t.status,
        code_spans(t.when),
        code_spans(t.fix),
    );
    layout(kb, t.title, &body)
}

/// Escaped text with its `backticked` words as code.
fn code_spans(text: &str) -> String {
    esc(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

pub fn html(body: String) -> Response {
    let mut res = body.into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    res
}

pub fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}
