// Filter the models table as you type; record what the browser laid out, so a headless
// check can see that every chart rendered.
(function () {
  "use strict";
  var filter = document.getElementById("filter");
  var rows = document.querySelectorAll("#models tbody tr");
  filter.addEventListener("input", function (ev) {
    var needle = ev.target.value.toLowerCase();
    Array.prototype.forEach.call(rows, function (row) {
      row.classList.toggle("hidden", needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0);
    });
  });
  Array.prototype.forEach.call(document.querySelectorAll("figure.chart"), function (fig) {
    var drawn = Array.prototype.filter.call(fig.querySelectorAll("rect.bar"), function (r) {
      return r.getBoundingClientRect().width > 0 || Number(r.dataset.value) === 0;
    });
    fig.dataset.rendered = String(drawn.length);
  });
  document.documentElement.dataset.ready = "1";
})();
