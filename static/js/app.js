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

  // Documents: check the answers first, then send each chosen file on its own, with a progress bar,
  // and update the list in place. Without JavaScript the same form uploads every file in one POST.
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

  // Before any file is sent, the form goes to the server with each chosen file's name and no content.
  // Its answer is the form marked as it would be without JavaScript, and an error summary if anything
  // is wrong; it is null when the server could not be reached.
  function checkUpload(form, input, done) {
    var data = new FormData(form);
    data.delete("files");
    Array.prototype.forEach.call(input.files, function (file) {
      data.append("files", new Blob([]), file.name);
    });
    data.append("upload_check", "1");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.onload = function () {
      var parsed = document.createElement("template");
      parsed.innerHTML = xhr.status === 200 ? xhr.responseText : "";
      done(parsed.content);
    };
    xhr.onerror = function () { done(null); };
    xhr.send(data);
  }

  // Take the server's marked-up form, but keep this page's file input (and the files chosen in it)
  // and its status region (a region replaced just before it speaks is often not heard).
  function replaceUploadForm(form, fresh) {
    var imported = document.importNode(fresh, true);
    ["files", "upload-status"].forEach(function (id) {
      var live = document.getElementById(id);
      var placeholder = imported.querySelector("#" + id);
      if (!live || !placeholder) { return; }
      live.className = placeholder.className;
      if (placeholder.hasAttribute("aria-describedby")) {
        live.setAttribute("aria-describedby", placeholder.getAttribute("aria-describedby"));
      }
      placeholder.replaceWith(live);
    });
    while (form.firstChild) { form.removeChild(form.firstChild); }
    while (imported.firstChild) { form.appendChild(imported.firstChild); }
  }

  // The same error summary, title and focus as the page without JavaScript; cleared once put right.
  function showUploadErrors(response) {
    var fresh = response.querySelector(".govuk-error-summary");
    var old = document.querySelector(".govuk-error-summary");
    var title = document.title.replace(/^Error: /, "");
    if (!fresh) {
      if (old) { old.remove(); }
      document.title = title;
      return false;
    }
    fresh = document.importNode(fresh, true);
    if (old) {
      old.replaceWith(fresh);
    } else {
      var main = document.getElementById("main-content");
      var column = main.querySelector(".govuk-grid-column-two-thirds") || main;
      column.insertBefore(fresh, column.firstChild);
    }
    document.title = "Error: " + title;
    focusErrorSummary(document);
    return true;
  }

  function sendChosenFiles(form, input) {
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
  }

  function setUpUploads() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-upload]"), function (form) {
      form.addEventListener("submit", function (event) {
        var input = form.querySelector("input[type=file]");
        if (!window.FormData || !input || !("content" in document.createElement("template"))) { return; }
        event.preventDefault();
        checkUpload(form, input, function (response) {
          if (!response) {
            document.getElementById("upload-status").textContent =
              "The selected files could not be uploaded – try again";
            return;
          }
          var fresh = response.querySelector("form[data-upload]");
          if (!fresh) {
            // signed out, or any answer not expected: send it as the page without JavaScript would
            form.submit();
            return;
          }
          replaceUploadForm(form, fresh);
          if (!showUploadErrors(response)) { sendChosenFiles(form, input); }
        });
      });
    });
  }

  // Appendix A rows: after "Add" or "Remove" the page comes back at #the-new-row's-first-field or
  // #the-group's-heading, which the browser focuses; make sure of it, and say a removal politely.
  // A live region that already holds its text when the page loads is not read out, so set it again.
  function focusChangedRow() {
    var id = window.location.hash ? decodeURIComponent(window.location.hash.slice(1)) : "";
    var target = id && document.getElementById(id);
    if (target && target.closest("#section-form") && !document.querySelector(".govuk-error-summary")) {
      target.focus();
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-row-announcement]"), function (region) {
      var message = region.textContent.trim();
      if (!message) { return; }
      region.textContent = "";
      setTimeout(function () { region.textContent = message; }, 300);
    });
  }

  // A save as you type that does not reach the server says so; the answers stay on the page.
  function saveFailed(event) {
    var status = document.getElementById("save-status");
    if (status && event.detail.elt && event.detail.elt.id === "section-form") {
      var message = "Not saved: check your connection. Your answers are still here; " +
        "select Save and continue to try again.";
      if (status.textContent !== message) { status.textContent = message; }
    }
  }
  document.addEventListener("htmx:sendError", saveFailed);
  document.addEventListener("htmx:responseError", saveFailed);

  // Character counts on long answers, as GOV.UK Frontend's character count: the visible count
  // follows every keystroke; screen readers hear it once typing pauses, and only when it changed.
  // The limit is checked on the server too.
  var COUNT_ANNOUNCE_DELAY_MS = 1000;

  function countMessage(limit, length) {
    var left = limit - length;
    return left >= 0 ?
      "You have " + left.toLocaleString("en-GB") + (left === 1 ? " character" : " characters") + " remaining" :
      "You have " + (-left).toLocaleString("en-GB") + (left === -1 ? " character" : " characters") + " too many";
  }

  function setUpCharacterCounts() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-maxlength]"), function (area) {
      var hint = document.getElementById(area.id + "-info");
      var limit = parseInt(area.getAttribute("data-maxlength"), 10);
      if (!hint || !limit) { return; }
      // The hint ("You can enter up to ...") stays as the field's description, for screen readers only.
      hint.classList.add("govuk-visually-hidden");
      var visible = document.createElement("div");
      visible.className = "govuk-character-count__message govuk-character-count__status govuk-hint";
      visible.setAttribute("aria-hidden", "true");
      var spoken = document.createElement("div");
      spoken.className = "govuk-character-count__sr-status govuk-visually-hidden";
      spoken.setAttribute("aria-live", "polite");
      hint.parentNode.insertBefore(spoken, hint.nextSibling);
      hint.parentNode.insertBefore(visible, hint.nextSibling);
      var markedByServer = area.classList.contains("govuk-textarea--error");
      var timer;

      function showCount() {
        var over = area.value.length > limit;
        visible.textContent = countMessage(limit, area.value.length);
        visible.classList.toggle("govuk-error-message", over);
        visible.classList.toggle("govuk-hint", !over);
        area.classList.toggle("govuk-textarea--error", over || markedByServer);
      }

      function announceCount() {
        var message = countMessage(limit, area.value.length);
        if (spoken.textContent !== message) { spoken.textContent = message; }
      }

      showCount();
      area.addEventListener("input", function () {
        showCount();
        clearTimeout(timer);
        timer = setTimeout(announceCount, COUNT_ANNOUNCE_DELAY_MS);
      });
    });
  }

  // The save status speaks when its words change, not every time an autosave answers the same
  // "Saved at" again. Out-of-band parts of the answer (the version) are still applied.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "save-status" || event.detail.isError) { return; }
    var parsed = document.createElement("template");
    parsed.innerHTML = event.detail.serverResponse;
    Array.prototype.forEach.call(parsed.content.querySelectorAll("[data-hx-swap-oob], [hx-swap-oob]"), function (part) {
      part.remove();
    });
    if (parsed.content.textContent.trim() === target.textContent.trim()) {
      event.detail.swapOverride = "none";
    }
  });

  // The password checklist: htmx replaces the list as the family types; rather than the whole
  // list being read out again, a polite status says which rules changed, or how many are met.
  var MOST_RULES_NAMED = 2;

  function ruleStates(root) {
    return Array.prototype.map.call(root.querySelectorAll("[data-rule]"), function (item) {
      var words = item.cloneNode(true);
      Array.prototype.forEach.call(words.querySelectorAll(".govuk-visually-hidden"), function (hidden) {
        hidden.remove();
      });
      var text = words.textContent.replace(/\s+/g, " ").trim();
      return {
        rule: item.getAttribute("data-rule"),
        description: text.charAt(0).toUpperCase() + text.slice(1),
        met: item.classList.contains("app-password-checklist__item--met")
      };
    });
  }

  function checklistChanges(before, after) {
    var wasMet = {};
    before.forEach(function (state) { wasMet[state.rule] = state.met; });
    var changed = after.filter(function (state) { return state.met !== Boolean(wasMet[state.rule]); });
    if (!changed.length) { return ""; }
    if (changed.length <= MOST_RULES_NAMED) {
      return changed.map(function (state) {
        return state.description + ": " + (state.met ? "done" : "not yet");
      }).join(". ");
    }
    var met = after.filter(function (state) { return state.met; }).length;
    return met + " of " + after.length + " password rules done";
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    var status = document.getElementById("password-rules-status");
    if (!target || target.id !== "password-rules" || !status || event.detail.isError) { return; }
    var parsed = document.createElement("template");
    parsed.innerHTML = event.detail.serverResponse;
    var message = checklistChanges(ruleStates(target), ruleStates(parsed.content));
    if (message) { status.textContent = message; }
  });


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

    // Any other request the page makes (an autosave, say) renews the session on the server; a live
    // panel asking whether anything changed does not.
    document.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful && !ended && !isLivePanel(event.detail.elt)) {
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

  // --- Live panels (a case's progress) ---------------------------------------------------------

  function isLivePanel(element) {
    return Boolean(element && element.hasAttribute && element.hasAttribute("data-live-panel"));
  }

  // A live panel asks for news only while its tab is visible: a hidden tab costs the server nothing.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isLivePanel(event.detail.elt) && document.visibilityState !== "visible") {
      event.preventDefault();
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    setUpPasswordToggles(document);
    setUpUploads();
    setUpCharacterCounts();
    focusErrorSummary(document);
    focusChangedRow();
    setUpTimeoutWarning();
  });

  // A message sent with htmx: the conversation above shows it and an empty form has replaced the one
  // sent; put focus back in its message box for the next. (A form with errors comes back in its place.)
  document.body.addEventListener("messageSent", function () {
    var box = document.querySelector("#message-form textarea");
    if (box) { box.focus(); }
  });

  // After htmx swaps in a fragment: enhance it, and when the person submitted a form move focus to
  // any error summary it brought (an outerHTML swap replaces the target, so look in the document).
  // Requests htmx sends by itself, such as autosave on input or change, never move focus or scroll.
  document.addEventListener("htmx:afterSettle", function (event) {
    setUpPasswordToggles(document);
    var config = event.detail.requestConfig;
    var submitted = config && config.triggeringEvent && config.triggeringEvent.type === "submit";
    if (submitted && config.elt && config.elt.tagName === "FORM") {
      focusErrorSummary(document);
    }
  });
})();
