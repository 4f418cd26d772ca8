/* Attachments in the editor: progressive enhancement only.
   Without JavaScript the form's plain file field is posted with the form, and the server appends the
   file's reference to the text. With it, files chosen with the "Attach files" button, dropped on the
   text box or pasted from the clipboard are uploaded at once (POST /uploads, CSRF token in the
   X-CSRFToken header), with a progress bar and, for images, a prompt for alt text defaulting to the
   file name (an inline field, not window.prompt: it is labelled, keyboard-friendly and can be styled);
   the Markdown reference the server answers with is inserted where the cursor was. */
(function () {
  "use strict";
  if (!window.XMLHttpRequest || !window.FormData) {
    return;
  }

  function insertAtCursor(textarea, text) {
    var start = textarea.selectionStart || 0;
    var end = textarea.selectionEnd || start;
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(end);
    var lead = before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "";
    var tail = after && !/^\n/.test(after) ? "\n\n" : "";
    textarea.value = before + lead + text + tail + after;
    var cursor = (before + lead + text).length;
    textarea.setSelectionRange(cursor, cursor);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function problemText(xhr) {
    try {
      var problem = JSON.parse(xhr.responseText);
      return problem.detail || problem.title;
    } catch (ignored) {
      return "The file could not be uploaded (error " + xhr.status + ").";
    }
  }

  function enhance(box) {
    var form = box.closest("form");
    var textarea = form && form.querySelector('textarea[name="body"]');
    var input = box.querySelector('input[type="file"]');
    var status = box.querySelector(".attach-status");
    if (!textarea || !input || !status) {
      return;
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary";
    button.textContent = "Attach files";
    input.multiple = true;
    input.hidden = true;
    box.querySelector("label").hidden = true;
    box.querySelector(".hint").textContent = "Attach files with the button, drop them on the text box " +
      "or paste a screenshot. Images show in the text; other files as a download link.";
    box.insertBefore(button, status);
    button.addEventListener("click", function () { input.click(); });

    function askAlt(name, done) {
      var ask = document.createElement("div");
      var label = document.createElement("label");
      var field = document.createElement("input");
      var attach = document.createElement("button");
      var cancel = document.createElement("button");
      var id = "attach-alt-" + Math.random().toString(36).slice(2);
      ask.className = "attach-alt";
      label.htmlFor = id;
      label.textContent = "Alt text for " + name + " (what the image shows, for people who cannot see it)";
      field.id = id;
      field.type = "text";
      field.value = name;
      attach.type = "button";
      attach.className = "button";
      attach.textContent = "Attach image";
      cancel.type = "button";
      cancel.className = "button button-secondary";
      cancel.textContent = "Cancel";
      ask.appendChild(label);
      ask.appendChild(field);
      ask.appendChild(attach);
      ask.appendChild(cancel);
      box.insertBefore(ask, status);
      function finish(go) {
        box.removeChild(ask);
        textarea.focus();
        if (go) {
          done(field.value.trim() || name);
        }
      }
      attach.addEventListener("click", function () { finish(true); });
      cancel.addEventListener("click", function () { finish(false); });
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();  /* not the form's submit */
          finish(true);
        } else if (event.key === "Escape") {
          finish(false);
        }
      });
      field.focus();
      field.select();
    }

    function upload(file) {
      var name = file.name || "pasted-image.png";
      if (/^image\//.test(file.type)) {
        askAlt(name, function (alt) { send(file, name, alt); });
      } else {
        send(file, name, name);
      }
    }

    function send(file, name, alt) {
      var row = document.createElement("p");
      var label = document.createElement("span");
      var bar = document.createElement("progress");
      label.textContent = "Uploading " + name + " ";
      bar.max = 100;
      bar.value = 0;
      bar.setAttribute("aria-label", "Upload progress of " + name);
      row.appendChild(label);
      row.appendChild(bar);
      status.appendChild(row);
      var data = new FormData();
      data.append("alt", alt);
      data.append("file", file, name);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", box.getAttribute("data-attach-url"));
      xhr.setRequestHeader("X-CSRFToken", box.getAttribute("data-csrf"));
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) {
          bar.value = Math.round(100 * event.loaded / event.total);
        }
      });
      xhr.addEventListener("load", function () {
        row.removeChild(bar);
        if (xhr.status === 201) {
          insertAtCursor(textarea, JSON.parse(xhr.responseText).markdown);
          label.textContent = name + " is attached.";
        } else {
          label.textContent = name + ": " + problemText(xhr);
          row.className = "errors";
        }
      });
      xhr.addEventListener("error", function () {
        label.textContent = name + ": the upload failed; check the connection and try again.";
      });
      xhr.send(data);
    }

    function uploadAll(files) {
      for (var i = 0; i < files.length; i++) {
        upload(files[i]);
      }
    }

    input.addEventListener("change", function () {
      uploadAll(input.files);
      input.value = "";  /* uploaded already: the form must not post it again */
    });
    textarea.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
      }
    });
    textarea.addEventListener("drop", function (event) {
      if (event.dataTransfer && event.dataTransfer.files.length) {
        event.preventDefault();
        uploadAll(event.dataTransfer.files);
      }
    });
    textarea.addEventListener("paste", function (event) {
      var items = (event.clipboardData && event.clipboardData.items) || [];
      var files = [];
      for (var i = 0; i < items.length; i++) {
        if (items[i].kind === "file" && items[i].getAsFile()) {
          files.push(items[i].getAsFile());
        }
      }
      if (files.length) {
        event.preventDefault();
        uploadAll(files);
      }
    });
  }

  function start() {
    var boxes = document.querySelectorAll(".attach[data-attach-url]");
    for (var i = 0; i < boxes.length; i++) {
      enhance(boxes[i]);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
