/* Drafts saved on the server while typing (PUT /api/v1/drafts/{key}), so nothing typed is lost.
   Progressive enhancement: forms carrying data-draft-key save a few seconds after typing stops (and at
   least every SAVE_MAX_WAIT_MS while typing goes on), only when the text changed since the last save.
   The Ask and Edit pages are filled from the draft by the server when opened; the reply form on a thread
   page is filled here (the page itself reads no drafts): when this browser saved a draft for it (a hint
   kept in localStorage, so pages without a draft ask nothing) or the address ends in #draft (the links
   on the member's profile). Publishing discards the draft on the server. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch || !window.JSON) {
    return;
  }
  var SAVE_DELAY_MS = 2000;
  var SAVE_MAX_WAIT_MS = 8000;
  var HINTS = "horseshoe.drafts";

  /* Keys this browser saved drafts under: only a hint (the server holds the drafts). */
  function hint(key, present) {
    try {
      var known = JSON.parse(window.localStorage.getItem(HINTS) || "{}");
      if (present === undefined) {
        return Boolean(known[key]);
      }
      if (present) {
        known[key] = 1;
      } else {
        delete known[key];
      }
      window.localStorage.setItem(HINTS, JSON.stringify(known));
    } catch (ignored) { /* no storage: drafts still save, only the reply box is not refilled by itself */ }
    return false;
  }

  function request(method, url, body) {
    var headers = { "X-CSRFToken": meta.getAttribute("content"), "Accept": "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    return fetch(url, {
      method: method, credentials: "same-origin", headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body)
    });
  }

  function enhance(form) {
    var base = form.getAttribute("data-drafts-url");
    var bodyField = form.querySelector('textarea[name="body"]');
    var titleField = form.querySelector('input[name="title"]');
    var keyFrom = form.getAttribute("data-draft-key-from");
    var keySource = keyFrom ? form.querySelector('[name="' + keyFrom + '"]') : null;
    if (!base || !bodyField) {
      return;
    }
    var status = document.createElement("p");
    status.className = "hint draft-status";
    bodyField.parentNode.appendChild(status);

    function currentKey() {
      return keySource ? "question-" + keySource.value : form.getAttribute("data-draft-key");
    }
    function snapshot() {
      return { body: bodyField.value, title: titleField ? titleField.value : "" };
    }
    function same(a, b) {
      return a.body === b.body && a.title === b.title;
    }

    var savedKey = currentKey();
    var saved = snapshot();  // what the page opened with (a restored draft, the post, or nothing)
    var timer = null;
    var firstChange = 0;
    var submitting = false;

    function save() {
      window.clearTimeout(timer);
      timer = null;
      firstChange = 0;
      var key = currentKey();
      var now = snapshot();
      if (submitting || (key === savedKey && same(now, saved))) {
        return;
      }
      var empty = now.body.trim() === "" && now.title.trim() === "";
      var moved = key !== savedKey ? request("DELETE", base + encodeURIComponent(savedKey)) : null;
      if (key !== savedKey) {
        hint(savedKey, false);
      }
      hint(key, !empty);
      var done = empty ? request("DELETE", base + encodeURIComponent(key))
                       : request("PUT", base + encodeURIComponent(key), now);
      savedKey = key;
      saved = now;
      Promise.all([done, moved]).then(function (answers) {
        if (answers[0] && answers[0].ok) {
          status.textContent = empty ? "" : "Draft saved at " + new Date().toLocaleTimeString() + ".";
        } else {
          saved = { body: null, title: null };  // try again on the next change
        }
      }).catch(function () { saved = { body: null, title: null }; });
    }

    function changed() {
      var now = Date.now();
      firstChange = firstChange || now;
      window.clearTimeout(timer);
      var wait = Math.max(0, Math.min(SAVE_DELAY_MS, firstChange + SAVE_MAX_WAIT_MS - now));
      timer = window.setTimeout(save, wait);
    }

    bodyField.addEventListener("input", changed);
    if (titleField) {
      titleField.addEventListener("input", changed);
    }
    if (keySource) {
      keySource.addEventListener("change", changed);
    }
    form.addEventListener("submit", function () {
      window.clearTimeout(timer);  // publishing discards the draft on the server; no late save may revive it
      submitting = true;
      hint(currentKey(), false);
    });
    window.addEventListener("pagehide", function () {
      if (timer !== null) {
        save();
      }
    });
    var wanted = hint(savedKey) || window.location.hash === "#draft";
    if (form.hasAttribute("data-draft-restore") && wanted && bodyField.value.trim() === "") {
      restore(form, base + encodeURIComponent(savedKey), bodyField, function (draft) {
        saved = { body: draft.body, title: "" };
      });
    }
  }

  /* The reply form: fill an empty box from the member's saved draft, and say so. */
  function restore(form, url, bodyField, remember) {
    request("GET", url).then(function (response) {
      if (response.status === 404) {
        hint(form.getAttribute("data-draft-key"), false);
      }
      return response.ok ? response.json() : null;
    }).then(function (draft) {
      if (!draft || bodyField.value.trim() !== "") {
        return;
      }
      bodyField.value = draft.body;
      remember(draft);
      bodyField.dispatchEvent(new Event("input", { bubbles: true }));
      var note = document.createElement("div");
      note.className = "notice draft-notice";
      note.setAttribute("role", "status");
      var text = document.createElement("p");
      text.textContent = "Restored your draft from " + new Date(draft.updated_at).toLocaleString() + ". ";
      var discard = document.createElement("button");
      discard.type = "button";
      discard.className = "button button-small button-secondary";
      discard.textContent = "Discard draft";
      discard.addEventListener("click", function () {
        hint(form.getAttribute("data-draft-key"), false);
        request("DELETE", url).then(function () {
          bodyField.value = "";
          remember({ body: "" });
          bodyField.dispatchEvent(new Event("input", { bubbles: true }));
          note.remove();
          bodyField.focus();
        });
      });
      note.appendChild(text);
      note.appendChild(discard);
      form.insertBefore(note, form.firstChild);
      if (window.location.hash === "#draft") {
        bodyField.focus();
      }
    }).catch(function () { /* nothing restored: the box stays empty */ });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-key]"), enhance);
}());
