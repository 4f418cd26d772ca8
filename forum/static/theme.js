// The theme before the first paint, and a visitor's theme switcher. Members' pages arrive with their stored
// choice in <html data-theme>; a visitor's page is one cached copy ("auto"), so their choice is kept in
// localStorage and applied here, in <head>, before anything is drawn (no flash of the wrong theme).
(function () {
  "use strict";
  var root = document.documentElement;
  var KEY = "horseshoe-theme";
  var THEMES = ["auto", "light", "dark"];
  function stored() {
    try { return window.localStorage.getItem(KEY); } catch (error) { return null; }
  }
  function remember(theme) {
    try { window.localStorage.setItem(KEY, theme); } catch (error) { /* private mode: this page only */ }
  }
  if (root.hasAttribute("data-visitor-theme") && THEMES.indexOf(stored()) >= 0) {
    root.setAttribute("data-theme", stored());
  }
  function enhance() {
    var form = document.querySelector("form.theme-switcher[data-visitor]");
    if (!form) { return; }
    var select = form.querySelector("select");
    select.value = root.getAttribute("data-theme") || "auto";
    form.hidden = false;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      remember(select.value);
      root.setAttribute("data-theme", select.value);
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", enhance); } else { enhance(); }
})();
