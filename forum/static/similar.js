/* Similar solved questions while a title is typed on the ask page: progressive enhancement only.
   Without JavaScript the server does the same on the first submit: it shows the matches and asks
   for "Post my question anyway" before posting.

   Choice: once this script has actually shown suggestions, it sets the form's hidden confirmed=1,
   so JavaScript users (who saw them live) are not asked a second time. If nothing was shown (no
   match yet, the request failed, or the form was sent before the pause), the server still checks.

   Data from the API is only ever placed with textContent and checked hrefs, never innerHTML. */
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) {
    return;
  }
  var DELAY_MS = 300;
  var MAX_SHOWN = 5;
  var HEADING = "These solved questions may already answer yours";

  function enhance(region) {
    var form = region.closest("form");
    var title = form && form.querySelector('input[name="title"]');
    var confirmed = form && form.querySelector('input[name="confirmed"]');
    var url = region.getAttribute("data-similar-url");
    var minChars = parseInt(region.getAttribute("data-min-chars"), 10) || 8;
    if (!title || !url) {
      return;
    }
    var timer = null;
    var latest = 0;
    var shownKey = "";

    function threadLink(item) {
      var link = document.createElement("a");
      link.href = "/t/" + item.id + "/" + encodeURIComponent(item.slug || "");
      link.target = "_blank";
      link.rel = "noopener";
      link.textContent = item.title;
      var note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " (opens in a new tab)";
      link.appendChild(note);
      return link;
    }

    function show(items) {
      var usable = items.filter(function (item) {
        return item && Number.isInteger(item.id) && item.id > 0 && typeof item.title === "string";
      }).slice(0, MAX_SHOWN);
      var key = usable.map(function (item) { return item.id; }).join(",");
      if (key === shownKey) {
        return; // same matches: leave the region alone so screen readers are not told again
      }
      shownKey = key;
      region.textContent = "";
      if (!usable.length) {
        return;
      }
      var heading = document.createElement("h2");
      heading.className = "similar-heading";
      heading.textContent = HEADING;
      var list = document.createElement("ul");
      list.className = "similar-list";
      usable.forEach(function (item) {
        var entry = document.createElement("li");
        entry.appendChild(threadLink(item));
        list.appendChild(entry);
      });
      region.appendChild(heading);
      region.appendChild(list);
      if (confirmed) {
        confirmed.value = "1"; // they have seen suggestions: post on the first submit
      }
    }

    function lookUp() {
      var text = title.value.trim();
      if (text.length < minChars) {
        latest++; // an answer still on its way is for a longer title: drop it
        show([]);
        return;
      }
      var ticket = ++latest;
      fetch(url + "?" + new URLSearchParams({ title: text }).toString(), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (result) {
        if (result && ticket === latest && Array.isArray(result.items)) {
          show(result.items);
        }
      }).catch(function () { /* the server still offers matches when the form is sent */ });
    }

    title.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, DELAY_MS);
    });
    if (title.value.trim().length >= minChars) {
      lookUp(); // a title kept after a failed submit or the browser's back button
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-similar-url]"), enhance);
}());
