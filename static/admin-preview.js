// Live preview of a job description: the Markdown is sent (with the page's CSRF token) to the
// preview endpoint a moment after HR stops typing; the answer is the sanitised HTML the public
// page will show. Without script the form's Preview button does the same on a full page.
(function () {
  "use strict";
  var DELAY_MS = 400;

  function start(editor) {
    var textarea = editor.querySelector("textarea");
    var section = editor.querySelector(".description-preview");
    var target = editor.querySelector("[data-preview]");
    var form = editor.closest("form");
    var token = form && form.querySelector("input[name=csrf_token]");
    if (!textarea || !section || !target || !token) return;
    var timer = null;
    var sent = 0;

    function refresh() {
      var number = ++sent;
      var body = new FormData();
      body.append("csrf_token", token.value);
      body.append("description", textarea.value);
      fetch(editor.getAttribute("data-preview-url"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("preview " + response.status);
          return response.text();
        })
        .then(function (html) {
          if (number !== sent) return; // an older answer that arrived late
          target.innerHTML = html; // sanitised by the server, as on the public page
          section.hidden = false;
        })
        .catch(function () {
          section.hidden = true; // the Preview button still works
        });
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY_MS);
    });
    if (textarea.value.trim()) refresh();
  }

  document.querySelectorAll("[data-description-editor]").forEach(start);
})();
