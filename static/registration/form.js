// Mark the fields whose value now differs from what OCR read (the server marks them again on reload).
(function () {
  "use strict";
  var form = document.getElementById("card-form");
  if (!form) return;
  form.querySelectorAll("input[data-ocr]").forEach(function (input) {
    var field = input.closest(".field");
    function mark() {
      field.classList.toggle("changed", input.value.trim() !== input.dataset.ocr.trim());
    }
    input.addEventListener("input", mark);
    mark();
  });
})();
