// The one HTML escaping function and the `html` tagged template that applies it to every
// interpolated value, so text from the network can only ever reach a page as text.

import { escapeChar, INVISIBLE } from '../visible-text.js';

/** Markup that is already safe: produced by `html` or `raw`, never by interpolating strings. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };
const NEEDS_ESCAPE = new RegExp(`[&<>"'\`]|${INVISIBLE.source}`);
const ESCAPE_ALL = new RegExp(`[&<>"'\`]|${INVISIBLE.source}`, 'g');

/**
 * Escapes text for HTML element content and quoted attribute values. Every string that reaches a
 * page goes through here (the `html` template calls it), names, answers and process names alike.
 */
export function escapeHtml(text: string): string {
  // Most values (numbers, plain names) need nothing: skip the replace to keep big pages fast.
  // Control and invisible characters become visible escapes ("\x1b"), never raw bytes in the page.
  return NEEDS_ESCAPE.test(text) ? text.replace(ESCAPE_ALL, (c) => ESCAPES[c] ?? escapeChar(c)) : text;
}

/** What may be interpolated into `html`: strings and numbers are escaped, SafeHtml is kept. */
export type HtmlValue = SafeHtml | string | number | boolean | null | undefined | readonly HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) {
    let out = '';
    for (const v of value as readonly HtmlValue[]) out += render(v);
    return out;
  }
  return escapeHtml(String(value));
}

/** Builds markup: the literal parts are trusted (they are in our source), every value is escaped. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
  return new SafeHtml(out);
}

/** Markup built by our own code from numbers only (e.g. SVG paths); never pass network text. */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * JSON for an inline <script type="application/json"> block: escapes "<", ">" and "&" as \u
 * sequences so no string inside can close the script element or open a comment.
 */
export function jsonForScript(value: unknown): SafeHtml {
  return new SafeHtml(JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}
