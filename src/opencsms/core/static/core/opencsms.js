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
  // <body data-page-url="/account/">: a refused form is answered at the address it posted to; the address
  // bar then shows the page itself, so a reload or the next action's way back (Referer) is that page.
  function showPageUrl() {
    var url = document.body.dataset.pageUrl;
    if (url && window.location.pathname !== url) { window.history.replaceState(null, "", url); }
  }
  document.addEventListener("DOMContentLoaded", function () { showPageUrl(); wireToasts(document); });
  document.addEventListener("htmx:afterSwap", function () { wireToasts(document); });
})();
