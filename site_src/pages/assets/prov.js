// Where a number was printed, shown on hover, keyboard focus and tap: every <span class="prov">
// with a data-prov gets a tab stop and, while hovered or focused, one shared popover (role=tooltip,
// referenced by aria-describedby) holding that text. Escape or a tap elsewhere hides it. The text is
// set with textContent only. Without this script the span keeps its title (hover) and print keeps
// the brackets (site.css, pdf.css).
(function () {
  var SELECTOR = ".prov[data-tip]";
  var MARGIN = 8;
  var tip = null, current = null, timer = 0;

  function prepare() {
    document.querySelectorAll(".prov[data-prov]").forEach(function (el) {
      if (el.hasAttribute("data-tip") || !el.getAttribute("data-prov")) return;
      el.setAttribute("data-tip", "");
      el.removeAttribute("title");  // the popover replaces the native tooltip
      el.tabIndex = 0;
    });
  }
  function popover() {
    if (tip && tip.isConnected) return tip;
    tip = document.createElement("div");
    tip.id = "prov-tip";
    tip.className = "prov-tip";
    tip.setAttribute("role", "tooltip");
    tip.hidden = true;
    tip.addEventListener("pointerenter", function () { clearTimeout(timer); });
    tip.addEventListener("pointerleave", function () { if (current !== document.activeElement) later(); });
    document.body.appendChild(tip);
    return tip;
  }
  // Below the number (above it when there is no room), inside the window's width.
  function place() {
    if (!current || tip.hidden) return;
    var r = current.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    tip.style.left = "0px";
    tip.style.top = "0px";
    var w = tip.offsetWidth, h = tip.offsetHeight;
    var left = Math.max(MARGIN, Math.min(r.left + r.width / 2 - w / 2, width - w - MARGIN));
    var top = r.bottom + 6;
    if (top + h > window.innerHeight - MARGIN && r.top - h - 6 >= MARGIN) top = r.top - h - 6;
    tip.style.left = left + window.scrollX + "px";
    tip.style.top = top + window.scrollY + "px";
  }
  function show(el) {
    clearTimeout(timer);
    popover();
    if (current && current !== el) current.removeAttribute("aria-describedby");
    current = el;
    tip.textContent = el.getAttribute("data-prov") || "";
    el.setAttribute("aria-describedby", tip.id);
    tip.hidden = false;
    place();
  }
  function hide() {
    clearTimeout(timer);
    if (tip) tip.hidden = true;
    if (current) current.removeAttribute("aria-describedby");
    current = null;
  }
  function later() {
    clearTimeout(timer);
    timer = setTimeout(hide, 300);
  }
  function host(target) { return target && target.closest ? target.closest(SELECTOR) : null; }

  document.addEventListener("pointerover", function (e) {
    var el = host(e.target);
    if (el && e.pointerType === "mouse") show(el);
  });
  document.addEventListener("pointerout", function (e) {
    if (e.pointerType !== "mouse" || !current || host(e.target) !== current) return;
    var to = e.relatedTarget;
    if (to && (current.contains(to) || (tip && tip.contains(to)))) return;
    if (current !== document.activeElement) later();
  });
  document.addEventListener("focusin", function (e) {
    var el = host(e.target);
    if (el) show(el);
  });
  document.addEventListener("focusout", function (e) {
    if (current && e.target === current) later();
  });
  document.addEventListener("click", function (e) {
    var el = host(e.target);
    if (el) show(el);
    else if (current && !(tip && tip.contains(e.target))) hide();
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && current) hide();
  });
  window.addEventListener("resize", place);
  window.addEventListener("scroll", place, true);

  if (window.document$) { window.document$.subscribe(prepare); } else { document.addEventListener("DOMContentLoaded", prepare); }
})();
