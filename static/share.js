/* "Copy link" on a job page: copies the job's address instead of following it. Without
   script, or without clipboard access, it stays a plain link to the same address. */
(function () {
  "use strict";
  var link = document.querySelector("[data-copy-link]");
  if (!link || !navigator.clipboard) return;
  var note = link.parentNode.querySelector(".copied");
  link.addEventListener("click", function (event) {
    event.preventDefault();
    navigator.clipboard.writeText(link.href).then(function () {
      if (note) note.hidden = false;
    }, function () {
      window.location.href = link.href;
    });
  });
})();
