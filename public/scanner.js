// The scanner page's reach into the browser: IndexedDB (the scans and the
// last sync survive a reload), HTTP with a timeout, the camera (the
// browser's BarcodeDetector where it exists, else the page's own wasm
// decoder), sounds, and the service worker that keeps the page and its
// code for a reload without network. Decisions are made in wasm.
(function () {
  'use strict';
  const DB = 'fairlink-scanner';
  let dbp = null;

  function db() {
    if (!dbp) {
      dbp = new Promise((resolve, reject) => {
        const req = indexedDB.open(DB, 1);
        req.onupgradeneeded = () => {
          const d = req.result;
          if (!d.objectStoreNames.contains('scans')) d.createObjectStore('scans', { keyPath: 'id' });
          if (!d.objectStoreNames.contains('meta')) d.createObjectStore('meta', { keyPath: 'key' });
        };
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbp;
  }

  function tx(store, mode, work) {
    return db().then((d) => new Promise((resolve, reject) => {
      const t = d.transaction(store, mode);
      const s = t.objectStore(store);
      let out;
      Promise.resolve(work(s)).then((v) => { out = v; });
      t.oncomplete = () => resolve(out);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    }));
  }

  function all(store) {
    return tx(store, 'readonly', (s) => new Promise((resolve) => {
      const req = s.getAll();
      req.onsuccess = () => resolve(req.result);
    }));
  }

  let camera = null;

  window.FairlinkScanner = {
    open() { return db().then(() => true); },
    put(json) { const rec = JSON.parse(json); return tx('scans', 'readwrite', (s) => { s.put(rec); }); },
    all(fair) { return all('scans').then((rows) => JSON.stringify(rows.filter((r) => r.fair === fair))); },
    markSent(idsJson) {
      const ids = JSON.parse(idsJson);
      return tx('scans', 'readwrite', (s) => Promise.all(ids.map((id) => new Promise((resolve) => {
        const req = s.get(id);
        req.onsuccess = () => {
          if (req.result) { req.result.sent = 1; s.put(req.result); }
          resolve();
        };
      }))));
    },
    getMeta(key) {
      return tx('meta', 'readonly', (s) => new Promise((resolve) => {
        const req = s.get(key);
        req.onsuccess = () => resolve(req.result ? req.result.json : undefined);
      }));
    },
    setMeta(key, json) { return tx('meta', 'readwrite', (s) => { s.put({ key, json }); }); },

    // Resolves to JSON {status, text}; rejects when the server cannot be
    // reached in time (the caller decides offline then).
    request(method, url, body, timeoutMs) {
      const ctl = new AbortController();
      const timer = setTimeout(() => ctl.abort(), timeoutMs);
      const init = { method, signal: ctl.signal, credentials: 'same-origin', headers: { Accept: 'application/json' } };
      if (method !== 'GET') {
        init.body = body;
        init.headers['Content-Type'] = 'application/json';
      }
      return fetch(url, init)
        .then((r) => r.text().then((text) => JSON.stringify({ status: r.status, text })))
        .finally(() => clearTimeout(timer));
    },

    uuid() { return crypto.randomUUID(); },

    beep(light) {
      try {
        const Ctx = window.AudioContext || window.webkitAudioContext;
        if (!Ctx) return;
        const ctx = this._audio || (this._audio = new Ctx());
        const tones = { green: [880], amber: [660, 660], red: [220, 180, 220] };
        let t = ctx.currentTime;
        for (const f of tones[light] || tones.red) {
          const o = ctx.createOscillator();
          const g = ctx.createGain();
          o.frequency.value = f;
          o.type = light === 'red' ? 'square' : 'sine';
          g.gain.value = 0.15;
          o.connect(g).connect(ctx.destination);
          o.start(t);
          o.stop(t + 0.12);
          t += 0.16;
        }
      } catch (_) { /* no sound is no reason to stop scanning */ }
    },

    // The page, its code and its styles, kept for a reload offline.
    // Resolves to true once the worker is active and the page is cached.
    keepOffline() {
      if (!('serviceWorker' in navigator) || !('caches' in window)) return Promise.resolve(false);
      // The page's code: its stylesheet, module, wasm (preloaded) and this script.
      const own = [...document.querySelectorAll('link[href], script[src]')]
        .map((e) => new URL(e.getAttribute('href') || e.getAttribute('src'), location.href))
        .filter((u) => u.origin === location.origin && (u.pathname.startsWith('/pkg/') || u.pathname === '/scanner.js'))
        .map((u) => u.pathname);
      const wanted = [...new Set([location.pathname, '/scanner.js', ...own])];
      return navigator.serviceWorker.register('/sw.js')
        .then(() => navigator.serviceWorker.ready)
        .then(() => caches.open('fairlink-scanner-v1'))
        .then((c) => Promise.all(wanted.map((p) => c.add(p).then(() => true, () => false))))
        .then((done) => done.every(Boolean))
        .catch(() => false);
    },

    startCamera(video, onCode, decode) {
      this.stopCamera();
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return Promise.resolve(false);
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
        .then(async (stream) => {
          video.srcObject = stream;
          await video.play().catch(() => {});
          let detector = null;
          if ('BarcodeDetector' in window) {
            try {
              const formats = await window.BarcodeDetector.getSupportedFormats();
              if (formats.includes('qr_code')) detector = new window.BarcodeDetector({ formats: ['qr_code'] });
            } catch (_) { detector = null; }
          }
          const canvas = document.createElement('canvas');
          const ctx = canvas.getContext('2d', { willReadFrequently: true });
          const state = { stream, stop: false };
          camera = state;
          const tick = async () => {
            if (state.stop) return;
            try {
              if (video.readyState >= 2 && video.videoWidth > 0) {
                let text = null;
                if (detector) {
                  const codes = await detector.detect(video);
                  if (codes.length) text = codes[0].rawValue;
                } else {
                  const w = Math.min(640, video.videoWidth);
                  const h = Math.round(video.videoHeight * (w / video.videoWidth));
                  canvas.width = w;
                  canvas.height = h;
                  ctx.drawImage(video, 0, 0, w, h);
                  text = decode(w, h, ctx.getImageData(0, 0, w, h).data) || null;
                }
                if (text) onCode(text);
              }
            } catch (_) { /* the next frame may do better */ }
            setTimeout(tick, 150);
          };
          tick();
          return true;
        })
        .catch(() => false);
    },

    stopCamera() {
      if (camera) {
        camera.stop = true;
        camera.stream.getTracks().forEach((t) => t.stop());
        camera = null;
      }
    },
  };
})();
