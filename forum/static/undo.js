// Undo lasts ten seconds (forum.services.undo): when they are up, take the button away and say so.
// Without this script the button stays, and the server refuses a late click with the reason.
(function () {
  "use strict";

  function expire(form) {
    var hadFocus = form.contains(document.activeElement);
    var note = document.createElement("span");
    note.className = "undo-expired";
    note.textContent = "(Undo is no longer available.)";
    var notice = form.parentNode;
    form.replaceWith(note);
    if (hadFocus && notice) { // do not drop keyboard focus on the floor: keep it on the notice
      notice.setAttribute("tabindex", "-1");
      notice.focus();
    }
  }

  document.querySelectorAll("form.undo-form[data-undo-seconds]").forEach(function (form) {
    var seconds = Number(form.getAttribute("data-undo-seconds")) || 10;
    window.setTimeout(function () { expire(form); }, seconds * 1000);
  });
})();
