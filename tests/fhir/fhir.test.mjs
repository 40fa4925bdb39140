// Every FHIR R4 resource cramp serves, checked by two validators that share no code with it
// (FHIR.js against the R4 StructureDefinitions and value sets, and the official R4 JSON Schema),
// read through a real third-party FHIR client (SMART on FHIR's `fhirclient`), against a running
// `cramp serve` (CRAMP_URL). The resources are also written to FHIR_OUT for the Python validator
// (fhir.resources, tests/fhir/validate.py), which scripts/test runs next.
//
// Run by scripts/test; by hand: CRAMP_URL=http://127.0.0.1:8080 FHIR_OUT=target/fhir-resources node --test tests/fhir/fhir.test.mjs

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { FhirClient } = require('fhirclient');
const { Fhir } = require('fhir');
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');

const base = process.env.CRAMP_URL ?? 'http://127.0.0.1:8080';
const out = process.env.FHIR_OUT ?? 'target/fhir-resources';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
mkdirSync(out, { recursive: true });

const fhirjs = new Fhir();
const schema = new JSONSchemaValidator();

/** Both validators; the resource is also kept for the Python one. */
function validate(name, resource) {
  writeFileSync(join(out, `${name}.json`), JSON.stringify(resource, null, 2));
  const r = fhirjs.validate(resource, { errorOnUnexpected: true });
  const errors = r.messages.filter((m) => m.severity === 'error');
  assert.ok(r.valid && errors.length === 0, `FHIR.js: ${name}: ${JSON.stringify(errors)}`);
  // The schema in this package is the R4 4.0.0 build; 4.0.1 (the technical correction every R4
  // server declares) is missing from its fhirVersion enum. That one value is read as 4.0.0 for the
  // schema only; everything else is checked as sent.
  const forSchema = resource.fhirVersion === '4.0.1' ? { ...resource, fhirVersion: '4.0.0' } : resource;
  const schemaErrors = schema.validate(forSchema);
  assert.deepEqual(schemaErrors, [], `R4 JSON Schema: ${name}`);
}

test('the validators reject an invalid resource (the check is real)', () => {
  const bad = { resourceType: 'Observation', status: 'bogus', code: { text: 'x' } };
  assert.equal(fhirjs.validate(bad, { errorOnUnexpected: true }).valid, false);
  assert.notDeepEqual(schema.validate(bad), []);
});

test('a third-party FHIR client reads the Questionnaire and the CapabilityStatement', async () => {
  const client = new FhirClient(`${base}/fhir`);
  const metadata = await client.fhirRequest('metadata');
  assert.equal(metadata.resourceType, 'CapabilityStatement');
  assert.equal(metadata.fhirVersion, '4.0.1');
  validate('CapabilityStatement-cramp', metadata);

  const q = await client.fhirRequest('Questionnaire/cramp-assessment');
  assert.equal(q.resourceType, 'Questionnaire');
  assert.equal(q.id, 'cramp-assessment');
  const linkIds = q.item.flatMap((g) => g.item.map((i) => i.linkId));
  assert.ok(linkIds.includes('symptoms.feels_like'));
  assert.ok(linkIds.includes('exam.abi'));
  validate('Questionnaire-cramp-assessment', q);

  // The CodeSystems the CapabilityStatement lists as readable, and that cards cite.
  for (const id of ['cramp-card-topic', 'cramp-override-reason']) {
    const cs = await client.fhirRequest(`CodeSystem/${id}`);
    assert.equal(cs.resourceType, 'CodeSystem');
    validate(`CodeSystem-${id}`, cs);
  }
});

test('a QuestionnaireResponse built from the served Questionnaire is valid and assessed', async () => {
  const q = await (await fetch(`${base}/fhir/Questionnaire/cramp-assessment`)).json();
  const items = q.item.find((g) => g.linkId === 'symptoms').item;
  const pick = (id) => items.find((i) => i.linkId === id);
  const response = {
    resourceType: 'QuestionnaireResponse',
    id: 'qr-example',
    questionnaire: q.url,
    status: 'completed',
    authored: '2026-11-20',
    item: [
      { linkId: 'symptoms', item: [
        { linkId: 'symptoms.feels_like', answer: [{ valueCoding: pick('symptoms.feels_like').answerOption[0].valueCoding }] },
        { linkId: 'symptoms.worse_in_evening', answer: [{ valueBoolean: false }] },
      ] },
    ],
  };
  validate('QuestionnaireResponse-example', response);
  const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: response }] };
  const res = await fetch(`${base}/api/v1/assess`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(bundle),
  });
  assert.equal(res.status, 200);
});

test('the example Bundle in the README is valid R4', () => {
  const bundle = JSON.parse(readFileSync(join(root, 'examples', 'fhir-bundle-cirrhosis.json'), 'utf8'));
  validate('Bundle-example-cirrhosis', bundle);
});

test('every FHIR resource inside a card suggestion is valid R4', async () => {
  // A quinine order: the card's suggestion removes the draft (a delete action carries a
  // resourceId, not a resource); any resource a suggestion ever carries is validated here.
  const request = {
    hook: 'order-sign',
    hookInstance: 'fhir-test-1',
    context: {
      userId: 'Practitioner/1',
      patientId: 'p1',
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: {
        resourceType: 'MedicationRequest', id: 'd1', status: 'draft', intent: 'order',
        subject: { reference: 'Patient/p1' },
        medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '9071', display: 'quinine' }] },
      } }] },
    },
    prefetch: { patient: { resourceType: 'Patient', id: 'p1', gender: 'female', birthDate: '1950-01-01' }, conditions: null, medications: null },
  };
  validate('MedicationRequest-draft-quinine', request.context.draftOrders.entry[0].resource);
  const res = await fetch(`${base}/cds-services/cramp-order-sign`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
  });
  assert.equal(res.status, 200);
  const { cards } = await res.json();
  assert.equal(cards.length, 1);
  const actions = cards.flatMap((c) => (c.suggestions ?? []).flatMap((s) => s.actions ?? []));
  assert.ok(actions.length > 0);
  actions.forEach((a, i) => {
    if (a.resource) validate(`suggestion-resource-${i}`, a.resource);
    else assert.match(a.resourceId, /^MedicationRequest\/d1$/);
  });
});

test('the knowledge base exported as FHIR (cramp kb export --format fhir) is valid R4, and served', async () => {
  const text = execFileSync(join(root, 'target', 'release', 'cramp'), ['kb', 'export', '--format', 'fhir', '--public-url', base]);
  const bundle = JSON.parse(text);
  assert.equal(bundle.resourceType, 'Bundle');
  validate('Bundle-knowledge-export', bundle);
  const plan = bundle.entry[0].resource;
  assert.equal(plan.resourceType, 'PlanDefinition');
  const health = await (await fetch(`${base}/healthz`)).json();
  assert.equal(plan.version, health.kb_version, 'the PlanDefinition version is kb_version');
  const actions = plan.action.flatMap((g) => g.action);
  assert.ok(actions.length > 100);
  assert.ok(actions.every((a) => a.documentation.some((d) => d.type === 'citation')), 'every action is cited');
  bundle.entry.forEach((e) => validate(`export-${e.resource.resourceType}-${e.resource.id}`, e.resource));
  // The server publishes the same PlanDefinition and every ActivityDefinition it points to.
  const client = new FhirClient(`${base}/fhir`);
  const served = await client.fhirRequest(`PlanDefinition/${plan.id}`);
  assert.deepEqual(served, plan);
  for (const a of actions.filter((a) => a.definitionCanonical)) {
    const id = a.definitionCanonical.split('/').pop();
    const ad = await client.fhirRequest(`ActivityDefinition/${id}`);
    assert.equal(ad.url, a.definitionCanonical);
  }
});

test("a diary's FHIR export (an R4 Bundle of Observations) and its CodeSystem are valid R4", async () => {
  const post = (path, body, token) => fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const d = await (await post('/api/v1/diaries')).json();
  const at = `/api/v1/diaries/${d.diary_id}`;
  let r = await post(`${at}/episodes`, { started_at: '2026-11-23T03:10:00+01:00', leg: 'left', muscle: 'calf',
    duration_min: 2.5, pain: 7, woke_from_sleep: true, helped: ['stretching', 'massage'], warning_signs: ['calf_warm_or_red'] }, d.token);
  assert.equal(r.status, 201);
  r = await post(`${at}/nights`, { date: '2026-11-22', stretched: true, sleep_quality: 6, cramps: 2 }, d.token);
  assert.equal(r.status, 201);
  const res = await fetch(`${base}${at}/export?format=fhir`, { headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(res.headers.get('content-type'), 'application/fhir+json');
  const bundle = await res.json();
  assert.equal(bundle.type, 'collection');
  assert.equal(bundle.entry.length, 2);
  validate('Bundle-diary-export', bundle);
  bundle.entry.forEach((e) => validate(`diary-${e.resource.id}`, e.resource));
  const pain = bundle.entry[0].resource.component.find((c) => c.code.coding[0].system === 'http://loinc.org');
  assert.equal(pain.valueQuantity.value, 7);
  // Every local code the export uses is defined by the CodeSystem it names, which the server serves.
  const client = new FhirClient(`${base}/fhir`);
  const cs = await client.fhirRequest('CodeSystem/cramp-diary');
  validate('CodeSystem-cramp-diary', cs);
  const defined = new Set(cs.concept.map((c) => c.code));
  const used = bundle.entry.flatMap((e) => [e.resource.code, ...e.resource.component.map((c) => c.code)])
    .flatMap((cc) => cc.coding).filter((c) => c.system === cs.url);
  assert.ok(used.length > 5);
  used.forEach((c) => assert.ok(defined.has(c.code), `${c.code} is defined in ${cs.url}`));
});
