// The patient diary as a patient uses it, in Debian's headless Chromium on a phone-sized screen:
// start a diary, log cramps in three taps, check in nightly, see the chart, report a warning sign,
// share read-only and revoke, print the summary, export, forget the device, delete; axe-core
// (WCAG 2.1 AA) on each state; the token never in a request URL. Screenshots to SCREENSHOTS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const URL = process.env.CRAMP_URL ?? "http://127.0.0.1:8765";
const SHOTS = process.env.SCREENSHOTS ?? "../../target/screenshots";
mkdirSync(SHOTS, { recursive: true });
const PHONE = { width: 390, height: 844 };

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

async function noSeriousViolations(p, where) {
  const results = await new AxeBuilder({ page: p }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`), [], `axe on ${where}`);
}

/// A new page that records every request URL (to prove the token never travels in one).
// Nothing on the page is wider than the phone's screen (no sideways scrolling).
async function fitsPhone(p, where) {
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `${where} is ${width}px wide on a ${PHONE.width}px screen`);
}

async function phone() {
  const ctx = await browser.newContext({ viewport: PHONE });
  const p = await ctx.newPage();
  const urls = [];
  p.on("request", (r) => urls.push(r.url()));
  return { p, ctx, urls };
}

async function startDiary(p) {
  await p.goto(URL + "/diary");
  await p.waitForSelector("#start:not([hidden])");
  await p.click("#start-diary");
  await p.waitForSelector("#created:not([hidden])");
  const link = await p.inputValue("#private-link");
  assert.match(link, /\/diary#d=[^&]+&t=[A-Za-z0-9_-]{43}$/, "the private link carries the token in its fragment");
  await p.click("#saved-link");
  await p.waitForSelector("#diary:not([hidden])");
  return link;
}

async function logCramp(p, leg, muscle, pain) {
  await p.check(`input[name="leg"][value="${leg}"]`);
  await p.check(`input[name="muscle"][value="${muscle}"]`);
  await p.fill("#pain", String(pain));
  await p.click("#log-submit");
  await p.waitForFunction(() => /Cramp logged/.test(document.getElementById("status").textContent));
}

test("a patient keeps a diary on a phone: log, check in, chart, warning sign, share, summary, export", async () => {
  const { p, ctx, urls } = await phone();
  await p.goto(URL + "/diary");
  await noSeriousViolations(p, "the diary start");
  assert.match(await p.textContent(".notice"), /This does not replace a clinician/);
  const link = await startDiary(p);
  const token = new globalThis.URL(link).hash.match(/t=([^&]+)/)[1];
  await noSeriousViolations(p, "the new diary");

  // Three taps: leg, muscle, pain.
  await logCramp(p, "left", "calf", 7);
  await logCramp(p, "right", "foot", 4);
  assert.equal(await p.isVisible("#advice"), false, "no warning sign, no advice");

  // Nightly check-ins for two nights.
  for (const [date, stretched, cramps] of [["2026-11-20", "false", "3"], ["2026-11-21", "true", "1"]]) {
    await p.fill("#night-date", date);
    await p.check(`input[name="stretched"][value="${stretched}"]`);
    await p.fill("#night-cramps", cramps);
    await p.click("#night-submit");
    await p.waitForFunction((d) => document.getElementById("status").textContent.includes(d), date);
  }
  await p.waitForFunction(() => document.querySelectorAll("#nights-list li").length === 2);
  await p.waitForFunction(() => document.querySelectorAll("#episodes-list li").length === 2);
  await p.waitForSelector("#chart-svg svg rect");
  assert.ok(await p.locator("#chart-svg svg circle").count() >= 1, "pain dots");
  assert.equal(await p.locator("#chart-table tbody tr").count(), 2, "the table alternative");
  await p.waitForSelector("#trial-verdict");
  assert.equal(await p.getAttribute("#trial-verdict", "data-verdict"), "inconclusive");
  assert.match(await p.textContent("#trial-result"), /Hallegraeff 2012/);
  await fitsPhone(p, "the diary chart");
  await p.screenshot({ path: `${SHOTS}/diary-chart-phone.png`, fullPage: true });

  // A warning sign: immediate advice from the red-flag entry, with its sources.
  await p.click("#log summary");
  await p.check('input[name="warning_signs"][value="calf_swollen_one_side"]');
  await logCramp(p, "left", "calf", 6);
  await p.waitForSelector("#advice:not([hidden])");
  const advice = await p.textContent("#advice");
  assert.match(advice, /Get checked today/);
  assert.match(advice, /blood clot/);
  assert.ok(await p.locator('#advice a[href="/knowledge/R-CKS"]').count() > 0, "cites its source");
  await noSeriousViolations(p, "the warning advice");
  await fitsPhone(p, "the diary warning");
  await p.screenshot({ path: `${SHOTS}/diary-warning-phone.png`, fullPage: true });

  // The printable summary, with the warning first and the case fields.
  await p.click("#show-summary");
  await p.waitForSelector("#summary-frame:not([hidden])");
  const frame = p.frameLocator("#summary-frame");
  await frame.locator("h1").waitFor();
  const summary = await frame.locator("body").textContent();
  assert.match(summary, /Warning signs reported/);
  assert.match(summary, /symptoms\.calf_swelling/);
  assert.match(summary, /Stretching trial/);
  await fitsPhone(p, "the diary summary");
  await p.screenshot({ path: `${SHOTS}/diary-summary-phone.png`, fullPage: true });
  // Printed (Chromium's print-to-PDF of the same HTML): one page.
  const html = await frame.locator("html").evaluate((e) => "<!doctype html>" + e.outerHTML);
  const printer = await ctx.newPage();
  await printer.setContent(html);
  const pdf = await printer.pdf({ path: `${SHOTS}/diary-summary.pdf`, format: "A4", printBackground: true });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, "the printed summary is one page");
  await printer.close();

  // Export: a CSV download made from the API.
  await p.click('button.export[data-format="csv"]');
  await p.waitForSelector("#export-link:not([hidden])");
  const csv = await p.evaluate(async () => (await fetch(document.getElementById("export-link").href)).text());
  assert.match(csv, /^record_type,/);
  assert.equal(csv.split("\r\n").filter((l) => l.startsWith("episode,")).length, 3);

  // Share read-only with a clinician.
  await p.click("#create-share");
  await p.waitForSelector("#share-new:not([hidden])");
  const shareLink = await p.inputValue("#share-link");
  assert.match(shareLink, /\/diary#s=/);
  await p.waitForSelector("#shares-list li button");
  await noSeriousViolations(p, "the share section");

  const clinician = await phone();
  await clinician.p.goto(shareLink);
  await clinician.p.waitForSelector("#shared-note:not([hidden])");
  await clinician.p.waitForFunction(() => document.querySelectorAll("#episodes-list li").length === 3);
  assert.equal(await clinician.p.isVisible("#log-form"), false, "a share cannot log");
  assert.equal(await clinician.p.isVisible("#delete-diary"), false);
  await noSeriousViolations(clinician.p, "the shared diary");
  await clinician.p.screenshot({ path: `${SHOTS}/diary-shared-clinician.png`, fullPage: true });

  // Revoke: the clinician's link stops working at once.
  await p.click("#shares-list li button");
  await p.waitForFunction(() => /Share revoked/.test(document.getElementById("status").textContent));
  await clinician.p.reload();
  await clinician.p.waitForFunction(() => /no longer works/.test(document.getElementById("status").textContent));

  // Forget this device; the private link still opens the diary.
  await p.click("#forget");
  await p.waitForSelector("#start:not([hidden])");
  assert.equal(await p.evaluate(() => localStorage.getItem("cramp-diary")), null);
  await p.goto(link);
  await p.waitForFunction(() => document.querySelectorAll("#episodes-list li").length === 3);

  // The token never appeared in a request URL (path or query): only in the fragment.
  const leaked = urls.concat(clinician.urls).filter((u) => u.split("#")[0].includes(token));
  assert.deepEqual(leaked, [], "token in a request URL");

  // Delete the diary for good.
  p.once("dialog", (d) => d.accept());
  await p.click("#delete-diary");
  await p.waitForFunction(() => /deleted/.test(document.getElementById("status").textContent));
  const gone = await p.evaluate(async ([id, t]) => (await fetch(`/api/v1/diaries/${id}/nights`, { headers: { Authorization: `Bearer ${t}` } })).status,
    [new globalThis.URL(link).hash.match(/d=([^&]+)/)[1], token]);
  assert.equal(gone, 404);
  await clinician.ctx.close();
  await ctx.close();
});

test("the diary works with the keyboard alone", async () => {
  const { p, ctx } = await phone();
  await startDiary(p);
  // Tab to the first leg choice, choose with the arrow keys, and log with Enter.
  await p.focus('input[name="leg"][value="left"]');
  await p.keyboard.press("ArrowRight"); // right
  await p.keyboard.press("Tab");
  await p.keyboard.press("Space"); // calf
  await p.focus("#pain");
  await p.keyboard.press("ArrowRight"); // 6
  await p.focus("#log-submit");
  await p.keyboard.press("Enter");
  await p.waitForFunction(() => /Cramp logged/.test(document.getElementById("status").textContent));
  await p.waitForFunction(() => document.querySelectorAll("#episodes-list li").length === 1);
  assert.match(await p.textContent("#episodes-list"), /right calf · pain 6/);
  await ctx.close();
});
