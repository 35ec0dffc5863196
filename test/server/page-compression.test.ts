// GET / compressed for clients that take gzip (prepared by warm()), the same page as uncompressed,
// and Accept-Encoding read as RFC 9110 says (q=0 refuses).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { acceptsGzip } from '../../src/server/accept-encoding.js';
import { snapshot } from '../helpers/status-snapshot.js';
import { startTestServer } from '../helpers/status-server.js';

/** A raw GET (fetch would decompress and hide the encoding). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ res: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

test('Accept-Encoding: gzip listed, star, q=0 and absent', () => {
  assert.equal(acceptsGzip('gzip, deflate, br'), true);
  assert.equal(acceptsGzip('br;q=1.0, gzip;q=0.8, *;q=0.1'), true);
  assert.equal(acceptsGzip('*'), true);
  assert.equal(acceptsGzip('gzip;q=0, *'), false);
  assert.equal(acceptsGzip('identity'), false);
  assert.equal(acceptsGzip(undefined), false);
});

test('after warm() the page goes out gzip-compressed and decompresses to the plain page', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: 'alpha', endpoints: 3 }, { id: 'beta<b>', state: 'degraded' }], now));
  await srv.server.warm();
  const plain = await rawGet(`${srv.url}/`);
  assert.equal(plain.res.headers['content-encoding'], undefined);
  assert.equal(plain.res.headers.vary, 'accept-encoding');
  const gz = await rawGet(`${srv.url}/`, { 'accept-encoding': 'gzip, deflate' });
  assert.equal(gz.res.headers['content-encoding'], 'gzip', 'served from the page warm() compressed');
  assert.equal(Number(gz.res.headers['content-length']), gz.body.length);
  assert.ok(gz.body.length < plain.body.length / 3, `${gz.body.length} compressed vs ${plain.body.length}`);
  assert.equal(gunzipSync(gz.body).toString(), plain.body.toString());
  assert.match(plain.body.toString(), /beta&lt;b&gt;/);
});

test('a new snapshot is never answered with the old compressed page', async (t) => {
  const now = Date.now();
  const srv = await startTestServer({ now });
  t.after(() => srv.close());
  await srv.store.putSnapshot(snapshot([{ id: 'old-one' }], now));
  await srv.server.warm();
  await srv.store.putSnapshot(snapshot([{ id: 'new-one' }], now + 1));
  const first = await rawGet(`${srv.url}/`, { 'accept-encoding': 'gzip' });
  const text = first.res.headers['content-encoding'] === 'gzip' ? gunzipSync(first.body).toString() : first.body.toString();
  assert.match(text, /data-provider="new-one"/);
  assert.doesNotMatch(text, /old-one/);
  await srv.server.warm();
  const later = await rawGet(`${srv.url}/`, { 'accept-encoding': 'gzip' });
  assert.equal(later.res.headers['content-encoding'], 'gzip');
  assert.match(gunzipSync(later.body).toString(), /data-provider="new-one"/);
});
