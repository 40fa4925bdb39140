//! A follow-up answer (SPEC §6) as JSON, text or Markdown: the same shape for `cramp ask` and
//! `GET /api/v1/ask`.

use crate::output::{SourceOut, source_out};
use crate::report::Style;
use cramp_core::KnowledgeBase;
use cramp_core::knowledge::Wording;
use cramp_core::search::{AskResult, Searcher};
use cramp_core::vocab::Audience;
use serde::Serialize;

/// The longest question accepted (characters): a question, not a document.
pub const QUESTION_MAX: usize = 500;

/// Why a question cannot be asked at all (the caller's mistake; an unanswerable question is not
/// one of these: it gets `answered: false`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionError {
    Empty,
    TooLong(usize),
}

impl std::fmt::Display for QuestionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            QuestionError::Empty => write!(f, "the question is empty; ask in words, e.g. \"does magnesium help?\""),
            QuestionError::TooLong(n) => write!(
                f,
                "the question is {n} characters long; ask in at most {QUESTION_MAX} characters"
            ),
        }
    }
}

/// Checks a question before it is searched.
pub fn check_question(q: &str) -> Result<&str, QuestionError> {
    let q = q.trim();
    let n = q.chars().count();
    if n == 0 {
        Err(QuestionError::Empty)
    } else if n > QUESTION_MAX {
        Err(QuestionError::TooLong(n))
    } else {
        Ok(q)
    }
}

#[derive(Debug, Serialize)]
pub struct AskOut<'a> {
    pub kb_version: &'a str,
    pub audience: &'static str,
    pub question: &'a str,
    pub answered: bool,
    /// Present when nothing answers: the plain "not in the knowledge base" sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<&'a str>,
    /// Present (true) when the question was refused because it describes a warning sign whose
    /// statement is in review: `message` then says that it may need care quickly.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub warning_sign: bool,
    pub statements: Vec<StatementOut<'a>>,
    pub sources: Vec<SourceOut<'a>>,
}

#[derive(Debug, Serialize)]
pub struct StatementOut<'a> {
    pub id: &'a str,
    pub text: String,
    pub certainty: Option<&'static str>,
    pub review_status: &'static str,
    pub sources: &'a [String],
    /// The evidence page of the statement (a path on the server).
    pub evidence_page: String,
}

/// Asks and shapes the answer.
pub fn answer<'a>(kb: &'a KnowledgeBase, searcher: &Searcher, question: &'a str, audience: Audience) -> AskOut<'a> {
    let r: AskResult = searcher.ask(kb, question);
    let mut statements = Vec::new();
    let mut source_ids: Vec<usize> = Vec::new();
    for h in &r.hits {
        let e = &kb.entries[h.entry];
        for &p in &e.source_positions {
            if !source_ids.contains(&p) {
                source_ids.push(p);
            }
        }
        statements.push(StatementOut {
            id: &e.id,
            text: r.text(kb, h, audience).into_owned(),
            certainty: e.certainty.map(|c| c.as_str()),
            review_status: e.status.as_str(),
            sources: &e.sources,
            evidence_page: format!("/knowledge/{}", e.id),
        });
    }
    AskOut {
        kb_version: &kb.kb_version,
        audience: audience.as_str(),
        question,
        answered: r.answered,
        message: (!r.answered).then(|| {
            let a = &kb.search.answers;
            if r.warning_sign {
                &a.warning_sign_refused
            } else {
                &a.not_found
            }
            .text(audience)
        }),
        warning_sign: r.warning_sign,
        statements,
        sources: source_ids
            .into_iter()
            .map(|p| source_out(&kb.sources[p], None))
            .collect(),
    }
}

/// The answer as text or Markdown, for a terminal or a document. `words` is the knowledge base's
/// wording (a source's kind in words).
pub fn render(a: &AskOut<'_>, words: &Wording, style: Style) -> String {
    let audience = Audience::parse(a.audience).unwrap_or(Audience::Clinician);
    let mut o = String::new();
    let b = |s: &str| match style {
        Style::Markdown => format!("**{s}**"),
        Style::Text => s.to_string(),
    };
    o.push_str(&format!("{} {}\n\n", b("Question:"), a.question));
    if !a.answered {
        o.push_str(a.message.unwrap_or(""));
        o.push('\n');
        return o;
    }
    for (i, s) in a.statements.iter().enumerate() {
        o.push_str(&format!("{}. {}\n", i + 1, s.text));
        let certainty = s.certainty.map(|c| format!("certainty {c}; ")).unwrap_or_default();
        o.push_str(&format!(
            "   {}{}; sources {}; evidence {}\n",
            certainty,
            s.review_status,
            s.sources.join(", "),
            s.evidence_page
        ));
    }
    o.push_str(&format!("\n{}\n", b("Sources")));
    for s in &a.sources {
        let url = s.url.as_deref().map(|u| format!(" {u}")).unwrap_or_default();
        o.push_str(&format!(
            "- [{}] {} ({}, {}). {}: \"{}\"{}\n",
            s.id,
            s.citation,
            words.source_kind_word(s.kind, audience),
            s.year,
            s.locator,
            s.quote,
            url
        ));
    }
    o.push_str(&format!("\nknowledge base {}\n", a.kb_version));
    o
}
