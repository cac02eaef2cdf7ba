// Search-as-you-type: under any search box marked data-suggest, offer the
// titles that match what has been typed so far. Optional: without this
// script the search form works as it is.
(function () {
  "use strict";
  if (!window.fetch) return;
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) return;
    var timer, asked = "";
    function hide() { list.hidden = true; list.textContent = ""; input.setAttribute("aria-expanded", "false"); }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value;
        if (q.trim().length < 2) { asked = ""; hide(); return; }
        if (q === asked) return;
        asked = q;
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            if (input.value !== q) return; // typed on meanwhile
            list.textContent = "";
            items.forEach(function (s) {
              var li = document.createElement("li"), a = document.createElement("a");
              a.href = s.url;
              a.textContent = s.title;
              li.appendChild(a);
              list.appendChild(li);
            });
            list.hidden = items.length === 0;
            input.setAttribute("aria-expanded", String(items.length > 0));
          })
          .catch(hide);
      }, 150);
    });
    input.addEventListener("keydown", function (e) { if (e.key === "Escape") hide(); });
  });
})();
