/* Draws every <canvas data-chart="name"> from the specifications in #dashboard-charts (Chart.js, from static/). */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || !window.Chart) { return; }
  var specs = JSON.parse(source.textContent);
  var lang = document.documentElement.lang || "kk";
  // Kazakh writes numbers as Russian does (5 163; 3,5), and browsers without kk locale data
  // would otherwise fall back to English separators.
  var locale = lang === "en" ? "en-GB" : "ru-RU";
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = specs[canvas.dataset.chart];
    if (!spec) { canvas.closest(".chart-box").hidden = true; return; }
    var horizontal = spec.labels.length > 8;
    if (horizontal) {
      // Room for every bar: a row per label, as many bars in it as there are stacks or datasets.
      var stacks = {};
      spec.datasets.forEach(function (d, i) { stacks[d.stack || (spec.stacked ? "all" : i)] = true; });
      var box = canvas.closest(".chart-box");
      var wanted = spec.labels.length * Object.keys(stacks).length * 9 + 110;
      if (box && box.clientHeight < wanted) { box.style.height = wanted + "px"; }
    }
    var ticks = { precision: 0 };
    if (spec.percent) {
      ticks.callback = function (value) { return value + " %"; };
    }
    var valueAxis = { beginAtZero: true, stacked: !!spec.stacked, ticks: ticks };
    if (spec.max) { valueAxis.max = spec.max; }
    var categoryAxis = { stacked: !!spec.stacked, ticks: { autoSkip: false } };
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: spec.datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        locale: locale,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis }
      }
    });
  });
})();
