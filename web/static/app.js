// CQP Recouvrement — small progressive enhancements. Every page works
// without this file: forms post and pages reload; with it, the exercise
// countdown ticks and the first form error takes the focus.
(function () {
  "use strict";

  // Countdown: <span class="countdown" data-deadline="RFC 3339" data-label-over="…">.
  function tick(el) {
    var end = Date.parse(el.getAttribute("data-deadline"));
    if (isNaN(end)) return;
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

  function init(root) {
    root.querySelectorAll(".countdown[data-deadline]").forEach(tick);
    var err = root.querySelector("#form-error");
    if (err) err.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (e) { init(e.target); });
})();
