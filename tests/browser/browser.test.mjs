// The web page as a person uses it, in Debian's headless Chromium: both voices, a cited result,
// an evidence page, a keyboard-only pass, and axe-core (WCAG 2.1 AA) on every page.
// Run by scripts/test with CRAMP_URL pointing at a running `cramp serve`; screenshots go to
// SCREENSHOTS (default target/screenshots).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const URL = process.env.CRAMP_URL ?? "http://127.0.0.1:8765";
const SHOTS = process.env.SCREENSHOTS ?? "../../target/screenshots";
mkdirSync(SHOTS, { recursive: true });

let browser;
before(async () => {
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});
after(async () => {
  await browser?.close();
});

async function page(viewport) {
  const ctx = await browser.newContext({ viewport: viewport ?? { width: 1200, height: 900 } });
  return ctx.newPage();
}

async function fillTypicalCramps(p) {
  await p.check('input[name="feels_like"][value="painful_cramp"]');
  await p.check('input[name="worse_in_evening"][value="false"]');
  await p.check('input[name="relieved_by"][value="stretching"]');
  await p.check('input[name="returns_at_rest"][value="false"]');
  await p.fill('input[name="age"]', "67");
  await p.selectOption('select[name="sex"]', "female");
  await p.selectOption('select[name="pregnant"]', "false");
  await p.fill('textarea[name="medications"]', "hydrochlorothiazide 25 mg");
}

async function noSeriousViolations(p, where) {
  const results = await new AxeBuilder({ page: p }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `axe on ${where}`);
}

test("a clinician gets a cited assessment", async () => {
  const p = await page();
  await p.goto(URL + "/");
  await noSeriousViolations(p, "the form");
  await fillTypicalCramps(p);
  await p.fill('textarea[name="labs"]', "potassium 3.1 mmol/L");
  await p.click("#assess");
  await p.waitForSelector("#result:not([hidden])");
  const text = await p.textContent("#result");
  assert.match(text, /Sleep-related leg cramps.*\(G47\.62\): confidence high/);
  assert.doesNotMatch(text, /null/);
  assert.match(text, /Thiazide or thiazide-like diuretic, tier A/);
  assert.match(text, /certainty low/);
  assert.ok(await p.locator('#result a[href="/knowledge/R-Garr2012"]').count() > 0, "cites R-Garr2012");
  assert.ok(await p.locator("#result .badge.in_review").count() > 0, "shows in-review items");
  // Codes of the answer read as words: a plan item's tier, a source's kind.
  assert.match(text, /first line, certainty/);
  assert.doesNotMatch(text, /first_line|systematic_review|regulator_notice/);
  assert.match(text, /\(randomised controlled trial, 2012\)/);
  await noSeriousViolations(p, "the clinician result");
  await p.screenshot({ path: `${SHOTS}/clinician-result.png`, fullPage: true });
  await p.context().close();
});

test("a patient on a phone reads plain words that open with the notice", async () => {
  const p = await page({ width: 390, height: 844 });
  await p.goto(URL + "/");
  await p.check('input[name="audience"][value="patient"]');
  assert.ok(await p.isVisible("#notice-patient"));
  assert.match(await p.textContent("#notice-patient"), /This does not replace a clinician/);
  assert.equal(await p.isVisible('input[name="abi"]'), false, "exam fields are for clinicians only");
  await fillTypicalCramps(p);
  await p.click("#assess");
  await p.waitForSelector("#result:not([hidden])");
  const text = await p.textContent("#result");
  assert.match(text, /What to do/);
  assert.match(text, /Discuss it with your prescriber; do not stop it on your own/);
  assert.doesNotMatch(text, /G47\.62/);
  assert.match(text, /Night-time leg cramps.*: how sure: high/, "the condition is named in plain words");
  assert.match(text, /No referral is needed on what you told us\./);
  // Enumeration values read as words, and "what else" does not repeat the most likely condition.
  assert.match(text, /certainty very low/);
  assert.doesNotMatch(text, /very_low/);
  const others = await p.locator("#result section.block", { hasText: "What else it could be" }).textContent();
  assert.doesNotMatch(others, /Night-time leg cramps/);
  assert.match(others, /Restless legs syndrome: unlikely/);
  // The Beers relaxants (one avoid item per ATC group, one shared statement) are read once.
  const beers = await p.locator("#result li.avoid", { hasText: "Carisoprodol" }).textContent();
  assert.match(beers, /^Carisoprodol or methocarbamol; Chlorzoxazone.*; Orphenadrine; Cyclobenzaprine: /);
  assert.doesNotMatch(beers, /ATC|M03B/, "no ATC codes in the patient voice");
  assert.equal(await p.locator("#result li.avoid", { hasText: "over 65 are advised to avoid" }).count(), 1);
  // A source's kind reads as words in the patient's voice, not as its code.
  const sources = await p.locator("#result section.block", { hasText: "Sources" }).last().textContent();
  assert.match(sources, /\(randomised trial, 2012\)/);
  assert.doesNotMatch(sources, /\(rct,|systematic_review|regulator_notice/);
  assert.ok(await p.evaluate(() => document.documentElement.scrollWidth) <= 390, "the result fits the phone");
  await noSeriousViolations(p, "the patient result");
  await p.screenshot({ path: `${SHOTS}/patient-result-phone.png`, fullPage: true });
  await p.context().close();
});

test("the printed result is the result: one notice, no form, no focus ring, no evidence links", async () => {
  const p = await page();
  await p.goto(URL + "/");
  await p.check('input[name="audience"][value="patient"]');
  await fillTypicalCramps(p);
  await p.click("#assess");
  await p.waitForSelector("#result:not([hidden])");
  await p.emulateMedia({ media: "print" });
  const printed = await p.evaluate(() => document.body.innerText);
  assert.equal(printed.match(/This does not replace a clinician/g)?.length, 1, "the notice once");
  assert.match(printed, /What to do/);
  assert.equal(await p.isVisible("#assess"), false, "no form on paper");
  assert.equal(await p.locator("#result a.evidence").first().isVisible(), false, "no evidence links on paper");
  assert.equal(await p.$eval("#result-heading", (h) => getComputedStyle(h).outlineStyle), "none");
  assert.match(printed, /R-Hall2012/, "citations stay");
  await p.context().close();
});

test("an invalid answer is explained, not crashed on", async () => {
  const p = await page();
  await p.goto(URL + "/");
  await p.fill('input[name="age"]', "300");
  await p.click("#assess");
  await p.waitForSelector("#error:not([hidden])");
  assert.match(await p.textContent("#error"), /patient\.age.*300 is outside 0–130/);
  await p.context().close();
});

test("a citation opens its evidence page with sources, passages and review dates", async () => {
  const p = await page();
  await p.goto(URL + "/");
  await fillTypicalCramps(p);
  await p.click("#assess");
  await p.waitForSelector("#result:not([hidden])");
  await p.click('#result a.evidence >> nth=0');
  await p.waitForLoadState();
  assert.match(p.url(), /\/knowledge\//);
  const text = await p.textContent("main");
  assert.match(text, /Next review due/);
  assert.match(text, /Sources/);
  assert.match(text, /Passage \(summary, not a verbatim quote\)|Quote \(verbatim\)/);
  await noSeriousViolations(p, p.url());
  await p.screenshot({ path: `${SHOTS}/evidence-page.png`, fullPage: true });
  for (const path of ["/about", "/knowledge/", "/knowledge/R-FDA2010", "/problems/", "/problems/invalid-case"]) {
    await p.goto(URL + path);
    assert.ok(await p.locator('a[href="/about"]').count() > 0, `${path} links to About`);
    await noSeriousViolations(p, path);
  }
  await p.context().close();
});

test("every page fits a phone-sized screen, the evidence index one statement per block, and the problem types' pages too", async () => {
  const p = await page({ width: 390, height: 844 });
  await p.goto(URL + "/knowledge/");
  const ids = await p.$$eval('main a[href^="/knowledge/"]', (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(ids.length > 100, "the index lists every entry and source");
  // On a phone the index's table is read as blocks: each value beside its column's name.
  assert.equal(await p.$eval("table.index td[data-label]", (td) => getComputedStyle(td).display), "block");
  await noSeriousViolations(p, "the evidence index on a phone");
  await p.goto(URL + "/problems/");
  const problems = await p.$$eval('main a[href^="/problems/"]', (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(problems.length >= 20, "the problem types are listed");
  const wide = [];
  for (const path of ["/", "/diary", "/about", "/knowledge/", ...ids, "/problems/", ...problems]) {
    await p.goto(URL + path);
    const width = await p.evaluate(() => document.documentElement.scrollWidth);
    if (width > 390) wide.push(`${path}: ${width}px`);
  }
  assert.deepEqual(wide, [], "pages wider than the phone (long ids and URLs must wrap)");
  await p.context().close();
});

test("the form works with the keyboard alone", async () => {
  const p = await page();
  await p.goto(URL + "/");
  // Tab into the first differentiating question and answer with the keyboard only.
  const focusName = async () => p.evaluate(() => document.activeElement?.getAttribute("name") ?? document.activeElement?.id);
  let guard = 0;
  while ((await focusName()) !== "feels_like" && guard++ < 40) await p.keyboard.press("Tab");
  assert.equal(await focusName(), "feels_like", "Tab reaches question 1");
  await p.keyboard.press("Space");
  assert.ok(await p.isChecked('input[name="feels_like"][value="painful_cramp"]'));
  while ((await focusName()) !== "assess" && guard++ < 200) await p.keyboard.press("Tab");
  assert.equal(await focusName(), "assess", "Tab reaches the Assess button");
  await p.keyboard.press("Enter");
  await p.waitForSelector("#result:not([hidden])");
  assert.equal(await focusName(), "result-heading", "focus moves to the result");
  await p.screenshot({ path: `${SHOTS}/keyboard-result.png` });
  await p.context().close();
});

test("a follow-up question gets cited, approved statements in each voice, or a plain refusal", async () => {
  const p = await page({ width: 390, height: 844 });
  await p.goto(URL + "/");
  // Keyboard only: type the question into the box and press Enter.
  await p.focus("#ask-q");
  await p.keyboard.type("does magnesium help?");
  await p.keyboard.press("Enter");
  await p.waitForSelector("#answer:not([hidden])");
  let text = await p.textContent("#answer");
  assert.match(text, /placebo/);
  assert.match(text, /reviewed and approved/);
  assert.ok(await p.locator('#answer a[href="/knowledge/R-CochMg2020"]').count() > 0, "cites the Cochrane review");
  await noSeriousViolations(p, "an answer");
  await p.screenshot({ path: `${SHOTS}/ask-clinician-phone.png`, fullPage: true });

  await p.check('input[name="audience"][value="patient"]');
  await p.fill("#ask-q", "charley horse at 3 am");
  await p.click("#ask-submit");
  await p.waitForFunction(() => document.querySelector("#answer").textContent.includes("calf"));
  text = await p.textContent("#answer");
  assert.doesNotMatch(text, /ICSD-3/, "the patient voice");

  await p.fill("#ask-q", "does acupuncture help?");
  await p.click("#ask-submit");
  await p.waitForSelector("#answer .not-found");
  assert.match(await p.textContent("#answer"), /we never make one up/);
  // A warning sign whose statement is in review is refused as a warning, not calmly.
  await p.fill("#ask-q", "I lost control of my bladder and my legs cramp");
  await p.click("#ask-submit");
  await p.waitForSelector('#answer .not-found.flag[role="alert"]');
  assert.match(await p.textContent("#answer"), /needs medical care quickly/);
  // The evidence page of an answer opens.
  await p.fill("#ask-q", "how do I stretch before bed?");
  await p.click("#ask-submit");
  await p.waitForSelector("#answer a.evidence");
  await p.click("#answer a.evidence >> nth=0");
  await p.waitForLoadState();
  assert.match(p.url(), /\/knowledge\/plan\.nightly_stretching$/);
  await p.context().close();
});
