// Sapa console: the little script the pages need. No inline script anywhere (the CSP forbids it);
// htmx does the requests, this file only wires behaviour to data- attributes.
(function () {
  "use strict";

  // Preference selects submit their form when changed (the Save button stays for keyboards without script).
  function wireAutosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.dataset.wired) return;
      select.dataset.wired = "1";
      select.addEventListener("change", function () { select.form.requestSubmit(); });
    });
    root.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
  }

  // The unread count: any element with data-unread (the inbox's summary, refreshed by htmx polling)
  // sets the tab title "(3) Inbox · Sapa" and the menu badge.
  function showUnread(root) {
    var holder = root.querySelector("[data-unread]") || document.querySelector("[data-unread]");
    if (!holder) return;
    var count = parseInt(holder.getAttribute("data-unread"), 10) || 0;
    var base = document.body.getAttribute("data-title") || document.title;
    document.title = count > 0 ? "(" + count + ") " + base : base;
    var badge = document.getElementById("unread");
    if (badge) {
      badge.textContent = count > 0 ? String(count) : "";
      badge.hidden = count === 0;
    }
  }

  // Confirmation for destructive forms: <form data-confirm="...">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      event.stopPropagation(); // an hx-post form too: htmx never hears of it
    }
  }, true);

  // A website visitor sees "typing…" while an agent writes: at most one post every 3 s, CSRF token in a header.
  var lastTyping = 0;
  document.addEventListener("input", function (event) {
    var box = event.target;
    if (!(box instanceof HTMLTextAreaElement) || !box.dataset.typingUrl) return;
    var now = Date.now();
    if (now - lastTyping < 3000) return;
    lastTyping = now;
    var token = box.form && box.form.querySelector("input[name=csrf]");
    fetch(box.dataset.typingUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token ? token.value : ""},
      body: ""
    }).catch(function () { /* a courtesy: the reply itself is what matters */ });
  });

  document.addEventListener("DOMContentLoaded", function () {
    wireAutosubmit(document);
    showUnread(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    wireAutosubmit(event.target);
    showUnread(event.target);
  });
})();
