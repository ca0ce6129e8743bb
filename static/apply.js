/* Apply form enhancements: focus the error summary and lead each of its links to the field with
   its label in view, refuse a file over the size limit before it is sent, and fill the fields
   the candidate has not touched from their resume.
   Everything here is optional: the form works the same without JavaScript. */
(function () {
  "use strict";
  var form = document.querySelector("form.apply");
  if (!form) return;

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      if (link && focusField(link.getAttribute("href").slice(1))) event.preventDefault();
    });
  }

  // The label (or a choice group's legend) is scrolled into view first, then the control takes
  // focus without scrolling again, so the candidate sees which question the error is about.
  function focusField(id) {
    var input = document.getElementById(id);
    if (!input) return false;
    var group = input.closest("fieldset.choices");
    var label = group ? group.querySelector("legend") : form.querySelector("label[for='" + id + "']");
    (label || input).scrollIntoView({ block: "start" });
    input.focus({ preventScroll: true });
    return true;
  }

  var touched = {};
  var autofilled = {};
  form.addEventListener("input", function (event) {
    var name = event.target.name;
    if (name) {
      touched[name] = true;
      delete autofilled[name];
    }
    event.target.classList.remove("autofilled");
  });

  var maxBytes = Number(form.getAttribute("data-max-bytes")) || 0;
  var maxMb = form.getAttribute("data-max-mb");
  // The refusal in the page's language, with {size} and {max} for the numbers.
  var tooLarge = form.getAttribute("data-too-large") || "";

  // A file over the limit is refused here, before minutes of upload end in a refusal.
  function fitsLimit(input) {
    var file = input.files && input.files[0];
    var errorId = "size-error-" + input.id;
    var old = document.getElementById(errorId);
    if (old) old.parentNode.removeChild(old);
    var described = (input.getAttribute("aria-describedby") || "").replace(errorId, "").trim();
    if (!file || !maxBytes || file.size <= maxBytes) {
      if (old) {
        input.setAttribute("aria-describedby", described);
        input.removeAttribute("aria-invalid");
      }
      return true;
    }
    var error = document.createElement("p");
    error.className = "field-error";
    error.id = errorId;
    var size = (file.size / 1048576).toLocaleString(document.documentElement.lang || undefined,
      { minimumFractionDigits: 1, maximumFractionDigits: 1 });
    error.textContent = tooLarge.replace("{size}", size).replace("{max}", maxMb);
    input.parentNode.insertBefore(error, input);
    input.setAttribute("aria-describedby", (described + " " + errorId).trim());
    input.setAttribute("aria-invalid", "true");
    input.value = "";
    return false;
  }

  form.addEventListener("change", function (event) {
    if (event.target.type === "file") fitsLimit(event.target);
  }, true);
  form.addEventListener("submit", function (event) {
    var files = form.querySelectorAll("input[type=file]");
    for (var i = 0; i < files.length; i++) {
      if (!fitsLimit(files[i])) {
        event.preventDefault();
        files[i].focus();
        return;
      }
    }
  });

  var status = form.querySelector(".autofill-status");
  var fileInput = form.querySelector("input[type=file][name=resume]");
  var url = form.getAttribute("data-parse-url");
  if (!fileInput || !url || !window.fetch || !window.FormData) return;

  // A long parse answers 202 with a URL to poll; the server gives up on a parse within seconds.
  var POLL_MS = 500, MAX_POLLS = 16;

  function say(text) { if (status) status.textContent = text; }

  // The words are the page's, in its language: data-* attributes of the status line.
  function words(name) { return (status && status.getAttribute("data-" + name)) || ""; }

  function valueOf(field) {
    if (field == null) return "";
    if (typeof field === "object" && "value" in field) return field.value || "";
    return typeof field === "string" ? field : "";
  }

  // A field is ours to fill while the candidate has not typed in it: empty, or filled from an
  // earlier resume. A later resume replaces what an earlier one filled, and clears what it lacks.
  function fill(name, value) {
    var input = form.elements[name];
    if (!input || touched[name] || (input.value && !autofilled[name])) return false;
    if (!value) {
      if (autofilled[name]) {
        input.value = "";
        input.classList.remove("autofilled");
        delete autofilled[name];
      }
      return false;
    }
    input.value = value;
    autofilled[name] = true;
    input.classList.add("autofilled");
    var label = form.querySelector("label[for='" + input.id + "']");
    if (label && !label.querySelector(".autofill-note")) {
      var note = document.createElement("span");
      note.className = "autofill-note";
      note.textContent = " " + words("note");
      label.appendChild(note);
    }
    return true;
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file || (maxBytes && file.size > maxBytes)) return;
    var body = new FormData();
    body.append("resume", file);
    var token = form.elements["csrf_token"] ? form.elements["csrf_token"].value : "";
    say(words("reading"));
    var headers = { "X-CSRFToken": token, "Accept": "application/json" };
    if (form.elements["embed_token"]) headers["X-Embed-Token"] = form.elements["embed_token"].value;
    var polls = 0;
    function answer(response) {
      if (response.status === 202 && polls < MAX_POLLS) {
        return response.json().then(function (pending) {
          polls += 1;
          return new Promise(function (resolve) { setTimeout(resolve, POLL_MS); }).then(function () {
            return fetch(pending.poll, { credentials: "same-origin", headers: { "Accept": "application/json" } });
          }).then(answer);
        });
      }
      return response.json();
    }
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: headers })
      .then(answer)
      .then(function (result) {
        if (!result || !result.ok) {
          say((result && result.message ? result.message + " " : "") + words("fill-anyway"));
          return;
        }
        var f = result.fields || {};
        var urls = f.urls || [];
        var link = valueOf(f.linkedin) || valueOf(urls[0]);
        var count = [
          fill("first_name", valueOf(f.first_name)), fill("last_name", valueOf(f.last_name)),
          fill("email", valueOf(f.email)), fill("phone", valueOf(f.phone)),
          fill("url", link), fill("location", valueOf(f.location))
        ].filter(Boolean).length;
        say(count ? words(count === 1 ? "filled-one" : "filled-other").replace("{count}", count) : "");
        form.dispatchEvent(new CustomEvent("careers:autofilled", { detail: { count: count } }));
      })
      .catch(function () { say(words("failed")); });
  });
})();
