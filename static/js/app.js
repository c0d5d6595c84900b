// Progress bars get their width from data-progress (inline styles are blocked by the CSP).
(function () {
  function applyProgress(root) {
    root.querySelectorAll("[data-progress]").forEach(function (el) {
      el.style.width = Math.max(0, Math.min(100, parseInt(el.dataset.progress, 10) || 0)) + "%";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { applyProgress(document); });
  document.addEventListener("htmx:afterSwap", function (event) { applyProgress(event.target); });
})();

// "Quote selection": copy the words selected inside a clause's text into the comment's quote field.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-quote-target]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.quoteTarget);
    var source = document.getElementById(button.dataset.quoteSource);
    var selection = window.getSelection();
    var status = document.getElementById(button.dataset.quoteStatus);
    if (!field || !source || !selection || selection.isCollapsed ||
        !source.contains(selection.anchorNode) || !source.contains(selection.focusNode)) {
      if (status) { status.textContent = "Select words in the clause text first."; }
      return;
    }
    field.value = selection.toString().replace(/\s+/g, " ").trim().slice(0, parseInt(field.maxLength, 10) || 500);
    if (status) { status.textContent = "Quoted: " + field.value; }
    field.focus();
  });
})();

// "Copy link": put a read-only field's text on the clipboard and say so in the status line beside it.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.copyTarget);
    var status = document.getElementById(button.dataset.copyStatus);
    if (!field) { return; }
    function say(message) { if (status) { status.textContent = message; } }
    function selectForCopying() {
      field.focus();
      field.select();
      say("The link is selected: press Ctrl+C (⌘C on a Mac) to copy it.");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(function () { say("Link copied."); }, selectForCopying);
    } else {
      selectForCopying();
    }
  });
})();

// After a form comes back with errors, put the keyboard focus on the first field to fix (or on the form's own
// error message when no field is to blame), so keyboard and screen-reader users start where the problem is. Only a
// form that was sent (method="post") counts: a search or filter form with a bad value keeps the focus where it was.
(function () {
  var FIRST_ERROR = "[data-form-error], form[method='post' i] [aria-invalid='true'], form[method='post' i] .is-invalid";

  function focusFirstError(root) {
    var target = root && root.querySelector(FIRST_ERROR);
    if (!target) { return; }
    if (target.matches("div, fieldset, ul") && !target.matches("[data-form-error]")) {
      target = target.querySelector("input, select, textarea") || target;  // a marked group: its first control
    }
    if (!target.matches("input, select, textarea, button, a[href]") && !target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  // A field drawn by hand in a template (not through Django's widgets) may show its error next to it without
  // naming it; tie the two, so a screen reader reads the error with the field. The error is the field's own
  // following .invalid-feedback sibling, or the one in the field's own wrapper.
  var tied = 0;
  function ownError(field) {
    for (var next = field.nextElementSibling; next; next = next.nextElementSibling) {
      if (next.matches(".invalid-feedback")) { return next; }
      if (next.matches("input, select, textarea")) { return null; }  // the next field's error, not this one's
    }
    var box = field.parentElement;
    var fields = box ? box.querySelectorAll("input:not([type=hidden]), select, textarea") : [];
    return fields.length === 1 ? box.querySelector(".invalid-feedback") : null;
  }

  function tieErrors(root) {
    root.querySelectorAll("input.is-invalid, select.is-invalid, textarea.is-invalid").forEach(function (field) {
      field.setAttribute("aria-invalid", "true");
      var named = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      var namesAnError = named.some(function (id) {
        var el = document.getElementById(id);
        return el && el.matches(".invalid-feedback");
      });
      var feedback = namesAnError ? null : ownError(field);
      if (!feedback) { return; }
      if (!feedback.id) { tied += 1; feedback.id = "field-error-" + tied; }
      field.setAttribute("aria-describedby", named.concat(feedback.id).join(" "));
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var main = document.getElementById("main");
    if (!main) { return; }
    tieErrors(main);
    if (!document.querySelector("[autofocus]")) { focusFirstError(main); }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail.elt;
    if (swapped && swapped.isConnected) { tieErrors(swapped); focusFirstError(swapped); }
  });
})();

// htmx updates, announced and with the focus kept sensible.
// * A swapped part may carry data-live-message: its value (or, when empty, the element's own text) is read out
//   through the page's polite live region (#live-region in base.html). A status that polls (it has an id) is read
//   out when it changes: "Ready" once, not every 2 s, and not the "Queued" the page already showed.
// * If the swap took away the element that had the focus and htmx could not put it back (same id), the focus goes
//   to the new part's heading instead of falling back to the top of the page. A swap the person was not in (a
//   status that polls) never moves the focus.
(function () {
  var lastMessage = "", lastSource = "", focusWasInside = false;

  function messageOf(source) {
    // An empty data-live-message means "read what this element says" (a result count, say).
    return source.dataset.liveMessage || source.textContent.replace(/\s+/g, " ").trim();
  }

  function announce(root) {
    var region = document.getElementById("live-region");
    var source = root.matches("[data-live-message]") ? root : root.querySelector("[data-live-message]");
    if (!region || !source) { return; }
    var message = messageOf(source);
    if (message && !(source.id && source.id === lastSource && message === lastMessage)) {
      lastMessage = message;
      lastSource = source.id;
      region.textContent = message;
    }
  }

  function keepFocus(root) {
    if (document.activeElement && document.activeElement !== document.body) { return; }
    var target = root.querySelector("h1, h2, h3, h4, caption") || root;
    if (!target.matches("a[href], button, input, select, textarea") && !target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var shown = document.querySelector("[data-live-message][id]");  // what the page says before any update
    if (shown) { lastSource = shown.id; lastMessage = messageOf(shown); }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail.target;
    focusWasInside = Boolean(active && active !== document.body && target && target.contains(active));
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.detail.elt;
    if (!swapped || !swapped.isConnected) { return; }
    announce(swapped);
    if (focusWasInside) {
      focusWasInside = false;
      keepFocus(swapped);
    }
  });
})();

// A table wider than its box scrolls sideways; with nothing focusable inside, a keyboard user could not scroll it.
// Such a box becomes a named, focusable region (arrow keys then scroll it), named after its table's caption.
(function () {
  function reachable(root) {
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex") ||
          box.querySelector("a[href], button, input, select, textarea, [tabindex]")) { return; }
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.replace(/\s+/g, " ").trim() : "Table (scrolls sideways)");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { reachable(document); });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.isConnected) { reachable(event.detail.elt); }
  });
})();

// Idle sign-out (toolkit/sessions.py): the server ends a session after a spell without activity. Warn before
// it does, with a button that keeps the session, so nobody loses what they were typing. Typing and clicking
// count as activity (sent at most once a minute); status parts that poll by themselves do not. Tabs share
// the time of the last activity, so a busy tab keeps a quiet one from warning.
(function () {
  var body = document.body;
  if (!body || !body.dataset.idleSeconds) { return; }
  var idle = parseInt(body.dataset.idleSeconds, 10) * 1000;
  var warnBefore = Math.min(120000, Math.floor(idle / 3));
  var reportEvery = Math.min(60000, Math.floor(idle / 10));
  var storageKey = "toolkit-last-activity";
  var warning = null;
  var lastSeen = Date.now();
  var csrf = "";
  try { csrf = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; } catch (e) { csrf = ""; }

  function lastActivity() {
    var shared = 0;
    try { shared = parseInt(window.localStorage.getItem(storageKey), 10) || 0; } catch (e) { shared = 0; }
    return Math.max(lastSeen, shared);
  }
  function noteActivity() {
    lastSeen = Date.now();
    try { window.localStorage.setItem(storageKey, String(lastSeen)); } catch (e) { /* private mode */ }
  }
  function signOut() {
    // A real form post: the server ends the session now and shows the sign-in page saying why.
    var form = document.createElement("form");
    form.method = "post";
    form.action = body.dataset.sessionEndUrl;
    [["csrfmiddlewaretoken", csrf], ["next", location.pathname + location.search]].forEach(function (pair) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.append(input);
    });
    body.append(form);
    form.submit();
  }
  function keepAlive() {
    noteActivity();
    return fetch(body.dataset.keepAliveUrl, {
      method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": csrf}, redirect: "manual"
    }).then(function (response) {
      if (response.status !== 204) { signOut(); }  // already signed out (sent to the sign-in page)
    });
  }
  function hideWarning() {
    if (warning) { warning.remove(); warning = null; }
  }
  function showWarning(seconds) {
    warning = document.createElement("div");
    warning.className = "alert alert-warning d-flex flex-wrap align-items-center gap-2 idle-warning";
    warning.setAttribute("role", "alertdialog");
    warning.setAttribute("aria-labelledby", "idle-warning-text");
    warning.dataset.testid = "idle-warning";
    var text = document.createElement("p");
    text.id = "idle-warning-text";
    text.className = "mb-0";
    text.textContent = "You will be signed out in about " + Math.max(1, Math.round(seconds / 60)) +
      " minute" + (seconds > 90 ? "s" : "") + " because nothing has happened on this page. Anything you have " +
      "typed but not saved would be lost.";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-primary btn-sm";
    button.textContent = "Stay signed in";
    button.addEventListener("click", function () { hideWarning(); keepAlive(); });
    warning.append(text, button);
    var main = document.getElementById("main") || body;
    main.prepend(warning);
    button.focus();
  }
  function onActivity() {
    if (warning) { hideWarning(); keepAlive(); return; }
    if (Date.now() - lastActivity() > reportEvery) { keepAlive(); }
  }
  ["keydown", "pointerdown", "input"].forEach(function (name) {
    document.addEventListener(name, onActivity, {capture: true, passive: true});
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var headers = (event.detail.requestConfig && event.detail.requestConfig.headers) || {};
    if (headers["X-Poll"] !== "true") { noteActivity(); }
  });
  noteActivity();
  var clock = window.setInterval(function () {
    var quiet = Date.now() - lastActivity();
    if (quiet >= idle) { window.clearInterval(clock); signOut(); return; }
    if (quiet >= idle - warnBefore) {
      if (!warning) { showWarning((idle - quiet) / 1000); }
    } else if (warning) {
      hideWarning();  // another tab kept the session
    }
  }, 1000);
})();
