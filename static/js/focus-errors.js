/* Moves keyboard and screen-reader focus to the error summary, when a page has one. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
