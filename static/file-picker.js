/* The styled file inputs: the native input stays focusable and clickable under our button
   (see site.css); this names the chosen file beside it. Without it the native input shows. */
(function () {
  "use strict";
  document.querySelectorAll(".file-picker").forEach(function (picker) {
    var input = picker.querySelector("input[type=file]");
    var name = picker.querySelector(".file-name");
    if (!input || !name) return;
    var empty = name.textContent;
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      name.textContent = file ? file.name : empty;
    });
    picker.classList.add("enhanced");
  });
})();
