// OpenCSMS: pan and zoom of a large picture. Markup: <div data-zoom> holding the buttons [data-zoom-in],
// [data-zoom-out], [data-zoom-fit] and a focusable .zoom-frame with one <svg viewBox>. The picture first
// fits its frame; the wheel zooms at the pointer, dragging moves it, and from the keyboard (the frame
// focused) + and - zoom, the arrow keys move and 0 fits again. Only the viewBox changes, so the links in
// the picture keep working; a drag does not follow the link it started on.
(function () {
  "use strict";
  var STEP = 1.25, MAX = 12, MOVE = 0.1;

  function wire(root) {
    var svg = root.querySelector(".zoom-frame svg");
    var frame = root.querySelector(".zoom-frame");
    if (!svg || !frame || root.dataset.zoomWired) { return; }
    root.dataset.zoomWired = "1";
    var box = svg.viewBox.baseVal;
    var full = { x: box.x, y: box.y, w: box.width, h: box.height };
    var view = { x: full.x, y: full.y, w: full.w, h: full.h };

    function apply() {
      view.w = Math.min(full.w, Math.max(full.w / MAX, view.w));
      view.h = view.w * full.h / full.w;
      view.x = Math.min(full.x + full.w - view.w, Math.max(full.x, view.x));
      view.y = Math.min(full.y + full.h - view.h, Math.max(full.y, view.y));
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (v) {
        return Math.round(v * 10) / 10;
      }).join(" "));
      root.dataset.scale = (full.w / view.w).toFixed(2);
    }
    // zoom by `factor`, keeping the point at fractions (fx, fy) of the frame where it is
    function zoom(factor, fx, fy) {
      var px = view.x + fx * view.w, py = view.y + fy * view.h;
      view.w = view.w / factor;
      view.w = Math.min(full.w, Math.max(full.w / MAX, view.w));
      view.h = view.w * full.h / full.w;
      view.x = px - fx * view.w;
      view.y = py - fy * view.h;
      apply();
    }
    function move(dx, dy) { view.x += dx * view.w; view.y += dy * view.h; apply(); }
    function fit() { view = { x: full.x, y: full.y, w: full.w, h: full.h }; apply(); }

    root.querySelector("[data-zoom-in]").addEventListener("click", function () { zoom(STEP, 0.5, 0.5); });
    root.querySelector("[data-zoom-out]").addEventListener("click", function () { zoom(1 / STEP, 0.5, 0.5); });
    root.querySelector("[data-zoom-fit]").addEventListener("click", fit);
    frame.addEventListener("wheel", function (event) {
      event.preventDefault();
      var r = svg.getBoundingClientRect();
      zoom(event.deltaY < 0 ? STEP : 1 / STEP, (event.clientX - r.left) / r.width, (event.clientY - r.top) / r.height);
    }, { passive: false });
    var keys = {
      "+": function () { zoom(STEP, 0.5, 0.5); }, "=": function () { zoom(STEP, 0.5, 0.5); },
      "-": function () { zoom(1 / STEP, 0.5, 0.5); }, "0": fit,
      ArrowLeft: function () { move(-MOVE, 0); }, ArrowRight: function () { move(MOVE, 0); },
      ArrowUp: function () { move(0, -MOVE); }, ArrowDown: function () { move(0, MOVE); }
    };
    frame.addEventListener("keydown", function (event) {
      var act = keys[event.key];
      if (!act || event.altKey || event.ctrlKey || event.metaKey) { return; }
      event.preventDefault();
      act();
    });
    var drag = null;
    frame.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) { return; }
      drag = { x: event.clientX, y: event.clientY, view: { x: view.x, y: view.y }, moved: false };
    });
    frame.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.abs(dx) + Math.abs(dy) < 5) { return; }
      if (!drag.moved) { frame.setPointerCapture(event.pointerId); frame.classList.add("dragging"); }
      drag.moved = true;
      var r = svg.getBoundingClientRect();
      view.x = drag.view.x - dx * view.w / r.width;
      view.y = drag.view.y - dy * view.h / r.height;
      apply();
    });
    var dragged = false;  // the click that ends a drag does not follow a link
    frame.addEventListener("click", function (event) { if (dragged) { event.preventDefault(); } }, true);
    frame.addEventListener("dragstart", function (event) { event.preventDefault(); });
    function end() {
      if (drag && drag.moved) {
        frame.classList.remove("dragging");
        dragged = true;
        setTimeout(function () { dragged = false; }, 0);
      }
      drag = null;
    }
    frame.addEventListener("pointerup", end);
    frame.addEventListener("pointercancel", function () { drag = null; frame.classList.remove("dragging"); });
    apply();
  }

  document.querySelectorAll("[data-zoom]").forEach(wire);
})();
