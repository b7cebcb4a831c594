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

  // Canned replies: the button fetches the reply filled in for this case into the box.
  function cannedReplies(root) {
    root.querySelectorAll("[data-canned-url]").forEach(function (button) {
      button.addEventListener("click", function () {
        var target = document.getElementById(button.getAttribute("data-canned-target"));
        fetch(button.getAttribute("data-canned-url"), { credentials: "same-origin" })
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (text) {
            if (target && text) { target.value = text; target.focus(); }
          });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    autosubmit(document);
    trackLiveState();
    cannedReplies(document);
  });
})();
