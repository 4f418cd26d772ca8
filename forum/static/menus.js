/* Header menus (Community, Staff, your account): progressive enhancement of native <details> disclosures.

   Without JavaScript each menu opens and closes with its summary, as any <details> does. This adds what
   people expect of a menu: Escape closes the open one and gives the focus back to its summary; a click
   or the keyboard focus moving out closes it; opening one closes the others. */
(function () {
  "use strict";
  var SELECTOR = "details[data-menu]";

  function openMenus() {
    return Array.prototype.slice.call(document.querySelectorAll(SELECTOR + "[open]"));
  }

  function closeAllBut(keep) {
    openMenus().forEach(function (menu) {
      if (menu !== keep && !menu.contains(keep)) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("toggle", function (event) {
    var menu = event.target;
    if (menu.matches && menu.matches(SELECTOR) && menu.open) {
      closeAllBut(menu);
    }
  }, true);  // toggle does not bubble: listen while it travels down

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) {
      return;  // a list or dialog that used this Escape (the @ suggestions, say) keeps it
    }
    var focused = document.activeElement;
    var menu = focused && focused.closest ? focused.closest(SELECTOR + "[open]") : null;
    // Elsewhere only from the header (or with nothing focused): Escape in a text box further down the page
    // must not close the phone "Menu" and move the focus up to it.
    if (!menu && (!focused || focused === document.body || (focused.closest && focused.closest(".site-header")))) {
      menu = openMenus()[0] || document.querySelector(".nav-toggle[open]");  // the phone "Menu" last
    }
    if (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    closeAllBut(event.target.closest ? event.target.closest(SELECTOR) : null);
  });

  // Keyboard focus leaving a menu closes it. Focus that a press gives is left to the click: closing a menu
  // at the press would move what lies below it (on a phone the menus open in the flow) before the release.
  var pressing = false;
  document.addEventListener("pointerdown", function () { pressing = true; }, true);
  document.addEventListener("pointerup", function () { setTimeout(function () { pressing = false; }, 0); }, true);
  document.addEventListener("focusin", function (event) {
    if (!pressing) {
      closeAllBut(event.target.closest ? event.target.closest(SELECTOR) : null);
    }
  });
}());
