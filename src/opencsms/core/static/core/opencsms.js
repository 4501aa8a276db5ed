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
  // <form data-confirm="Remove this member?">: ask before submitting.
  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });
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
  function wire(root) { wireToasts(root); placeFieldErrors(root); }
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:afterSwap", function () { wire(document); });
})();
