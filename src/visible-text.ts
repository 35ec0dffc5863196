// Text from the network or from processes, made visible: control characters, C1 codes and
// bidirectional overrides become escapes ("\x1b"), so a name cannot drive a terminal, hide in a
// page or corrupt a /metrics line. Used by every surface that shows such strings.

export const INVISIBLE = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'g');

export function visibleText(s: string): string {
  return INVISIBLE.test(s) ? s.replace(INVISIBLE_ALL, escapeChar) : s;
}

export function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
