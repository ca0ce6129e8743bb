/* The snippet host sites paste:
     <div data-careers-embed data-job="123"></div>
     <script src="https://CAREERS-HOST/static/embed.js" async></script>
   It creates the iframe with the job (data-job, or ?careers_job= on the host page), its language
   (data-lang), the host origin and the attribution of the visit (utm_*, src, referrer host), then listens to the
   iframe's messages (protocol v1) from our origin only: it sets the height and re-dispatches
   them as DOM events on the container: careers:ready, careers:submitted, careers:saved (a draft saved,
   its link mailed), careers:error. */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector("script[src$='/static/embed.js']");
  if (!script || !window.URL) return;
  var ourOrigin = new URL(script.src, location.href).origin;
  var ATTRIBUTION = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "src"];
  var THEME = ["accent", "accent_text", "text", "bg"];
  var frames = [];

  function referrerHost() {
    try { return document.referrer ? new URL(document.referrer).host : ""; } catch (e) { return ""; }
  }

  function frameUrl(container) {
    var here = new URL(location.href).searchParams;
    var job = container.getAttribute("data-job") || here.get("careers_job") || "";
    var path = /^\d+$/.test(job) ? "/embed/jobs/" + job + "/apply" : "/embed/jobs";
    var url = new URL(path, ourOrigin);
    url.searchParams.set("origin", location.origin);
    ATTRIBUTION.forEach(function (key) {
      if (here.get(key)) url.searchParams.set(key, here.get(key).slice(0, 200));
    });
    url.searchParams.set("referrer", referrerHost());
    THEME.forEach(function (key) {
      var value = container.getAttribute("data-" + key.replace("_", "-"));
      if (value) url.searchParams.set(key, value.replace(/^#/, ""));
    });
    // data-lang="de": the frame's language; without it the visitor's browser decides
    var lang = container.getAttribute("data-lang");
    if (lang) url.searchParams.set("lang", lang.toLowerCase().split("-")[0]);
    return url.toString();
  }

  function mount(container) {
    if (container.getAttribute("data-careers-mounted")) return;
    container.setAttribute("data-careers-mounted", "1");
    var iframe = document.createElement("iframe");
    iframe.src = frameUrl(container);
    iframe.title = container.getAttribute("data-title") || "Job application";
    iframe.style.width = "100%";
    iframe.style.border = "0";
    iframe.style.height = "600px";
    container.appendChild(iframe);
    frames.push({ iframe: iframe, container: container });
  }

  function emit(container, name, detail) {
    container.dispatchEvent(new CustomEvent(name, { bubbles: true, detail: detail }));
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== ourOrigin) return;
    var data = event.data;
    if (!data || data.v !== 1 || typeof data.type !== "string") return;
    var match = frames.filter(function (f) { return f.iframe.contentWindow === event.source; })[0];
    if (!match) return;
    if (data.type === "resize" && typeof data.height === "number" && data.height > 0) {
      match.iframe.style.height = Math.min(Math.ceil(data.height), 20000) + "px";
    } else if (data.type === "ready") {
      emit(match.container, "careers:ready", { page: String(data.page || "") });
    } else if (data.type === "submitted") {
      match.iframe.scrollIntoView({ block: "nearest" });
      emit(match.container, "careers:submitted",
           { applicationId: String(data.application_id || ""), jobId: String(data.job_id || "") });
    } else if (data.type === "saved") {
      match.iframe.scrollIntoView({ block: "nearest" });
      emit(match.container, "careers:saved", { jobId: String(data.job_id || "") });
    } else if (data.type === "error") {
      emit(match.container, "careers:error", { code: String(data.code || "") });
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-careers-embed]"), mount);
})();
