// Broadsheet admin: live preview, autosave and the unsaved-changes warning
// for the editor. Everything here is an addition: the forms work without it.
"use strict";
// On a phone the sections scroll sideways: show the current one.
(function () {
  const current = document.querySelector(".bar nav [aria-current]");
  const nav = current && current.parentElement;
  if (nav && nav.scrollWidth > nav.clientWidth) {
    nav.scrollLeft = current.offsetLeft - nav.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2;
  }
})();
(function () {
  const form = document.getElementById("editor");
  if (!form) return;
  const id = form.dataset.id;
  const body = document.getElementById("body");
  const excerpt = document.getElementById("excerpt");
  const title = document.getElementById("title");
  const version = document.getElementById("version");
  const versionLabel = document.getElementById("version-label");
  const state = document.getElementById("autosave-state");
  const preview = document.getElementById("preview");
  const teaser = document.getElementById("teaser-preview");
  const more = document.getElementById("more-preview");
  const format = document.getElementById("format");
  const intro = document.getElementById("introduction");
  let dirty = false, saving = false, stopped = false, timer = null;

  // A republished article is shown as its introduction, its attribution
  // line and the article; autosave puts them back together as the server
  // does (content.Republished.Join).
  function escapeHTML(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&#39;").replace(/"/g, "&#34;");
  }
  function fullBody() {
    if (!intro) return body.value;
    const paras = intro.value.replace(/\r\n?/g, "\n").split("\n\n").map((p) => p.trim()).filter((p) => p);
    let out = paras.map((p) => '<p class="editorial-introduction">' + escapeHTML(p) + "</p>\n").join("");
    if (!out) out = '<p class="editorial-introduction"></p>\n';
    return out + form.dataset.attribution + "\n" + body.value.replace(/\r\n?/g, "\n");
  }

  // The preview is rendered by the server with the public site's renderer,
  // so what the editor sees is what readers will see.
  async function renderPreview() {
    try {
      const res = await fetch("/api/v1/preview", {
        method: "POST", headers: {"Content-Type": "application/json"},
        body: JSON.stringify({body: fullBody(), excerpt: excerpt.value, format: format ? format.value : form.dataset.format}),
      });
      if (!res.ok) return;
      const out = await res.json();
      preview.innerHTML = out.body_html; // sanitised by the server
      teaser.innerHTML = out.teaser_html;
      more.hidden = !out.has_more;
    } catch (e) { /* offline: keep the last preview */ }
  }
  function schedulePreview() {
    clearTimeout(timer);
    timer = setTimeout(renderPreview, 250);
  }

  function changed() {
    dirty = true;
    if (form.dataset.autosave === "on" && !stopped) state.textContent = "Unsaved changes";
  }
  form.addEventListener("input", (ev) => {
    changed();
    if (ev.target === body || ev.target === excerpt || ev.target === intro) schedulePreview();
  });

  // Autosave every few seconds while there are changes, for drafts and
  // posts pending review; published posts change only when saved on purpose.
  async function autosave() {
    if (!dirty || saving || stopped || form.dataset.autosave !== "on") return;
    saving = true;
    dirty = false;
    const fields = {
      title: title.value, body: fullBody(), excerpt: excerpt.value,
      version: parseInt(version.value, 10), autosave: true,
    };
    if (format) fields.format = format.value;
    try {
      const res = await fetch("/api/v1/posts/" + id, {
        method: "PATCH", headers: {"Content-Type": "application/json"}, body: JSON.stringify(fields),
      });
      const out = await res.json();
      if (res.ok) {
        version.value = out.version;
        const slug = document.getElementById("slug");
        if (slug && slug.value === "") slug.placeholder = out.slug;
        versionLabel.textContent = out.version;
        state.textContent = "Saved automatically at " + new Date().toLocaleTimeString();
      } else {
        dirty = true;
        if (res.status === 409) stopped = true;
        state.textContent = "Not saved: " + out.error.message;
        state.classList.add("error");
      }
    } catch (e) {
      dirty = true;
      state.textContent = "Not saved: the server cannot be reached; your text is still here.";
    } finally {
      saving = false;
    }
  }
  setInterval(autosave, 5000);

  window.addEventListener("beforeunload", (ev) => {
    if (dirty) {
      ev.preventDefault();
      ev.returnValue = "";
    }
  });
  // A save by button waits for an autosave in flight, so it carries the
  // version that autosave produced instead of colliding with it.
  let pending = null;
  form.addEventListener("submit", (ev) => {
    stopped = true;
    if (saving) {
      ev.preventDefault();
      pending = ev.submitter;
      return;
    }
    dirty = false;
  });
  setInterval(() => {
    if (pending && !saving) {
      const b = pending;
      pending = null;
      dirty = false;
      form.requestSubmit(b);
    }
  }, 100);

  // A republished draft opens with the caret in its introduction (its own
  // field, or the empty paragraph content.EmptyIntroduction of a body that
  // cannot be shown in parts), where the editor writes first; the note
  // above the body goes once the introduction is written.
  const emptyIntro = '<p class="editorial-introduction"></p>';
  const introNote = document.getElementById("intro-note");
  if (intro) {
    if (introNote) {
      intro.focus();
      intro.addEventListener("input", () => { introNote.hidden = intro.value.trim() !== ""; });
    }
  } else {
    const introAt = body.value.indexOf(emptyIntro);
    if (introNote && introAt >= 0) {
      const at = introAt + emptyIntro.indexOf("></p>") + 1;
      body.focus();
      body.setSelectionRange(at, at);
    }
    if (introNote) {
      body.addEventListener("input", () => { introNote.hidden = !body.value.includes(emptyIntro); });
    }
  }
})();

// Media library: drop files onto the upload form.
(function () {
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("file");
  if (zone && input) {
    zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (ev) => {
      ev.preventDefault();
      zone.classList.remove("over");
      input.files = ev.dataTransfer.files;
    });
  }
})();

// The term picker: a filter box over the categories, and suggestions of
// existing tags for the name being typed after the last comma.
(function () {
  document.querySelectorAll("input[data-filter]").forEach((box) => {
    const list = document.getElementById(box.dataset.filter);
    if (!list) return;
    box.hidden = false;
    box.addEventListener("input", () => {
      const q = box.value.trim().toLowerCase();
      list.querySelectorAll("li").forEach((li) => {
        li.hidden = q !== "" && !li.textContent.toLowerCase().includes(q);
      });
    });
    // Enter in the filter box must not send the editor's form.
    box.addEventListener("keydown", (ev) => { if (ev.key === "Enter") ev.preventDefault(); });
  });
  const tags = document.getElementById("tags");
  const known = document.getElementById("tag-names");
  if (!tags || !known) return;
  const names = Array.from(known.options, (o) => o.value);
  tags.addEventListener("input", () => {
    const cut = tags.value.lastIndexOf(",");
    const before = cut < 0 ? "" : tags.value.slice(0, cut + 1) + " ";
    const typed = new Set(tags.value.split(",").map((s) => s.trim().toLowerCase()));
    known.replaceChildren(...names.filter((n) => !typed.has(n.toLowerCase())).map((n) => {
      const o = document.createElement("option");
      o.value = before + n;
      return o;
    }));
  });
})();
