// Broadsheet admin: the rich editor (Quill, vendored under vendor/) over
// the body's textarea, and the media picker.
//
// The textarea stays the field the form sends. The rich editor writes to
// it only when the editor changes something in it, so a body opened and
// saved untouched goes back byte for byte as it was, whatever the rich
// editor would have made of it. A Markdown post opens in its source and
// stays Markdown unless it is edited in the rich editor, which writes HTML.
"use strict";
(function () {
  const form = document.getElementById("editor");
  const body = document.getElementById("body");
  const holder = document.getElementById("rich-editor");
  if (!form || !body || !holder || typeof Quill === "undefined") return;
  const format = document.getElementById("format");
  const modes = document.getElementById("editor-modes");
  const richButton = document.getElementById("mode-rich");
  const sourceButton = document.getElementById("mode-source");
  const note = document.getElementById("mode-note");
  const formatLabel = document.getElementById("format-label");
  const preview = document.getElementById("preview");

  // The break (<!--more-->) is a comment, which Quill does not keep: in the
  // rich editor it is a rule of its own, written back as the comment.
  const BlockEmbed = Quill.import("blots/block/embed");
  class MoreBreak extends BlockEmbed {
    static create() {
      const node = super.create();
      node.setAttribute("title", "Teaser break: the front page shows what is above it");
      return node;
    }
    html() { return "<!--more-->"; }
  }
  MoreBreak.blotName = "more";
  MoreBreak.tagName = "HR";
  MoreBreak.className = "more-break";

  // An image from the library, as the media picker inserts it: a figure
  // with its srcset and an optional caption.
  const imgAttrs = ["src", "srcset", "sizes", "width", "height", "alt", "loading"];
  class Figure extends BlockEmbed {
    static create(value) {
      const node = super.create();
      const img = document.createElement("img");
      for (const a of imgAttrs) if (value && value[a]) img.setAttribute(a, value[a]);
      node.appendChild(img);
      if (value && value.caption) {
        const cap = document.createElement("figcaption");
        cap.textContent = value.caption;
        node.appendChild(cap);
      }
      return node;
    }
    static value(node) {
      const v = {};
      const img = node.querySelector("img");
      if (img) for (const a of imgAttrs) if (img.hasAttribute(a)) v[a] = img.getAttribute(a);
      const cap = node.querySelector("figcaption");
      if (cap && cap.textContent.trim()) v.caption = cap.textContent.trim();
      return v;
    }
    html() {
      const out = document.createElement("figure");
      const v = Figure.value(this.domNode);
      const img = document.createElement("img");
      for (const a of imgAttrs) if (v[a]) img.setAttribute(a, v[a]);
      out.appendChild(img);
      if (v.caption) {
        const cap = document.createElement("figcaption");
        cap.textContent = v.caption;
        out.appendChild(cap);
      }
      return out.outerHTML;
    }
  }
  Figure.blotName = "figure";
  Figure.tagName = "FIGURE";
  Quill.register({"formats/more": MoreBreak, "formats/figure": Figure}, true);

  const quill = new Quill(holder, {
    theme: "snow",
    modules: {
      toolbar: {
        container: [
          [{header: [2, 3, 4, false]}],
          ["bold", "italic", "link"],
          [{list: "ordered"}, {list: "bullet"}, "blockquote"],
          ["image", "clean"],
        ],
        handlers: {image: () => openPicker("rich")},
      },
    },
  });
  // Name the toolbar's buttons for screen readers.
  const labels = {"ql-bold": "Bold", "ql-italic": "Italic", "ql-link": "Link", "ql-blockquote": "Quote",
    "ql-image": "Image", "ql-clean": "Clear formatting"};
  for (const b of holder.parentNode.querySelectorAll(".ql-toolbar button")) {
    const cls = [...b.classList].find((c) => c.startsWith("ql-"));
    let label = labels[cls];
    if (cls === "ql-list") label = b.value === "ordered" ? "Numbered list" : "Bulleted list";
    if (label) b.setAttribute("aria-label", label);
  }
  const headerPicker = holder.parentNode.querySelector(".ql-header .ql-picker-label");
  if (headerPicker) headerPicker.setAttribute("aria-label", "Heading");
  quill.root.setAttribute("aria-label", "Body, rich text");

  // What the rich editor holds as HTML, with the break as a comment and
  // the editor's non-breaking spaces as plain ones.
  function richHTML() {
    let html = quill.getSemanticHTML().replaceAll("&nbsp;", " ");
    if (html === "<p></p>") html = "";
    return html;
  }
  function load(html) {
    html = html.replaceAll("<!--more-->", '<hr class="more-break">')
      .replaceAll('<span id="more"></span>', '<hr class="more-break">');
    quill.setContents(quill.clipboard.convert({html: html}), "silent");
    quill.history.clear();
  }

  // Markup the rich editor would not keep: such a body opens in its source.
  const kept = new Set(["P", "H1", "H2", "H3", "H4", "H5", "H6", "UL", "OL", "LI", "A", "STRONG", "EM", "B", "I",
    "BLOCKQUOTE", "FIGURE", "FIGCAPTION", "IMG", "BR", "HR", "U", "S", "CODE", "SUB", "SUP", "SPAN"]);
  function lost(html) {
    const doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
    const out = new Set();
    for (const el of doc.body.querySelectorAll("*")) {
      if (!kept.has(el.tagName)) out.add(el.tagName.toLowerCase());
      else if (el.tagName === "IMG" && !el.closest("figure") && el.hasAttribute("srcset")) out.add("srcset");
      else if (el.hasAttribute("class") && !el.classList.contains("more-break")) out.add("class");
    }
    return [...out];
  }

  let rich = false;
  function setMode(on) {
    rich = on;
    holder.hidden = !on;
    holder.previousElementSibling.hidden = !on; // the toolbar
    body.hidden = on;
    richButton.setAttribute("aria-pressed", String(on));
    sourceButton.setAttribute("aria-pressed", String(!on));
  }
  function sourceLabel() {
    const html = format.value === "html";
    formatLabel.textContent = html ? "HTML" : "Markdown";
    sourceButton.textContent = (html ? "HTML" : "Markdown") + " source";
  }

  // Switching to the rich editor loads it from the source; the source is
  // rewritten only once something is changed in the rich editor.
  async function toRich() {
    if (format.value === "html") {
      const gone = lost(body.value);
      note.textContent = gone.length ? "The rich editor does not keep " + gone.join(", ") +
        ": what you change here rewrites the body without them." : "";
      load(body.value);
    } else {
      note.textContent = body.value.trim() ? "Markdown post: changing it here keeps it as HTML from then on." : "";
      let html = "";
      if (body.value.trim()) {
        try {
          const res = await fetch("/api/v1/preview", {method: "POST", headers: {"Content-Type": "application/json"},
            body: JSON.stringify({body: body.value, excerpt: "", format: "markdown"})});
          if (res.ok) html = (await res.json()).body_html;
          else html = preview.innerHTML;
        } catch (e) {
          html = preview.innerHTML;
        }
      }
      load(html);
    }
    setMode(true);
  }
  function toSource() {
    note.textContent = "";
    setMode(false);
    body.focus();
  }
  richButton.addEventListener("click", () => { if (!rich) toRich(); });
  sourceButton.addEventListener("click", () => { if (rich) toSource(); });

  quill.on("text-change", (delta, old, source) => {
    if (source !== "user" && source !== "api") return;
    if (!rich) return;
    body.value = richHTML();
    if (format.value !== "html") {
      format.value = "html";
      form.dataset.format = "html";
      sourceLabel();
    }
    body.dispatchEvent(new Event("input", {bubbles: true}));
  });

  modes.hidden = false;
  sourceLabel();
  // Start in the rich editor for an empty body and for HTML it keeps
  // whole; start in the source for Markdown and for HTML it would change.
  if (!body.value.trim() || (format.value === "html" && lost(body.value).length === 0)) toRich();
  else setMode(false);

  document.getElementById("insert-more").addEventListener("click", () => {
    if (rich) {
      const at = (quill.getSelection(true) || {index: quill.getLength()}).index;
      quill.insertEmbed(at, "more", true, "user");
      quill.setSelection(at + 1, 0, "user");
      return;
    }
    const at = body.selectionStart;
    const marker = "\n\n<!--more-->\n\n";
    body.value = body.value.slice(0, at) + marker + body.value.slice(body.selectionEnd);
    body.selectionStart = body.selectionEnd = at + marker.length;
    body.focus();
    body.dispatchEvent(new Event("input", {bubbles: true}));
  });

  // The media picker: upload an image or choose one from the library,
  // describe it (alt text is required), caption it, and insert it as a
  // figure with its srcset, in the rich editor or in the source.
  const dialog = document.getElementById("media-picker");
  const insertMedia = document.getElementById("insert-media");
  let target = "body", chosen = null, savedRange = null;
  if (insertMedia) insertMedia.addEventListener("click", () => openPicker(rich ? "rich" : "body"));

  function esc(s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&#34;");
  }
  function figureHTML(m, alt, caption) {
    let img = '<img src="' + esc(m.url) + '"';
    if (m.srcset) img += ' srcset="' + esc(m.srcset) + '" sizes="(max-width: 760px) 100vw, 760px"';
    if (m.width) img += ' width="' + m.width + '" height="' + m.height + '"';
    img += ' alt="' + esc(alt) + '" loading="lazy">';
    return "<figure>" + img + (caption ? "<figcaption>" + esc(caption) + "</figcaption>" : "") + "</figure>";
  }

  async function openPicker(where) {
    if (!dialog) return;
    target = where;
    savedRange = rich ? quill.getSelection(true) : null;
    chosen = null;
    document.getElementById("picker-file").value = "";
    document.getElementById("picker-alt").value = "";
    document.getElementById("picker-caption").value = "";
    document.getElementById("picker-state").textContent = "";
    dialog.showModal();
    const grid = document.getElementById("picker-library");
    const state = document.getElementById("picker-library-state");
    grid.replaceChildren();
    state.textContent = "Loading the library…";
    try {
      const res = await fetch("/api/v1/media");
      const out = await res.json();
      const images = (out.media || []).filter((m) => m.mime.startsWith("image/"));
      state.textContent = images.length ? "" : "No images in the library yet: upload one.";
      for (const m of images) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "thumb";
        b.setAttribute("aria-pressed", "false");
        b.dataset.id = m.id;
        const img = document.createElement("img");
        const small = (m.variants || []).reduce((a, v) => (!a || v.width < a.width ? v : a), null);
        img.src = small ? small.url : m.url;
        img.alt = "";
        const label = document.createElement("span");
        label.textContent = m.alt || m.filename;
        b.append(img, label);
        b.addEventListener("click", () => {
          for (const o of grid.querySelectorAll(".thumb")) o.setAttribute("aria-pressed", "false");
          b.setAttribute("aria-pressed", "true");
          chosen = m;
          document.getElementById("picker-file").value = "";
          const alt = document.getElementById("picker-alt");
          if (!alt.value) alt.value = m.alt;
        });
        grid.appendChild(b);
      }
    } catch (e) {
      state.textContent = "The library cannot be reached; upload a file instead.";
    }
  }

  if (dialog) {
    document.getElementById("picker-cancel").addEventListener("click", () => dialog.close());
    document.getElementById("picker-file").addEventListener("change", () => {
      chosen = null;
      for (const o of document.querySelectorAll("#picker-library .thumb")) o.setAttribute("aria-pressed", "false");
    });
    document.getElementById("picker-insert").addEventListener("click", async () => {
      const state = document.getElementById("picker-state");
      const altField = document.getElementById("picker-alt");
      const alt = altField.value.trim();
      const caption = document.getElementById("picker-caption").value.trim();
      const file = document.getElementById("picker-file").files[0];
      if (!file && !chosen) {
        state.textContent = "Choose an image from the library or a file to upload.";
        return;
      }
      if (!alt) {
        state.textContent = "Describe the image in the alt text first: readers who cannot see it rely on it.";
        altField.setAttribute("aria-invalid", "true");
        altField.focus();
        return;
      }
      altField.removeAttribute("aria-invalid");
      let m = chosen;
      if (file) {
        const data = new FormData();
        data.append("file", file);
        data.append("alt", alt);
        state.textContent = "Uploading…";
        const res = await fetch("/api/v1/media", {method: "POST", body: data});
        const out = await res.json();
        if (!res.ok) {
          state.textContent = "Not uploaded: " + out.error.message;
          return;
        }
        m = out;
      }
      dialog.close();
      if (target === "rich") {
        const at = savedRange ? savedRange.index : quill.getLength() - 1;
        quill.insertEmbed(at, "figure", {src: m.url, srcset: m.srcset, sizes: m.srcset ? "(max-width: 760px) 100vw, 760px" : "",
          width: m.width ? String(m.width) : "", height: m.height ? String(m.height) : "", alt: alt, loading: "lazy", caption: caption}, "user");
        quill.setSelection(at + 1, 0, "user");
      } else {
        const at = body.selectionStart;
        const snippet = "\n\n" + figureHTML(m, alt, caption) + "\n\n";
        body.value = body.value.slice(0, at) + snippet + body.value.slice(body.selectionEnd);
        body.dispatchEvent(new Event("input", {bubbles: true}));
      }
      document.getElementById("image-state").textContent = "Inserted " + (m.filename || "the image") + ".";
    });
  }
})();
