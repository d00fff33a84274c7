/* Polls a report's JSON status while it compiles and moves the progress bar; reloads when it is done. */
(function () {
  "use strict";
  var box = document.getElementById("report-status");
  if (!box || (box.dataset.status !== "queued" && box.dataset.status !== "running")) { return; }
  var bar = document.querySelector("#progress .progress-bar");
  var meter = document.getElementById("progress");
  var step = document.getElementById("status-step");
  function poll() {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        bar.style.width = data.progress + "%";
        bar.textContent = data.progress + " %";
        meter.setAttribute("aria-valuenow", data.progress);
        step.textContent = data.step || "";
        if (data.status === "done" || data.status === "failed") { window.location.reload(); return; }
        // A compilation found stopped: the page shows why, and the button to start it again.
        if ((data.stale ? "1" : "0") !== box.dataset.stale) { window.location.reload(); return; }
        setTimeout(poll, 1500);
      })
      .catch(function () { setTimeout(poll, 5000); });
  }
  setTimeout(poll, 1000);
})();
