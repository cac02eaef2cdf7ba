// The inbox's keyboard triage: j/k move between items, and on the current
// item r republishes, s stars, x skips, u puts it back to new, o opens the
// original. Every action is a button or link of the page, so the inbox
// works the same without this script.
(function () {
  "use strict";
  // A lead image the outlet no longer serves (or this page's policy
  // refuses) is left out rather than shown broken.
  Array.prototype.forEach.call(document.querySelectorAll("img.desk-thumb"), function (img) {
    function drop() { img.remove(); }
    if (img.complete && img.naturalWidth === 0) drop();
    else img.addEventListener("error", drop);
  });
  var items = Array.prototype.slice.call(document.querySelectorAll(".desk-item"));
  if (!items.length) return;
  var hint = document.querySelector(".desk-keys");
  if (hint) hint.hidden = false;
  var current = -1;
  var hash = location.hash.slice(1);
  items.forEach(function (el, i) {
    if (el.id === hash) current = i;
    el.addEventListener("focusin", function () { select(i, false); });
  });
  function select(i, focus) {
    if (i < 0 || i >= items.length) return;
    if (current >= 0 && items[current]) items[current].classList.remove("desk-current");
    current = i;
    items[i].classList.add("desk-current");
    if (focus) {
      items[i].focus();
      items[i].scrollIntoView({ block: "nearest" });
    }
  }
  if (current >= 0) select(current, false);
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var key = e.key;
    if (key === "j" || key === "k") {
      e.preventDefault();
      select(current < 0 ? 0 : current + (key === "j" ? 1 : -1), true);
      return;
    }
    if (current < 0) return;
    var target = items[current].querySelector('[data-key="' + key + '"]');
    if (!target) return;
    e.preventDefault();
    target.click();
  });
})();
