/* Quality review pages (issue 7): live hints while the secretary or the committee types.
   - The highest rating a score allows, per row (366-QĐ/TW Art. 11 [C]); the thresholds
     come from the page (#review-rules), read from the same rule parameters the server uses.
   - The quota on "excellent" (132/124-QĐ/TW, 20% [U]) as the ratings stand on the page.
   - The decision page: tick all / a whole chi bộ, count the ticked rows.
   Only hints: the server checks everything again when the form is saved. */
(function () {
  "use strict";
  var rulesEl = document.getElementById("review-rules");
  if (!rulesEl) return;
  var R = JSON.parse(rulesEl.textContent);
  var ORDER = R.order; // best first
  var SHORT = { excellent: "Xuất sắc", good: "Tốt", complete: "Hoàn thành", failed: "Không hoàn thành" };

  function num(text) {
    if (text === null || text === undefined) return null;
    text = String(text).trim().replace(",", ".");
    if (text === "") return null;
    var v = Number(text);
    return isFinite(v) ? v : null;
  }
  function intOr(text, fallback) {
    var v = num(text);
    return v === null ? fallback : Math.round(v);
  }
  function better(a, b) { // a is a better rating than b
    return !!a && !!b && ORDER.indexOf(a) < ORDER.indexOf(b);
  }
  function highest(score, onTime, beyond, o) {
    var late = 100 - onTime, base;
    if (score >= R.excellent_min_score && onTime >= 100 && beyond >= R.excellent_beyond_percent &&
        (!o.collective || (o.fixed && !o.disciplined))) base = "excellent";
    else if (score >= R.good_min_score && onTime >= 100) base = "good";
    else if (score >= R.complete_min_score && late <= R.complete_max_late_percent) base = "complete";
    else base = "failed";
    if (o.degraded) return "failed";
    if (o.disciplined && !o.collective && better(base, R.disciplined_max_rating)) return R.disciplined_max_rating;
    return base;
  }
  function allowed(n) { return Math.floor((n * R.excellent_quota_percent) / 100 + 1e-9); }
  function field(row, name) { return row.querySelector('[name$="-' + name + '"]'); }
  function value(row, name) { var el = field(row, name); return el ? el.value : ""; }

  function mark(select, top, warnEl, what) {
    var over = select && better(select.value, top);
    if (select) select.classList.toggle("reviews-over", !!over);
    if (warnEl) {
      warnEl.hidden = !over;
      if (over) warnEl.textContent = what + " cao hơn mức cho phép (" + SHORT[top] + ")";
    }
  }

  /* ---- the sheet and the organisations' self-assessment ---- */
  function updateRow(row) {
    var o = {
      degraded: !!(field(row, "degraded") && field(row, "degraded").checked),
      disciplined: row.dataset.disciplined === "1",
      collective: row.dataset.collective === "1",
      fixed: !field(row, "shortcomings_fixed") || field(row, "shortcomings_fixed").checked
    };
    if (o.collective && field(row, "disciplined")) o.disciplined = field(row, "disciplined").checked;
    var onTime = intOr(value(row, "on_time_percent"), 100);
    var beyond = intOr(value(row, "beyond_percent"), 0);
    var selfScore = num(value(row, "self_score"));
    var branchScore = num(value(row, "branch_score"));
    var score = branchScore !== null ? branchScore : selfScore;
    var out = row.querySelector(".js-highest");
    var top = score === null ? "" : highest(score, onTime, beyond, o);
    if (out) {
      out.textContent = top ? SHORT[top] : "—";
      out.title = top ? R.labels[top] : "Nhập điểm để xem mức cao nhất được xếp";
      out.className = "js-highest badge " + ({ excellent: "ok", good: "info", complete: "", failed: "bad" }[top] || "");
    }
    var selfTop = selfScore === null ? "" : highest(selfScore, onTime, beyond, o);
    mark(field(row, "self_rating"), selfTop, row.querySelector(".js-warn-self"), "Tự xếp loại");
    mark(field(row, "proposed_rating"), top, row.querySelector(".js-warn"), "Mức đề xuất");
  }

  function ratingOf(row) {
    var select = field(row, "proposed_rating");
    return select ? select.value : (row.dataset.rating || "");
  }

  function updateSheetQuota() {
    var box = document.getElementById("quota-live");
    if (!box) return;
    var n = 0, ex = 0;
    document.querySelectorAll("tr.js-row").forEach(function (row) {
      var r = ratingOf(row);
      if (r === "excellent" || r === "good") n += 1;
      if (r === "excellent") ex += 1;
    });
    var max = allowed(n);
    box.querySelector(".js-ex").textContent = ex;
    box.querySelector(".js-n").textContent = n;
    box.querySelector(".js-max").textContent = max;
    box.classList.toggle("alert-warn", ex > max);
    box.classList.toggle("alert-ok", ex <= max);
    var over = box.querySelector(".js-over");
    if (over) over.hidden = ex <= max;
  }

  document.querySelectorAll("tr.js-row").forEach(function (row) {
    updateRow(row);
    row.addEventListener("input", function () { updateRow(row); updateSheetQuota(); });
    row.addEventListener("change", function () { updateRow(row); updateSheetQuota(); });
  });
  updateSheetQuota();

  /* ---- the decision pages ---- */
  var table = document.getElementById("decide-table");
  if (!table) return;
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.js-decide"));
  var all = document.getElementById("pick-all");
  var counter = document.querySelectorAll(".js-picked");

  function effective(row) {
    var pick = row.querySelector(".js-pick");
    if (pick) return pick.checked ? row.querySelector(".js-rating").value : "";
    return row.dataset.decided || "";
  }

  function updateDecision() {
    var picked = 0, total = { n: 0, ex: 0 }, perBranch = {};
    rows.forEach(function (row) {
      var pick = row.querySelector(".js-pick");
      var select = row.querySelector(".js-rating");
      if (pick) {
        if (pick.checked) picked += 1;
        row.classList.toggle("reviews-unpicked", !pick.checked);
        if (select) select.disabled = !pick.checked;
      }
      if (select) mark(select, row.dataset.highest || "", row.querySelector(".js-warn"), "Mức quyết định");
      var r = effective(row), b = row.dataset.branch;
      perBranch[b] = perBranch[b] || { n: 0, ex: 0 };
      if (r === "excellent" || r === "good") { total.n += 1; perBranch[b].n += 1; }
      if (r === "excellent") { total.ex += 1; perBranch[b].ex += 1; }
    });
    counter.forEach(function (el) { el.textContent = picked; });
    if (all) {
      var boxes = table.querySelectorAll(".js-pick");
      all.checked = picked === boxes.length && picked > 0;
      all.indeterminate = picked > 0 && picked < boxes.length;
    }
    table.querySelectorAll(".js-pick-branch").forEach(function (box) {
      var mine = table.querySelectorAll('tr.js-decide[data-branch="' + box.dataset.branch + '"] .js-pick');
      var on = Array.prototype.filter.call(mine, function (b) { return b.checked; }).length;
      box.checked = on === mine.length && on > 0;
      box.indeterminate = on > 0 && on < mine.length;
    });
    document.querySelectorAll("[data-quota-live]").forEach(function (cell) {
      var key = cell.dataset.quotaLive;
      var c = key === "all" ? total : (perBranch[key] || { n: 0, ex: 0 });
      var max = allowed(c.n);
      cell.textContent = c.ex + " / tối đa " + max + " (trên " + c.n + ")";
      cell.classList.toggle("reviews-quota-over", c.ex > max);
    });
  }

  var hide = document.getElementById("hide-decided");
  if (hide) {
    hide.addEventListener("change", function () {
      table.classList.toggle("reviews-hide-decided", hide.checked);
    });
  }
  if (all) {
    all.addEventListener("change", function () {
      table.querySelectorAll(".js-pick").forEach(function (box) { box.checked = all.checked; });
      updateDecision();
    });
  }
  table.querySelectorAll(".js-pick-branch").forEach(function (box) {
    box.addEventListener("change", function () {
      table.querySelectorAll('tr.js-decide[data-branch="' + box.dataset.branch + '"] .js-pick')
        .forEach(function (b) { b.checked = box.checked; });
      updateDecision();
    });
  });
  table.addEventListener("change", function (event) {
    if (!event.target.classList.contains("js-pick-branch") && event.target.id !== "pick-all") updateDecision();
  });
  updateDecision();
})();
