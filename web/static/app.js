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

  function init(root) {
    root.querySelectorAll(".countdown[data-remaining]").forEach(start);
    root.querySelectorAll("form#score-form").forEach(scoreCount);
    root.querySelectorAll("form[data-autosave]").forEach(autosave);
    var err = root.querySelector("#form-error");
    if (err) err.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
