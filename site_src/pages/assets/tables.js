// Sort and filter for tables inside <div class="sortable">. The page reads fine without it.
(function () {
  function text(cell) { return (cell.textContent || "").trim(); }
  function key(value) {
    var n = parseFloat(value.replace(/[^0-9.\-]/g, ""));
    return isNaN(n) || !/^[\d.\-]/.test(value) ? value.toLowerCase() : n;
  }
  function setup(box) {
    var table = box.querySelector("table");
    if (!table || table.dataset.ready) return;
    table.dataset.ready = "1";
    var body = table.tBodies[0];
    var input = document.createElement("input");
    input.type = "search";
    input.placeholder = "Filter rows";
    input.setAttribute("aria-label", "Filter the table rows");
    var wrap = document.createElement("div");
    wrap.className = "table-filter";
    wrap.appendChild(input);
    box.insertBefore(wrap, box.firstChild);
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      Array.prototype.forEach.call(body.rows, function (row) {
        row.hidden = q && row.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(text(a.cells[col])), y = key(text(b.cells[col]));
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter") sort(); });
    });
  }
  function init() { document.querySelectorAll(".sortable").forEach(setup); }
  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();
