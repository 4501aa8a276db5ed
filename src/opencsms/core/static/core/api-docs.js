// The API documentation page (/api/v1/docs): starts Swagger UI from npm's swagger-ui-dist with the
// settings the page carries as JSON, so that the page needs no inline script under the strict CSP.
(function () {
  "use strict";
  const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  const csrfToken = document.body.dataset.csrfToken;
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  if (csrfToken) {
    // "Try it out" with the session sends the CSRF token the API asks of session-authenticated writes
    settings.requestInterceptor = function (request) {
      request.headers["X-CSRFToken"] = csrfToken;
      return request;
    };
  }
  window.SwaggerUIBundle(settings);
})();
