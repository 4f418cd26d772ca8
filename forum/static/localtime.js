// Pages visitors read are one cached rendering for everyone, so their times are written in UTC
// (<time datetime="…Z" data-localise="datetime|date">). This rewrites each in the visitor's own zone and the
// page's language (<html lang>), as forum.core.i18n.format_moment writes them for members.
(function () {
  "use strict";
  var language = document.documentElement.lang || "en";
  var styles = {
    datetime: { dateStyle: "long", timeStyle: "short" },
    date: { dateStyle: "long" }
  };
  function localise(element) {
    var style = styles[element.getAttribute("data-localise")];
    var moment = new Date(element.getAttribute("datetime"));
    if (!style || isNaN(moment.getTime())) { return; }
    try {
      element.textContent = new Intl.DateTimeFormat(language, style).format(moment);
    } catch (error) { /* an old browser keeps the UTC text, which is still right */ }
  }
  function run() { document.querySelectorAll("time[data-localise]").forEach(localise); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", run); } else { run(); }
})();
