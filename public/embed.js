/*
 * PrismAI web chat widget. Add one line to any page:
 *   <script src="https://YOUR-APP/embed.js" data-business="your-slug" async></script>
 * It draws a launcher bubble in the business's colour and opens the chat page (/chat/<slug>?embed=1)
 * in a frame. The chat only appears on websites the business allows (Channels → Web chat).
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="embed.js"][data-business]');
  if (!script || window.__prismaiChat) return;
  var slug = script.getAttribute("data-business") || "";
  if (!/^[a-z0-9-]{2,60}$/.test(slug)) {
    console.warn("PrismAI chat: set data-business to your chat's slug.");
    return;
  }
  var app;
  try {
    app = new URL(script.src, window.location.href).origin;
  } catch {
    return;
  }
  window.__prismaiChat = true;

  function textOn(hex) {
    var n = parseInt(hex.slice(1), 16);
    var c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(function (v) {
      v = v / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] > 0.4 ? "#0f172a" : "#ffffff";
  }

  function mount(cfg) {
    var color = /^#[0-9a-fA-F]{6}$/.test(cfg.brandColor) ? cfg.brandColor : "#0f766e";
    var ink = textOn(color);
    var root = document.createElement("div");
    root.id = "prismai-chat";
    var shadow = root.attachShadow ? root.attachShadow({ mode: "open" }) : root;
    var css = document.createElement("style");
    css.textContent =
      ":host{all:initial}" +
      ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;cursor:pointer;" +
      "background:" + color + ";color:" + ink + ";box-shadow:0 6px 20px rgba(15,23,42,.25);display:flex;align-items:center;justify-content:center}" +
      ".launcher:focus-visible{outline:3px solid " + color + ";outline-offset:3px}" +
      ".badge{position:absolute;top:-2px;right:-2px;min-width:18px;height:18px;padding:0 5px;border-radius:9px;background:#dc2626;color:#fff;" +
      "font:600 11px/18px system-ui,sans-serif;text-align:center;display:none}" +
      ".panel{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:380px;height:min(640px,calc(100vh - 110px));border-radius:16px;" +
      "overflow:hidden;box-shadow:0 12px 40px rgba(15,23,42,.3);background:#fff;display:none}" +
      ".panel iframe{width:100%;height:100%;border:0;display:block}" +
      "@media (max-width:480px){.panel{inset:0;width:100%;height:100%;border-radius:0}.open .launcher{display:none}}";
    var wrap = document.createElement("div");
    var button = document.createElement("button");
    button.className = "launcher";
    button.type = "button";
    button.setAttribute("aria-label", "Chat with " + cfg.name);
    button.setAttribute("aria-expanded", "false");
    button.innerHTML =
      '<svg width="26" height="26" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">' +
      '<path d="M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z"/></svg>';
    var badge = document.createElement("span");
    badge.className = "badge";
    button.appendChild(badge);
    var panel = document.createElement("div");
    panel.className = "panel";
    wrap.appendChild(panel);
    wrap.appendChild(button);
    shadow.appendChild(css);
    shadow.appendChild(wrap);
    document.body.appendChild(root);

    var frame = null;
    var open = false;
    var key = "prismai.chat.open." + slug;

    function tellFrame() {
      if (frame && frame.contentWindow) frame.contentWindow.postMessage({ type: "prismai:open", open: open }, app);
    }
    function setBadge(n) {
      badge.textContent = n > 9 ? "9+" : String(n);
      badge.style.display = n > 0 ? "block" : "none";
    }
    function toggle(next) {
      open = next;
      if (open && !frame) {
        frame = document.createElement("iframe");
        frame.src = app + "/chat/" + slug + "?embed=1";
        frame.title = "Chat with " + cfg.name;
        frame.addEventListener("load", tellFrame);
        panel.appendChild(frame);
      }
      panel.style.display = open ? "block" : "none";
      wrap.className = open ? "open" : "";
      button.setAttribute("aria-expanded", String(open));
      if (open) setBadge(0);
      tellFrame();
      try {
        window.sessionStorage.setItem(key, open ? "1" : "0");
      } catch {
        /* storage blocked */
      }
    }
    button.addEventListener("click", function () {
      toggle(!open);
    });
    window.addEventListener("message", function (e) {
      if (e.origin !== app || !frame || e.source !== frame.contentWindow || !e.data) return;
      if (e.data.type === "prismai:close") toggle(false);
      else if (e.data.type === "prismai:unread" && !open) setBadge(Number(e.data.count) || 0);
    });
    try {
      if (window.sessionStorage.getItem(key) === "1") toggle(true);
    } catch {
      /* storage blocked */
    }
  }

  fetch(app + "/api/chat/" + slug + "/widget", { credentials: "omit" })
    .then(function (r) {
      return r.ok ? r.json() : null;
    })
    .then(function (cfg) {
      if (!cfg) return console.warn("PrismAI chat: no chat called " + slug + ".");
      if (!cfg.allowed) return console.warn("PrismAI chat: this website is not on the chat's list of allowed websites.");
      if (document.body) mount(cfg);
      else document.addEventListener("DOMContentLoaded", function () {
        mount(cfg);
      });
    })
    .catch(function () {
      console.warn("PrismAI chat: could not load.");
    });
})();
