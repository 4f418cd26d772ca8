/* The Markdown editor's small helpers: a character counter and keyboard shortcuts.
   Progressive enhancement only: without JavaScript the counter shows the limit and the server, which
   stays the authority, refuses what is too long. Shortcuts (Cmd instead of Ctrl on a Mac):
   Ctrl+B bold, Ctrl+I italic, Ctrl+K link, Ctrl+E inline code, Ctrl+Shift+. quote, Ctrl+Enter submit. */
(function () {
  "use strict";
  var encoder = window.TextEncoder ? new window.TextEncoder() : null;

  function bytesOf(text) {
    return encoder ? encoder.encode(text).length : text.length;
  }

  function number(value) {
    return value.toLocaleString ? value.toLocaleString() : String(value);
  }

  /* The counter: what is left, in characters (bytes for bodies: the server counts UTF-8 bytes).
     The visible part changes with every key; the live region speaks only when the state changes
     (near the limit, over it, back under), so screen readers are not interrupted while typing. */
  function counter(box) {
    var field = document.getElementById(box.getAttribute("data-char-counter"));
    var shown = box.querySelector("[data-count]");
    var status = box.querySelector("[data-count-status]");
    var maxBytes = parseInt(box.getAttribute("data-max-bytes") || "0", 10);
    var maxChars = parseInt(box.getAttribute("data-max-chars") || "0", 10);
    if (!field || !shown) {
      return;
    }
    var lastState = "";

    function update() {
      var used = maxBytes ? bytesOf(field.value) : Array.from(field.value).length;
      var most = maxBytes || maxChars;
      var left = most - used;
      var state = left < 0 ? "over" : (left <= most / 10 ? "near" : "ok");
      shown.textContent = left < 0
        ? number(-left) + (maxBytes ? " bytes" : " characters") + " over the limit of " + number(most)
        : number(left) + (maxBytes ? " of " + number(most) + " bytes left" : " of " + number(most) + " characters left");
      box.classList.toggle("char-counter-over", state === "over");
      box.classList.toggle("char-counter-near", state === "near");
      if (status && state !== lastState) {
        status.textContent = state === "ok" ? "" : shown.textContent;
        lastState = state;
      }
    }

    field.addEventListener("input", update);
    update();
  }

  /* Replace the selection, keeping the browser's undo history where it can (execCommand), and tell
     the other helpers (preview, autosave, counter) with an input event. */
  function replaceSelection(field, text, selectFrom, selectTo) {
    var start = field.selectionStart;
    field.focus();
    var done = false;
    try {
      done = document.execCommand && document.execCommand("insertText", false, text);
    } catch (ignored) {
      done = false;
    }
    if (!done) {
      field.setRangeText(text, start, field.selectionEnd, "end");
      field.dispatchEvent(new Event("input", { bubbles: true }));
    }
    field.setSelectionRange(start + selectFrom, start + selectTo);
  }

  function wrap(field, before, after, placeholder) {
    var selected = field.value.slice(field.selectionStart, field.selectionEnd) || placeholder;
    replaceSelection(field, before + selected + after, before.length, before.length + selected.length);
  }

  function link(field) {
    var selected = field.value.slice(field.selectionStart, field.selectionEnd) || "link text";
    var text = "[" + selected + "](https://)";
    var urlStart = selected.length + 3;
    replaceSelection(field, text, urlStart, urlStart + "https://".length);
  }

  function quote(field) {
    var start = field.value.lastIndexOf("\n", field.selectionStart - 1) + 1;
    field.setSelectionRange(start, field.selectionEnd);
    var lines = field.value.slice(start, field.selectionEnd).split("\n");
    var text = lines.map(function (line) { return "> " + line; }).join("\n");
    replaceSelection(field, text, 0, text.length);
  }

  function submit(form) {
    var button = form.querySelector('button[type="submit"]:not([name]), input[type="submit"]:not([name])');
    if (form.requestSubmit) {
      form.requestSubmit(button || undefined);
    } else if (button) {
      button.click();
    }
  }

  function shortcuts(field) {
    field.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) {
        return;
      }
      var key = event.key.toLowerCase();
      var handled = true;
      if (key === "enter") {
        submit(field.form);
      } else if (event.shiftKey && (key === ">" || key === "." || event.code === "Period")) {
        quote(field);
      } else if (event.shiftKey) {
        handled = false;
      } else if (key === "b") {
        wrap(field, "**", "**", "bold text");
      } else if (key === "i") {
        wrap(field, "*", "*", "italic text");
      } else if (key === "e") {
        wrap(field, "`", "`", "code");
      } else if (key === "k") {
        link(field);
      } else {
        handled = false;
      }
      if (handled) {
        event.preventDefault();
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-char-counter]"), counter);
  Array.prototype.forEach.call(document.querySelectorAll("form[data-preview-url] textarea[name='body']"), shortcuts);
}());
