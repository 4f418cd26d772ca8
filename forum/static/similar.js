/* Similar solved questions and articles while a title is typed on the ask page: progressive enhancement
   only. Without JavaScript the server does the same on the first submit: it shows the matches and asks
   for "Post my question anyway" before posting.

   Choice: once this script has actually shown suggestions, it sets the form's hidden confirmed=1,
   so JavaScript users (who saw them live) are not asked a second time. If nothing was shown (no
   match yet, the request failed, or the form was sent before the pause), the server still checks.

   Items are threads (kind "thread", linked as /t/<id>/<slug>, with their status and replies: "Solved · 3
   replies") or articles (kind "article", /kb/<id>/<slug>, marked "Article" in words). The region's data-limit
   (the community setting search.similar_shown, 1..10) is how many are asked for and shown. They stay plain
   links that open in a new tab (the list sits inside the question's form, where forms may not nest); a click
   also records the opening for deflection: the page's visit token, the item and the form's CSRF token go to
   data-opened-url with navigator.sendBeacon (fetch with keepalive where there is none), with beacon=1 so the
   server answers 204 instead of a redirect.

   The ideas board's form (/ideas/new) reuses it: a region with data-item-kind="idea" asks /api/v1/ideas/similar,
   whose items are ideas (linked to their thread page, with their status and votes: "Planned · 12 votes"), and
   its data-heading (translated by the page) is the heading shown above them.

   Data from the API is only ever placed with textContent and checked hrefs, never innerHTML. */
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) {
    return;
  }
  var DELAY_MS = 300;
  var MAX_LIMIT = 10; // the similar-questions API takes a limit of 1..10
  var STATUS_LABELS = { needs_info: "Needs info" };
  var HEADING = "These solved questions may already answer yours";
  var HEADING_WITH_ARTICLES = "These articles and solved questions may already answer yours";
  var PATHS = { thread: "/t/", article: "/kb/", idea: "/t/" };
  var IDEA_URL = /^\/t\/\d+(\/[^\/?#]*)?$/;

  function enhance(region) {
    var form = region.closest("form");
    var title = form && form.querySelector('input[name="title"]');
    var confirmed = form && form.querySelector('input[name="confirmed"]');
    var url = region.getAttribute("data-similar-url");
    var minChars = parseInt(region.getAttribute("data-min-chars"), 10) || 8;
    var limit = Math.min(Math.max(parseInt(region.getAttribute("data-limit"), 10) || 5, 1), MAX_LIMIT);
    var ideas = region.getAttribute("data-item-kind") === "idea";
    var customHeading = region.getAttribute("data-heading");
    if (!title || !url) {
      return;
    }
    var timer = null;
    var latest = 0;
    var shownKey = "";

    var openedUrl = region.getAttribute("data-opened-url");
    var visit = form.querySelector('input[name="visit"]');
    var csrf = form.querySelector('input[name="csrf_token"]');

    function kindOf(item) {
      if (ideas) {
        return "idea";
      }
      return item.kind === "article" ? "article" : "thread";
    }

    function recordOpen(item) {
      if (!openedUrl || !visit || !visit.value || !csrf) {
        return;
      }
      var data = new FormData();
      data.append("csrf_token", csrf.value);
      data.append("visit", visit.value);
      data.append("kind", kindOf(item));
      data.append("id", String(item.id));
      data.append("beacon", "1");
      if (navigator.sendBeacon && navigator.sendBeacon(openedUrl, data)) {
        return;
      }
      fetch(openedUrl, { method: "POST", body: data, credentials: "same-origin", keepalive: true })
        .catch(function () { /* counting is a courtesy: the link opens regardless */ });
    }

    function suggestionLink(item) {
      var kind = kindOf(item);
      var link = document.createElement("a");
      var slug = typeof item.slug === "string" && item.slug ? "/" + encodeURIComponent(item.slug) : "";
      link.href = PATHS[kind] + item.id + slug; // without a slug the address redirects to the slugged one
      if (kind === "idea" && typeof item.url === "string" && IDEA_URL.test(item.url)) {
        link.href = item.url; // an idea's thread page, as the API gives it
      }
      link.target = "_blank";
      link.rel = "noopener";
      if (kind === "article") {
        var marker = document.createElement("span");
        marker.className = "badge";
        marker.textContent = "Article";
        link.appendChild(marker);
        link.appendChild(document.createTextNode(" "));
      }
      link.appendChild(document.createTextNode(item.title));
      var note = document.createElement("span");
      note.className = "visually-hidden";
      note.textContent = " (opens in a new tab)";
      link.appendChild(note);
      link.addEventListener("click", function () { recordOpen(item); });
      link.addEventListener("auxclick", function (event) {
        if (event.button === 1) {
          recordOpen(item); // a middle click opens it in a new tab too
        }
      });
      return link;
    }

    function statusLabel(status) {
      if (typeof status !== "string" || !status) {
        return "";
      }
      var words = status.replace(/_/g, " ");
      return STATUS_LABELS[status] || words.charAt(0).toUpperCase() + words.slice(1);
    }

    function detail(item) {
      if (kindOf(item) === "article") {
        return "";
      }
      if (kindOf(item) === "idea") {
        var votes = Number.isInteger(item.vote_count) ? item.vote_count + (item.vote_count === 1 ? " vote" : " votes") : "";
        return [statusLabel(item.status), votes].filter(Boolean).join(" \u00b7 ");
      }
      var parts = [statusLabel(item.status)];
      if (Number.isInteger(item.reply_count)) {
        parts.push(item.reply_count + (item.reply_count === 1 ? " reply" : " replies"));
      }
      return parts.filter(Boolean).join(" \u00b7 ");
    }

    function show(items) {
      var usable = items.filter(function (item) {
        return item && Number.isInteger(item.id) && item.id > 0 && typeof item.title === "string" &&
          (ideas || item.kind === undefined || item.kind === "thread" || item.kind === "article");
      }).slice(0, limit);
      var key = usable.map(function (item) { return kindOf(item) + item.id; }).join(",");
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
      var articles = usable.some(function (item) { return kindOf(item) === "article"; });
      heading.textContent = customHeading || (articles ? HEADING_WITH_ARTICLES : HEADING);
      var list = document.createElement("ul");
      list.className = "similar-list";
      usable.forEach(function (item) {
        var entry = document.createElement("li");
        entry.appendChild(suggestionLink(item));
        var meta = detail(item);
        if (meta) {
          var note = document.createElement("span");
          note.className = "meta";
          note.textContent = meta;
          entry.appendChild(document.createTextNode(" "));
          entry.appendChild(note);
        }
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
      fetch(url + "?" + new URLSearchParams({ title: text, limit: String(limit) }).toString(), {
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
