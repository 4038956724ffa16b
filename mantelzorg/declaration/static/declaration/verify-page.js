// The verifier page with JavaScript (issue 14, C6): progressive enhancement only. Without this
// script the page is the server's form (pasted text or picture, checked on the server).
//
// With it:
// - a service worker keeps the page so that it opens offline (sw.js);
// - the keys (sleutels.json), the status list tokens (status/<list>.cwt) and the organisations
//   (organisaties.json) are kept in the cache "mz-verify-trust", refreshed whenever the page is
//   open online (and every hour while it stays open); the page says how old they are;
// - offline, a pasted or scanned code is checked on this device (mz1.js) with the same outcome
//   words as the server; online, the form goes to the server as before (it sees a revocation at once);
// - "Scan with the camera" where the browser has getUserMedia and BarcodeDetector for QR codes.
// Nothing of a code is kept: it lives in the text field and in memory only.
import { importKeys, verify, verifyStatusToken } from "./mz1.js";

const TRUST_CACHE = "mz-verify-trust";
const FETCHED = "x-mz-fetched-at";
const REFRESH_MS = 3600 * 1000;

const root = document.querySelector(".mz-verify");
const textsNode = document.getElementById("mz-verify-texts");
const supported =
  root &&
  textsNode &&
  window.isSecureContext &&
  window.crypto &&
  crypto.subtle &&
  "DecompressionStream" in window &&
  "caches" in window;

const nowSeconds = () => Math.floor(Date.now() / 1000);
const format = (template, values) => template.replace(/%\((\w+)\)[sd]/g, (_, name) => String(values[name]));

let texts;
let trust = { keys: [], statusLists: [], organisations: new Map(), keysAt: null, listsAt: null, stale: false };

function element(tag, attributes = {}, text) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

// --- trust material ------------------------------------------------------------------------------

function trustUrls() {
  const status = (root.dataset.status || "").split(/\s+/).filter(Boolean);
  return { keys: root.dataset.keys, organisations: root.dataset.organisations, status };
}

async function keep(cache, url) {
  try {
    const response = await fetch(url, { cache: "no-store", credentials: "omit" });
    if (!response.ok) return false;
    const headers = new Headers(response.headers);
    headers.set(FETCHED, String(Date.now()));
    await cache.put(url, new Response(await response.arrayBuffer(), { status: 200, headers }));
    return true;
  } catch {
    return false; // offline: the kept copy stays
  }
}

async function refresh() {
  if (!navigator.onLine) return;
  const urls = trustUrls();
  const cache = await caches.open(TRUST_CACHE);
  await Promise.all([urls.keys, urls.organisations, ...urls.status].map((url) => keep(cache, url)));
}

async function load() {
  const cache = await caches.open(TRUST_CACHE);
  const urls = trustUrls();
  const next = { keys: [], statusLists: [], organisations: new Map(), keysAt: null, listsAt: null, stale: false };
  const keysResponse = await cache.match(urls.keys);
  if (keysResponse) {
    next.keysAt = Number(keysResponse.headers.get(FETCHED)) || null;
    next.keys = await importKeys(await keysResponse.json().catch(() => null));
  }
  const organisations = await cache.match(urls.organisations);
  if (organisations) {
    const body = await organisations.json().catch(() => null);
    for (const item of (body && body.organisations) || []) next.organisations.set(item.id, item.name);
  }
  // every kept token, also of lists the page no longer names (a code may still point at one)
  for (const request of await cache.keys()) {
    if (!new URL(request.url).pathname.endsWith(".cwt")) continue;
    const response = await cache.match(request);
    try {
      const list = await verifyStatusToken(new Uint8Array(await response.arrayBuffer()), next.keys, nowSeconds());
      next.statusLists.push(list);
      next.listsAt = next.listsAt === null ? list.issuedAt : Math.min(next.listsAt, list.issuedAt);
    } catch {
      next.stale = true; // expired (older than 24 hours) or not genuine: it checks nothing
    }
  }
  if (!next.statusLists.length) next.stale = next.stale || urls.status.length > 0;
  trust = next;
}

// "Keys and revocation list from <the older of the two>", or "" when none is kept.
function trustAge() {
  const times = [trust.keysAt, trust.listsAt === null ? null : trust.listsAt * 1000].filter((t) => t !== null);
  if (!times.length) return "";
  const time = new Intl.DateTimeFormat(document.documentElement.lang || "nl", {
    dateStyle: "long",
    timeStyle: "short",
  }).format(new Date(Math.min(...times)));
  return format(texts.trust_age, { time });
}

function showTrustAge() {
  const line = document.querySelector(".mz-offline-status");
  if (!line) return;
  const parts = [texts.offline_works, trustAge()].filter(Boolean);
  parts.push(trust.stale ? texts.offline_stale : texts.offline_revocation);
  line.textContent = parts.join(" ");
  line.hidden = false;
}

// --- the outcome -----------------------------------------------------------------------------------

const lang = () => document.documentElement.lang || "nl";
const monthYear = (value) => {
  const [year, month] = value.split("-").map(Number);
  return new Intl.DateTimeFormat(lang(), { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, 1)),
  );
};
const longDate = (value) => {
  const [year, month, day] = value.split("-").map(Number);
  return new Intl.DateTimeFormat(lang(), { dateStyle: "long", timeZone: "UTC" }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
};
const monthName = (month) =>
  new Intl.DateTimeFormat(lang(), { month: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2000, month - 1, 1)));

function claimRows(claims) {
  const labels = texts.labels;
  const rows = [[labels.purpose, texts.purposes[claims.purpose] || claims.purpose]];
  if (claims.level === "confirmed") {
    const name = trust.organisations.get(claims.confirmed_by);
    let level = texts.confirmed;
    if (name) level = format(texts.confirmed_by, { organisation: name });
    else if (claims.confirmed_by !== undefined) level = format(texts.confirmed_by_number, { number: claims.confirmed_by });
    rows.push([labels.level, level]);
  } else {
    rows.push([labels.level, texts.self_declared]);
  }
  if ("hours_band" in claims) rows.push([labels.hours_band, format(texts.hours, { hours: claims.hours_band })]);
  if ("care_since" in claims) rows.push([labels.care_since, monthYear(claims.care_since)]);
  if ("relation" in claims) rows.push([labels.relation, texts.relations[claims.relation] || claims.relation]);
  if ("pc4" in claims) rows.push([labels.pc4, claims.pc4]);
  if ("gemeente" in claims) rows.push([labels.gemeente, claims.gemeente]);
  if ("valid_until" in claims) rows.push([labels.valid_until, longDate(claims.valid_until)]);
  return rows;
}

function holderRows(holder = {}) {
  const rows = [[texts.labels.initials, holder.initials || ""]];
  if ("birth_day" in holder) rows.push([texts.labels.birth_day, String(holder.birth_day)]);
  if ("birth_month" in holder) rows.push([texts.labels.birth_month, monthName(holder.birth_month)]);
  return rows;
}

function list(rows, extraClass) {
  const dl = element("dl", { class: `mz-claims${extraClass ? ` ${extraClass}` : ""}` });
  for (const [label, value] of rows) {
    const div = element("div");
    div.append(element("dt", {}, label), element("dd", {}, value));
    dl.append(div);
  }
  return dl;
}

function show(result) {
  const box = document.getElementById("mz-local-result");
  const words = texts.headlines[result.status];
  box.replaceChildren();
  const verdict = element("section", {
    class: `mz-verdict mz-verdict--${result.status}`,
    "aria-labelledby": "mz-local-verdict",
  });
  verdict.append(
    element("h2", { class: "mz-verdict__word", id: "mz-local-verdict" }, words.headline),
    element("p", { class: "nl-paragraph" }, words.explanation),
  );
  box.append(verdict, element("p", { class: "nl-paragraph mz-meta" }, `${texts.checked_here} ${trustAge()}`.trim()));
  if (result.status === "valid") {
    box.append(
      element("h2", { class: "nl-heading nl-heading--level-2" }, texts.compare),
      element("p", { class: "nl-paragraph" }, texts.compare_text),
      list(holderRows(result.claims.holder), "mz-claims--holder"),
      element("h2", { class: "nl-heading nl-heading--level-2" }, texts.declares),
    );
    const rows = claimRows(result.claims);
    const expires = new Intl.DateTimeFormat(lang(), { dateStyle: "long", timeStyle: "short" }).format(
      new Date(result.expiresAt * 1000),
    );
    rows.push([texts.labels.expires, expires]);
    box.append(list(rows));
    if (!result.statusChecked) box.append(element("p", { class: "nl-paragraph" }, texts.not_checked));
    box.append(element("p", { class: "nl-paragraph mz-meta" }, texts.meta));
  }
  box.dataset.status = result.status;
  box.hidden = false;
  document.title = `${words.headline} · ${document.title.replace(/^.* · (?=.* · )/, "")}`;
  box.focus();
}

function showMessage(message) {
  const box = document.getElementById("mz-local-result");
  box.replaceChildren();
  const alert = element("div", { class: "utrecht-alert utrecht-alert--error", role: "alert" });
  alert.append(element("p", { class: "nl-paragraph" }, message));
  box.append(alert);
  delete box.dataset.status;
  box.hidden = false;
  box.focus();
}

async function checkHere(code) {
  await load();
  if (!trust.keys.length) return showMessage(texts.offline_no_keys);
  const result = await verify(code, {
    keys: trust.keys,
    now: nowSeconds(),
    statusLists: trust.statusLists,
    base: root.dataset.site,
  });
  show(result);
  showTrustAge();
}

// --- the form ------------------------------------------------------------------------------------

function enhanceForm() {
  const form = root.querySelector("form");
  const field = form.querySelector("textarea[name=code]");
  const picture = form.querySelector("input[type=file]");
  form.addEventListener("submit", (event) => {
    if (navigator.onLine) return; // the server checks it, as without JavaScript
    event.preventDefault();
    const code = field.value.trim();
    if (code) checkHere(code);
    else if (picture && picture.files.length) showMessage(texts.offline_picture);
    else showMessage(texts.required);
  });
  return { form, field };
}

// --- the camera ----------------------------------------------------------------------------------

async function enhanceCamera({ form, field }) {
  const scan = root.querySelector(".mz-scan");
  if (!scan || !("BarcodeDetector" in window) || !navigator.mediaDevices?.getUserMedia) return;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!formats.includes("qr_code")) return;
  } catch {
    return;
  }
  const start = scan.querySelector(".mz-scan__start");
  const stop = scan.querySelector(".mz-scan__stop");
  const view = scan.querySelector(".mz-scan__view");
  const video = scan.querySelector("video");
  const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
  let stream = null;
  let timer = null;

  const end = () => {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.srcObject = null;
    view.hidden = true;
    start.hidden = false;
  };
  const found = (code) => {
    end();
    field.value = code;
    if (navigator.onLine) form.requestSubmit();
    else checkHere(code);
  };
  const look = async () => {
    if (!stream) return;
    try {
      const codes = await detector.detect(video);
      const code = codes.map((c) => c.rawValue).find((value) => value && value.startsWith("MZ1:"));
      if (code) return found(code);
    } catch {
      // no frame yet
    }
    timer = setTimeout(look, 250);
  };
  start.addEventListener("click", async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    } catch {
      showMessage(texts.scan_denied);
      return;
    }
    video.srcObject = stream;
    view.hidden = false;
    start.hidden = true;
    await video.play().catch(() => {});
    stop.focus();
    look();
  });
  stop.addEventListener("click", () => {
    end();
    start.focus();
  });
  scan.hidden = false;
}

// --- start -----------------------------------------------------------------------------------------

async function start() {
  texts = JSON.parse(textsNode.textContent);
  const controls = enhanceForm();
  enhanceCamera(controls);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker
      .register(root.dataset.worker, { scope: root.dataset.page })
      .catch(() => {});
  }
  await refresh();
  await load();
  showTrustAge();
  setInterval(async () => {
    await refresh();
    await load();
    showTrustAge();
  }, REFRESH_MS);
  window.addEventListener("online", async () => {
    await refresh();
    await load();
    showTrustAge();
  });
  if ("serviceWorker" in navigator) await navigator.serviceWorker.ready;
  root.dataset.offlineReady = "true";
}

if (supported) start();
