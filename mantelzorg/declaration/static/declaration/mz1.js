// MZ1 verification in the browser (issue 14, C6): the same checks, in the same order, as
// mantelzorg/declaration/codec.py's decode, for the revised wire format (notes: mz1-spec.md):
//
//   "MZ1:" + base45 (base45-web) of zlib (DecompressionStream "deflate") of a tagged COSE_Sign1
//   (CBOR, cborg) signed with ES256 (WebCrypto) over the CWT {4: exp, -65537: {claims}}.
//
// No cryptography of our own: the signature is checked by crypto.subtle.verify (ECDSA P-256,
// SHA-256). COSE signatures are r||s, 64 bytes, which is what WebCrypto takes for ECDSA.
// Outcomes: valid, expired, revoked, not_genuine, malformed; `verify` never throws for any input.
import { decode as cborDecode, encode as cborEncode } from "cborg";
import base45 from "base45-web";

export const PREFIX = "MZ1:";
export const MAX_VALIDITY_SECONDS = 28 * 24 * 3600;
const MAX_CODE_LENGTH = 4296;
const MAX_PAYLOAD_BYTES = 8192;
const MAX_LIST_BYTES = 2 ** 20;
const ES256 = -7;
const HEADER_ALG = 1;
const HEADER_KID = 4;
const HEADER_TYP = 16;
const CLAIM_SUB = 2;
const CLAIM_EXP = 4;
const CLAIM_IAT = 6;
const CLAIM_MZ = -65537;
const CLAIM_TTL = 65534;
const CLAIM_STATUS_LIST = 65533;
export const STATUS_LIST_TYP = "application/statuslist+cwt";
export const STATUS_PATH = "/verklaring/status/";

const PURPOSES = { 1: "parking", 2: "employer", 3: "housing", 4: "uwv", 5: "education", 6: "appreciation", 7: "general" };
const LEVELS = { 1: "self_declared", 2: "confirmed" };
const MZ_KEYS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

class Malformed extends Error {}
class NotGenuine extends Error {}

const CBOR_OPTIONS = {
  useMaps: true,
  rejectDuplicateMapKeys: true,
  allowUndefined: false,
  allowIndefinite: true,
  tags: { 18: (inner) => ({ tag: 18, value: inner() }) },
};

function cbor(bytes) {
  try {
    return cborDecode(bytes, CBOR_OPTIONS);
  } catch {
    throw new Malformed("not CBOR");
  }
}

const isUint = (value, low = 0, high = 2 ** 40) =>
  typeof value === "number" && Number.isInteger(value) && value >= low && value <= high;
const isBytes = (value) => value instanceof Uint8Array;
const sameBytes = (a, b) => a.length === b.length && a.every((byte, i) => byte === b[i]);

export function b64urlDecode(text) {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

// One whole zlib stream of at most `max` bytes, nothing after it (as codec.inflate).
export async function inflate(data, max) {
  const stream = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate"));
  const reader = stream.getReader();
  const chunks = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > max) {
        reader.cancel().catch(() => {});
        throw new Malformed("zlib stream too large");
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof Malformed) throw error;
    // Chromium rejects trailing bytes and truncated streams here
    throw new Malformed("not zlib");
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

async function unwrap(code) {
  if (typeof code !== "string") throw new Malformed("a code is text");
  code = code.trim();
  if (code.length > MAX_CODE_LENGTH) throw new Malformed("too long for a QR code");
  if (!code.startsWith(PREFIX)) throw new Malformed("no MZ1: prefix");
  let bytes;
  try {
    bytes = base45.decode(code.slice(PREFIX.length));
  } catch {
    throw new Malformed("not base45");
  }
  // RFC 9285: a triple above 65535 or a pair above 255 is not base45 (the library does not check)
  if (bytes.some((byte) => !(byte >= 0 && byte <= 255))) throw new Malformed("not base45");
  return inflate(Uint8Array.from(bytes), MAX_PAYLOAD_BYTES);
}

// A public key per JWK of the set: [{kid: Uint8Array, key: CryptoKey}]. Keys WebCrypto refuses are left out.
export async function importKeys(jwks) {
  const keys = [];
  for (const jwk of (jwks && jwks.keys) || []) {
    if (jwk.kty !== "EC" || jwk.crv !== "P-256" || typeof jwk.kid !== "string") continue;
    try {
      const key = await crypto.subtle.importKey(
        "jwk",
        { kty: "EC", crv: "P-256", x: jwk.x, y: jwk.y, ext: true },
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
      keys.push({ kid: b64urlDecode(jwk.kid), key });
    } catch {
      // not a usable P-256 public key: it verifies nothing
    }
  }
  return keys;
}

// Verify a tagged COSE_Sign1 (as codec.verify_sign1); returns the payload map.
async function verifySign1(data, keys, { expectedTyp = null, allowUnprotectedKid = false } = {}) {
  const message = cbor(data);
  if (!message || message.tag !== 18) throw new Malformed("not a tagged COSE_Sign1");
  const value = message.value;
  if (!Array.isArray(value) || value.length !== 4) throw new Malformed("COSE_Sign1 is an array of four");
  const [protectedBytes, unprotected, payloadBytes, signature] = value;
  if (!isBytes(protectedBytes) || !(unprotected instanceof Map)) throw new Malformed("bad COSE headers");
  if (!isBytes(payloadBytes) || !isBytes(signature)) throw new Malformed("bad COSE payload or signature");
  const protectedHeader = protectedBytes.length ? cbor(protectedBytes) : new Map();
  if (!(protectedHeader instanceof Map) || protectedHeader.get(HEADER_ALG) !== ES256)
    throw new Malformed("the protected header must name ES256");
  if (expectedTyp !== null && protectedHeader.get(HEADER_TYP) !== expectedTyp)
    throw new Malformed("wrong typ");
  if (unprotected.has(HEADER_ALG)) throw new Malformed("alg belongs in the protected header");
  let kid = protectedHeader.get(HEADER_KID);
  if (kid === undefined && allowUnprotectedKid) kid = unprotected.get(HEADER_KID);
  else if (unprotected.has(HEADER_KID)) throw new Malformed("the kid belongs in the protected header only");
  if (!isBytes(kid) || !kid.length) throw new Malformed("no kid in the protected header");
  const candidates = keys.filter((key) => sameBytes(key.kid, kid));
  if (!candidates.length) throw new NotGenuine("no published key has this kid");
  if (signature.length !== 64) throw new NotGenuine("an ES256 signature has 64 bytes");
  // Sig_structure (RFC 9052 section 4.4): ["Signature1", protected, external_aad, payload]
  const toBeSigned = cborEncode(["Signature1", protectedBytes, new Uint8Array(0), payloadBytes]);
  let verified = false;
  for (const candidate of candidates) {
    const ok = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      candidate.key,
      signature,
      toBeSigned,
    );
    if (ok) {
      verified = true;
      break;
    }
  }
  if (!verified) throw new NotGenuine("the signature does not verify");
  const claims = cbor(payloadBytes);
  if (!(claims instanceof Map)) throw new Malformed("the signed payload is not a CWT claims map");
  return claims;
}

// --- claims: wire -> readable (as codec.claims_from_wire, revised format) ------------------------

function text(value, max) {
  if (typeof value !== "string" || !value.length || value.length > max) throw new Malformed("bad text claim");
  return value;
}

function uint(value, low, high) {
  if (!isUint(value, low, high)) throw new Malformed("bad number claim");
  return value;
}

const pad = (value, length) => String(value).padStart(length, "0");

function validDate(year, month, day) {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

function holderFromWire(value) {
  if (!(value instanceof Map) || [...value.keys()].some((key) => ![1, 2, 3].includes(key)))
    throw new Malformed("bad holder");
  const initials = value.get(1);
  if (typeof initials !== "string" || !/^[A-Z]{1,4}$/.test(initials)) throw new Malformed("bad initials");
  if (value.has(2) === value.has(3)) throw new Malformed("a birth day or a birth month");
  const holder = { initials };
  if (value.has(2)) holder.birth_day = uint(value.get(2), 1, 31);
  else holder.birth_month = uint(value.get(3), 1, 12);
  return holder;
}

export function claimsFromWire(payload) {
  for (const key of payload.keys()) {
    if (key !== CLAIM_EXP && key !== CLAIM_MZ) throw new Malformed("claims outside the MZ1 profile");
  }
  const mz = payload.get(CLAIM_MZ);
  if (!(mz instanceof Map)) throw new Malformed("no MZ1 claims map");
  for (const key of mz.keys()) if (!MZ_KEYS.has(key)) throw new Malformed("unknown MZ1 claim");
  const claims = {};
  claims.purpose = PURPOSES[mz.get(1)];
  claims.level = LEVELS[mz.get(2)];
  if (!claims.purpose || !claims.level) throw new Malformed("unknown purpose or level");
  if (mz.has(3)) {
    if (claims.level !== "confirmed") throw new Malformed("confirmed_by goes only with level confirmed");
    claims.confirmed_by = uint(mz.get(3), 1, 2 ** 32 - 1);
  }
  if (mz.has(4)) claims.hours_band = uint(mz.get(4), 0, 168);
  if (mz.has(5)) {
    const value = uint(mz.get(5), 190001, 999912);
    if (value % 100 < 1 || value % 100 > 12) throw new Malformed("care_since is a month");
    claims.care_since = `${pad(Math.floor(value / 100), 4)}-${pad(value % 100, 2)}`;
  }
  if (mz.has(6)) claims.pc4 = String(uint(mz.get(6), 1000, 9999));
  if (mz.has(7)) claims.gemeente = `GM${pad(uint(mz.get(7), 1, 9999), 4)}`;
  if (mz.has(8)) claims.relation = text(mz.get(8), 40);
  if (mz.has(9)) {
    const value = uint(mz.get(9), 19000101, 99991231);
    const [y, m, d] = [Math.floor(value / 10000), Math.floor(value / 100) % 100, value % 100];
    if (!validDate(y, m, d)) throw new Malformed("valid_until is a date");
    claims.valid_until = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
  }
  if (mz.has(10)) claims.holder = holderFromWire(mz.get(10));
  if (mz.has(11)) {
    const status = mz.get(11);
    if (!Array.isArray(status) || status.length !== 2) throw new Malformed("status is [list, idx]");
    claims.status = { list: uint(status[0], 0, 2 ** 32 - 1), idx: uint(status[1], 0, 2 ** 32 - 1) };
  }
  return claims;
}

// --- status list tokens ------------------------------------------------------------------------

// A verified Status List Token: {uri, issuedAt, expiresAt, ttl, bits, lst}; throws when not genuine,
// not of this profile or expired at `now` (as status_list.verify_token).
export async function verifyStatusToken(bytes, keys, now) {
  const claims = await verifySign1(bytes, keys, { expectedTyp: STATUS_LIST_TYP, allowUnprotectedKid: true });
  const uri = claims.get(CLAIM_SUB);
  const iat = claims.get(CLAIM_IAT);
  const exp = claims.get(CLAIM_EXP);
  const ttl = claims.get(CLAIM_TTL);
  const list = claims.get(CLAIM_STATUS_LIST);
  if (typeof uri !== "string" || !isUint(iat)) throw new Malformed("sub and iat are required");
  if (exp !== undefined && !isUint(exp)) throw new Malformed("exp is a time");
  if (ttl !== undefined && !(isUint(ttl) && ttl > 0)) throw new Malformed("ttl is positive");
  if (!(list instanceof Map) || ![1, 2, 4, 8].includes(list.get("bits")) || !isBytes(list.get("lst")))
    throw new Malformed("bad status list");
  if (exp !== undefined && now >= exp) throw new Malformed("the status list token has expired");
  const lst = await inflate(list.get("lst"), MAX_LIST_BYTES);
  return { uri, issuedAt: iat, expiresAt: exp ?? null, ttl: ttl ?? null, bits: list.get("bits"), lst };
}

// The status at idx (0 valid); RangeError outside the list.
export function statusAt(statusList, idx) {
  const { bits, lst } = statusList;
  if (idx * bits >= lst.length * 8) throw new RangeError("index outside the status list");
  const byte = Math.floor((idx * bits) / 8);
  const shift = (idx * bits) % 8;
  return (lst[byte] >> shift) & ((1 << bits) - 1);
}

// --- the outcome ---------------------------------------------------------------------------------

/**
 * Verify an MZ1 text. `keys` from importKeys, `now` in seconds, `statusLists` verified tokens,
 * `base` the site the trust material came from (the status list's uri is base + /verklaring/status/<list>).
 * Returns {status, reason, claims (valid only), expiresAt, statusChecked}.
 */
export async function verify(code, { keys, now, statusLists = [], base }) {
  let payload;
  try {
    payload = await verifySign1(await unwrap(code), keys);
  } catch (error) {
    const status = error instanceof NotGenuine ? "not_genuine" : "malformed";
    return { status, reason: error.message || "unreadable", statusChecked: false };
  }
  let claims;
  let exp;
  try {
    exp = uint(payload.get(CLAIM_EXP), 0, 2 ** 40);
    claims = claimsFromWire(payload);
  } catch (error) {
    return { status: "malformed", reason: error.message || "unreadable claims", statusChecked: false };
  }
  if (exp - now > MAX_VALIDITY_SECONDS)
    return { status: "malformed", reason: "valid for longer than 28 days from now", statusChecked: false };
  if (now >= exp) return { status: "expired", reason: "now is at or after exp", expiresAt: exp, statusChecked: false };
  let statusChecked = false;
  if (claims.status) {
    const uri = `${base}${STATUS_PATH}${claims.status.list}`;
    const list = statusLists.find((candidate) => candidate.uri === uri);
    if (list) {
      let bit;
      try {
        bit = statusAt(list, claims.status.idx);
      } catch {
        return { status: "malformed", reason: "status index outside the status list", expiresAt: exp, statusChecked: false };
      }
      if (bit !== 0) return { status: "revoked", reason: "status list bit set", expiresAt: exp, statusChecked: true };
      statusChecked = true;
    }
  }
  return { status: "valid", reason: "", claims, expiresAt: exp, statusChecked };
}
