//! The one-pass reading of prefetched values (`cramp_fhir::onepass`, used by `read_request`)
//! against the reference reading (`read_request_as_text`): on the example requests and on
//! arbitrary changes to them (members reordered, removed, retyped), both give the same answer,
//! byte for byte, or the same error. And the one-pass reading is really used on the examples.

use cramp_cds::{Env, Prepared, evaluate, read_request, read_request_as_text};
use cramp_core::knowledge::KnowledgeBase;
use proptest::prelude::*;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::path::Path;
use std::sync::OnceLock;

const BASE: &str = "https://cramp.example.org";

fn kb() -> &'static KnowledgeBase {
    static KB: OnceLock<KnowledgeBase> = OnceLock::new();
    KB.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../knowledge");
        KnowledgeBase::load(&cramp_wire::knowledge_dir::files(&root).unwrap()).unwrap()
    })
}

fn prepared() -> &'static Prepared {
    static P: OnceLock<Prepared> = OnceLock::new();
    P.get_or_init(|| Prepared::new(kb(), BASE))
}

/// The answer (body, or status and detail) of one reading of `text`.
fn answer(service: &str, text: &str, one_pass: bool) -> Result<String, (u16, String)> {
    let env = Env {
        base_url: BASE,
        prepared: prepared(),
        today: time::macros::date!(2026 - 11 - 23),
        include_unreviewed: false,
    };
    let req = if one_pass {
        read_request(service, text)
    } else {
        read_request_as_text(service, text)
    }
    .map_err(|e| (e.kind.status, e.detail))?;
    evaluate(kb(), req, &Vec::new(), &env)
        .map(|a| String::from_utf8(a.body).unwrap())
        .map_err(|e| (e.kind.status, e.detail))
}

// ---- JSON that keeps the order of members (serde_json's Value sorts them) ----------------------

#[derive(Debug, Clone)]
enum Node {
    Null,
    Bool(bool),
    Num(serde_json::Number),
    Str(String),
    Arr(Vec<Node>),
    Obj(Vec<(String, Node)>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
                Ok(Node::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Node, E> {
                Ok(Node::Num(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Node, E> {
                Ok(Node::Num(n.into()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Node, E> {
                Ok(serde_json::Number::from_f64(n).map_or(Node::Null, Node::Num))
            }
            fn visit_str<E>(self, s: &str) -> Result<Node, E> {
                Ok(Node::Str(s.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(x) = a.next_element()? {
                    v.push(x);
                }
                Ok(Node::Arr(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Node, A::Error> {
                let mut v = Vec::new();
                while let Some(kv) = a.next_entry()? {
                    v.push(kv);
                }
                Ok(Node::Obj(v))
            }
        }
        d.deserialize_any(V)
    }
}

impl Node {
    fn write(&self, out: &mut String) {
        match self {
            Node::Null => out.push_str("null"),
            Node::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Node::Num(n) => out.push_str(&n.to_string()),
            Node::Str(s) => out.push_str(&serde_json::to_string(s).unwrap()),
            Node::Arr(v) => {
                out.push('[');
                for (i, x) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    x.write(out);
                }
                out.push(']');
            }
            Node::Obj(v) => {
                out.push('{');
                for (i, (k, x)) in v.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).unwrap());
                    out.push(':');
                    x.write(out);
                }
                out.push('}');
            }
        }
    }

    fn text(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    /// Every node, depth first, as a path of child indices.
    fn paths(&self, at: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        out.push(at.clone());
        let children: Vec<&Node> = match self {
            Node::Arr(v) => v.iter().collect(),
            Node::Obj(v) => v.iter().map(|(_, x)| x).collect(),
            _ => Vec::new(),
        };
        for (i, c) in children.into_iter().enumerate() {
            at.push(i);
            c.paths(at, out);
            at.pop();
        }
    }

    fn at_mut(&mut self, path: &[usize]) -> &mut Node {
        match (self, path.split_first()) {
            (n, None) => n,
            (Node::Arr(v), Some((i, rest))) => v[*i].at_mut(rest),
            (Node::Obj(v), Some((i, rest))) => v[*i].1.at_mut(rest),
            _ => unreachable!("paths come from the tree"),
        }
    }
}

/// One change to a request: at the `pick`-th node (depth first, modulo their number), `op`.
fn mutate(root: &mut Node, pick: usize, op: u8) {
    let mut paths = Vec::new();
    root.paths(&mut Vec::new(), &mut paths);
    // The request's own members stay (a request without them is an error either way, tested
    // elsewhere): only what is inside `prefetch` and `context` changes.
    let inside: Vec<&Vec<usize>> = paths.iter().filter(|p| p.len() >= 2).collect();
    if inside.is_empty() {
        return;
    }
    let node = root.at_mut(inside[pick % inside.len()]);
    match (op % 6, node) {
        // Members in another order: `resourceType` no longer first, for one.
        (0, Node::Obj(v)) if !v.is_empty() => v.rotate_left(1),
        (1, Node::Obj(v)) if !v.is_empty() => {
            let last = v.len() - 1;
            v.remove(pick % (last + 1));
        }
        (2, Node::Arr(v)) if !v.is_empty() => {
            v.remove(pick % v.len());
        }
        (3, n @ (Node::Str(_) | Node::Bool(_))) => *n = Node::Num(7.into()),
        (3, n @ Node::Num(_)) => *n = Node::Str("7".into()),
        (4, n) => *n = Node::Null,
        (5, n @ (Node::Str(_) | Node::Num(_) | Node::Bool(_))) => *n = Node::Arr(vec![]),
        (5, n @ Node::Obj(_)) => *n = Node::Str("x".into()),
        _ => {}
    }
}

fn read(path: &str) -> Node {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A patient-view request with every kind of resource the reading knows and a few it does not:
/// a refuted Condition, a MedicationRequest naming a contained Medication and one naming a
/// Medication elsewhere in the Bundle, a MedicationStatement on its own, an answered
/// Questionnaire, a result with its reference range in another unit, an OperationOutcome, a paged
/// search, an entry without a resource and resources of other types. (Only keys the service
/// asks for: a value that is not a resource makes the reading fall back, tested below.)
fn rich_request() -> Node {
    let text = format!(
        r##"{{"hook":"patient-view","hookInstance":"7c7fa9f6-1c5c-4e9e-9a4b-3d0f6f1f2a10",
  "context":{{"userId":"Practitioner/1","patientId":"p1"}},
  "prefetch":{{
    "patient":{{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1950-03"}},
    "conditions":{{"resourceType":"Bundle","type":"searchset","link":[{{"relation":"next","url":"https://ehr/x?page=2"}}],
      "entry":[{{"fullUrl":"https://ehr/Condition/c1","resource":{{"resourceType":"Condition","id":"c1",
          "clinicalStatus":{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}}]}},
          "code":{{"coding":[{{"system":"http://snomed.info/sct","code":"449917004","display":"Nocturnal leg cramps"}}],"text":"Night cramps"}}}}}},
        {{"resource":{{"resourceType":"Condition","id":"c2",
          "verificationStatus":{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"refuted"}}]}},
          "code":{{"coding":[{{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"I82.401"}}]}}}}}},
        {{"resource":{{"resourceType":"Condition","id":"c3","code":{{"coding":[{{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"K74.60"}}]}}}}}},
        {{"fullUrl":"https://ehr/Encounter/e1","resource":{{"resourceType":"Encounter","id":"e1","status":"finished"}}}},
        {{"fullUrl":"https://ehr/nothing"}},
        {{"resource":{{"resourceType":"Bundle","type":"collection","entry":[]}}}}]}},
    "medications":{{"resourceType":"Bundle","type":"searchset","entry":[
        {{"resource":{{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order",
          "contained":[{{"resourceType":"Medication","id":"q","code":{{"coding":[{{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"9071"}}],"text":"quinine sulfate 324 MG"}}}}],
          "medicationReference":{{"reference":"#q"}}}}}},
        {{"resource":{{"resourceType":"MedicationRequest","id":"m2","status":"on-hold","intent":"order",
          "medicationReference":{{"reference":"Medication/hctz"}}}}}},
        {{"fullUrl":"https://ehr/Medication/hctz","resource":{{"resourceType":"Medication","id":"hctz",
          "code":{{"coding":[{{"system":"http://www.whocc.no/atc","code":"C03AA03"}}],"text":"hydrochlorothiazide"}}}}}},
        {{"resource":{{"resourceType":"MedicationRequest","id":"m3","status":"stopped","intent":"order","medicationCodeableConcept":{{"text":"atorvastatin"}}}}}},
        {{"resource":{{"resourceType":"MedicationRequest","id":"m4","status":"active","intent":"order"}}}}]}},
    "medicationStatements":{{"resourceType":"MedicationStatement","id":"s1","status":"active",
        "medicationCodeableConcept":{{"coding":[{{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"4603","display":"furosemide"}}]}}}},
    "questionnaireResponse":{{"resourceType":"Bundle","type":"searchset","entry":[{{"resource":{{
        "resourceType":"QuestionnaireResponse","id":"qr1","status":"completed",
        "questionnaire":"{BASE}/fhir/Questionnaire/cramp-assessment","authored":"2026-11-20",
        "item":[{{"linkId":"symptoms.feels_like","answer":[{{"valueCoding":{{"code":"painful_cramp"}}}}]}},
                {{"linkId":"symptoms.episodes_per_week","answer":[{{"valueDecimal":4}}]}},
                {{"linkId":"symptoms.worse_in_evening","answer":[{{"valueBoolean":false}}]}}]}}}}]}},
    "potassium":{{"resourceType":"Bundle","type":"searchset","entry":[{{"resource":{{"resourceType":"Observation","id":"k",
        "status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"2823-3"}}]}},
        "valueQuantity":{{"value":3.2,"unit":"mmol/L","system":"http://unitsofmeasure.org","code":"mmol/L"}},
        "referenceRange":[{{"low":{{"value":14,"unit":"mg/dL"}},"high":{{"value":20,"unit":"mg/dL"}}}}],
        "effectivePeriod":{{"start":"2026-11-01"}}}}}}]}},
    "magnesium":{{"resourceType":"OperationOutcome","issue":[{{"severity":"error","code":"processing","diagnostics":"magnesium search timed out"}}]}},
    "pregnancyStatus":{{"resourceType":"Bundle","type":"searchset","entry":[{{"resource":{{"resourceType":"Observation","id":"ps",
        "status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"82810-3"}}]}},"effectiveDateTime":"2026-10-01",
        "valueCodeableConcept":{{"coding":[{{"system":"http://snomed.info/sct","code":"60001007","display":"Not pregnant"}}]}}}}}}]}},
    "sodium":null,
    "creatinine":{{"resourceType":"Bundle","type":"searchset","entry":[{{"resource":{{"resourceType":"Observation","id":"cr",
        "status":"preliminary","code":{{"coding":[{{"system":"http://loinc.org","code":"2160-0"}}],"text":"Creatinine"}},
        "valueQuantity":{{"value":1.9,"unit":"mg/dL","system":"http://unitsofmeasure.org","code":"mg/dL"}},"issued":"2026-11-02T10:00:00Z"}}}},
        {{"resource":{{"resourceType":"Observation","id":"bp","status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"85354-9"}}]}}}}}}]}}
  }}}}"##
    );
    serde_json::from_str(&text).unwrap()
}

/// An order-sign request for quinine (a draft order) on a patient with cramps.
fn order_request() -> Node {
    let text = r##"{"hook":"order-sign","hookInstance":"0f5b1c55-3b0e-4a0b-8c8a-5d8f7c1b2e33",
  "context":{"userId":"Practitioner/1","patientId":"p1","draftOrders":{"resourceType":"Bundle","type":"collection","entry":[
    {"resource":{"resourceType":"MedicationRequest","id":"d1","status":"draft","intent":"order",
      "medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"9071"}],"text":"quinine"}}}]}},
  "prefetch":{"patient":{"resourceType":"Patient","id":"p1","gender":"male","birthDate":"1948-01-05"},
    "conditions":{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Condition","id":"c1",
      "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"G47.62"}]}}}]},
    "medications":{"resourceType":"Bundle","type":"searchset","total":0}}}"##;
    serde_json::from_str(text).unwrap()
}

fn bases() -> Vec<(&'static str, Node)> {
    vec![
        (
            "cramp-patient-view",
            read("../../examples/cds-patient-view-request.json"),
        ),
        ("cramp-patient-view", rich_request()),
        ("cramp-order-review", order_request()),
    ]
}

#[test]
fn the_examples_are_read_in_one_pass_with_the_answer_of_the_reference_reading() {
    for (service, node) in bases() {
        let text = node.text();
        let req = read_request(service, &text).unwrap();
        assert!(
            req.prefetch_read_in_one_pass(),
            "{service}: fell back to the text reading"
        );
        let one = answer(service, &text, true);
        assert!(one.is_ok(), "{one:?}");
        assert_eq!(one, answer(service, &text, false), "{service}");
    }
    // The rich request's cards carry what the reading noted (paging, the OperationOutcome,
    // the unreadable and unnamed resources).
    let body = answer("cramp-patient-view", &rich_request().text(), true).unwrap();
    for note in [
        "only the first page",
        "magnesium search timed out",
        "MedicationRequest/m4 names no medication",
        "not a full date",
    ] {
        assert!(body.contains(note), "{note} missing from {body}");
    }
}

#[test]
fn a_resource_that_does_not_begin_with_its_type_is_read_the_reference_way() {
    let (service, mut node) = bases().remove(0);
    // The Patient's members in reverse order: `resourceType` last.
    if let Node::Obj(members) = &mut node
        && let Some((_, Node::Obj(prefetch))) = members.iter_mut().find(|(k, _)| k == "prefetch")
        && let Some((_, Node::Obj(patient))) = prefetch.iter_mut().find(|(k, _)| k == "patient")
    {
        patient.reverse();
    }
    let text = node.text();
    assert!(!read_request(service, &text).unwrap().prefetch_read_in_one_pass());
    assert_eq!(answer(service, &text, true), answer(service, &text, false));
    // So is a request with a key the service did not ask for whose value is not a resource.
    let (service, mut node) = bases().remove(1);
    if let Node::Obj(members) = &mut node
        && let Some((_, Node::Obj(prefetch))) = members.iter_mut().find(|(k, _)| k == "prefetch")
    {
        prefetch.push(("unknownKey".into(), Node::Arr(vec![Node::Num(1.into())])));
    }
    let text = node.text();
    assert!(!read_request(service, &text).unwrap().prefetch_read_in_one_pass());
    let reference = answer(service, &text, false);
    assert!(reference.is_ok());
    assert_eq!(answer(service, &text, true), reference);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn any_change_to_a_request_gets_the_answer_of_the_reference_reading(
        base in 0usize..3,
        changes in prop::collection::vec((any::<usize>(), any::<u8>()), 1..5),
    ) {
        let (service, mut node) = bases().remove(base);
        for (pick, op) in changes {
            mutate(&mut node, pick, op);
        }
        let text = node.text();
        prop_assert_eq!(answer(service, &text, true), answer(service, &text, false), "{}", text);
    }
}
