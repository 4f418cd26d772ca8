/* "Quote" for a selection in a post on the thread page: progressive enhancement only.
   Without JavaScript one types "> " before copied words, as the reply box's hint says.

   Selecting words inside one post's body shows a small "Quote" button by the selection. Pressing it
   adds to the reply box a Markdown quote of the selected text with an attribution line naming the
   author and linking the post, then focuses the reply box:

       > the selected words
       >
       > — @alice, [post #123](/t/5/printer-prints-blank-pages#p123)

   The server recognises exactly that last line (forum.accounts.directory.ATTRIBUTION) and tells the
   quoted member, as a mention would. The author's username comes from the post's data-author. */
(function () {
  "use strict";
  var reply = document.querySelector('#reply form textarea[name="body"]');
  if (!reply || !window.getSelection) {
    return;
  }
  var USERNAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{1,30}[A-Za-z0-9_]$/;
  var button = document.createElement("button");
  var hidden = document.createElement("span");
  button.type = "button";
  button.className = "button button-small quote-button";
  button.hidden = true;
  button.textContent = "Quote";
  hidden.className = "visually-hidden";
  button.appendChild(hidden);
  var pending = null;  // {text, post, range} of the selection the button would quote

  function selected() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) {
      return null;
    }
    var range = selection.getRangeAt(0);
    var node = range.commonAncestorContainer;
    var element = node.nodeType === 1 ? node : node.parentElement;
    var body = element && element.closest(".post-body");
    var post = body && body.closest("article.post[data-author]");
    var text = selection.toString().replace(/\r/g, "").replace(/\n{3,}/g, "\n\n").trim();
    if (!post || !text || !USERNAME.test(post.getAttribute("data-author")) || !/^p[0-9]+$/.test(post.id)) {
      return null;
    }
    return {text: text, post: post, range: range};
  }

  function place() {
    if (!pending) {
      return;
    }
    var box = pending.range.getBoundingClientRect();
    button.style.top = Math.max(0, box.bottom + 6) + "px";
    button.style.left = Math.max(0, Math.min(box.left, window.innerWidth - button.offsetWidth - 8)) + "px";
  }

  function refresh() {
    var now = selected();
    if (!now) {
      if (document.activeElement !== button) {
        pending = null;
        button.hidden = true;
      }
      return;
    }
    pending = now;
    hidden.textContent = " the selected words of " + now.post.getAttribute("data-author") + " in your reply";
    var body = now.post.querySelector(".post-body");
    if (button.parentNode !== now.post) {
      body.insertAdjacentElement("afterend", button);  // next in the tab order after the words selected
    }
    button.hidden = false;
    place();
  }

  function quoteText(text, post) {
    var id = post.id.slice(1);
    var link = window.location.pathname + "#p" + id;
    var quoted = text.split("\n").map(function (line) { return line ? "> " + line : ">"; }).join("\n");
    return quoted + "\n>\n> — @" + post.getAttribute("data-author") + ", [post #" + id + "](" + link + ")\n\n";
  }

  function insert() {
    if (!pending) {
      return;
    }
    var value = reply.value.replace(/\s+$/, "");
    var text = quoteText(pending.text, pending.post);
    reply.value = (value ? value + "\n\n" : "") + text;
    pending = null;
    button.hidden = true;
    window.getSelection().removeAllRanges();
    reply.focus();
    reply.setSelectionRange(reply.value.length, reply.value.length);
    reply.scrollIntoView({block: "center"});
    reply.dispatchEvent(new Event("input", {bubbles: true}));
  }

  button.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the selection
  button.addEventListener("click", insert);
  button.addEventListener("blur", function () { window.setTimeout(refresh, 0); });
  document.addEventListener("selectionchange", refresh);
  window.addEventListener("scroll", place, {passive: true});
  window.addEventListener("resize", place);
})();
