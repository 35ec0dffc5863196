// Whether a client takes a gzip-compressed body (RFC 9110 Accept-Encoding, q=0 meaning "not this").

/** True when Accept-Encoding accepts gzip: listed (or, when not listed, "*") without q=0. */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const q = new Map<string, number>();
  for (const item of header.split(',')) {
    const [coding, ...params] = item.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    q.set(coding.trim(), qParam === undefined ? 1 : Number(qParam.slice(2)) || 0);
  }
  const gzip = q.get('gzip') ?? q.get('x-gzip') ?? q.get('*');
  return gzip !== undefined && gzip > 0;
}
