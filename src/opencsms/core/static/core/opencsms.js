// OpenCSMS: the little behaviour the pages need, with no inline script (the CSP forbids it).
(function () {
  "use strict";
  function dismiss(toast) { toast.remove(); }
  function wireToasts(root) {
    root.querySelectorAll(".toast").forEach(function (toast) {
      if (toast.dataset.wired) { return; }
      toast.dataset.wired = "1";
      toast.querySelector(".toast-close").addEventListener("click", function () { dismiss(toast); });
      if (!toast.classList.contains("toast-error")) { setTimeout(function () { dismiss(toast); }, 6000); }
    });
  }
  // Destructive actions ask first: <form data-confirm="Remove this member?">, or data-confirm on one of its
  // submit buttons. The question is a modal <dialog> (focus kept inside, Escape cancels, Cancel focused
  // first), for plain and htmx forms alike: the submit is stopped before htmx sees it and sent again when
  // the person confirms.
  var dialog = null;
  function button(text, css, testid) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = css;
    b.textContent = text;
    b.setAttribute("data-testid", testid);
    return b;
  }
  function confirmDialog() {
    if (dialog) { return dialog; }
    dialog = document.createElement("dialog");
    dialog.className = "confirm";
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-labelledby", "confirm-question");
    dialog.setAttribute("data-testid", "confirm");
    var question = document.createElement("p");
    question.id = "confirm-question";
    var actions = document.createElement("div");
    actions.className = "confirm-actions";
    var yes = button("Confirm", "btn btn-danger", "confirm-yes");
    var no = button("Cancel", "btn", "confirm-no");
    yes.addEventListener("click", function () { dialog.close("confirm"); });
    no.addEventListener("click", function () { dialog.close("cancel"); });
    actions.append(yes, no);
    dialog.append(question, actions);
    document.body.append(dialog);
    return dialog;
  }
  function ask(question, action, then) {
    var d = confirmDialog();
    d.querySelector("#confirm-question").textContent = question;
    d.querySelector("[data-testid=confirm-yes]").textContent = action || "Confirm";
    d.returnValue = "";
    d.addEventListener("close", function once() {
      d.removeEventListener("close", once);
      if (d.returnValue === "confirm") { then(); }
    });
    d.showModal();
    d.querySelector("[data-testid=confirm-no]").focus();
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    var question = (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (!question) { return; }
    if (form.dataset.confirmed) { delete form.dataset.confirmed; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(question, submitter && submitter.textContent.trim(), function () {
      form.dataset.confirmed = "1";
      form.requestSubmit(submitter || undefined);
    });
  }, true);
  // An error swapped in by htmx lists each input's problem (<li data-for="name">, core/_error.html): show
  // it beside that input, in the element the error was put in, and tie it to the input for screen readers.
  function placeFieldErrors(root) {
    root.querySelectorAll(".field-errors li[data-for]").forEach(function (item) {
      if (item.dataset.placed) { return; }
      item.dataset.placed = "1";
      var scope = item.closest(".alert").parentElement || document;
      var name = item.getAttribute("data-for");
      var input = Array.prototype.find.call(scope.querySelectorAll("[name], [data-field]"), function (el) {
        return el.getAttribute("name") === name || el.getAttribute("data-field") === name;
      });
      if (!input) { return; }
      var id = "error-" + name.replace(/[^A-Za-z0-9_-]/g, "-");
      var old = document.getElementById(id);
      if (old) { old.remove(); }
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = id;
      note.setAttribute("data-testid", "field-error");
      note.textContent = item.textContent;
      var group = input.closest("fieldset") || input;
      group.insertAdjacentElement(group === input ? "afterend" : "beforeend", note);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
    });
  }
  // <body data-page-url="/account/">: a refused form is answered at the address it posted to; the address
  // bar then shows the page itself, so a reload or the next action's way back (Referer) is that page.
  function showPageUrl() {
    var url = document.body.dataset.pageUrl;
    if (url && window.location.pathname !== url) { window.history.replaceState(null, "", url); }
  }
  // Bulk forms: "Tick this page" ticks the rows shown; "Choose all N matching" (the server applies the
  // filter the form carries, across pages) ticks them too; unticking a row gives up "all matching".
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.form || !box.matches) { return; }
    if (box.matches("[data-bulk-page], [data-bulk-all]")) {
      box.form.querySelectorAll("[data-bulk-row], [data-bulk-page]").forEach(function (row) { row.checked = box.checked; });
    } else if (box.matches("[data-bulk-row]") && !box.checked) {
      box.form.querySelectorAll("[data-bulk-all], [data-bulk-page]").forEach(function (all) { all.checked = false; });
    }
  });
  function wire(root) { wireToasts(root); placeFieldErrors(root); }
  document.addEventListener("DOMContentLoaded", function () { showPageUrl(); wire(document); });
  document.addEventListener("htmx:afterSwap", function () { wire(document); });
})();
