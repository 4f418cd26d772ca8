// Count one view of the article on this page (forum.knowledge.pages.feedback.viewed): one beacon per page
// load, sent by the browser even while the reader leaves. Reading the page (a GET) writes nothing, and
// readers without JavaScript (crawlers among them) are not counted. Nothing is read back from the server.
(function () {
  "use strict";

  var section = document.querySelector("[data-kb-article]");
  var id = section ? section.getAttribute("data-kb-article") : "";
  if (!/^[0-9]+$/.test(id) || !navigator.sendBeacon) {
    return;
  }
  navigator.sendBeacon("/kb/" + id + "/viewed");
})();
