/* @mention suggestions in every post text box (reply, ask, edit): progressive enhancement only.
   Without JavaScript "@name" typed by hand links and notifies just the same.

   Typing "@" and the start of a name asks GET /api/v1/users/autocomplete (q, and the form's
   data-thread-id so people in the thread come first) after a short pause, and shows the answers in a
   listbox under the text box. The text box keeps its own role (a textarea may take no other) and
   points at the list with aria-controls and at the highlighted option with aria-activedescendant, as
   the ARIA combobox pattern does: Down/Up move, Enter or Tab pick, Escape closes; a click picks too.
   Picking replaces the "@al" typed with "@alice ". A polite live region says how many matched.

   Data from the API is only ever placed with textContent, never innerHTML. */
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams) {
    return;
  }
  var URL_ = "/api/v1/users/autocomplete";  // the address api.md (v1.1) fixes
  var DELAY_MS = 150;
  // "@" at the start or after a space or punctuation (not inside an email address), then name characters.
  var TYPED = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_][A-Za-z0-9_.-]{0,31})$/;
  var counter = 0;

  function enhance(textarea) {
    var n = ++counter;
    var form = textarea.form;
    var threadId = form && form.getAttribute("data-thread-id");
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var holder = document.createElement("div");
    list.id = "mention-list-" + n;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    holder.className = "mention-holder";
    holder.appendChild(list);
    holder.appendChild(status);
    textarea.insertAdjacentElement("afterend", holder);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);

    var timer = null;
    var latest = 0;
    var active = -1;
    var typed = null;  // {start, end, prefix} of the "@al" being completed

    function options() {
      return list.querySelectorAll('[role="option"]');
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      active = -1;
      typed = null;
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var all = options();
      if (!all.length) {
        return;
      }
      active = (index + all.length) % all.length;
      for (var i = 0; i < all.length; i++) {
        all[i].setAttribute("aria-selected", i === active ? "true" : "false");
      }
      textarea.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({block: "nearest"});
    }

    function pick(option) {
      if (!typed || !option) {
        return;
      }
      var username = option.getAttribute("data-username");
      var before = textarea.value.slice(0, typed.start);
      var after = textarea.value.slice(typed.end).replace(/^\s/, "");
      textarea.value = before + "@" + username + " " + after;
      var cursor = (before + "@" + username + " ").length;
      close();
      textarea.focus();
      textarea.setSelectionRange(cursor, cursor);
      textarea.dispatchEvent(new Event("input", {bubbles: true}));
    }

    function show(items, at) {
      list.textContent = "";
      var usable = items.filter(function (item) {
        return item && typeof item.username === "string" && /^[A-Za-z0-9_.-]+$/.test(item.username);
      });
      if (!usable.length) {
        close();
        status.textContent = "No one matches.";
        return;
      }
      usable.forEach(function (item, i) {
        var option = document.createElement("li");
        var name = document.createElement("span");
        var handle = document.createElement("span");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-username", item.username);
        name.className = "mention-name";
        name.textContent = item.display_name || item.username;
        handle.className = "mention-handle";
        handle.textContent = "@" + item.username;
        option.appendChild(name);
        option.appendChild(document.createTextNode(" "));
        option.appendChild(handle);
        // mousedown, not click: the text box must not lose focus (and with it the typed "@al") first
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          pick(option);
        });
        list.appendChild(option);
      });
      typed = at;
      list.hidden = false;
      highlight(0);
      status.textContent = usable.length + (usable.length === 1 ? " person matches" : " people match") +
        ": Up and Down to choose, Enter to insert.";
    }

    function lookup() {
      var cursor = textarea.selectionStart;
      if (cursor !== textarea.selectionEnd) {
        close();
        return;
      }
      var match = TYPED.exec(textarea.value.slice(0, cursor));
      if (!match) {
        close();
        return;
      }
      var at = {start: cursor - match[2].length - 1, end: cursor, prefix: match[2]};
      var ticket = ++latest;
      var params = new URLSearchParams({q: at.prefix});
      if (threadId) {
        params.set("thread_id", threadId);
      }
      fetch(URL_ + "?" + params.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) {
          if (ticket === latest && result && Array.isArray(result.items)) {
            show(result.items, at);
          }
        })
        .catch(function () { /* typing "@name" by hand still works */ });
    }

    textarea.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookup, DELAY_MS);
    });
    textarea.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0 && !event.shiftKey) {
        event.preventDefault();
        pick(options()[active]);
      } else if (event.key === "Escape") {
        event.preventDefault();
        latest++;  // an answer still on its way must not reopen the list
        close();
        status.textContent = "";
      }
    });
    textarea.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  var boxes = document.querySelectorAll('form textarea[name="body"]');
  for (var i = 0; i < boxes.length; i++) {
    enhance(boxes[i]);
  }
})();
