// @mention autocomplete for every textarea[data-mention-space]: no framework, no inline
// script (the CSP forbids it). Type "@" and a few letters; arrows move, Enter or Tab
// picks, Escape closes. The list is an ARIA listbox driven by aria-activedescendant.
(function () {
  "use strict";
  if (window.sociusMentions) { return; }  // included by several templates: run once
  window.sociusMentions = true;

  var DEFAULT_URL = "/collab/mentions/suggest";
  var TOKEN = /(^|[\s([{"'])@([\p{L}\p{N}._-]{1,64})$/u;
  var counter = 0;

  function tokenBeforeCaret(textarea) {
    var caret = textarea.selectionStart;
    if (caret !== textarea.selectionEnd) { return null; }
    var match = TOKEN.exec(textarea.value.slice(0, caret));
    if (!match) { return null; }
    return { start: caret - match[2].length - 1, end: caret, query: match[2] };
  }

  function attach(textarea) {
    if (textarea.dataset.mentionReady) { return; }
    textarea.dataset.mentionReady = "1";
    counter += 1;
    var listId = "mention-list-" + counter;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", textarea.dataset.mentionLabel || "@");
    list.hidden = true;
    // Styles through the CSSOM, which the CSP allows (style attributes in HTML it does not).
    list.style.listStyle = "none";
    list.style.margin = "0.25rem 0 0";
    list.style.padding = "0.25rem";
    list.style.border = "1px solid #c9ced8";
    list.style.borderRadius = "6px";
    list.style.background = "#fff";
    list.style.maxWidth = "28rem";
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    textarea.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);

    var url = textarea.dataset.mentionUrl || DEFAULT_URL;
    var items = [];
    var active = -1;
    var token = null;
    var timer = null;
    var controller = null;

    function close() {
      list.hidden = true;
      list.replaceChildren();
      items = [];
      active = -1;
      textarea.removeAttribute("aria-activedescendant");
    }

    function setActive(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        var selected = i === index;
        option.setAttribute("aria-selected", selected ? "true" : "false");
        option.style.background = selected ? "#e3ecfa" : "";
      });
      if (index >= 0) {
        textarea.setAttribute("aria-activedescendant", listId + "-" + index);
        status.textContent = list.children[index].textContent;
        list.children[index].scrollIntoView({ block: "nearest" });
      } else {
        textarea.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var item = items[index];
      if (!item || !token) { return; }
      var value = textarea.value;
      var insert = "@" + item.handle + " ";
      textarea.value = value.slice(0, token.start) + insert + value.slice(token.end);
      var caret = token.start + insert.length;
      textarea.setSelectionRange(caret, caret);
      textarea.focus();
      token = null;
      close();
    }

    function render(results) {
      close();
      items = results;
      results.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listId + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.handle = item.handle;
        option.style.padding = "0.3rem 0.5rem";
        option.style.cursor = "pointer";
        var label = document.createElement("strong");
        label.textContent = item.label;
        var handle = document.createElement("span");
        handle.textContent = " @" + item.handle + (item.detail ? " · " + item.detail : "");
        option.append(label, handle);
        // mousedown, not click: the textarea must keep its focus and caret.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(index);
        });
        list.append(option);
      });
      list.hidden = results.length === 0;
      if (results.length) { setActive(0); }
    }

    function fetchSuggestions() {
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var query = "?q=" + encodeURIComponent(token.query);
      if (textarea.dataset.mentionSpace) {
        query += "&space=" + encodeURIComponent(textarea.dataset.mentionSpace);
      }
      var asked = token;
      fetch(url + query, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller.signal,
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          if (token === asked) { render(data.results || []); }
        })
        .catch(function () { /* aborted by a newer keystroke, or offline: no list */ });
    }

    textarea.addEventListener("input", function () {
      token = tokenBeforeCaret(textarea);
      window.clearTimeout(timer);
      if (!token) { close(); return; }
      timer = window.setTimeout(fetchSuggestions, 120);
    });

    textarea.addEventListener("keydown", function (event) {
      if (list.hidden || !items.length) { return; }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        setActive((active + 1) % items.length);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        setActive((active - 1 + items.length) % items.length);
      } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
        event.preventDefault();
        choose(active);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    textarea.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  function scan(root) {
    root.querySelectorAll("textarea[data-mention-space]").forEach(attach);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { scan(document); });
  } else {
    scan(document);
  }
  // Forms that htmx swaps in later get the autocomplete too.
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
