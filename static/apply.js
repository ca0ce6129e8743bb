/* Apply form enhancements: focus the error summary, and fill empty fields from the resume.
   Everything here is optional: the form works the same without JavaScript. */
(function () {
  "use strict";
  var form = document.querySelector("form.apply");
  if (!form) return;

  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  var touched = {};
  form.addEventListener("input", function (event) {
    if (event.target.name) touched[event.target.name] = true;
    event.target.classList.remove("autofilled");
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

  function fill(name, value) {
    var input = form.elements[name];
    if (!input || !value || touched[name] || input.value) return false;
    input.value = value;
    input.classList.add("autofilled");
    var note = document.createElement("span");
    note.className = "autofill-note";
    note.textContent = " " + words("note");
    var label = form.querySelector("label[for='" + input.id + "']");
    if (label && !label.querySelector(".autofill-note")) label.appendChild(note);
    return true;
  }

  fileInput.addEventListener("change", function () {
    var file = fileInput.files && fileInput.files[0];
    if (!file) return;
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
