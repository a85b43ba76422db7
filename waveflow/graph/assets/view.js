// Zoom, pan and hover details for every waveflow graph on a page (one on `waveflow graph`'s page, one per state
// machine in the run report). Each view is an element with `data-graph-view` holding its `[data-action]` buttons
// and a `.wf-canvas` with the SVG; the hover box is the page's one `#tip`. A view drawn while hidden is fitted when
// it receives the `wf-show` event. Everything is local: no request ever leaves the page.
(function () {
  "use strict";
  var tip = document.getElementById("tip");
  var views = [];

  function attach(root) {
    var canvas = root.querySelector(".wf-canvas");
    var svg = canvas.querySelector("svg.wf-graph");
    var view = svg.querySelector("g.viewport");
    var box = svg.viewBox.baseVal;
    var width = box.width, height = box.height;
    var k = 1, tx = 0, ty = 0;
    svg.removeAttribute("viewBox");
    svg.removeAttribute("width");
    svg.removeAttribute("height");

    function apply() {
      view.setAttribute("transform", "translate(" + tx.toFixed(1) + "," + ty.toFixed(1) + ") scale(" + k.toFixed(4) + ")");
      svg.setAttribute("data-scale", k.toFixed(3));
    }
    function zoomAt(factor, x, y) {
      var next = Math.min(4, Math.max(0.05, k * factor));
      tx = x - (x - tx) * next / k;
      ty = y - (y - ty) * next / k;
      k = next;
      apply();
    }
    function fit() {
      var r = svg.getBoundingClientRect();
      k = Math.min(r.width / width, r.height / height, 1);
      tx = (r.width - width * k) / 2;
      ty = Math.max(0, (r.height - height * k) / 2);
      apply();
    }
    function centre() {
      var r = svg.getBoundingClientRect();
      return [r.width / 2, r.height / 2];
    }
    var actions = {
      "in": function () { var c = centre(); zoomAt(1.25, c[0], c[1]); },
      "out": function () { var c = centre(); zoomAt(0.8, c[0], c[1]); },
      "fit": fit,
      "actual": function () { var c = centre(); zoomAt(1 / k, c[0], c[1]); }
    };
    root.querySelectorAll("[data-action]").forEach(function (button) {
      button.addEventListener("click", function () { actions[button.getAttribute("data-action")](); });
    });
    canvas.addEventListener("wheel", function (event) {
      event.preventDefault();
      var r = svg.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - r.left, event.clientY - r.top);
    }, { passive: false });

    var drag = null;
    canvas.addEventListener("pointerdown", function (event) {
      drag = { x: event.clientX, y: event.clientY, tx: tx, ty: ty };
      canvas.classList.add("dragging");
      canvas.setPointerCapture(event.pointerId);
    });
    canvas.addEventListener("pointermove", function (event) {
      if (drag) {
        tx = drag.tx + event.clientX - drag.x;
        ty = drag.ty + event.clientY - drag.y;
        apply();
      }
    });
    function stop() { drag = null; canvas.classList.remove("dragging"); }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);

    // Hover details: each state's <title> becomes its data-tip, shown in one styled box (no doubled native tooltip).
    svg.querySelectorAll("[data-state]").forEach(function (state) {
      var title = state.querySelector(":scope > title");
      if (title) { state.setAttribute("data-tip", title.textContent); title.remove(); }
    });
    function show(state, x, y) {
      var lines = state.getAttribute("data-tip").split("\n");
      tip.textContent = "";
      var head = document.createElement("strong");
      head.textContent = lines[0];
      tip.appendChild(head);
      tip.appendChild(document.createTextNode(lines.slice(1).join("\n")));
      tip.hidden = false;
      var w = tip.offsetWidth, h = tip.offsetHeight;
      tip.style.left = Math.min(x + 14, window.innerWidth - w - 8) + "px";
      tip.style.top = Math.min(y + 14, window.innerHeight - h - 8) + "px";
    }
    function owner(target) { return target.closest ? target.closest("[data-tip]") : null; }
    svg.addEventListener("pointermove", function (event) {
      var state = owner(event.target);
      if (state && !drag) { show(state, event.clientX, event.clientY); } else { tip.hidden = true; }
    });
    svg.addEventListener("pointerleave", function () { tip.hidden = true; });
    svg.addEventListener("focusin", function (event) {
      var state = owner(event.target);
      if (state) { var r = state.getBoundingClientRect(); show(state, r.left, r.bottom); }
    });
    svg.addEventListener("focusout", function () { tip.hidden = true; });

    // First view: the whole graph when it is readable that way, else its top at a readable size.
    function first() {
      var r = svg.getBoundingClientRect();
      if (!r.width) { return; }  // hidden: fitted on wf-show
      fit();
      var readable = Math.min(0.8, r.width / width);
      if (k < readable) {
        k = readable;
        tx = (r.width - width * k) / 2;
        ty = 0;
        apply();
      }
    }
    root.addEventListener("wf-show", first);
    first();
    return { root: root, actions: actions, first: first };
  }

  document.querySelectorAll("[data-graph-view]").forEach(function (root) { views.push(attach(root)); });
  // Keys act on the view that is shown (the first one, when several are); never while typing in a field.
  document.addEventListener("keydown", function (event) {
    var key = { "+": "in", "=": "in", "-": "out", "0": "fit", "1": "actual" }[event.key];
    if (!key || event.ctrlKey || event.metaKey || /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName)) { return; }
    var shown = views.filter(function (v) { return v.root.offsetParent !== null || v.root === document.body; })[0];
    if (shown) { shown.actions[key](); }
  });
  window.addEventListener("resize", function () { views.forEach(function (v) { v.first(); }); });
})();
