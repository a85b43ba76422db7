// The run report's timeline (filter, sort, page), its graph tabs and its history tables, drawn from the page's own
// JSON block. Nothing is fetched: every byte the page shows is in the file.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var timeline = data.timeline, histories = data.histories, words = histories.words;
  var originMs = Date.parse(data.origin);
  var PAGE = 100;

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  // 42.5 -> "42.5s", 5400 -> "1h30m", 190000 -> "2d4h46m": the largest units, seconds dropped past a day.
  function dur(seconds) {
    if (seconds == null) { return ""; }
    if (seconds < 60) { return (Math.round(seconds * 10) / 10) + "s"; }
    var s = Math.round(seconds), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var m = Math.floor(s % 3600 / 60), r = s % 60;
    if (d) { return d + "d" + (h ? h + "h" : "") + (m ? m + "m" : ""); }
    return (h ? h + "h" : "") + (m ? m + "m" : "") + (r && !h ? r + "s" : "");
  }
  function clock(seconds) { return "+" + (seconds ? dur(seconds) : "0"); }
  function usd(value) { return value == null ? "" : "$" + (value >= 0.01 ? value.toFixed(4) : value.toFixed(6)); }

  // --- graph tabs -----------------------------------------------------------------------------------------
  document.querySelectorAll(".tabs [data-tab]").forEach(function (tab) {
    tab.addEventListener("click", function () {
      document.querySelectorAll(".tabs [data-tab]").forEach(function (t) {
        t.setAttribute("aria-selected", t === tab ? "true" : "false");
      });
      document.querySelectorAll(".graph-panel").forEach(function (panel) {
        var shown = panel.getAttribute("data-machine") === tab.getAttribute("data-tab");
        panel.hidden = !shown;
        if (shown) { panel.dispatchEvent(new Event("wf-show")); }
      });
    });
  });

  // --- timeline -------------------------------------------------------------------------------------------
  var rows = timeline.rows, states = timeline.states, outcomes = timeline.outcomes;
  var span = timeline.span || 1;
  var byExecution = {};
  rows.forEach(function (row) {
    row.start = row.stages.length ? row.stages[0][1] : null;
    row.end = row.stages.length ? Math.max.apply(null, row.stages.map(function (s) { return s[2]; })) : null;
    row.duration = row.start == null ? null : row.end - row.start;
    if (row.exec) { byExecution[row.exec] = row; }
  });
  var section = document.getElementById("timeline");
  var list = section.querySelector(".rows"), axis = section.querySelector(".axis");
  var shown = section.querySelector(".shown");
  var view = { filters: {}, sort: "start", order: 1, page: 0 };

  function compare(a, b) {
    var x = a[view.sort], y = b[view.sort];
    if (view.sort === "wave" && !isNaN(x) && !isNaN(y)) { x = Number(x); y = Number(y); }
    if (x == null && y != null) { return 1; }
    if (y == null && x != null) { return -1; }
    var c = x < y ? -1 : x > y ? 1 : 0;
    return c * view.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }
  function keep(row) {
    var f = view.filters;
    return (!f.status || row.status === f.status) && (!f.app || row.app === f.app) &&
      (!f.wave || row.wave === f.wave) && (!f.id || row.id.toLowerCase().indexOf(f.id.toLowerCase()) >= 0);
  }
  function pct(seconds) { return (seconds / span * 100).toFixed(3) + "%"; }
  function stageHtml(stage) {
    var st = states[stage[0]], outcome = outcomes[stage[3]], width = stage[2] - stage[1];
    var tip = st[0] + " (" + st[1] + ") " + clock(stage[1]) + " \u2192 " + clock(stage[2]) + " (" + dur(width) +
      "), " + outcome + (stage[5].length ? ", " + stage[5].length + " retr" + (stage[5].length > 1 ? "ies" : "y") : "") +
      (stage[4].length ? ", waiting " + dur(stage[4].reduce(function (t, w) { return t + w[1] - w[0]; }, 0)) : "");
    var html = "<i class=\"bar kind-" + st[1].toLowerCase() + " o-" + outcome + (st[2] ? " rollback" : "") +
      "\" data-state=\"" + esc(st[0]) + "\" data-outcome=\"" + outcome + "\" style=\"left:" + pct(stage[1]) +
      ";width:" + pct(width) + "\" title=\"" + esc(tip) + "\"></i>";
    stage[4].forEach(function (w) {
      html += "<i class=\"wait\" style=\"left:" + pct(w[0]) + ";width:" + pct(w[1] - w[0]) + "\"></i>";
    });
    stage[5].forEach(function (r) {
      html += "<i class=\"retry\" data-state=\"" + esc(st[0]) + "\" style=\"left:" + pct(r[0]) + "\" title=\"" +
        esc(st[0] + ": " + r[1] + " at " + clock(r[0]) + ", tried again") + "\"></i>";
    });
    return html;
  }
  function rowHtml(row) {
    var label = row.exec ? "<button type=\"button\" class=\"link\" data-history=\"" + esc(row.exec) + "\">" +
      esc(row.id) + "</button>" : "<span>" + esc(row.id) + "</span>";
    var why = row.error ? esc(row.error + (row.stage ? " in " + row.stage : "")) : "";
    return "<div class=\"row\" role=\"listitem\" data-migration=\"" + esc(row.id) + "\" data-status=\"" +
      esc(row.status) + "\" data-app=\"" + esc(row.app) + "\" data-wave=\"" + esc(row.wave) + "\">" +
      "<div class=\"label\">" + label + "<span class=\"chip status-" + esc(row.status.toLowerCase()) + "\">" +
      esc(row.status) + "</span><small title=\"" + why + "\">" + esc(row.app) + " · wave " + esc(row.wave) +
      (why ? " · " + why : "") + "</small></div><div class=\"track\">" + row.stages.map(stageHtml).join("") +
      "</div><div class=\"num duration\">" + dur(row.duration) + "</div><div class=\"num cost\">" + usd(row.cost) +
      "</div></div>";
  }
  function drawAxis() {
    var steps = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800, 604800];
    var step = steps.filter(function (s) { return span / s <= 8; })[0] || 604800;
    var ticks = "";
    for (var t = 0; t <= span * 0.94; t += step) {  // none at the very end, where its label would overflow
      ticks += "<span class=\"tick\" style=\"left:" + pct(t) + "\">" + clock(t) + "</span>";
    }
    axis.innerHTML = "<span class=\"head\">Migration</span><div class=\"scale\">" + ticks +
      "</div><span class=\"head num\">Duration</span><span class=\"head num\">Cost</span>";
  }
  function draw() {
    var chosen = rows.filter(keep).sort(compare);
    var pages = Math.max(1, Math.ceil(chosen.length / PAGE));
    view.page = Math.min(view.page, pages - 1);
    var from = view.page * PAGE, page = chosen.slice(from, from + PAGE);
    list.innerHTML = page.map(rowHtml).join("");
    shown.textContent = chosen.length ? (from + 1) + "\u2013" + (from + page.length) + " of " + chosen.length +
      (chosen.length < rows.length ? " (of " + rows.length + ")" : "") : "no migration matches";
    section.querySelector("[data-page='-1']").disabled = view.page === 0;
    section.querySelector("[data-page='1']").disabled = view.page >= pages - 1;
  }
  section.querySelectorAll("[data-filter]").forEach(function (field) {
    field.addEventListener("input", function () {
      view.filters[field.getAttribute("data-filter")] = field.value;
      view.page = 0;
      draw();
    });
  });
  section.querySelector("[data-sort]").addEventListener("change", function (event) {
    view.sort = event.target.value;
    view.page = 0;
    draw();
  });
  var order = section.querySelector("[data-order]");
  order.addEventListener("click", function () {
    view.order = -view.order;
    order.setAttribute("data-order", view.order > 0 ? "asc" : "desc");
    order.textContent = view.order > 0 ? "ascending" : "descending";
    draw();
  });
  section.querySelectorAll("[data-page]").forEach(function (button) {
    button.addEventListener("click", function () {
      view.page += Number(button.getAttribute("data-page"));
      draw();
    });
  });
  drawAxis();
  draw();

  // --- history tables -------------------------------------------------------------------------------------
  var dialog = document.getElementById("history");
  var head = dialog.querySelector("thead"), body = dialog.querySelector("tbody");
  function iso(at) { return new Date(originMs + at * 1000).toISOString(); }
  function showEvents(name, execution) {
    var start = execution.rows.length ? execution.rows[0][3] : execution.start;
    dialog.querySelector("h2").textContent = name;
    dialog.querySelector(".facts").textContent = execution.workflow + " · " + execution.status +
      (execution.error ? " (" + execution.error + ")" : "") + " · " + execution.events + " events" +
      (execution.rows.length < execution.events ? " (" + execution.rows.length + " shown)" : "") + " · " +
      dur((execution.end == null ? start : execution.end) - execution.start) + " · kept: " + execution.why;
    head.innerHTML = "<tr><th>#</th><th>Type</th><th>State</th><th>Time</th><th>Elapsed</th><th>Details</th></tr>";
    var previous = 0;
    body.innerHTML = execution.rows.map(function (r) {
      var type = words[r[1]], failure = /(Failed|TimedOut)$/.test(type);
      var gap = r[0] > previous + 1 ? "<tr class=\"gap\"><td colspan=6>\u2026 events " + (previous + 1) + "\u2013" +
        (r[0] - 1) + " are left out of this page (" + (r[0] - 1 - previous) + " events) \u2026</td></tr>" : "";
      previous = r[0];
      return gap + "<tr class=\"" + (failure ? "failure" : "") + "\" data-type=\"" + esc(type) + "\"><td class=num>" +
        r[0] + "</td><td>" + esc(type) + "</td><td>" + esc(r[2] < 0 ? "" : words[r[2]]) + "</td><td>" + iso(r[3]) +
        "</td><td class=num>" + clock(r[3] - start) + "</td><td class=\"detail\">" + esc(r[4]) + "</td></tr>";
    }).join("");
  }
  function showStages(name, row) {
    dialog.querySelector("h2").textContent = name;
    dialog.querySelector(".facts").textContent = "Migration " + row.id + " · " + row.status + ". This page does " +
      "not hold this execution's events (see \u201cWhat this page leaves out\u201d); its stages are below, and " +
      "`waveflow history " + name + " --run " + data.run + "` prints every event.";
    head.innerHTML = "<tr><th>Stage</th><th>Kind</th><th>Start</th><th>End</th><th>Duration</th><th>Outcome</th>" +
      "<th>Retries</th></tr>";
    body.innerHTML = row.stages.map(function (s) {
      var st = states[s[0]];
      return "<tr class=\"" + (outcomes[s[3]] === "succeeded" ? "" : "failure") + "\"><td>" + esc(st[0]) + "</td><td>" +
        esc(st[1]) + "</td><td>" + iso(s[1]) + "</td><td>" + iso(s[2]) + "</td><td class=num>" + dur(s[2] - s[1]) +
        "</td><td>" + outcomes[s[3]] + "</td><td>" + esc(s[5].map(function (r) { return r[1]; }).join(", ")) +
        "</td></tr>";
    }).join("");
  }
  function open(name) {
    var execution = histories.executions[name];
    if (execution) { showEvents(name, execution); } else if (byExecution[name]) { showStages(name, byExecution[name]); }
    else { return; }
    dialog.setAttribute("data-execution", name);
    dialog.querySelector(".scroll").scrollTop = 0;
    if (!dialog.open) { dialog.showModal(); }
  }
  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-history]") : null;
    if (target) { open(target.getAttribute("data-history")); }
  });
  dialog.querySelector(".close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("click", function (event) { if (event.target === dialog) { dialog.close(); } });
})();
