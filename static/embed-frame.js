/* Inside the embed iframe: tell the host page what happens, protocol version 1.
   Messages go only to the host origin the server checked against the allowlist
   (body[data-embed-origin]); without it, nothing is posted. */
(function () {
  "use strict";
  var body = document.body;
  var hostOrigin = body.getAttribute("data-embed-origin");
  if (!hostOrigin || window.parent === window) return;

  function post(type, fields) {
    var message = { v: 1, type: type };
    for (var key in fields) message[key] = fields[key];
    window.parent.postMessage(message, hostOrigin);
  }

  var lastHeight = 0;
  function reportHeight() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      post("resize", { height: height });
    }
  }

  post("ready", { page: body.getAttribute("data-embed-page") || "" });
  reportHeight();
  if (window.ResizeObserver) new ResizeObserver(reportHeight).observe(document.documentElement);
  window.addEventListener("load", reportHeight);

  var applicationId = body.getAttribute("data-application-id");
  if (applicationId) {
    post("submitted", { application_id: applicationId, job_id: body.getAttribute("data-job") });
  }
  if (body.getAttribute("data-embed-page") === "saved") {
    post("saved", { job_id: body.getAttribute("data-job") });
  }
  var error = body.getAttribute("data-embed-error");
  if (error) post("error", { code: error });
})();
