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

  document.addEventListener("DOMContentLoaded", function () { autosubmit(document); });
})();
