// The clause editor on the agreement edit page: a Quill editor over each clause's textarea.
//
// Progressive enhancement: the textarea stays in the form and keeps the clause's HTML, so the form posts
// the same field as without JavaScript. The editor writes its HTML into the textarea on every change; a
// clause nobody touched posts exactly what the server sent. Editors start only for the clauses that are
// open (a <details> element), so a long agreement costs nothing until a clause is opened.
// No inline styles or scripts: everything here runs under the app's strict CSP.
(function () {
  "use strict";

  var Quill = window.Quill;
  if (!Quill || !document.querySelector("textarea[data-clause-editor]")) {
    return; // no editor library, or not the edit page: the textareas keep working
  }

  // Links only to http(s): a bare "example.org" becomes https://example.org; anything else is refused
  // (the server's nh3 allow-list drops such a link again in any case).
  var Link = Quill.import("formats/link");
  Link.PROTOCOL_WHITELIST = ["http", "https"];
  var WEB_ADDRESS = /^https?:\/\/[^\s"<>]+$/i;

  class WebLink extends Link {
    static sanitize(url) {
      var value = String(url || "").trim();
      if (value && !/^[a-z][a-z0-9+.-]*:/i.test(value)) {
        value = "https://" + value.replace(/^\/+/, "");
      }
      return WEB_ADDRESS.test(value) ? value : "about:blank";
    }
  }
  Quill.register(WebLink, true);

  // What the server keeps (agreements/sanitize.py); the editor offers nothing else.
  var FORMATS = ["header", "bold", "italic", "underline", "link", "list", "indent", "table"];
  var HEADING_LEVELS = { 1: 3, 2: 3, 3: 3, 4: 4, 5: 4, 6: 4 }; // pasted h1–h6 become h3 or h4

  var editors = new Map(); // textarea -> {quill, initial, wrapper}
  var active = null; // the clause (textarea) whose editor or textarea had the cursor last
  var status = document.querySelector("[data-insert-status]");

  function say(message) {
    if (status) status.textContent = message;
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) { node.setAttribute(name, attributes[name]); });
    if (text) node.textContent = text;
    return node;
  }

  function button(className, label, value) {
    var node = element("button", { type: "button", class: className, "aria-label": label, title: label });
    if (value) node.value = value;
    return node;
  }

  function toolbar(title) {
    var bar = element("div", { class: "clause-toolbar", role: "toolbar",
                               "aria-label": "Formatting of “" + title + "”" });
    var style = element("span", { class: "ql-formats" });
    var header = element("select", { class: "ql-header", "aria-label": "Paragraph style" });
    header.appendChild(element("option", { value: "3" }, "Heading"));
    header.appendChild(element("option", { value: "4" }, "Subheading"));
    header.appendChild(element("option", { selected: "selected" }, "Normal text"));
    style.appendChild(header);
    var inline = element("span", { class: "ql-formats" });
    inline.appendChild(button("ql-bold", "Bold"));
    inline.appendChild(button("ql-italic", "Italic"));
    inline.appendChild(button("ql-underline", "Underline"));
    inline.appendChild(button("ql-link", "Link to a web address"));
    var lists = element("span", { class: "ql-formats" });
    lists.appendChild(button("ql-list", "Numbered list", "ordered"));
    lists.appendChild(button("ql-list", "Bulleted list", "bullet"));
    lists.appendChild(button("ql-indent", "Outdent list item", "-1"));
    lists.appendChild(button("ql-indent", "Indent list item", "+1"));
    var tables = element("span", { class: "ql-formats dropdown clause-table-menu" });
    tables.appendChild(element("button", { type: "button", class: "btn btn-sm btn-light dropdown-toggle",
                                           "data-bs-toggle": "dropdown", "aria-expanded": "false" }, "Table"));
    var menu = element("ul", { class: "dropdown-menu" });
    [["insert", "Insert a table (2 × 2)"], ["row", "Add a row below"], ["column", "Add a column to the right"],
     ["delete-row", "Delete this row"], ["delete-column", "Delete this column"], ["delete", "Delete this table"]]
      .forEach(function (item) {
        var entry = element("li");
        entry.appendChild(element("button", { type: "button", class: "dropdown-item", "data-table": item[0] },
                                  item[1]));
        menu.appendChild(entry);
      });
    tables.appendChild(menu);
    var clean = element("span", { class: "ql-formats" });
    clean.appendChild(button("ql-clean", "Remove formatting"));
    [style, inline, lists, tables, clean].forEach(function (group) { bar.appendChild(group); });
    return bar;
  }

  // Quill's own HTML, made to fit the allow-list: real spaces (Quill writes every space as &nbsp;,
  // and only spaces: a typed "&" is already &amp;), no style on tables, headings only h3/h4.
  function serialise(quill) {
    if (quill.getLength() <= 1) return "";
    return quill.getSemanticHTML()
      .replace(/&nbsp;/g, " ")
      .replace(/<table style="[^"]*">/g, "<table>")
      .replace(/ data-row="[^"]*"/g, "");
  }

  function sameContents(a, b) {
    return JSON.stringify(a.ops) === JSON.stringify(b.ops);
  }

  function load(quill, html) {
    // Quill's tables have no header cells: keep their text as ordinary cells.
    var source = html.replace(/<(\/?)th(?=[\s>])/gi, "<$1td");
    quill.setContents(quill.clipboard.convert({ html: source }), "silent");
  }

  function tableAction(quill, action) {
    var table = quill.getModule("table");
    quill.focus(); // puts back the selection the menu took away
    if (action === "insert") {
      if (table.getTable()[0]) { say("The cursor is already in a table."); return; }
      table.insertTable(2, 2);
    } else if (!table.getTable()[0]) {
      say("Put the cursor in a table cell first.");
    } else if (action === "row") {
      table.insertRowBelow();
    } else if (action === "column") {
      table.insertColumnRight();
    } else if (action === "delete-row") {
      table.deleteRow();
    } else if (action === "delete-column") {
      table.deleteColumn();
    } else if (action === "delete") {
      table.deleteTable();
    }
  }

  function labelOf(textarea) {
    return textarea.getAttribute("data-clause-title") || "this clause";
  }

  function start(textarea) {
    if (editors.has(textarea)) return;
    var title = labelOf(textarea);
    var original = textarea.value;
    var wrapper = element("div", { class: "clause-editor" + (textarea.classList.contains("is-invalid") ?
                                   " is-invalid" : "") });
    var bar = toolbar(title);
    var surface = element("div", { class: "clause-editor-surface" });
    wrapper.appendChild(bar);
    wrapper.appendChild(surface);
    var toggle = element("button", { type: "button", class: "btn btn-link btn-sm px-0 clause-source-toggle" });
    function labelToggle(showingHtml) { // what it does, and for which clause (hidden text, for screen readers)
      toggle.textContent = showingHtml ? "Back to the editor" : "Edit the HTML";
      toggle.appendChild(element("span", { class: "visually-hidden" },
                                 (showingHtml ? " for “" : " of “") + title + "”"));
    }
    labelToggle(false);
    textarea.insertAdjacentElement("afterend", wrapper);
    wrapper.insertAdjacentElement("afterend", toggle);

    var quill = new Quill(surface, {
      theme: "snow",
      formats: FORMATS,
      modules: {
        toolbar: { container: bar },
        table: true,
        // Tab moves on to the next control, as in any form, rather than typing a tab character (a keyboard trap);
        // at the start of a list item it still indents it.
        keyboard: { bindings: { tab: false } },
        clipboard: {
          matchers: [[Node.ELEMENT_NODE, function (node, delta) {
            delta.ops.forEach(function (op) {
              if (op.attributes && op.attributes.header) {
                op.attributes.header = HEADING_LEVELS[op.attributes.header] || 4;
              }
            });
            return delta;
          }]],
        },
      },
    });
    quill.root.setAttribute("aria-label", "Text of “" + title + "”");
    quill.root.setAttribute("aria-multiline", "true");
    quill.root.setAttribute("role", "textbox");
    if (textarea.getAttribute("aria-describedby")) {
      quill.root.setAttribute("aria-describedby", textarea.getAttribute("aria-describedby"));
    }
    load(quill, original);
    var initial = quill.getContents();
    textarea.classList.add("d-none");

    quill.on("text-change", function () {
      // Back to what was loaded: post the original HTML, so an undone edit is no change at all.
      textarea.value = sameContents(quill.getContents(), initial) ? original : serialise(quill);
    });
    quill.on("selection-change", function (range) {
      if (range) active = textarea;
    });
    bar.addEventListener("mousedown", function (event) {
      if (event.target.closest("[data-table]")) event.preventDefault(); // keep the cursor in the cell
    });
    bar.addEventListener("click", function (event) {
      var item = event.target.closest("[data-table]");
      if (item) tableAction(quill, item.getAttribute("data-table"));
    });
    toggle.addEventListener("click", function () {
      var showingHtml = wrapper.classList.contains("d-none");
      if (showingHtml) { // the HTML as typed becomes the editor's starting point
        load(quill, textarea.value);
        initial = quill.getContents();
        original = textarea.value;
      }
      textarea.classList.toggle("d-none", showingHtml);
      wrapper.classList.toggle("d-none", !showingHtml);
      labelToggle(!showingHtml);
      (showingHtml ? quill : textarea).focus();
    });
    editors.set(textarea, { quill: quill, wrapper: wrapper });
  }

  function startOpenClauses(root) {
    root.querySelectorAll("textarea[data-clause-editor]").forEach(function (textarea) {
      var section = textarea.closest("details");
      if (!section || section.open) start(textarea);
    });
  }

  // --- Placeholders and conditions from the list beside the form ----------------------------------

  function insertIntoTextarea(textarea, before, after) {
    var from = textarea.selectionStart, to = textarea.selectionEnd;
    var selected = textarea.value.slice(from, to);
    textarea.setRangeText(before + (after === null ? "" : selected + after), from, to, "end");
    textarea.focus();
  }

  function insert(before, after) {
    if (!active || !document.body.contains(active)) {
      say("Click in a clause first, where the text should go, then choose it again.");
      return;
    }
    var section = active.closest("details");
    if (section && !section.open) {
      say("Open “" + labelOf(active) + "” again, or click in another clause, then choose it again.");
      return;
    }
    var editor = editors.get(active);
    if (!editor || active.offsetParent !== null) { // no editor, or its HTML is being edited
      insertIntoTextarea(active, before, after);
    } else {
      var quill = editor.quill;
      var range = quill.getSelection(true); // focuses the editor on the last cursor position
      if (after === null) {
        quill.deleteText(range.index, range.length, "user");
        quill.insertText(range.index, before, "user");
        quill.setSelection(range.index + before.length, 0, "user");
      } else { // a condition goes around the selected text
        quill.insertText(range.index + range.length, after, "user");
        quill.insertText(range.index, before, "user");
        quill.setSelection(range.index + before.length, range.length, "user");
      }
    }
    say("Inserted " + before + (after ? " … " + after : "") + " in “" + labelOf(active) + "”.");
  }

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-clause-editor]")) active = event.target;
  });
  document.querySelectorAll("[data-insert]").forEach(function (control) {
    control.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep the cursor
    control.addEventListener("click", function () {
      insert(control.getAttribute("data-insert"),
             control.hasAttribute("data-insert-end") ? control.getAttribute("data-insert-end") : null);
    });
  });

  // --- Sections ------------------------------------------------------------------------------------

  document.querySelectorAll("details.clause-section").forEach(function (section) {
    section.addEventListener("toggle", function () {
      if (section.open) startOpenClauses(section);
    });
  });
  document.querySelectorAll("[data-clauses]").forEach(function (control) {
    control.hidden = false;
    control.addEventListener("click", function () {
      var open = control.getAttribute("data-clauses") === "open";
      document.querySelectorAll("details.clause-section").forEach(function (section) { section.open = open; });
    });
  });
  // The error list links to a clause's textarea; with the editor in its place, go to the editor.
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest('a[href^="#id_clause_"]');
    var textarea = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!textarea || !textarea.matches("textarea[data-clause-editor]")) return;
    var section = textarea.closest("details");
    if (section) section.open = true;
    start(textarea);
    var editor = editors.get(textarea);
    if (editor && textarea.classList.contains("d-none")) {
      event.preventDefault();
      editor.wrapper.scrollIntoView({ block: "center" });
      editor.quill.focus();
    }
  });

  startOpenClauses(document);
})();
