// The participant page's copy button: the share link goes to the clipboard. Without
// JavaScript the link stays selectable in its read-only field.
(function () {
  "use strict";

  function copyButtons(root) {
    root.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.getElementById(button.getAttribute("data-copy-target"));
        if (!field) { return; }
        var done = function () {
          button.textContent = button.getAttribute("data-copied-label") || button.textContent;
          button.setAttribute("data-copied", "1");
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () {
            field.select();
          });
        } else {
          field.select();
          done();
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { copyButtons(document); });
})();
