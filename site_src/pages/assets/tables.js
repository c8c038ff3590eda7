// Sort and filter for tables inside <div class="sortable">. The page reads fine without it.
//
// Sort keys are read from the displayed text (or a cell's data-sort attribute, if the render wrote
// one). A column is numeric when most of its cells start with a number: "1,234", "−0.5", "2–8 months"
// (the first number; a duration in weeks, days or years is counted in months), "83%" and
// "15/18 (83%)" (a proportion sorts by its percentage). Cells saying "not reported" or "not stated",
// and empty cells, come last in both directions; rows with equal keys keep their order.
(function () {
  var MISSING = /^(?:not (?:reported|stated|given|printed|available)|n\/?r|n\/a|unknown|none reported)\b|^[—–?-]?$/i;
  var NUMBER = /([−-])?(\d{1,3}(?:,\d{3})+|\d*\.\d+|\d+)(?:\.(\d+))?/;
  var MONTHS = { d: 1 / 30.4375, w: 7 / 30.4375, m: 1, y: 12 };

  function text(cell) {
    if (!cell) return "";
    var given = cell.getAttribute("data-sort");
    return (given !== null ? given : cell.textContent || "").replace(/\s+/g, " ").trim();
  }
  function missing(value) { return MISSING.test(value); }
  function number(value) {
    var m = NUMBER.exec(value);
    if (!m) return null;
    var x = parseFloat(m[2].replace(/,/g, "") + (m[3] ? "." + m[3] : ""));
    var before = value.slice(0, m.index);
    if (m[1] && (before === "" || /[\s(]$/.test(before))) x = -x;
    return { value: x, at: m.index, rest: value.slice(m.index + m[0].length) };
  }
  // The number a numeric cell sorts by, or null when the cell holds no number.
  function numeric(value) {
    var n = number(value);
    if (n === null) return null;
    var pct = /^\s*\/\s*([\d,]+)\s*\(([−-]?[\d.]+)\s*%/.exec(n.rest);
    if (pct) return parseFloat(pct[2].replace("−", "-"));
    var of = /^\s*\/\s*([\d,]+)/.exec(n.rest);
    if (of) { var d = parseFloat(of[1].replace(/,/g, "")); return d > 0 ? 100 * n.value / d : n.value; }
    var unit = /^\s*(?:[–-]\s*[\d.,]+\s*)?(d|day|days|w|wk|wks|week|weeks|m|mo|mos|month|months|y|yr|yrs|year|years)\b/i.exec(n.rest);
    return unit ? n.value * MONTHS[unit[1].charAt(0).toLowerCase()] : n.value;
  }
  function startsWithNumber(value) {
    var n = number(value);
    return n !== null && /^[\s(~<>≤≥≈±−+-]*$/.test(value.slice(0, n.at));
  }
  function isNumericColumn(values) {
    var present = values.filter(function (v) { return !missing(v); });
    var leading = present.filter(startsWithNumber).length;
    return present.length > 0 && leading * 2 >= present.length;
  }
  var collator = window.Intl ? new Intl.Collator(undefined, { numeric: true, sensitivity: "base" }) : null;
  function compareText(x, y) { return collator ? collator.compare(x, y) : x < y ? -1 : x > y ? 1 : 0; }

  // Rows sorted by column `col`: present values ascending or descending, missing ones last, ties stable.
  function sortRows(rows, col, asc) {
    var values = rows.map(function (r) { return text(r.cells[col]); });
    var asNumbers = isNumericColumn(values);
    var items = rows.map(function (row, i) {
      var v = values[i], n = asNumbers && !missing(v) ? numeric(v) : null;
      return { row: row, i: i, missing: missing(v), n: n, v: v };
    });
    items.sort(function (a, b) {
      if (a.missing !== b.missing) return a.missing ? 1 : -1;
      var c = 0;
      if (!a.missing) {
        if ((a.n === null) !== (b.n === null)) return a.n === null ? 1 : -1;  // text after numbers
        c = a.n !== null ? a.n - b.n : compareText(a.v, b.v);
        if (c === 0 && a.n !== null) c = compareText(a.v, b.v);
      }
      return c !== 0 ? (asc ? c : -c) : a.i - b.i;
    });
    return items.map(function (it) { return it.row; });
  }

  function setup(box) {
    var table = box.querySelector("table");
    if (!table || table.dataset.ready || !table.tHead || !table.tBodies.length) return;
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
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (c) { c.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        sortRows(Array.prototype.slice.call(body.rows), col, asc).forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); }
      });
    });
  }
  function init() { document.querySelectorAll(".sortable").forEach(setup); }
  if (window.document$) { window.document$.subscribe(init); } else { document.addEventListener("DOMContentLoaded", init); }
})();
