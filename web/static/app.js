// CQP Recouvrement — small progressive enhancements. Every page works
// without this file: forms post and pages reload; with it, the exercise
// countdown ticks and the first form error takes the focus.
(function () {
  "use strict";

  // Countdown: <span class="countdown" data-remaining="seconds" data-label-over="…">.
  // The server says how long is left, so a wrong clock on the device does
  // not change the time shown; the server alone decides what is late.
  function start(el) {
    var left = parseInt(el.getAttribute("data-remaining"), 10);
    if (isNaN(left)) return;
    el.setAttribute("data-end", String(Date.now() + left * 1000));
    tick(el);
  }
  function tick(el) {
    var end = parseInt(el.getAttribute("data-end"), 10);
    var left = Math.round((end - Date.now()) / 1000);
    if (left <= 0) {
      el.textContent = el.getAttribute("data-label-over") || "0:00";
      el.classList.add("over");
      return;
    }
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    el.textContent = (h > 0 ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0");
    el.classList.toggle("low", left < 300);
    setTimeout(function () { tick(el); }, 1000);
  }

  // Autosave: <form data-autosave="URL"> posts its fields there a moment
  // after each change, with the CSRF token in the header, and shows the
  // server's one-line answer in #savestate. Without this file the "Save"
  // button does the same with a page load.
  function autosave(form) {
    var timer = null, state = document.getElementById("savestate");
    var token = form.querySelector("input[name=_csrf]");
    function save() {
      timer = null;
      var body = new URLSearchParams(new FormData(form));
      // A call is saved by its own replies (htmx): an autosave in flight
      // with the path before the last reply must not write it back.
      form.querySelectorAll(".call input[type=hidden][name]").forEach(function (i) { body.delete(i.name); });
      fetch(form.getAttribute("data-autosave"), {
        method: "POST", body: body, credentials: "same-origin",
        headers: { "HX-Request": "true", "X-CSRF-Token": token ? token.value : "" }
      }).then(function (r) { return r.text(); })
        .then(function (t) { if (state) state.textContent = t; })
        .catch(function () { if (state) state.textContent = "…"; });
    }
    function later() { if (timer) clearTimeout(timer); timer = setTimeout(save, 1200); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
  }

  // The jury's grid: the count of criteria scored follows the taps.
  function scoreCount(form) {
    var out = document.getElementById("score-count");
    if (!out) return;
    var strong = out.querySelector("strong");
    var total = out.getAttribute("data-total");
    form.addEventListener("change", function () {
      var done = {};
      form.querySelectorAll("input[type=radio]:checked").forEach(function (r) { done[r.name] = true; });
      if (strong) strong.textContent = Object.keys(done).length + " / " + total;
    });
  }

  // The call in the player: after htmx swaps in the debtor's next line,
  // the newest line and the replies are brought into view above the sticky
  // action bar (a reply under it would be a tap on "Rendre la copie"), and
  // the focus goes to the first reply (or the end of the call).
  function callSwapped(call) {
    var lines = call.querySelectorAll(".chat > li");
    var last = lines.length ? lines[lines.length - 1] : null;
    var bar = document.querySelector(".sticky-bottom");
    var limit = window.innerHeight - (bar ? bar.offsetHeight : 0) - 12;
    // The whole block down to its last button (the restart) clears the bar.
    var over = call.getBoundingClientRect().bottom - limit;
    if (over > 0) window.scrollBy({ top: over, behavior: "instant" });
    if (last) {
      var top = last.getBoundingClientRect().top - 12;
      if (top < 0) window.scrollBy({ top: top, behavior: "instant" });
    }
    var next = call.querySelector(".reply-btn") || call.querySelector(".call-end");
    if (next) next.focus({ preventScroll: true });
  }

  // A table wider than its box scrolls sideways: the box then takes the
  // keyboard focus, so that it scrolls with the arrow keys too.
  function scrollables() {
    document.querySelectorAll(".table-wrap").forEach(function (w) {
      if (w.scrollWidth > w.clientWidth + 1) w.setAttribute("tabindex", "0");
      else if (w.getAttribute("tabindex") === "0") w.removeAttribute("tabindex");
    });
  }

  function init(root) {
    if (!root.querySelectorAll) return;
    scrollables();
    if (root.nodeType === 1 && root.matches(".call")) callSwapped(root);
    root.querySelectorAll(".countdown[data-remaining]").forEach(start);
    root.querySelectorAll("form#score-form").forEach(scoreCount);
    root.querySelectorAll("form[data-autosave]").forEach(autosave);
    var err = root.querySelector("#form-error");
    if (err) err.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  window.addEventListener("resize", scrollables);
})();
