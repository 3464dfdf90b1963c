/* Zoomable photos on the review case page: wheel or buttons to zoom, drag to pan, double-click to
   toggle, full screen on request. Plain JS, no dependencies; each .zoom-frame works on its own. */
(function () {
  "use strict";
  var MIN = 1, MAX = 8, STEP = 1.25;

  function setup(frame) {
    var img = frame.querySelector("img");
    var label = frame.parentElement.querySelector("[data-zoom-level]");
    var scale = 1, x = 0, y = 0, drag = null;

    function clamp() {
      var w = frame.clientWidth, h = frame.clientHeight;
      x = Math.min(0, Math.max(w - w * scale, x));
      y = Math.min(0, Math.max(h - h * scale, y));
    }
    function apply() {
      clamp();
      img.style.transform = "translate(" + x + "px," + y + "px) scale(" + scale + ")";
      frame.classList.toggle("zoomed", scale > 1);
      if (label) { label.textContent = Math.round(scale * 100) + "%"; }
    }
    function zoomAt(newScale, px, py) {
      newScale = Math.min(MAX, Math.max(MIN, newScale));
      // Keep the point under the cursor where it is while the scale changes.
      x = px - (px - x) * (newScale / scale);
      y = py - (py - y) * (newScale / scale);
      scale = newScale;
      apply();
    }
    function centre() { return [frame.clientWidth / 2, frame.clientHeight / 2]; }

    frame.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = frame.getBoundingClientRect();
      zoomAt(e.deltaY < 0 ? scale * STEP : scale / STEP, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    frame.addEventListener("dblclick", function (e) {
      var r = frame.getBoundingClientRect();
      zoomAt(scale > 1 ? 1 : 3, e.clientX - r.left, e.clientY - r.top);
    });
    frame.addEventListener("pointerdown", function (e) {
      if (scale === 1) { return; }
      drag = { id: e.pointerId, sx: e.clientX - x, sy: e.clientY - y };
      frame.setPointerCapture(e.pointerId);
    });
    frame.addEventListener("pointermove", function (e) {
      if (!drag || drag.id !== e.pointerId) { return; }
      x = e.clientX - drag.sx;
      y = e.clientY - drag.sy;
      apply();
    });
    function endDrag() { drag = null; }
    frame.addEventListener("pointerup", endDrag);
    frame.addEventListener("pointercancel", endDrag);
    frame.addEventListener("keydown", function (e) {
      var c = centre();
      if (e.key === "+" || e.key === "=") { zoomAt(scale * STEP, c[0], c[1]); e.preventDefault(); }
      if (e.key === "-") { zoomAt(scale / STEP, c[0], c[1]); e.preventDefault(); }
      if (e.key === "0") { scale = 1; x = 0; y = 0; apply(); }
    });

    var figure = frame.closest("figure");
    figure.querySelectorAll("[data-zoom]").forEach(function (button) {
      button.addEventListener("click", function () {
        var c = centre(), action = button.getAttribute("data-zoom");
        if (action === "in") { zoomAt(scale * STEP, c[0], c[1]); }
        if (action === "out") { zoomAt(scale / STEP, c[0], c[1]); }
        if (action === "reset") { scale = 1; x = 0; y = 0; apply(); }
        if (action === "full" && figure.requestFullscreen) {
          if (document.fullscreenElement) { document.exitFullscreen(); } else { figure.requestFullscreen(); }
        }
      });
    });
    // The frame's size changes on entering and leaving full screen: start again from the fitted view.
    document.addEventListener("fullscreenchange", function () { scale = 1; x = 0; y = 0; apply(); });
    apply();
  }

  document.querySelectorAll(".zoom-frame").forEach(setup);
  // Scripts load after the photos; a marker tells tests (and styles) the controls are live.
  document.body.setAttribute("data-zoom-ready", "");
})();
