// cramp web page: builds a SPEC §3 case from the form, asks POST /api/v1/assess once, and renders
// the SPEC §4 answer in the chosen voice. Every statement links to its evidence page. The question
// box asks GET /api/v1/ask (SPEC §6) in the same voice.
"use strict";

const form = document.getElementById("case");
const result = document.getElementById("result");
const errorBox = document.getElementById("error");

function audience() {
  return document.querySelector('input[name="audience"]:checked').value;
}

function applyAudience() {
  const patient = audience() === "patient";
  document.getElementById("notice-patient").hidden = !patient;
  document.getElementById("notice-clinician").hidden = patient;
  for (const el of document.querySelectorAll(".clinician-only")) {
    el.hidden = patient;
  }
}
for (const r of document.querySelectorAll('input[name="audience"]')) {
  r.addEventListener("change", applyAudience);
}
applyAudience();

const NUMBERS = {
  patient: ["age", "gestational_weeks"],
  symptoms: ["episodes_per_week", "worst_pain", "stretching_weeks_tried"],
  exam: ["abi", "qtc_ms", "heart_rate"],
};
const CHOICES = {
  patient: ["sex"],
  symptoms: ["feels_like", "relieved_by", "when", "side", "calf_swelling"],
  exam: ["pedal_pulses", "reflexes"],
};
const BOOLEAN_CHOICES = { patient: ["pregnant"], symptoms: ["worse_in_evening", "returns_at_rest"] };
const TICKS = {
  patient: ["smoker", "poor_balance_or_falls", "fluid_restricted"],
  symptoms: ["sleep_disrupted", "kicking_reported", "twitching", "tingling", "numbness", "weakness", "muscle_wasting",
    "progressive", "gait_or_speech_change", "dysphagia", "calf_warm_or_red", "recent_immobility", "non_healing_wound",
    "bleeding_or_bruising", "bladder_or_bowel_change", "saddle_numbness", "nocturia"],
  exam: ["fasciculations", "sensory_loss", "objective_weakness"],
};

function value(name) {
  const checked = form.querySelector(`[name="${name}"]:checked`);
  if (checked) return checked.value;
  const el = form.querySelector(`[name="${name}"]:not([type="radio"])`);
  return el ? el.value.trim() : "";
}

function lines(name) {
  return form.elements[name].value.split("\n").map((l) => l.trim()).filter((l) => l);
}

// Only what was answered goes into the case: a missing answer becomes a question, never a guess.
function buildCase() {
  const clinician = audience() === "clinician";
  const c = { patient: {}, symptoms: {}, exam: {} };
  for (const [group, names] of Object.entries(NUMBERS)) {
    if (group === "exam" && !clinician) continue;
    for (const n of names) {
      const v = value(n);
      if (v !== "") c[group][n] = Number(v);
    }
  }
  for (const [group, names] of Object.entries(CHOICES)) {
    if (group === "exam" && !clinician) continue;
    for (const n of names) {
      const v = value(n);
      if (v !== "") c[group][n] = v;
    }
  }
  for (const [group, names] of Object.entries(BOOLEAN_CHOICES)) {
    for (const n of names) {
      const v = value(n);
      if (v !== "") c[group][n] = v === "true";
    }
  }
  for (const [group, names] of Object.entries(TICKS)) {
    if (group === "exam" && !clinician) continue;
    for (const n of names) {
      if (form.elements[n].checked) c[group][n] = true;
    }
  }
  const where = [...form.querySelectorAll('[name="location"]:checked')].map((e) => e.value);
  if (where.length) c.symptoms.location = where;
  const meds = lines("medications").map((name) => ({ name }));
  if (meds.length) c.medications = meds;
  const considering = lines("considering").map((name) => ({ name }));
  if (considering.length) c.considering = considering;
  const conditions = lines("conditions").map((name) => ({ name }));
  if (conditions.length) c.conditions = conditions;
  if (clinician) {
    const labs = lines("labs").map((l) => {
      const m = l.match(/^(.*?)\s+(-?[0-9]+(?:\.[0-9]+)?)\s*(.*)$/);
      if (!m) return { name: l, value: NaN };
      const lab = { name: m[1], value: Number(m[2]) };
      if (m[3]) lab.unit = m[3];
      return lab;
    });
    const bad = labs.find((l) => Number.isNaN(l.value));
    if (bad) throw new Error(`Lab line "${bad.name}": write the name, the value and the unit, e.g. "ferritin 22 ng/mL".`);
    if (labs.length) c.labs = labs;
  }
  for (const k of ["patient", "symptoms", "exam"]) {
    if (!Object.keys(c[k]).length) delete c[k];
  }
  return c;
}

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const ch of children) {
    if (ch === null || ch === undefined) continue;
    e.append(ch instanceof Node ? ch : document.createTextNode(String(ch)));
  }
  return e;
}

// An enumeration value in running text ("very_low") reads as words ("very low").
const words = (v) => String(v).replaceAll("_", " ");
// Words from the knowledge base for codes of the answer, per voice (the page carries them).
const PAGE_WORDS = JSON.parse(document.getElementById("page-words").textContent);
// A source's kind ("rct") in the voice's words ("randomised trial").
const kindWord = (kind, voice) => PAGE_WORDS.source_kinds[voice]?.[kind] ?? words(kind);
// A source in the list under a result or an answer: its id (a link to its page), citation, kind and year.
const sourceItem = (s, voice) =>
  el("li", null, el("a", { href: "/knowledge/" + encodeURIComponent(s.id) }, s.id), `: ${s.citation} (${kindWord(s.kind, voice)}, ${s.year})`);

function status(s) {
  if (s === "approved") return null;
  return el("span", { class: "badge " + s }, s === "in_review" ? "in review: not yet approved" : "draft: unreviewed");
}

function cites(item) {
  const span = el("span", { class: "cites" });
  for (const id of item.sources || []) {
    span.append(el("a", { href: "/knowledge/" + encodeURIComponent(id) }, id), " ");
  }
  if (item.knowledge_id) {
    span.append(el("a", { href: "/knowledge/" + encodeURIComponent(item.knowledge_id), class: "evidence" }, "evidence"));
  }
  return span;
}

function section(title, items, render) {
  if (!items || !items.length) return null;
  const ul = el("ul");
  for (const it of items) ul.append(render(it));
  return el("section", { class: "block" }, el("h3", null, title), ul);
}

function render(a) {
  const clinician = a.audience === "clinician";
  const t = (c, p) => (clinician ? c : p);
  result.replaceChildren();
  // Sections with nothing to show are left out, not printed.
  const append = result.append.bind(result);
  result.append = (...nodes) => append(...nodes.filter((n) => n !== null && n !== undefined));
  result.append(el("h2", { tabindex: "-1", id: "result-heading" }, t("Assessment", "Your result")));
  result.append(el("p", { class: "notice" }, a.notice));
  result.append(section(t("Red flags", "Warning signs: act on these first"), a.red_flags, (r) =>
    el("li", { class: "flag " + r.urgency }, el("strong", null, r.urgency.toUpperCase() + ": "), r.text, " ", status(r.review_status), cites(r))));
  const ml = a.classification.most_likely;
  result.append(el("section", { class: "block" }, el("h3", null, t("Most likely", "What this most likely is")),
    el("p", null, ml ? `${ml.display}${clinician ? " (" + ml.code + ")" : ""}: ${t("confidence", "how sure:")} ${ml.confidence}` : t("No call possible yet: answer the questions below.", "We cannot tell yet: please answer the questions below."))));
  // The patient's "what else" leaves out what the line above already named; the clinician's
  // differential is the whole list.
  const others = clinician || !ml ? a.classification.differential : a.classification.differential.filter((d) => d.code !== ml.code);
  result.append(section(t("Differential", "What else it could be"), others, (d) =>
    el("li", null, `${d.display}${clinician ? " (" + d.code + ")" : ""}: ${words(d.status)}`, d.because.length ? ` (${d.because.join("; ")})` : "")));
  const ref = a.referral;
  result.append(el("section", { class: "block" }, el("h3", null, t("Referral", "Who to see")),
    el("p", null, ref.recommended && clinician ? `${ref.urgency}: ${ref.to.map(words).join(", ")}` : ref.text)));
  result.append(section(t("Questions to answer", "Questions that would help"), a.questions, (q) => el("li", null, q.text)));
  result.append(section(t("Plan", "What to do"), a.plan, (p) =>
    el("li", null, p.text, " ", el("span", { class: "meta" }, `${clinician ? words(p.tier) + ", " : ""}certainty ${words(p.certainty)}`), " ", status(p.review_status), cites(p))));
  result.append(section(t("Medication options", "Medicines your clinician may consider"), a.medication_options, (o) =>
    el("li", null, el("strong", null, o.display + ": "), o.text, clinician && o.dosing ? el("span", { class: "dosing" }, " Dosing: " + o.dosing) : null, " ", status(o.review_status), cites(o))));
  // Items of one statement side by side (the Beers relaxants, one per ATC group) are read once.
  const avoid = [];
  for (const v of a.avoid) {
    const last = avoid[avoid.length - 1];
    if (last && last.knowledge_id === v.knowledge_id && last.severity === v.severity && last.text === v.text) {
      last.names.push(v.display);
    } else {
      avoid.push({ ...v, names: [v.display] });
    }
  }
  result.append(section(t("Avoid", "Medicines to avoid"), avoid, (v) =>
    el("li", { class: "avoid " + v.severity }, el("strong", null, v.names.join("; ") + ": "), v.text, " ", status(v.review_status), cites(v))));
  result.append(section(t("Medication review", "Your medicines"), a.medication_review, (m) =>
    el("li", null, el("strong", null, m.medication + (clinician ? ` (${m.drug_class}, tier ${m.tier})` : "") + ": "), m.text, " ", status(m.review_status), cites(m))));
  result.append(section(t("Not recognised", "Medicines we did not recognise"), a.unrecognized_medications, (u) => el("li", null, u)));
  result.append(section(t("Tests worth ordering", "Blood tests"), a.labs, (l) => el("li", null, l.reason, " ", status(l.review_status), cites(l))));
  result.append(section(t("Lab results", "Your results"), a.lab_findings, (f) => el("li", null, f.text, " ", status(f.review_status), cites(f))));
  result.append(section(t("Drugs being considered", "Medicines you asked about"), a.considered, (c) =>
    el("li", null, el("strong", null, c.name + ": "), c.text || t("see above", "see above"), c.sources ? cites(c) : null)));
  result.append(section(t("Where the evidence conflicts", "Where the research disagrees"), a.evidence_conflicts, (c) =>
    el("li", null, c.text, " ", status(c.review_status), cites(c))));
  result.append(section(t("Input warnings", "Notes on what was entered (your clinician can read them)"), a.input_warnings, (w) => el("li", null, w)));
  result.append(section("Sources", a.sources, (s) => sourceItem(s, a.audience)));
  result.append(el("p", { class: "meta" }, `knowledge base ${a.kb_version}, engine ${a.engine_version}`));
  result.append(el("button", { type: "button", id: "print", class: "print" }, "Print"));
  document.getElementById("print").addEventListener("click", () => window.print());
  result.hidden = false;
  document.getElementById("result-heading").focus();
}

form.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  errorBox.hidden = true;
  let body;
  try {
    body = JSON.stringify(buildCase());
  } catch (e) {
    errorBox.textContent = e.message;
    errorBox.hidden = false;
    return;
  }
  const res = await fetch("/api/v1/assess?audience=" + audience(), {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
  const data = await res.json();
  if (!res.ok) {
    errorBox.textContent = data.detail || data.title;
    errorBox.hidden = false;
    errorBox.focus();
    return;
  }
  render(data);
});

// ---- follow-up questions ----------------------------------------------------------------------
const askForm = document.getElementById("ask");
const answerBox = document.getElementById("answer");
const askError = document.getElementById("ask-error");

function renderAnswer(a) {
  answerBox.replaceChildren();
  if (!a.answered) {
    // A refused warning sign is shown as one: it may need care quickly.
    const attrs = a.warning_sign ? { class: "not-found flag urgent", role: "alert" } : { class: "not-found" };
    answerBox.append(el("p", attrs, a.message));
  } else {
    const ol = el("ol", { class: "answers" });
    for (const s of a.statements) {
      const meta = (s.certainty ? `certainty ${words(s.certainty)}, ` : "") + "reviewed and approved";
      ol.append(el("li", null, s.text, " ", el("span", { class: "meta" }, meta), " ", cites(s), " ",
        el("a", { href: s.evidence_page, class: "evidence" }, "evidence page")));
    }
    answerBox.append(ol);
    const sources = el("ul", { class: "answer-sources" });
    for (const s of a.sources) {
      sources.append(sourceItem(s, a.audience));
    }
    answerBox.append(el("h3", null, "Sources"), sources);
  }
  answerBox.hidden = false;
}

askForm.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  askError.hidden = true;
  const q = document.getElementById("ask-q").value.trim();
  if (!q) {
    askError.textContent = "Type a question first, for example: does stretching help?";
    askError.hidden = false;
    askError.focus();
    return;
  }
  const res = await fetch("/api/v1/ask?audience=" + audience() + "&q=" + encodeURIComponent(q));
  const data = await res.json();
  if (!res.ok) {
    askError.textContent = data.detail || data.title;
    askError.hidden = false;
    askError.focus();
    return;
  }
  renderAnswer(data);
});
