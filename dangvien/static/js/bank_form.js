/* The question form of the bank (exams/bank_form.html): show the sections of the chosen
   type; add option and rubric rows; one correct option for single choice; the rubric's
   running total. Plain JS, no library; a static file for the Content-Security-Policy. */
(function () {
  var form = document.getElementById("question-form");
  if (!form) return;
  var type = form.querySelector("[name=type]");
  function showType() {
    form.querySelectorAll("[data-types]").forEach(function (el) {
      el.hidden = el.dataset.types.split(" ").indexOf(type.value) < 0;
    });
  }
  function addRow(prefix) {
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var html = document.getElementById(prefix === "options" ? "option-empty" : "rubric-empty").innerHTML;
    var body = document.querySelector(prefix === "options" ? "#option-rows tbody" : "#rubric-rows tbody");
    body.insertAdjacentHTML("beforeend", html.replace(/__prefix__/g, total.value));
    if (prefix === "options") {
      var used = Array.prototype.map.call(body.querySelectorAll("input[name$=-key]"), function (i) { return i.value; });
      var letter = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("").filter(function (l) { return used.indexOf(l) < 0; })[0] || "";
      body.querySelector("[name=options-" + total.value + "-key]").value = letter;
    }
    total.value = parseInt(total.value, 10) + 1;
  }
  function sumRubric() {
    var sum = 0;
    form.querySelectorAll("#rubric-rows input[name$=-points]").forEach(function (i) {
      var v = parseFloat((i.value || "0").replace(",", "."));
      if (!isNaN(v)) sum += v;
    });
    document.getElementById("rubric-sum").textContent = sum.toFixed(2).replace(".", ",");
  }
  type.addEventListener("change", showType);
  form.querySelectorAll("[data-add]").forEach(function (b) {
    b.addEventListener("click", function () { addRow(b.dataset.add); });
  });
  form.addEventListener("change", function (e) {
    if (type.value === "single" && e.target.matches("input[name$=-correct]") && e.target.checked) {
      form.querySelectorAll("input[name$=-correct]").forEach(function (c) { if (c !== e.target) c.checked = false; });
    }
  });
  form.addEventListener("input", function (e) { if (e.target.matches("#rubric-rows input")) sumRubric(); });
  showType();
  sumRubric();
})();
