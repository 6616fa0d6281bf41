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


  // --- Timeout warning (GOV.UK's pattern) -------------------------------------------------------
  // A modal dialog before the idle limit, with a countdown that screen readers hear only now and then.
  // The server keeps the limit; this only warns. Live status checks here never renew the session.
  function setUpTimeoutWarning() {
    var dialog = document.getElementById("timeout-warning");
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    var idleSeconds = parseInt(dialog.getAttribute("data-idle-seconds"), 10);
    var warningSeconds = parseInt(dialog.getAttribute("data-warning-seconds"), 10);
    var countdown = document.getElementById("timeout-warning-countdown");
    var announcement = document.getElementById("timeout-warning-announcement");
    var stayForm = document.getElementById("timeout-warning-stay");
    var deadline = Date.now() + parseInt(dialog.getAttribute("data-seconds-left"), 10) * 1000;
    var warningTimer, tickTimer, returnFocusTo, lastSpoken, ended = false;

    function timeText(seconds) {
      if (seconds >= 60) {
        var minutes = Math.ceil(seconds / 60);
        return minutes + (minutes === 1 ? " minute" : " minutes");
      }
      return seconds + (seconds === 1 ? " second" : " seconds");
    }

    // Spoken at opening, at each whole minute, then at 30 and 10 seconds: never every second.
    function worthSaying(seconds) {
      return seconds !== lastSpoken && ((seconds > 60 && seconds % 60 === 0) || seconds === 60 ||
        seconds === 30 || seconds === 10);
    }

    function secondsLeft() { return Math.max(0, Math.round((deadline - Date.now()) / 1000)); }

    function schedule() {
      clearTimeout(warningTimer);
      if (ended) { return; }
      warningTimer = setTimeout(checkThenWarn, Math.max(0, deadline - Date.now() - warningSeconds * 1000));
    }

    // Another tab may have kept the session going: ask the server (without renewing) before warning.
    function checkThenWarn() {
      fetch(dialog.getAttribute("data-status-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (!state.signed_in) { return signedOut(); }
          deadline = Date.now() + state.seconds_left * 1000;
          if (state.seconds_left > warningSeconds + 1) { return schedule(); }
          open();
        })
        .catch(open);
    }

    function tick() {
      var seconds = secondsLeft();
      countdown.textContent = timeText(seconds);
      if (worthSaying(seconds)) {
        announcement.textContent = "We will sign you out in " + timeText(seconds) + ".";
        lastSpoken = seconds;
      }
      if (seconds <= 0) { return finish(); }
      tickTimer = setTimeout(tick, 1000);
    }

    function open() {
      if (dialog.open || ended) { return; }
      returnFocusTo = document.activeElement;
      lastSpoken = secondsLeft();
      countdown.textContent = timeText(secondsLeft());
      announcement.textContent = "We will sign you out in " + timeText(secondsLeft()) + ".";
      dialog.showModal();
      dialog.focus(); // its name and description (with the time left) are read as it opens
      tick();
    }

    function close() {
      clearTimeout(tickTimer);
      if (dialog.open) { dialog.close(); }
      announcement.textContent = "";
      if (returnFocusTo && returnFocusTo.focus) { returnFocusTo.focus(); }
    }

    function stay() {
      fetch(stayForm.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        body: new FormData(stayForm)
      })
        .then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("json") >= 0;
          return response.ok && json ? response.json() : { signed_in: false };
        })
        .then(function (state) {
          if (!state.signed_in) { return signedOut(); }
          deadline = Date.now() + state.seconds_left * 1000;
          close();
          schedule();
        })
        .catch(function () { stayForm.submit(); });
    }

    // At the limit: make sure the server agrees, then go to sign in, which comes back to this page.
    function finish() {
      fetch(dialog.getAttribute("data-status-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (state) {
          if (state.signed_in && state.seconds_left > 0) {
            deadline = Date.now() + state.seconds_left * 1000;
            tickTimer = setTimeout(tick, 1000);
            return;
          }
          signedOut();
        })
        .catch(signedOut);
    }

    function signedOut() {
      ended = true;
      clearTimeout(warningTimer);
      clearTimeout(tickTimer);
      var here = window.location.pathname + window.location.search;
      window.location.href = dialog.getAttribute("data-sign-in-url") + "?next=" + encodeURIComponent(here);
    }

    stayForm.addEventListener("submit", function (event) { event.preventDefault(); stay(); });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); stay(); });

    // Any other request the page makes (an autosave, say) renews the session on the server.
    document.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful && !ended) {
        deadline = Date.now() + idleSeconds * 1000;
        schedule();
      }
    });
    // The server said this session has ended (an autosave after the limit): no warning is left to give.
    document.body.addEventListener("sessionEnded", function () {
      ended = true;
      clearTimeout(warningTimer);
      close();
    });
    schedule();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPasswordToggles(document);
    setUpUploads();
    setUpCharacterCounts();
    focusErrorSummary(document);
    setUpTimeoutWarning();
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
