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

  // Error summary links, as GOV.UK Frontend's error summary: focus the field and scroll its label
  // (or its fieldset's legend) to the top of the screen, not the field itself, which would hide
  // the question. A button with no label (such as "Add another person") names in data-heading the
  // heading to show. Delegated, so that summaries inserted later work too.
  function legendOrLabelOf(input) {
    var heading = input.getAttribute("data-heading");
    if (heading) { return document.getElementById(heading); }
    var fieldset = input.closest("fieldset");
    var legend = fieldset && fieldset.querySelector("legend");
    if (legend) {
      if (input.type === "checkbox" || input.type === "radio") { return legend; }
      var inputRect = input.getBoundingClientRect();
      var legendTop = legend.getBoundingClientRect().top;
      if (inputRect.height && window.innerHeight &&
          inputRect.top + inputRect.height - legendTop < window.innerHeight / 2) {
        return legend;
      }
    }
    return document.querySelector("label[for='" + input.id + "']") || input.closest("label");
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".govuk-error-summary a[href^='#']");
    if (!link) { return; }
    var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    var heading = input && legendOrLabelOf(input);
    if (!heading) { return; }
    event.preventDefault();
    heading.scrollIntoView();
    input.focus({ preventScroll: true });
  });

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

  // Documents: send each chosen file on its own, with a progress bar, and update the list in place.
  // Without JavaScript the same form uploads every file in one plain POST.
  function sendFile(form, row, done) {
    var data = new FormData(form);
    data.delete("files");
    data.append("files", row.file, row.file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) { row.bar.value = Math.round(event.loaded * 100 / event.total); }
    });
    xhr.onload = function () {
      var parsed = document.createElement("template");
      parsed.innerHTML = xhr.status === 200 ? xhr.responseText : "";
      var outcome = parsed.content.querySelector("[data-upload-outcome]");
      var list = parsed.content.querySelector("#document-list");
      if (list) { document.getElementById("document-list").replaceWith(list); }
      row.bar.value = 100;
      done(outcome ? outcome.textContent.replace(/\s+/g, " ").trim() : row.file.name + " could not be uploaded – try again");
    };
    xhr.onerror = function () { done(row.file.name + " could not be uploaded – try again"); };
    xhr.send(data);
  }

  function setUpUploads() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
      form.addEventListener("submit", function (event) {
        var input = form.querySelector("input[type=file]");
        if (!window.FormData || !input || !input.files.length) { return; }
        event.preventDefault();
        var progress = document.getElementById("upload-progress");
        var status = document.getElementById("upload-status");
        progress.innerHTML = "";
        var rows = Array.prototype.map.call(input.files, function (file) {
          var item = document.createElement("li");
          var bar = document.createElement("progress");
          bar.max = 100;
          bar.value = 0;
          bar.setAttribute("aria-label", "Uploading " + file.name);
          item.textContent = file.name + " ";
          item.appendChild(bar);
          progress.appendChild(item);
          return { file: file, bar: bar, item: item };
        });
        var messages = [];
        (function next(index) {
          if (index >= rows.length) {
            input.value = "";
            status.textContent = messages.join(". ");
            return;
          }
          sendFile(form, rows[index], function (message) {
            var note = document.createElement("span");
            note.textContent = " " + message;
            rows[index].item.appendChild(note);
            messages.push(message);
            next(index + 1);
          });
        })(0);
      });
    });
  }

  // A save as you type that does not reach the server says so; the answers stay on the page.
  function saveFailed(event) {
    var status = document.getElementById("save-status");
    if (status && event.detail.elt && event.detail.elt.id === "section-form") {
      status.textContent = "Not saved: check your connection. Your answers are still here; " +
        "select Save and continue to try again.";
    }
  }
  document.addEventListener("htmx:sendError", saveFailed);
  document.addEventListener("htmx:responseError", saveFailed);

  // Character counts on long answers: the limit is checked on the server too.
  function setUpCharacterCounts() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-maxlength]"), function (area) {
      var message = document.getElementById(area.id + "-info");
      var limit = parseInt(area.getAttribute("data-maxlength"), 10);
      var timer;
      if (!message || !limit) { return; }
      area.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var left = limit - area.value.length;
          message.textContent = left >= 0 ?
            "You have " + left.toLocaleString("en-GB") + " characters remaining" :
            "You have " + (-left).toLocaleString("en-GB") + " characters too many";
        }, 500);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPasswordToggles(document);
    setUpUploads();
    setUpCharacterCounts();
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
