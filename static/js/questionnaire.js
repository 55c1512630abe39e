// Autosave: every answer is saved as it is given, with the version the page loaded. When
// someone else changed the answer first, the server answers 409 with their value and the user
// chooses. Without JavaScript the page's form posts all answers at once instead.
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");
  if (!form) { return; }
  var urlTemplate = form.getAttribute("data-autosave-url");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var timers = {};

  function fieldsetOf(element) { return element.closest("fieldset[data-question]"); }
  function chosenOption(fieldset) {
    var checked = fieldset.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }
  function setStatus(fieldset, text) { fieldset.querySelector(".save-status").textContent = text; }
  function setVersion(fieldset, version) {
    fieldset.setAttribute("data-version", String(version));
    fieldset.querySelector("[data-version-input]").value = String(version);
  }

  // One request per question at a time: a second change waits for the first reply, so the
  // user's own quick edits never conflict with each other and replies cannot arrive reordered.
  var inFlight = {};
  var pending = {};
  // A server too busy to take the answer (503) kept nothing of it: the page sends it again
  // after the Retry-After the server names, a few times, before asking the user to.
  var BUSY_RETRIES = 3;
  var busyRetries = {};
  var retryTimers = {};

  function save(fieldset) {
    var option = chosenOption(fieldset);
    if (!option) {
      if (fieldset.querySelector("textarea").value.trim()) {
        setStatus(fieldset, "Not saved yet: choose an answer, and the note is saved with it.");
      }
      return;
    }
    var id = fieldset.id;
    if (inFlight[id]) { pending[id] = true; return; }
    clearTimeout(retryTimers[id]);
    inFlight[id] = true;
    var retryAfter = 0;
    var key = fieldset.getAttribute("data-question");
    var body = new URLSearchParams();
    body.set("option", option);
    body.set("note", fieldset.querySelector("textarea").value);
    body.set("version", fieldset.getAttribute("data-version"));
    setStatus(fieldset, "Saving…");
    fetch(urlTemplate.replace("__question__", encodeURIComponent(key)), {
      method: "POST",
      headers: {
        "X-CSRFToken": csrf,
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/json",
      },
      body: body.toString(),
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) {
        var wait = parseInt(response.headers.get("Retry-After"), 10);
        return { status: response.status, data: data, retryAfter: wait > 0 ? wait : 5 };
      });
    }).then(function (reply) {
      if (reply.status === 503 && (busyRetries[id] || 0) < BUSY_RETRIES) {
        busyRetries[id] = (busyRetries[id] || 0) + 1;
        retryAfter = reply.retryAfter;
        setStatus(fieldset, "Not saved yet: the server is busy; trying again in " + retryAfter +
          (retryAfter === 1 ? " second." : " seconds."));
        return;
      }
      busyRetries[id] = 0;
      if (reply.status === 200) {
        setVersion(fieldset, reply.data.version);
        fieldset.classList.remove("has-conflict");
        fieldset.querySelector(".conflict").hidden = true;
        setStatus(fieldset, "Saved.");
        updateProgress(reply.data.answered, reply.data.total);
        // A changed answer is the team's own now, no longer the last submission's.
        var carried = fieldset.querySelector("[data-needs-confirmation]");
        if (carried) carried.remove();
      } else if (reply.status === 409) {
        showConflict(fieldset, reply.data.conflict);
        setStatus(fieldset, "Not saved: someone else changed this answer.");
      } else {
        setStatus(fieldset, "Not saved: " + (reply.data.detail || "the server refused the answer."));
      }
    }).catch(function () {
      setStatus(fieldset, "Not saved: the connection failed. Use the Save button to try again.");
    }).then(function () {
      inFlight[id] = false;
      if (retryAfter) {
        // A change made meanwhile goes with the retry, which sends what the page shows then.
        pending[id] = false;
        retryTimers[id] = setTimeout(function () { save(fieldset); }, retryAfter * 1000);
        return;
      }
      if (pending[id] && !fieldset.classList.contains("has-conflict")) {
        pending[id] = false;
        save(fieldset);
      }
      pending[id] = false;
    });
  }

  function showConflict(fieldset, conflict) {
    fieldset.classList.add("has-conflict");
    var panel = fieldset.querySelector(".conflict");
    var theirs = fieldset.querySelector("input[type=radio][value='" + CSS.escape(conflict.current_option || "") + "']");
    var label = theirs ? theirs.parentElement.textContent.trim() : (conflict.current_option || "no answer");
    panel.querySelector(".conflict-text").textContent =
      conflict.updated_by + " changed this answer to “" + label + "” while you were editing.";
    panel.hidden = false;
    panel.setAttribute("data-their-version", String(conflict.current_version));
    panel.setAttribute("data-their-option", conflict.current_option || "");
    panel.setAttribute("data-their-note", conflict.current_note || "");
  }

  function updateProgress(answered, total) {
    var progress = document.getElementById("progress");
    if (!progress || answered === undefined) { return; }
    progress.max = total;
    progress.value = answered;
    document.querySelector("[data-answered]").textContent = answered;
    document.querySelector("[data-total]").textContent = total;
  }

  function applySkipLogic() {
    form.querySelectorAll("fieldset[data-skip-question]").forEach(function (fieldset) {
      var source = form.querySelector("input[name='q-" + fieldset.getAttribute("data-skip-question") + "']:checked");
      // The gating question lives on another page: the server already decided.
      if (!source) { return; }
      var values = fieldset.getAttribute("data-skip-values").split(" ");
      fieldset.hidden = values.indexOf(source.value) !== -1;
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = fieldsetOf(event.target);
    if (!fieldset) { return; }
    if (event.target.type === "radio") {
      applySkipLogic();
      save(fieldset);
    }
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") { return; }
    var fieldset = fieldsetOf(event.target);
    clearTimeout(timers[fieldset.id]);
    timers[fieldset.id] = setTimeout(function () { save(fieldset); }, 800);
  });
  form.addEventListener("click", function (event) {
    var fieldset = fieldsetOf(event.target);
    if (!fieldset) { return; }
    var panel = fieldset.querySelector(".conflict");
    if (event.target.classList.contains("keep-mine")) {
      setVersion(fieldset, panel.getAttribute("data-their-version"));
      save(fieldset);
    } else if (event.target.classList.contains("take-theirs")) {
      var option = panel.getAttribute("data-their-option");
      var radio = fieldset.querySelector("input[type=radio][value='" + CSS.escape(option) + "']");
      if (radio) { radio.checked = true; }
      fieldset.querySelector("textarea").value = panel.getAttribute("data-their-note");
      setVersion(fieldset, panel.getAttribute("data-their-version"));
      panel.hidden = true;
      fieldset.classList.remove("has-conflict");
      setStatus(fieldset, "Their answer is kept.");
      applySkipLogic();
    }
  });
})();
