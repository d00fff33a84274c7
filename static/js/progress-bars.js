/* Draws each progress bar at its data-percent. The Content-Security-Policy refuses style="" attributes
   in the page, but not a width set by the portal's own script. */
(function () {
  "use strict";
  document.querySelectorAll(".progress-bar[data-percent]").forEach(function (bar) {
    var percent = Math.max(0, Math.min(100, Number(bar.dataset.percent) || 0));
    bar.style.width = percent + "%";
  });
})();
