// Sortable, filterable inventory. The initial sort may come from the URL: #sort=country or
// #sort=-findings (descending). Rows carry their sort keys in data-* attributes.
(function () {
  "use strict";
  var table = document.getElementById("inventory");
  var body = table.tBodies[0];
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);

  function compare(type, key, dir) {
    return function (a, b) {
      var x = a.dataset[key], y = b.dataset[key];
      var r = type === "number" ? Number(x) - Number(y) : x.localeCompare(y, "en");
      // Ties keep the report's own order (by location), so the sort is stable and predictable.
      return (r || Number(a.dataset.index) - Number(b.dataset.index)) * (r ? dir : 1);
    };
  }

  function sortBy(key, dir) {
    var th = heads.filter(function (h) { return h.dataset.key === key; })[0];
    if (!th) { return; }
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(compare(th.dataset.type, key, dir));
    rows.forEach(function (row) { body.appendChild(row); });
    heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
    th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
    table.dataset.sortedBy = (dir > 0 ? "" : "-") + key;
  }

  Array.prototype.forEach.call(body.rows, function (row, i) { row.dataset.index = i; });
  heads.forEach(function (th) {
    th.querySelector("button").addEventListener("click", function () {
      sortBy(th.dataset.key, th.getAttribute("aria-sort") === "ascending" ? -1 : 1);
    });
  });

  document.getElementById("filter").addEventListener("input", function (ev) {
    var needle = ev.target.value.toLowerCase();
    Array.prototype.forEach.call(body.rows, function (row) {
      row.classList.toggle("hidden", needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0);
    });
  });

  var wanted = /(?:^#|&)sort=(-?)([a-z]+)/.exec(window.location.hash);
  if (wanted) { sortBy(wanted[2], wanted[1] ? -1 : 1); }

  // Record what the browser actually laid out, so a headless check can see charts rendered.
  Array.prototype.forEach.call(document.querySelectorAll("figure.chart"), function (fig) {
    var drawn = Array.prototype.filter.call(fig.querySelectorAll("rect.bar"), function (r) {
      return r.getBoundingClientRect().width > 0 || Number(r.dataset.value) === 0;
    });
    fig.dataset.rendered = String(drawn.length);
  });
  document.documentElement.dataset.ready = "1";
})();
