// The gate scanner: camera (jsQR) or typed code, checked by the server; when the network
// fails, judged on this device (Ed25519 signature with the public key, the revoked list,
// the local scan log) and queued until the server can take the scans again.
// The code layout parsed here is the one written by socius/commerce/tickets/codes.py.
(function () {
  "use strict";

  var root = document.getElementById("gate");
  if (!root) { return; }

  var gateSlug = root.dataset.gate;
  var offerId = Number(root.dataset.offer);
  var storagePrefix = "socius.gate." + gateSlug + ".";
  var banner = document.getElementById("gate-banner");
  var bannerText = document.getElementById("gate-banner-text");
  var bannerDetail = document.getElementById("gate-banner-detail");
  var queueCount = document.getElementById("gate-queue");
  var offlineBadge = document.getElementById("gate-offline");
  var form = document.getElementById("gate-form");
  var input = document.getElementById("gate-code");
  var labels = {};
  var busy = false;
  var syncing = false;
  var importedKeys = {};

  document.getElementById("gate-labels").content.querySelectorAll("[data-label]").forEach(
    function (node) { labels[node.dataset.label] = node.textContent.trim(); }
  );

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  // --- Local storage: the queue of offline scans, the scan log, the offline data ---------
  function load(name, fallback) {
    try {
      var value = window.localStorage.getItem(storagePrefix + name);
      return value ? JSON.parse(value) : fallback;
    } catch (error) {
      return fallback;
    }
  }

  function save(name, value) {
    try { window.localStorage.setItem(storagePrefix + name, JSON.stringify(value)); } catch (error) { /* full */ }
  }

  function queue() { return load("queue", []); }

  function showQueue() { queueCount.textContent = String(queue().length); }

  function remember(tid) {
    if (!tid) { return; }
    var log = load("log", {});
    log[tid] = Date.now();
    save("log", log);
  }

  function setOffline(offline) {
    offlineBadge.hidden = !offline;
    root.dataset.network = offline ? "offline" : "online";
  }

  // --- The banner ---------------------------------------------------------------------
  var TONES = { ok: "ok", already_checked_in: "warn", not_yet_valid: "warn" };

  function show(result, detail, offline) {
    var tone = TONES[result] || (result === "error" ? "warn" : "refused");
    banner.className = "gate__banner gate__banner--" + tone;
    banner.dataset.result = result;
    banner.dataset.mode = offline ? "offline" : "online";
    bannerText.textContent = labels[result] || result;
    bannerDetail.textContent = detail || "";
    if (navigator.vibrate) { navigator.vibrate(tone === "ok" ? 80 : [60, 60, 60]); }
  }

  function detailOf(answer) {
    if (answer.result !== "ok") { return ""; }
    var parts = [];
    if (answer.display_name) { parts.push(answer.display_name); }
    if (answer.seat) { parts.push(labels.seat + " " + answer.seat); }
    return parts.join(" · ");
  }

  // --- Reading a code without the server -------------------------------------------------
  function base64UrlDecode(text) {
    if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) { return null; }
    var padded = text.replace(/-/g, "+").replace(/_/g, "/");
    padded += "===".slice(0, (4 - (padded.length % 4)) % 4);
    var binary = window.atob(padded);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i += 1) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  function base64UrlEncode(bytes) {
    var binary = "";
    bytes.forEach(function (byte) { binary += String.fromCharCode(byte); });
    return window.btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function base64Decode(text) { return base64UrlDecode(text.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")); }

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function parse(code) {
    var raw = base64UrlDecode(code);
    // One spelling per ticket: anything that does not re-encode to itself is refused.
    if (!raw || raw.length <= 64 || base64UrlEncode(raw) !== code) { return null; }
    var body = raw.slice(0, raw.length - 64);
    var signature = raw.slice(raw.length - 64);
    var kidLength = body[1];
    if (body[0] !== 1 || kidLength < 1 || kidLength > 20 || body.length !== 2 + kidLength + 16 + 32) {
      return null;
    }
    var kid;
    try {
      kid = new TextDecoder("utf-8", { fatal: true }).decode(body.slice(2, 2 + kidLength));
    } catch (error) {
      return null;
    }
    var t = hex(body.slice(2 + kidLength, 18 + kidLength));
    var view = new DataView(body.buffer, body.byteOffset + 18 + kidLength, 32);
    return {
      kid: kid,
      tid: [t.slice(0, 8), t.slice(8, 12), t.slice(12, 16), t.slice(16, 20), t.slice(20)].join("-"),
      oid: Number(view.getBigUint64(0)),
      nbf: Number(view.getBigUint64(8)) * 1000,
      exp: Number(view.getBigUint64(16)) * 1000,
      body: body,
      signature: signature,
    };
  }

  function publicKey(kid, data) {
    if (!importedKeys[kid]) {
      var raw = data.keys && data.keys[kid] ? base64Decode(data.keys[kid]) : null;
      if (!raw) { return Promise.resolve(null); }
      importedKeys[kid] = window.crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    }
    return importedKeys[kid];
  }

  function judgeOffline(code) {
    var data = load("data", null);
    var payload = parse(code);
    if (!data) { return Promise.resolve({ result: "error" }); }
    if (!payload) { return Promise.resolve({ result: "invalid_signature" }); }
    // Without WebCrypto's Ed25519 (an old browser, a page not served over HTTPS) nothing
    // can be verified here: the code is refused, never waved through.
    return Promise.resolve().then(function () { return publicKey(payload.kid, data); }).then(function (key) {
      if (!key) { return false; }
      return window.crypto.subtle.verify({ name: "Ed25519" }, key, payload.signature, payload.body);
    }).then(function (authentic) {
      var now = Date.now();
      var result = "ok";
      if (!authentic) { result = "invalid_signature"; }
      else if (payload.oid !== offerId) { result = "wrong_event"; }
      else if ((data.revoked || []).indexOf(payload.tid) !== -1) { result = "revoked"; }
      else if (now < payload.nbf) { result = "not_yet_valid"; }
      else if (now >= payload.exp) { result = "expired"; }
      else if (load("log", {})[payload.tid]) { result = "already_checked_in"; }
      return { result: result, ticket: payload.tid };
    }).catch(function () { return { result: "invalid_signature" }; });
  }

  // --- Talking to the server ---------------------------------------------------------------
  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    }).then(function (response) {
      // A gateway error means the server is out of reach, like a failed network.
      if (response.status >= 502 && response.status <= 504) { throw new TypeError("unreachable"); }
      if (!response.ok) { return { result: "error" }; }
      return response.json();
    });
  }

  function refreshOfflineData() {
    return fetch(root.dataset.offlineUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data) { save("data", data); importedKeys = {}; }
      })
      .catch(function () { /* offline: keep the last copy */ });
  }

  function sync() {
    var pending = queue();
    if (syncing || pending.length === 0) { showQueue(); return Promise.resolve(); }
    syncing = true;
    return post(root.dataset.syncUrl, { scans: pending }).then(function (answer) {
      if (!answer.results) { return; }
      var done = {};
      answer.results.forEach(function (item) { done[item.nonce] = true; remember(item.ticket); });
      save("queue", queue().filter(function (scan) { return !done[scan.nonce]; }));
      setOffline(false);
      root.dataset.synced = String(Number(root.dataset.synced || 0) + answer.results.length);
    }).catch(function () { setOffline(true); }).then(function () {
      syncing = false;
      showQueue();
    });
  }

  function nonce() {
    if (window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return hex(window.crypto.getRandomValues(new Uint8Array(16)));
  }

  function check(code) {
    code = code.trim();
    if (!code || busy) { return; }
    busy = true;
    var scan = { code: code, nonce: nonce(), scanned_at: new Date().toISOString() };
    post(root.dataset.scanUrl, { code: code, nonce: scan.nonce }).then(function (answer) {
      setOffline(false);
      if (answer.result === "ok" || answer.result === "already_checked_in") { remember(answer.ticket); }
      show(answer.result, detailOf(answer), false);
      sync();
    }, function () {
      setOffline(true);
      return judgeOffline(code).then(function (answer) {
        if (answer.result === "ok") {
          remember(answer.ticket);
          var pending = queue();
          pending.push(scan);
          save("queue", pending);
          showQueue();
        }
        show(answer.result, labels.offline, true);
      });
    }).catch(function () {
      show("error", "", false);
    }).then(function () {
      busy = false;
      input.value = "";
      input.focus();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    check(input.value);
  });
  document.getElementById("gate-sync").addEventListener("click", function () { sync(); });
  window.addEventListener("online", function () { sync(); refreshOfflineData(); });

  // --- The camera ----------------------------------------------------------------------------
  var video = document.getElementById("gate-video");
  var canvas = document.getElementById("gate-canvas");
  var lastCode = "";
  var lastAt = 0;

  function readFrame() {
    if (video.readyState >= video.HAVE_ENOUGH_DATA && !busy) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var context = canvas.getContext("2d", { willReadFrequently: true });
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = context.getImageData(0, 0, canvas.width, canvas.height);
      var found = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      // The same code held in front of the camera is checked once, not at every frame.
      if (found && found.data && (found.data !== lastCode || Date.now() - lastAt > 4000)) {
        lastCode = found.data;
        lastAt = Date.now();
        check(found.data);
      }
    }
    window.setTimeout(readFrame, 200);
  }

  document.getElementById("gate-camera").addEventListener("click", function (event) {
    if (!navigator.mediaDevices || !window.jsQR) { show("error", labels.camera_error, false); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (stream) {
        video.srcObject = stream;
        video.hidden = false;
        event.target.hidden = true;
        return video.play();
      })
      .then(readFrame)
      .catch(function () { show("error", labels.camera_error, false); });
  });

  showQueue();
  setOffline(false);
  refreshOfflineData().then(function () { root.dataset.ready = "true"; });
  window.setInterval(function () { if (queue().length) { sync(); } }, 5000);
  window.setInterval(refreshOfflineData, 60000);
})();
