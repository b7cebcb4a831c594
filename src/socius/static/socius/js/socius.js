// Small progressive enhancements; every page also works without JavaScript.
(function () {
  "use strict";

  function autosubmit(root) {
    root.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.querySelectorAll("[data-autosubmit-fallback]").forEach(function (button) {
        button.hidden = true;
      });
      form.querySelectorAll("select").forEach(function (select) {
        select.addEventListener("change", function () { form.requestSubmit(); });
      });
    });
  }

  // Marks live regions whose server-sent event stream is open (used by tests and styles).
  function trackLiveState() {
    document.body.addEventListener("htmx:sseOpen", function (event) {
      event.target.setAttribute("data-live", "open");
    });
    document.body.addEventListener("htmx:sseError", function (event) {
      event.target.setAttribute("data-live", "reconnecting");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit(document);
    trackLiveState();
  });
})();
