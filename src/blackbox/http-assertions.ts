// Judges an HTTP response against a check's expectations; throws the first unmet one as a typed failure.
import type { IncomingHttpHeaders } from 'node:http';
import type { HttpExpectations, JsonPathExpectation } from './types.js';
import { AssertionFailure, HttpStatusFailure } from './probe-errors.js';

export interface HttpResponseSeen {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  httpVersion: string;
}

/** Quotes text from the network for a message: JSON-escaped and cut to a readable length. */
export function quote(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? text.slice(0, max) + '…' : text);
}

export function checkResponse(res: HttpResponseSeen, expect: HttpExpectations): void {
  if (!expect.status.includes(res.status)) throw new HttpStatusFailure(`status ${res.status}, expected ${describeStatuses(expect.status)}`);
  if (expect.httpVersion && res.httpVersion !== expect.httpVersion) throw new AssertionFailure(`HTTP/${res.httpVersion}, expected HTTP/${expect.httpVersion}`);
  for (const h of expect.headers) {
    const raw = res.headers[h.name.toLowerCase()];
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (h.present === false && value !== undefined) throw new AssertionFailure(`header ${h.name} present, expected absent`);
    if (h.present === false) continue;
    if (value === undefined) throw new AssertionFailure(`header ${h.name} missing`);
    if (h.equals !== undefined && value !== h.equals) throw new AssertionFailure(`header ${h.name} is ${quote(value)}, expected ${quote(h.equals)}`);
    if (h.matches && !h.matches.test(value)) throw new AssertionFailure(`header ${h.name} is ${quote(value)}, expected to match /${h.matches.source}/`);
  }
  const needsText = expect.bodyContains.length + expect.bodyNotContains.length + expect.bodyMatches.length + expect.json.length > 0;
  if (!needsText) return;
  const text = res.body.toString('utf8');
  for (const s of expect.bodyContains) if (!text.includes(s)) throw new AssertionFailure(`body does not contain ${quote(s)}`);
  for (const s of expect.bodyNotContains) if (text.includes(s)) throw new AssertionFailure(`body contains ${quote(s)}`);
  for (const re of expect.bodyMatches) if (!re.test(text)) throw new AssertionFailure(`body does not match /${re.source}/`);
  if (expect.json.length) checkJson(text, expect.json);
}

function checkJson(text: string, expectations: JsonPathExpectation[]): void {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AssertionFailure(`body is not JSON (starts ${quote(text, 40)})`);
  }
  for (const e of expectations) {
    const found = jsonPath(doc, e.path);
    if (!found.exists) throw new AssertionFailure(`JSON ${e.path} missing`);
    if (found.value !== e.equals) throw new AssertionFailure(`JSON ${e.path} is ${quote(JSON.stringify(found.value) ?? 'undefined')}, expected ${quote(JSON.stringify(e.equals))}`);
  }
}

/** Follows "a.b[0].c" (a leading "$." is allowed) through parsed JSON. */
export function jsonPath(doc: unknown, path: string): { exists: boolean; value?: unknown } {
  const steps = path.replace(/^\$\.?/, '').match(/[^.[\]]+|\[\d+\]/g) ?? [];
  let cur: unknown = doc;
  for (const step of steps) {
    const index = /^\[(\d+)\]$/.exec(step);
    if (index) {
      if (!Array.isArray(cur) || Number(index[1]) >= cur.length) return { exists: false };
      cur = cur[Number(index[1])];
    } else {
      if (typeof cur !== 'object' || cur === null || !Object.prototype.hasOwnProperty.call(cur, step)) return { exists: false };
      cur = (cur as Record<string, unknown>)[step];
    }
  }
  return { exists: true, value: cur };
}

/** [200..299, 304] → "200-299, 304". */
function describeStatuses(codes: number[]): string {
  const sorted = [...new Set(codes)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : `${sorted[i]}`);
    i = j;
  }
  return parts.join(', ');
}
