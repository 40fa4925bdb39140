// The diary page: every call goes to the diary API (SPEC §7) with fetch and the bearer token.
// The token lives only in the link's fragment (never sent to the server in a URL) and in this
// browser's localStorage (owner) or in memory (a clinician's share link); "Forget this device"
// removes it.
(function () {
  "use strict";
  var KEY = "cramp-diary";
  var $ = function (id) { return document.getElementById(id); };
  var me = null; // { id, token, share: bool }
  var cursors = { episodes: null, nights: null };
  // Headline words from the knowledge base (knowledge/diary.toml), filled in by the server.
  var WORDS = JSON.parse($("diary-words").textContent);

  function fromFragment() {
    var p = new URLSearchParams(location.hash.slice(1));
    if (p.get("d") && p.get("t")) return { id: p.get("d"), token: p.get("t"), share: false };
    if (p.get("s") && p.get("t")) return { id: p.get("s"), token: p.get("t"), share: true };
    return null;
  }
  function stored() {
    try { var v = JSON.parse(localStorage.getItem(KEY) || "null"); return v && v.id && v.token ? { id: v.id, token: v.token, share: false } : null; }
    catch (e) { return null; }
  }
  function remember(d) { localStorage.setItem(KEY, JSON.stringify({ id: d.id, token: d.token })); }
  function privateLink(d) { return location.origin + "/diary#d=" + encodeURIComponent(d.id) + "&t=" + encodeURIComponent(d.token); }

  function say(text, isError) {
    var s = $("status");
    s.textContent = text;
    s.className = isError ? "error" : "ok";
  }

  function api(method, path, body, headers) {
    var h = headers || {};
    if (me) h["Authorization"] = "Bearer " + me.token;
    if (body !== undefined) h["Content-Type"] = "application/json";
    return fetch(path, { method: method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store", credentials: "omit" })
      .then(function (r) {
        var ct = r.headers.get("Content-Type") || "";
        if (!r.ok) {
          return (ct.indexOf("json") >= 0 ? r.json() : Promise.resolve({ detail: r.statusText })).then(function (p) {
            var err = new Error(p.detail || p.title || ("HTTP " + r.status));
            err.status = r.status;
            throw err;
          });
        }
        return r;
      });
  }
  function base() { return "/api/v1/diaries/" + encodeURIComponent(me.id); }
  function fail(e) {
    if (e.status === 401 || e.status === 404) say("This diary link no longer works (" + e.message + "). If you deleted the diary or the share was revoked, start again.", true);
    else say("Not saved: " + e.message, true);
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(b, function (x) { return ("0" + x.toString(16)).slice(-2); }).join("");
  }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function localNow() {
    var d = new Date(), off = -d.getTimezoneOffset(), sign = off >= 0 ? "+" : "-";
    off = Math.abs(off);
    return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
      pad(d.getMinutes()) + ":" + pad(d.getSeconds()) + sign + pad(Math.floor(off / 60)) + ":" + pad(off % 60);
  }
  function today() { return localNow().slice(0, 10); }
  function el(tag, text, cls) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }
  function num(x) { return x === null || x === undefined ? "–" : String(Math.round(x * 100) / 100); }

  function show(which) {
    ["start", "created", "diary"].forEach(function (s) { $(s).hidden = s !== which; });
    $("shared-note").hidden = !(me && me.share && which === "diary");
    Array.prototype.forEach.call(document.querySelectorAll(".owner"), function (e) { e.hidden = !!(me && me.share); });
    if (which === "diary") refresh();
  }

  // ---- start ------------------------------------------------------------------------------
  $("start-diary").addEventListener("click", function () {
    me = null;
    api("POST", "/api/v1/diaries").then(function (r) { return r.json(); }).then(function (d) {
      me = { id: d.diary_id, token: d.token, share: false };
      remember(me);
      $("private-link").value = privateLink(me);
      show("created");
      $("private-link").focus();
      $("private-link").select();
    }).catch(fail);
  });
  $("saved-link").addEventListener("click", function () { show("diary"); say("Your diary is ready."); });
  $("open-link").addEventListener("click", function () {
    try {
      var u = new URL($("have-link").value);
      location.hash = u.hash;
      boot();
    } catch (e) { say("That is not a diary link: paste the whole link.", true); }
  });

  // ---- log a cramp --------------------------------------------------------------------------
  $("pain").addEventListener("input", function () { $("pain-out").textContent = this.value; });
  $("sleep").addEventListener("input", function () { $("sleep-out").textContent = this.value; });
  function checked(form, name) {
    return Array.prototype.map.call(form.querySelectorAll("input[name=" + name + "]:checked"), function (i) { return i.value; });
  }
  $("log-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var f = this;
    var leg = checked(f, "leg")[0], muscle = checked(f, "muscle")[0];
    if (!leg || !muscle) { say("Choose the leg and the muscle.", true); return; }
    var body = {
      started_at: localNow(), leg: leg, muscle: muscle, pain: Number($("pain").value),
      duration_min: Number($("duration").value || 0), woke_from_sleep: $("woke").checked,
      helped: checked(f, "helped"), warning_signs: checked(f, "warning_signs")
    };
    // One key per tap: a retry after a lost answer is not stored twice.
    var key = f.dataset.key || (f.dataset.key = uuid());
    api("POST", base() + "/episodes", body, { "Idempotency-Key": key }).then(function (r) { return r.json(); }).then(function (e) {
      delete f.dataset.key;
      showAdvice(e.advice);
      say("Cramp logged at " + e.started_at.slice(11, 16) + ".");
      Array.prototype.forEach.call(f.querySelectorAll("input[name=warning_signs]"), function (i) { i.checked = false; });
      refresh();
    }).catch(fail);
  });

  function showAdvice(a) {
    var box = $("advice");
    box.textContent = "";
    if (!a) { box.hidden = true; return; }
    box.className = "advice " + a.urgency;
    box.appendChild(el("h2", WORDS.advice_headings[a.urgency] || a.urgency));
    box.appendChild(el("p", a.text));
    var p = el("p", "", "cites");
    p.appendChild(document.createTextNode("Sources: "));
    a.sources.forEach(function (s) { var l = el("a", s.id); l.href = "/knowledge/" + encodeURIComponent(s.id); p.appendChild(l); });
    a.entries.forEach(function (e) { var l = el("a", "Evidence"); l.href = e.evidence_page; p.appendChild(l); });
    box.appendChild(p);
    box.hidden = false;
    box.tabIndex = -1;
    box.focus();
  }

  // ---- nightly check-in ---------------------------------------------------------------------
  $("night-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var s = checked(this, "stretched")[0];
    if (s === undefined) { say("Say whether you stretched.", true); return; }
    var body = { date: $("night-date").value, stretched: s === "true", cramps: Number($("night-cramps").value),
      sleep_quality: Number($("sleep").value) };
    api("POST", base() + "/nights", body).then(function (r) {
      say(r.status === 201 ? "Check-in saved for " + body.date + "." : "Check-in for " + body.date + " updated.");
      refresh();
    }).catch(fail);
  });

  // ---- views ----------------------------------------------------------------------------------
  function refresh() {
    if (!me) return;
    api("GET", base() + "/chart").then(function (r) { return r.text(); }).then(function (svg) {
      // The server's own SVG: numbers and dates only, every text escaped.
      $("chart-svg").innerHTML = svg;
    }).catch(fail);
    loadList("nights", true);
    loadList("episodes", true);
    api("GET", base() + "/trial").then(function (r) { return r.json(); }).then(showTrial).catch(fail);
    if (!me.share) loadShares();
  }

  var lists = { episodes: [], nights: [] };
  function loadList(kind, fresh) {
    var q = "?limit=30" + (!fresh && cursors[kind] ? "&cursor=" + encodeURIComponent(cursors[kind]) : "");
    api("GET", base() + "/" + kind + q).then(function (r) { return r.json(); }).then(function (page) {
      if (fresh) { lists[kind] = []; $(kind + "-list").textContent = ""; }
      page.items.forEach(function (it) {
        lists[kind].push(it);
        var li = kind === "episodes"
          ? el("li", it.started_at.replace("T", " ").slice(0, 16) + " · " + it.leg + " " + it.muscle + " · pain " + num(it.pain) +
              (it.warning_signs.length ? " · warning: " + it.warning_signs.join(", ").replace(/_/g, " ") : ""))
          : el("li", it.date + " · " + it.cramps + " cramps · " + (it.stretched ? "stretched" : "no stretching") + " · sleep " + num(it.sleep_quality));
        $(kind + "-list").appendChild(li);
      });
      cursors[kind] = page.next_cursor;
      $(kind + "-more").hidden = !page.next_cursor;
      if (kind === "nights") chartTable();
    }).catch(fail);
  }
  $("episodes-more").addEventListener("click", function () { loadList("episodes", false); });
  $("nights-more").addEventListener("click", function () { loadList("nights", false); });

  function chartTable() {
    var t = el("table", "", "diary-table"), cap = el("caption", "Logged nights, newest first"), head = el("tr");
    t.appendChild(cap);
    ["Date", "Cramps", "Stretched", "Sleep"].forEach(function (h) { var th = el("th", h); th.scope = "col"; head.appendChild(th); });
    var thead = el("thead"); thead.appendChild(head); t.appendChild(thead);
    var tb = el("tbody");
    lists.nights.forEach(function (n) {
      var tr = el("tr"), th = el("th", n.date); th.scope = "row"; tr.appendChild(th);
      [String(n.cramps), n.stretched ? "yes" : "no", num(n.sleep_quality)].forEach(function (c) { tr.appendChild(el("td", c)); });
      tb.appendChild(tr);
    });
    t.appendChild(tb);
    $("chart-table").textContent = "";
    $("chart-table").appendChild(t);
  }

  function showTrial(t) {
    var box = $("trial-result");
    box.textContent = "";
    var h = el("p"); h.appendChild(el("strong", WORDS.verdicts[t.verdict] || t.verdict)); h.id = "trial-verdict"; h.dataset.verdict = t.verdict;
    h.appendChild(document.createTextNode(" (verdict: " + t.verdict.replace("_", " ") + ")"));
    box.appendChild(h);
    box.appendChild(el("p", t.reason));
    var dl = el("dl");
    function row(k, v) { dl.appendChild(el("dt", k)); dl.appendChild(el("dd", v)); }
    row("Nights logged", "before stretching " + t.baseline.nights + ", while stretching " + t.stretching.nights);
    row("Cramps per night", "before " + num(t.baseline.cramps_per_night) + ", while stretching " + num(t.stretching.cramps_per_night));
    if (t.effect.estimate !== null)
      row("Change", num(t.effect.estimate) + " cramps a night (95 % interval " + num(t.effect.ci_low) + " to " + num(t.effect.ci_high) + ")");
    if (t.adherence !== null) row("Nights you stretched", Math.round(t.adherence * 100) + " %");
    box.appendChild(dl);
    var pub = el("p", t.published_effect.text + " ", "meta");
    var a = el("a", "Source"); a.href = "/knowledge/" + encodeURIComponent(t.published_effect.source); pub.appendChild(a);
    box.appendChild(pub);
  }

  // ---- summary --------------------------------------------------------------------------------
  $("show-summary").addEventListener("click", function () {
    api("GET", base() + "/summary").then(function (r) { return r.text(); }).then(function (html) {
      var f = $("summary-frame");
      f.srcdoc = html;
      f.hidden = false;
      $("print-summary").hidden = false;
    }).catch(fail);
  });
  $("print-summary").addEventListener("click", function () { $("summary-frame").contentWindow.print(); });

  // ---- shares ---------------------------------------------------------------------------------
  function loadShares() {
    api("GET", base() + "/shares").then(function (r) { return r.json(); }).then(function (s) {
      var ul = $("shares-list");
      ul.textContent = "";
      s.items.forEach(function (it) {
        var li = el("li", "Share made " + it.created_at.slice(0, 10) + ", " + it.status + (it.status === "active" ? " until " + it.expires_at.slice(0, 10) : "") + " ");
        if (it.status === "active") {
          var b = el("button", "Revoke");
          b.type = "button";
          b.setAttribute("aria-label", "Revoke the share made " + it.created_at.slice(0, 16).replace("T", " "));
          b.addEventListener("click", function () {
            api("DELETE", base() + "/shares/" + encodeURIComponent(it.share_id)).then(function () { say("Share revoked."); loadShares(); }).catch(fail);
          });
          li.appendChild(b);
        }
        ul.appendChild(li);
      });
    }).catch(fail);
  }
  $("create-share").addEventListener("click", function () {
    api("POST", base() + "/shares").then(function (r) { return r.json(); }).then(function (s) {
      $("share-link").value = location.origin + "/diary#s=" + encodeURIComponent(me.id) + "&t=" + encodeURIComponent(s.token);
      $("share-new").hidden = false;
      $("share-link").focus();
      $("share-link").select();
      say("Share link made; it works until " + s.expires_at.slice(0, 10) + ".");
      loadShares();
    }).catch(fail);
  });

  // ---- export ---------------------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("button.export"), function (b) {
    b.addEventListener("click", function () {
      var format = b.dataset.format;
      api("GET", base() + "/export?format=" + format).then(function (r) { return r.blob(); }).then(function (blob) {
        var a = $("export-link");
        a.href = URL.createObjectURL(blob);
        a.download = "cramp-diary." + (format === "fhir" ? "fhir.json" : format);
        a.textContent = "Download " + a.download;
        a.hidden = false;
        a.focus();
      }).catch(fail);
    });
  });

  // ---- delete / forget ------------------------------------------------------------------------
  function forget(message) {
    localStorage.removeItem(KEY);
    me = null;
    history.replaceState(null, "", "/diary");
    show("start");
    say(message);
  }
  $("forget").addEventListener("click", function () { forget("This device no longer remembers the diary. Your private link still opens it."); });
  $("delete-diary").addEventListener("click", function () {
    if (!confirm("Delete the whole diary for good? This cannot be undone.")) return;
    api("DELETE", base()).then(function () { forget("Your diary has been deleted."); }).catch(fail);
  });

  function boot() {
    var f = fromFragment();
    if (f && !f.share) remember(f);
    me = f || stored();
    $("night-date").value = today();
    show(me ? "diary" : "start");
  }
  window.addEventListener("hashchange", boot);
  boot();
})();
