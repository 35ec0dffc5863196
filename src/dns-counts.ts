// A check every reader of whole DNS messages makes before decoding one: captured traffic (the
// capture output) and the replies to DNS checks alike.

/**
 * Whether a DNS message's four header counts fit in its length: each question takes at least 5
 * bytes (a root name, type and class) and each record at least 11. dns-packet allocates an array
 * of each count before reading a record: a 12-byte message claiming 65,535 of each cost it 8 ms,
 * so such messages are refused before they reach it.
 */
export function countsFitMessage(p: Uint8Array): boolean {
  if (p.length < 12) return false;
  const questions = (p[4] << 8) | p[5];
  const records = ((p[6] << 8) | p[7]) + ((p[8] << 8) | p[9]) + ((p[10] << 8) | p[11]);
  return questions * 5 + records * 11 <= p.length - 12;
}
