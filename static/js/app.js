// Small enhancements; every page works without this file.
(function () {
  "use strict";

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector(".govuk-error-summary");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  }

  // Show / hide password, following the GOV.UK Frontend password input behaviour.
  function setUpPasswordToggles(root) {
    var buttons = (root || document).querySelectorAll(".govuk-js-password-input-toggle[hidden]");
    Array.prototype.forEach.call(buttons, function (button) {
      var input = document.getElementById(button.getAttribute("aria-controls"));
      if (!input) { return; }
      var label = button.getAttribute("aria-label").replace(/^Show /, "");
      var status = document.createElement("div");
      status.className = "govuk-password-input__sr-status govuk-visually-hidden";
      status.setAttribute("aria-live", "polite");
      button.parentNode.appendChild(status);
      button.removeAttribute("hidden");
      button.addEventListener("click", function () {
        var show = input.type === "password";
        input.type = show ? "text" : "password";
        button.textContent = show ? "Hide" : "Show";
        button.setAttribute("aria-label", (show ? "Hide " : "Show ") + label);
        status.textContent = show ? "Your password is visible" : "Your password is hidden";
      });
      if (input.form) {
        input.form.addEventListener("submit", function () {
          input.type = "password";
          button.textContent = "Show";
          button.setAttribute("aria-label", "Show " + label);
          status.textContent = "";
        });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPasswordToggles(document);
    focusErrorSummary(document);
  });

  // After htmx swaps in a fragment: enhance it, and when a form was submitted move focus to any
  // error summary it brought (an outerHTML swap replaces the target, so look in the document).
  document.addEventListener("htmx:afterSettle", function (event) {
    setUpPasswordToggles(document);
    var config = event.detail.requestConfig;
    if (config && config.verb !== "get" && config.elt && config.elt.tagName === "FORM") {
      focusErrorSummary(document);
    }
  });
})();
