/* Decision forms: a click on a common re-upload reason fills the reason the user will read (it stays
   editable). Plain JS; without it the reviewer simply types the reason. */
(function () {
  "use strict";
  document.querySelectorAll("[data-reason]").forEach(function (button) {
    button.addEventListener("click", function () {
      var form = button.closest("form");
      var text = form.querySelector("textarea[name=reason]");
      text.value = button.getAttribute("data-reason");
      var side = button.getAttribute("data-side");
      if (side) {
        var box = form.querySelector('input[name=sides][value="' + side + '"]');
        if (box) { box.checked = true; }
      }
      text.focus();
    });
  });
})();
