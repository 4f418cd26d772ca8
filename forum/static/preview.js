/* Live preview of a reply, a question or an edit while typing: progressive enhancement only.
   Without JavaScript the form's "Preview" button re-renders the page with the same preview.
   The HTML comes from the server's /preview endpoint, made by the same Markdown renderer and
   sanitizer as saved posts, so it is safe to insert. */
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta || !window.fetch || !window.FormData) {
    return;
  }
  var DELAY_MS = 400;

  function enhance(form) {
    var source = form.querySelector('textarea[name="body"]');
    var box = document.getElementById(form.getAttribute("data-preview-target"));
    var output = box && box.querySelector("[data-preview-output]");
    var heading = box && box.querySelector("h2, h3");
    if (!source || !output) {
      return;
    }
    var timer = null;
    var latest = 0;

    function refresh(moveFocus) {
      var ticket = ++latest;
      var data = new FormData();
      data.append("body", source.value);
      fetch(form.getAttribute("data-preview-url"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": meta.getAttribute("content"), "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (result) {
        if (!result || ticket !== latest) {
          return;
        }
        output.innerHTML = result.html;
        box.hidden = source.value.trim() === "" && !moveFocus;
        if (moveFocus && heading) {
          heading.focus();
        }
      }).catch(function () { /* the Preview button still works */ });
    }

    source.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { refresh(false); }, DELAY_MS);
    });
    var button = form.querySelector('button[name="preview"]');
    if (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        window.clearTimeout(timer);
        refresh(true);
      });
    }
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-preview-url]"), enhance);
}());
