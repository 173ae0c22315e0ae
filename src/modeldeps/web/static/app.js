/* modeldeps dashboard: draws the charts a page describes and submits filters on change.
 * Pages carry no code: chart data comes from the <script type="application/json"
 * id="chart-data"> block, and nothing here writes HTML (the page's CSP forbids it anyway). */
"use strict";

(function () {
  var FONT = { family: "system-ui, -apple-system, 'Segoe UI', sans-serif", size: 12 };

  function withAlpha(hex, alpha) {
    var n = parseInt(hex.slice(1), 16);
    return "rgba(" + (n >> 16) + "," + ((n >> 8) & 255) + "," + (n & 255) + "," + alpha + ")";
  }

  function percentLabel(ctx) {
    var values = ctx.dataset.data;
    var total = 0;
    for (var i = 0; i < values.length; i++) total += values[i];
    var share = total ? (100 * ctx.parsed / total).toFixed(1) : "0";
    return " " + ctx.label + ": " + ctx.parsed + " (" + share + "%)";
  }

  function build(spec) {
    var series = spec.series || [];
    var unit = spec.unit || "";
    var base = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { labels: { font: FONT, boxWidth: 12 } } }
    };
    if (spec.type === "doughnut") {
      base.plugins.legend.position = "right";
      base.plugins.tooltip = { callbacks: { label: percentLabel } };
      return {
        type: "doughnut",
        data: {
          labels: spec.labels,
          datasets: [{ data: series[0].values, backgroundColor: series[0].colors,
                       borderColor: "#ffffff", borderWidth: 2 }]
        },
        options: Object.assign(base, { cutout: "58%" })
      };
    }
    if (spec.type === "hbar" || spec.type === "bar") {
      base.plugins.legend.display = false;
      var horizontal = spec.type === "hbar";
      if (horizontal) base.plugins.tooltip = { callbacks: { label: function (ctx) {
        var values = ctx.dataset.data, total = 0;
        for (var i = 0; i < values.length; i++) total += values[i];
        return " " + ctx.parsed.x + " (" + (total ? (100 * ctx.parsed.x / total).toFixed(1) : 0) + "%)";
      } } };
      var valueAxis = { beginAtZero: true, ticks: { precision: 0, font: FONT }, grid: { color: "#eef1f4" } };
      var labelAxis = { ticks: { font: FONT }, grid: { display: false } };
      return {
        type: "bar",
        data: {
          labels: spec.labels,
          datasets: [{ label: series[0].name, data: series[0].values,
                       backgroundColor: series[0].colors, borderRadius: 3, maxBarThickness: 28 }]
        },
        options: Object.assign(base, {
          indexAxis: horizontal ? "y" : "x",
          scales: horizontal ? { x: valueAxis, y: labelAxis } : { x: labelAxis, y: valueAxis }
        })
      };
    }
    var area = spec.type === "area";
    var datasets = series.map(function (s, i) {
      return {
        label: s.name,
        data: s.values,
        borderColor: s.color,
        backgroundColor: area ? withAlpha(s.color, 0.75) : s.color,
        fill: area ? (i === 0 ? "origin" : "-1") : false,
        tension: area ? 0 : 0.25,
        pointRadius: s.values.length > 40 ? 0 : 3,
        borderWidth: 2
      };
    });
    var y = { beginAtZero: true, stacked: area, grid: { color: "#eef1f4" },
              ticks: { font: FONT, callback: function (v) { return v + unit; } } };
    if (spec.max !== undefined || area) y.max = area ? 100 : spec.max;
    if (!area && spec.max !== undefined) y.suggestedMax = spec.max;
    base.interaction = { mode: "index", intersect: false };
    base.plugins.legend.position = "bottom";
    base.plugins.tooltip = { callbacks: { label: function (ctx) {
      return " " + ctx.dataset.label + ": " + ctx.parsed.y + unit;
    } } };
    return {
      type: "line",
      data: { labels: spec.labels, datasets: datasets },
      options: Object.assign(base, {
        scales: { x: { ticks: { font: FONT, maxRotation: 0, autoSkip: true }, grid: { display: false } }, y: y }
      })
    };
  }

  function drawCharts() {
    var block = document.getElementById("chart-data");
    if (!block) return;
    var data = JSON.parse(block.textContent);
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      var canvas = canvases[i];
      var spec = data[canvas.dataset.chart];
      if (!spec) continue;
      var points = 0;
      (spec.series || []).forEach(function (s) { points += s.values.length; });
      canvas.dataset.points = String(points);
      if (!points) {
        canvas.dataset.rendered = "empty";
        canvas.parentNode.classList.add("chart-empty");
        continue;
      }
      new window.Chart(canvas, build(spec));
      canvas.dataset.rendered = "1";
    }
  }

  function autoSubmit() {
    var selects = document.querySelectorAll("select[data-autosubmit]");
    for (var i = 0; i < selects.length; i++) {
      selects[i].addEventListener("change", function (event) {
        var form = event.target.form;
        if (form) form.requestSubmit();
      });
    }
  }

  autoSubmit();
  if (window.Chart) drawCharts();
  document.body.dataset.ready = "1";
})();
