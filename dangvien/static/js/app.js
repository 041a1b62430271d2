/* Behaviour that used to sit in inline handlers (onclick, onsubmit, onchange), moved here
   so the Content-Security-Policy can forbid inline script (settings.py, section
   "Content-Security-Policy and transport security"; OWASP ASVS 5.0 V3.4.3). base.html
   loads it once, deferred. Every listener is on the document, so parts of a page that htmx
   swaps in later work the same.
   - data-confirm="question" on a form: asks before the form is sent (a click, Enter, or an
     htmx submit alike); on a button or a link: asks before the click goes on. "Cancel"
     stops it, htmx's own listeners included.
   - data-check-all="selector" on a checkbox: ticks or unticks every enabled box matching
     the selector, and tells their listeners (a change event each).
   - data-print on a button: prints the page.
   - data-autosubmit on a select (or any control): sends its form when the value changes. */
(function () {
  "use strict";

  function confirmed(el, event) {
    var question = el.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return false;
    }
    return true;
  }

  // Capture phase: runs before the listeners on the element itself (htmx's among them).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm")) {
      confirmed(form, event);
    }
  }, true);

  document.addEventListener("click", function (event) {
    if (!(event.target instanceof Element)) return;
    var asking = event.target.closest("a[data-confirm], button[data-confirm], input[data-confirm]");
    if (asking && !confirmed(asking, event)) return;
    if (event.target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var control = event.target;
    if (!(control instanceof Element)) return;
    var selector = control.getAttribute("data-check-all");
    if (selector && control instanceof HTMLInputElement) {
      document.querySelectorAll(selector).forEach(function (box) {
        if (box === control || box.disabled || box.checked === control.checked) return;
        box.checked = control.checked;
        box.dispatchEvent(new Event("change", { bubbles: true }));
      });
    }
    if (control.hasAttribute("data-autosubmit") && control.form) {
      if (control.form.requestSubmit) control.form.requestSubmit();
      else control.form.submit();
    }
  });
})();
