"use strict";
// Part of the patched iframe-worker shim (see README): the worker scope's glue, loaded as a file
// instead of written inline, so the site's Content-Security-Policy needs no inline script.
(() => {
  const url = document.currentScript.getAttribute("data-worker-url");
  window.postMessage = function (s, n) { parent.postMessage(s, n || "*"); };
  window.importScripts = function (...s) {
    return s.reduce((n, e) => n.then(() => new Promise(r => {
      const t = document.createElement("script"); t.src = e; t.onload = r; document.body.appendChild(t);
    })), Promise.resolve());
  };
  addEventListener("error", ({ error }) => {
    parent.dispatchEvent(new ErrorEvent("error", { filename: url, error }));
  });
})();
