/* A "Copy" button above each code block: progressive enhancement only.
   Without JavaScript (or without the Clipboard API, e.g. over plain http) the block is still there to
   select by hand, and no button is shown that could not work. The highlighting itself is server-side. */
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) {
    return;
  }
  var SHOWN_MS = 2000;
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");

  function enhance(pre) {
    var code = pre.querySelector(":scope > code");
    if (!code || pre.previousElementSibling && pre.previousElementSibling.classList.contains("code-tools")) {
      return;
    }
    var tools = document.createElement("div");
    tools.className = "code-tools";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary code-copy";
    button.textContent = "Copy";
    var timer = null;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(code.textContent).then(function () {
        button.textContent = "Copied";
        status.textContent = "Code copied to the clipboard.";
        clearTimeout(timer);
        timer = setTimeout(function () {
          button.textContent = "Copy";
          status.textContent = "";
        }, SHOWN_MS);
      }, function () {
        status.textContent = "Could not copy: select the code and copy it by hand.";
      });
    });
    tools.appendChild(button);
    pre.parentNode.insertBefore(tools, pre);
  }

  function start() {
    var blocks = document.querySelectorAll(".post-body pre");
    if (!blocks.length) {
      return;
    }
    (document.getElementById("main") || document.body).appendChild(status);
    Array.prototype.forEach.call(blocks, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
