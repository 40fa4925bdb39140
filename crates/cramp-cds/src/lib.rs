//! # cramp-cds
//!
//! CDS Hooks 2.0.1 (SPEC §2 item 10; `notes/standards.md` §1): the discovery document, a
//! `patient-view` service and an order service registered for `order-select` and `order-sign`,
//! their cards, and the feedback they receive. No HTTP here: the server crate routes a request's
//! body to [`evaluate`] and turns a [`HookError`] into `application/problem+json`.
//!
//! A hook request becomes the same case a caller of `POST /api/v1/assess` could send (the FHIR
//! reading is `cramp_fhir::hooks`), the engine assesses it, and each card is one knowledge entry
//! (or one group of them) framed by `knowledge/cds.toml`: what triggered it, the entry's clinician
//! text, the rule id, `kb_version`, the citations and the data that was not available.

pub mod auth;
mod cards;
pub mod feedback;

pub use cards::Card;

use cramp_core::knowledge::GateId;
use cramp_core::vocab::Tier;
use cramp_core::{AssessOptions, KnowledgeBase, assess};
use cramp_fhir::hooks::{
    OPTIONAL_KEYS, PrefetchValue, Prefetched, REQUIRED_KEYS, Template, case_from_prefetch, draft_orders,
};
use cramp_fhir::{MapOptions, Mapped};
use cramp_wire::json::WriteJson;
use cramp_wire::problem::{self, ProblemType};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use time::Date;

/// The service that answers `patient-view`.
pub const PATIENT_VIEW: &str = "cramp-patient-view";
/// The order service as discovery lists it for `order-select`: one id per hook, because clients
/// such as the CDS Hooks sandbox keep one service per id (a second entry with the same id replaces
/// the first, and that hook is never called).
pub const ORDER_SELECT: &str = "cramp-order-select";
/// The order service as discovery lists it for `order-sign`.
pub const ORDER_SIGN: &str = "cramp-order-sign";
/// The same order service under one id for both hooks, for a client configured with one URL for
/// both: the form CDS Hooks 2.0.1 allows so that a client replaces the order-select cards when
/// order-sign fires ("update stale guidance"). Answered, not listed in discovery (see above).
pub const ORDER_REVIEW: &str = "cramp-order-review";

/// The hooks a service id answers.
pub fn hooks_of(service: &str) -> Option<&'static [&'static str]> {
    match service {
        PATIENT_VIEW => Some(&["patient-view"]),
        ORDER_SELECT => Some(&["order-select"]),
        ORDER_SIGN => Some(&["order-sign"]),
        ORDER_REVIEW => Some(&["order-select", "order-sign"]),
        _ => None,
    }
}

/// What every hook call reads and only the knowledge base and the public URL decide, worked out
/// once: the prefetch templates, each entry's rule line and sources in Markdown and its evidence
/// link, the override reasons, the cards' source URL and topic system.
#[derive(Debug)]
pub struct Prepared {
    pub templates: Vec<Template>,
    tails: Vec<String>,
    evidence_links: Vec<cards::Link>,
    override_reasons: Vec<cards::Coding>,
    about_url: String,
    topic_system: String,
}

impl Prepared {
    pub fn new(kb: &KnowledgeBase, base_url: &str) -> Prepared {
        let base = base_url.trim_end_matches('/');
        Prepared {
            templates: cramp_fhir::hooks::prefetch_templates(kb, base_url),
            tails: kb.entries.iter().map(|e| cards::entry_tail(kb, e)).collect(),
            evidence_links: kb.entries.iter().map(|e| cards::evidence_link(kb, base, e)).collect(),
            override_reasons: cards::override_reasons(kb, base_url),
            about_url: format!("{base}/about"),
            topic_system: cramp_fhir::resources::canonical(base, "CodeSystem", "cramp-card-topic"),
        }
    }
}

/// Where the service is published and what it may read.
#[derive(Debug, Clone)]
pub struct Env<'a> {
    /// The public base URL (`--public-url`): the base of every link and canonical URL.
    pub base_url: &'a str,
    pub prepared: &'a Prepared,
    /// "Today", for ages from birth dates.
    pub today: Date,
    pub include_unreviewed: bool,
}

/// A hook request the service cannot answer: its problem type (status and title), a detail naming
/// the element and the fix; for 412, the prefetch keys that were needed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookError {
    pub kind: &'static ProblemType,
    pub detail: String,
    pub missing_keys: Vec<String>,
}

impl HookError {
    fn bad(detail: impl Into<String>) -> HookError {
        HookError {
            kind: &problem::INVALID_HOOK_REQUEST,
            detail: detail.into(),
            missing_keys: Vec::new(),
        }
    }
}

/// The discovery document (`GET /cds-services`), with the prefetch templates `prepared` holds.
pub fn discovery(prepared: &Prepared) -> Value {
    let templates = &prepared.templates;
    let prefetch: serde_json::Map<String, Value> = templates
        .iter()
        .map(|t| (t.key.clone(), Value::String(t.query.clone())))
        .collect();
    let order_prefetch: serde_json::Map<String, Value> = templates
        .iter()
        .filter(|t| t.key != "questionnaireResponse")
        .map(|t| (t.key.clone(), Value::String(t.query.clone())))
        .collect();
    let usage = format!(
        "Prefetch keys {} are required (without them, and without a FHIR server this service may read, it answers 412); the others are read when sent. The patient's age and sex come from Patient, conditions from Condition, medicines from active or on-hold MedicationRequest and MedicationStatement, results from final, amended, corrected or preliminary Observations (LOINC).",
        REQUIRED_KEYS
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let service = |hook: &str, id: &str, title: &str, description: &str, prefetch: &serde_json::Map<String, Value>| json!({ "hook": hook, "id": id, "title": title, "description": description, "prefetch": prefetch, "usageRequirements": usage });
    let order_title = "Leg cramp treatment orders";
    let order_description = "When quinine, magnesium, baclofen or a drug that can cause cramps is ordered: whether it is advised for this patient's leg cramps, with the evidence. Quinine gets a critical card with a suggestion to remove the draft order; an order that raises a red flag (a QT-prolonging drug beside quinine) gets that red flag's card.";
    json!({ "services": [
        service(
            "patient-view",
            PATIENT_VIEW,
            "Nocturnal leg cramps",
            "For a patient with leg cramps on the problem list, quinine on the medication list, or an answered cramp questionnaire: red flags, medicines that can cause cramps, the work-up that is missing, and the most likely diagnosis, each cited. Other charts get no card.",
            &prefetch,
        ),
        service("order-select", ORDER_SELECT, order_title, order_description, &order_prefetch),
        service("order-sign", ORDER_SIGN, order_title, order_description, &order_prefetch),
    ]})
}

// ---- the request ----------------------------------------------------------------------------

/// The request's members; `P` is how a prefetched value is read: in one pass into its
/// resources (`PrefetchValue`), or as text (`&RawValue`) when that fails (`read_request`).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRequest<'a, P> {
    hook: Option<String>,
    hook_instance: Option<String>,
    fhir_server: Option<String>,
    fhir_authorization: Option<FhirAuthorization>,
    #[serde(borrow)]
    context: Option<&'a RawValue>,
    prefetch: Option<BTreeMap<String, Option<P>>>,
}

/// `fhirAuthorization` (checked for shape only; the token is never logged or kept). Its members
/// are OAuth 2.0's, in snake case.
#[derive(Deserialize)]
struct FhirAuthorization {
    access_token: Option<String>,
    token_type: Option<String>,
    expires_in: Option<serde_json::Number>,
    scope: Option<String>,
    subject: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Context<'a> {
    patient_id: Option<String>,
    user_id: Option<String>,
    #[serde(default)]
    selections: Option<Vec<String>>,
    #[serde(borrow)]
    draft_orders: Option<&'a RawValue>,
}

/// A hook request, read and checked.
pub struct Request<'a> {
    pub hook: String,
    pub hook_instance: String,
    pub fhir_server: Option<String>,
    /// The bearer token for `fhir_server`, when the client gave one (transient: never logged).
    pub access_token: Option<String>,
    pub patient_id: String,
    selections: Option<Vec<String>>,
    draft_orders: Option<&'a RawValue>,
    prefetch: BTreeMap<String, Option<PrefetchValue<'a>>>,
}

impl std::fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // No token and no patient data in a debug print.
        f.debug_struct("Request")
            .field("hook", &self.hook)
            .field("hook_instance", &self.hook_instance)
            .field("prefetch_keys", &self.prefetch.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

fn missing(field: &str, fix: &str) -> HookError {
    HookError::bad(format!("`{field}` is required; {fix}"))
}

/// Reads a hook request for `service`: the JSON shape, the required fields of CDS Hooks 2.0.1
/// §Calling a CDS Service, and the hook's own context. Prefetched values are read with the
/// request, in one pass (`cramp_fhir::onepass`); when that gives up, the request is read again
/// with its prefetched values as text ([`read_request_as_text`]), which names any problem.
pub fn read_request<'a>(service: &str, body: &'a str) -> Result<Request<'a>, HookError> {
    service_hooks(service)?;
    match serde_json::from_str::<RawRequest<'a, PrefetchValue<'a>>>(body) {
        Ok(mut raw) => {
            let prefetch = raw.prefetch.take().unwrap_or_default();
            checked(service, raw, prefetch)
        }
        Err(_) => read_request_as_text(service, body),
    }
}

/// [`read_request`] without the one-pass reading: every prefetched value is kept as text and read
/// when the hook is evaluated. The reference the one-pass reading is tested against.
pub fn read_request_as_text<'a>(service: &str, body: &'a str) -> Result<Request<'a>, HookError> {
    service_hooks(service)?;
    let mut raw = serde_json::from_str::<RawRequest<'a, &'a RawValue>>(body).map_err(|e| {
        let what = if e.is_data() {
            // A member of the wrong type, named by its path ("`hookInstance`: expected a string"):
            // the request's members are named as the specification names them, without a prefix.
            cramp_fhir::unreadable::<RawRequest<'a, &'a RawValue>>("request", body.trim_start()).replacen(
                "`request.",
                "`",
                1,
            )
        } else {
            format!("the body is not JSON ({e})")
        };
        HookError::bad(format!(
            "{what}; send the JSON object of CDS Hooks 2.0.1 §Calling a CDS Service"
        ))
    })?;
    let prefetch = raw.prefetch.take().unwrap_or_default();
    let prefetch = prefetch
        .into_iter()
        .map(|(k, v)| (k, v.map(PrefetchValue::Text)))
        .collect();
    checked(service, raw, prefetch)
}

/// The hooks of a service this instance has (404 before the body is read).
fn service_hooks(service: &str) -> Result<&'static [&'static str], HookError> {
    hooks_of(service).ok_or_else(|| HookError {
        kind: &problem::NOT_FOUND,
        detail: format!("no CDS service {service:?}; see /cds-services"),
        missing_keys: Vec::new(),
    })
}

/// The checks of a request read either way; `prefetch` is its prefetched values as read.
fn checked<'a, P>(
    service: &str,
    raw: RawRequest<'a, P>,
    prefetch: BTreeMap<String, Option<PrefetchValue<'a>>>,
) -> Result<Request<'a>, HookError> {
    let hooks = service_hooks(service)?;
    let hook = raw
        .hook
        .ok_or_else(|| missing("hook", &format!("send the hook name ({})", hooks.join(" or "))))?;
    if !hooks.contains(&hook.as_str()) {
        return Err(HookError::bad(format!(
            "`hook`: {hook:?} is not answered by {service}; it answers {}",
            hooks.join(" and ")
        )));
    }
    let hook_instance = raw
        .hook_instance
        .filter(|h| !h.trim().is_empty())
        .ok_or_else(|| missing("hookInstance", "send a UUID unique to this hook invocation"))?;
    let access_token = match raw.fhir_authorization {
        None => None,
        Some(a) => {
            if raw.fhir_server.is_none() {
                return Err(HookError::bad(
                    "`fhirServer` is required when `fhirAuthorization` is given (CDS Hooks 2.0.1); send the FHIR base URL the token is for",
                ));
            }
            for (name, present) in [
                ("access_token", a.access_token.is_some()),
                ("token_type", a.token_type.is_some()),
                ("expires_in", a.expires_in.is_some()),
                ("scope", a.scope.is_some()),
                ("subject", a.subject.is_some()),
            ] {
                if !present {
                    return Err(missing(
                        &format!("fhirAuthorization.{name}"),
                        "send the full OAuth 2.0 access token response",
                    ));
                }
            }
            if !a
                .token_type
                .as_deref()
                .is_some_and(|t| t.eq_ignore_ascii_case("bearer"))
            {
                return Err(HookError::bad("`fhirAuthorization.token_type` must be \"Bearer\""));
            }
            a.access_token
        }
    };
    let context_raw = raw
        .context
        .ok_or_else(|| missing("context", "send the hook's context object"))?;
    let context: Context<'a> = serde_json::from_str(context_raw.get()).map_err(|_| {
        HookError::bad(format!(
            "{} (the {hook} context of CDS Hooks 2.0.1)",
            cramp_fhir::unreadable::<Context>("context", context_raw.get())
        ))
    })?;
    let patient_id = context
        .patient_id
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| missing("context.patientId", "send the FHIR id of the patient in context"))?;
    if context.user_id.as_deref().is_none_or(|u| u.trim().is_empty()) {
        return Err(missing(
            "context.userId",
            "send the FHIR reference of the user (e.g. Practitioner/123)",
        ));
    }
    if hook != "patient-view" && context.draft_orders.is_none() {
        return Err(missing("context.draftOrders", "send the Bundle of draft orders"));
    }
    if hook == "order-select" && context.selections.is_none() {
        return Err(missing(
            "context.selections",
            "send the ids of the newly selected orders (e.g. MedicationRequest/103)",
        ));
    }
    Ok(Request {
        hook,
        hook_instance,
        fhir_server: raw.fhir_server,
        access_token,
        patient_id,
        selections: context.selections,
        draft_orders: context.draft_orders,
        prefetch,
    })
}

impl<'a> Request<'a> {
    /// Whether the client left a prefetch key out (not the same as sending it `null`).
    pub fn is_absent(&self, key: &str) -> bool {
        !self.prefetch.contains_key(key)
    }

    /// Takes what was sent under a prefetch key.
    fn take_prefetched(&mut self, key: &str) -> Prefetched<'a> {
        match self.prefetch.remove(key) {
            None => Prefetched::Absent,
            Some(None) => Prefetched::Null,
            Some(Some(v)) => Prefetched::Value(v),
        }
    }

    /// Whether the prefetched values were read with the request, in one pass (else they are
    /// text, read when the hook is evaluated).
    pub fn prefetch_read_in_one_pass(&self) -> bool {
        self.prefetch
            .values()
            .flatten()
            .any(|v| matches!(v, PrefetchValue::Read(_)))
    }

    /// Required prefetch keys that were not sent (absent, not `null`).
    pub fn missing_required(&self) -> Vec<&'static str> {
        REQUIRED_KEYS.iter().copied().filter(|k| self.is_absent(k)).collect()
    }
}

/// Resources the server fetched from the client's FHIR server for keys the prefetch lacked, by key
/// (each a resource or a searchset Bundle, as prefetch would have carried it).
pub type Fetched = Vec<(String, Box<RawValue>)>;

/// The answer to a hook: the response body, and each card's uuid with the rule it shows (kept
/// for feedback).
#[derive(Debug)]
pub struct Answer {
    /// `{"cards": [...]}`, UTF-8 JSON.
    pub body: Vec<u8>,
    pub cards: Vec<(String, String)>,
}

/// Answers a hook request. Required prefetch keys that are neither sent nor in `fetched` give 412.
pub fn evaluate(
    kb: &KnowledgeBase,
    mut req: Request<'_>,
    fetched: &Fetched,
    env: &Env<'_>,
) -> Result<Answer, HookError> {
    let still_missing: Vec<String> = req
        .missing_required()
        .into_iter()
        .filter(|k| !fetched.iter().any(|(f, _)| f == k))
        .map(str::to_string)
        .collect();
    if !still_missing.is_empty() {
        return Err(HookError {
            kind: &problem::PREFETCH_MISSING,
            detail: format!(
                "the request lacks the prefetch key(s) {} and this service may not read them from the FHIR server; send them as prefetch (see /cds-services) or allow the FHIR server (--fhir-server-allow)",
                still_missing
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            missing_keys: still_missing,
        });
    }
    let opts = MapOptions {
        today: env.today,
        drafts_as_considering: false,
        keep_condition_refs: req.hook != "patient-view",
        readings: kb,
    };
    let templates = &env.prepared.templates;
    let mut values: Vec<(&str, PrefetchValue<'_>)> = Vec::new();
    // Each line with the patient sexes for whom it is not worth listing (`unlisted_for_sex`).
    let mut unavailable: Vec<(String, &[String])> = Vec::new();
    let labels = &kb.cds.labels;
    for t in templates {
        match req.take_prefetched(&t.key) {
            Prefetched::Value(v) => values.push((t.key.as_str(), v)),
            Prefetched::Null => {
                if REQUIRED_KEYS.contains(&t.key.as_str()) || OPTIONAL_KEYS.contains(&t.key.as_str()) {
                    unavailable.push((cramp_core::template::fill(&labels.key_null, &[("key", &t.key)]), &[]));
                }
            }
            Prefetched::Absent => {
                if let Some((_, v)) = fetched.iter().find(|(k, _)| *k == t.key) {
                    values.push((t.key.as_str(), PrefetchValue::Text(v)));
                } else if let Template {
                    analyte: Some(analyte), ..
                } = t
                {
                    unavailable.push((
                        cramp_core::template::fill(&labels.analyte_absent, &[("analyte", analyte), ("key", &t.key)]),
                        &t.unlisted_for_sex,
                    ));
                }
            }
        }
    }
    let mapped = case_from_prefetch(values, &opts).map_err(|e| HookError {
        kind: &problem::INVALID_PREFETCH,
        detail: e.0,
        missing_keys: Vec::new(),
    })?;
    // A missing value not worth listing for this patient (a man's pregnancy status) is left out.
    let sex = mapped.case.patient.sex.map(|s| s.as_str());
    let unavailable: Vec<String> = unavailable
        .into_iter()
        .filter(|(_, unlisted)| !sex.is_some_and(|s| unlisted.iter().any(|u| u == s)))
        .map(|(line, _)| line)
        .collect();
    let has_cramps = cramp_core::engine::has_condition(kb, &mapped.case.conditions, GateId::LegCramps)
        || mapped.questionnaire_answered;
    let ctx = cards::Ctx {
        kb,
        env,
        hook_instance: &req.hook_instance,
        unavailable: &unavailable,
        notes: &mapped.notes,
    };
    let aopts = AssessOptions {
        include_unreviewed: env.include_unreviewed,
    };
    let cards = if req.hook == "patient-view" {
        let assessment = assess(kb, &mapped.case, aopts);
        let on_quinine = assessment.medication_review.iter().any(|r| r.tier == Tier::S);
        if has_cramps || on_quinine {
            cards::patient_view(&ctx, &mapped, &assessment)
        } else {
            Vec::new()
        }
    } else {
        order_cards(kb, &req, &ctx, &mapped, has_cramps, &opts, aopts)?
    };
    let mut body = Vec::with_capacity(16 * 1024);
    body.extend_from_slice(b"{\"cards\":");
    cards.write_json(&mut body);
    body.push(b'}');
    Ok(Answer {
        body,
        cards: cards.iter().map(|c| (c.uuid.clone(), c.rule.clone())).collect(),
    })
}

fn order_cards(
    kb: &KnowledgeBase,
    req: &Request<'_>,
    ctx: &cards::Ctx<'_>,
    record: &Mapped,
    has_cramps: bool,
    opts: &MapOptions<'_>,
    aopts: AssessOptions,
) -> Result<Vec<Card>, HookError> {
    let Some(raw) = req.draft_orders else {
        return Ok(Vec::new());
    };
    let drafts = draft_orders(raw, opts).map_err(|e| HookError::bad(e.0))?;
    let mut cards = Vec::new();
    // The chart's own red flags, to tell which ones a draft order raises (once, and only when there
    // is a draft to look at).
    let mut before: Option<Vec<cramp_core::vocab::RedFlagId>> = None;
    for (((drug, from), coded), refs) in drafts
        .case
        .considering
        .iter()
        .zip(&drafts.considering_from)
        .zip(&drafts.considering_reasons)
        .zip(&drafts.considering_reason_refs)
    {
        // order-select: only the orders just selected; order-sign: every draft.
        if let Some(selected) = &req.selections
            && req.hook == "order-select"
            && !selected.iter().any(|s| s == from)
        {
            continue;
        }
        let mut case = record.case.clone();
        case.considering = vec![drug.clone()];
        let assessment = assess(kb, &case, aopts);
        // The order's reasons: coded on it (reasonCode) or contained in it, or conditions it
        // references (reasonReference) in the chart or among the draft orders (a Condition sent
        // with them, named by its urn:uuid). A reference neither holds is an unknown reason.
        let mut reasons = coded.clone();
        let mut unknown_reason = false;
        for r in refs {
            match record.reason_condition(r).or_else(|| drafts.reason_condition(r)) {
                Some(c) => reasons.push(c.clone()),
                None => unknown_reason = true,
            }
        }
        // An order whose own reason is leg cramps is about cramps, coded on the problem list or not;
        // one that states only reasons outside the service's scope is prescribed for something else.
        let for_cramps = has_cramps || cramp_core::engine::has_condition(kb, &reasons, GateId::LegCramps);
        let other_indication = !reasons.is_empty()
            && !unknown_reason
            && !reasons.iter().any(|r| cramp_core::engine::reason_in_scope(kb, r));
        let own = cards::order(ctx, from, &case, &assessment, for_cramps, other_indication);
        if !assessment.red_flags.is_empty() {
            let before =
                before.get_or_insert_with(|| assess(kb, &record.case, aopts).red_flags.iter().map(|f| f.id).collect());
            cards.extend(cards::order_red_flags(
                ctx,
                from,
                &case,
                &assessment,
                before,
                own.as_ref(),
            ));
        }
        cards.extend(own);
    }
    Ok(cards)
}
