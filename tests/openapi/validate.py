"""The OpenAPI description as an integrator's tooling reads it (run by scripts/test).

1. `GET /openapi.json` from a running `cramp serve` is a valid OpenAPI 3.1 document
   (openapi-spec-validator, independent of the Rust code that writes it).
2. Real answers of the same server validate against the schemas the document gives for them:
   every case in examples/ through `POST /api/v1/assess` in both voices (Assessment), a FHIR
   Bundle in place of a case, follow-up answers (Answer), CDS Hooks cards (CdsResponse), a diary's
   episode, night and trial, and the problem+json of a bad request (Problem).

Usage: validate.py BASE_URL EXAMPLES_DIR [VIGNETTES_DIR]   (the vignettes' cases too when given)
"""
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path

from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec
from referencing import Registry
from referencing.jsonschema import DRAFT202012


def call(method, url, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    h = {"Content-Type": "application/json"} if body is not None else {}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers.get("content-type", ""), json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("content-type", ""), json.loads(e.read() or b"null")


def main():
    base, examples = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    status, _, doc = call("GET", base + "/openapi.json")
    assert status == 200, status
    validate_spec(doc)
    print(f"ok   /openapi.json is valid OpenAPI {doc['openapi']} ({len(doc['paths'])} paths)")

    registry = Registry().with_resource("urn:cramp:openapi", DRAFT202012.create_resource(doc))
    def checker(name):
        return Draft202012Validator({"$ref": f"urn:cramp:openapi#/components/schemas/{name}"}, registry=registry)

    def check(name, value, what):
        errors = sorted(checker(name).iter_errors(value), key=lambda e: list(e.absolute_path))
        if errors:
            for e in errors[:5]:
                print(f"FAIL {what}: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}")
            raise SystemExit(1)
        print(f"ok   {what} validates against {name}")

    cases = [(p.name, json.loads(p.read_text())) for p in sorted(examples.glob("*.json")) if not p.name.startswith("cds-")]
    assert cases, f"no cases in {examples}"
    if len(sys.argv) > 3:
        vignettes = sorted(Path(sys.argv[3]).glob("*.json"))
        assert vignettes, f"no vignettes in {sys.argv[3]}"
        cases += [(p.name, json.loads(p.read_text())["case"]) for p in vignettes]
    for name, body in cases:
        for audience in ("clinician", "patient"):
            status, ct, out = call("POST", f"{base}/api/v1/assess?audience={audience}", body)
            assert status == 200 and ct.startswith("application/json"), (name, status, out)
            check("Assessment", out, f"assess {name} ({audience})")
    status, ct, out = call("POST", f"{base}/api/v1/assess", {"patient": {"age": 300}})
    assert status == 422 and ct.startswith("application/problem+json"), (status, ct)
    check("Problem", out, "an invalid case's problem+json")
    for q in ("does magnesium help?", "does acupuncture help?"):
        status, _, out = call("GET", f"{base}/api/v1/ask?q={urllib.request.quote(q)}")
        assert status == 200, (q, status)
        check("Answer", out, f"ask {q!r}")
    # CDS Hooks: the example patient-view call (cards for each finding), a quinine order (a card
    # with a suggestion), as CdsResponse.
    hook = json.loads((examples / "cds-patient-view-request.json").read_text())
    status, _, out = call("POST", f"{base}/cds-services/cramp-patient-view", hook)
    assert status == 200 and out["cards"], (status, out)
    check("CdsResponse", out, f"patient-view ({len(out['cards'])} cards)")
    order = {"hook": "order-select", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
             "context": {"userId": "Practitioner/1", "patientId": "p1", "selections": ["MedicationRequest/d1"],
                         "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": {
                             "resourceType": "MedicationRequest", "id": "d1", "status": "draft", "intent": "order",
                             "subject": {"reference": "Patient/p1"},
                             "medicationCodeableConcept": {"text": "quinine sulfate 324 mg capsule"}}}]}},
             "prefetch": {"patient": {"resourceType": "Patient", "id": "p1", "gender": "female", "birthDate": "1950-01-01"},
                          "conditions": None, "medications": None}}
    status, _, out = call("POST", f"{base}/cds-services/cramp-order-select", order)
    assert status == 200 and any(c.get("suggestions") for c in out["cards"]), (status, out)
    check("CdsResponse", out, "order-select for quinine (a card with a suggestion)")

    # A diary: an episode and a night as the API answers them.
    status, _, d = call("POST", f"{base}/api/v1/diaries")
    assert status in (200, 201), status
    auth = {"Authorization": f"Bearer {d['token']}"}
    diary = f"{base}/api/v1/diaries/{d['diary_id']}"
    status, _, ep = call("POST", diary + "/episodes", {"started_at": "2026-11-23T03:10:00+01:00", "leg": "left",
                         "muscle": "calf", "duration_min": 2, "pain": 7, "woke_from_sleep": True,
                         "helped": ["stretching"]}, auth)
    assert status in (200, 201), (status, ep)
    check("Episode", ep, "a diary episode")
    status, _, night = call("POST", diary + "/nights", {"date": "2026-11-23", "stretched": True, "sleep_quality": 6, "cramps": 1}, auth)
    assert status in (200, 201), (status, night)
    check("Night", night, "a diary night")
    status, _, trial = call("GET", diary + "/trial", None, auth)
    assert status == 200, status
    check("Trial", trial, "the diary's trial")
    call("DELETE", diary, None, auth)


if __name__ == "__main__":
    main()
