// The provider catalogue: every shipped entry matches its example names (with the fields they
// carry) and none of its counter-examples; the pattern syntax and its errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Catalogue, compilePattern, readCatalogueEntries } from '../../src/external/feeds/catalogue.js';
import { readCatalogueFile } from '../../src/external/feeds/catalogue-file.js';

const entries = readCatalogueFile();
const catalogue = new Catalogue(entries);

test('the shipped catalogue has at least 80 providers and every entry has examples both ways', () => {
  const providers = new Set(entries.map((e) => e.provider));
  assert.ok(providers.size >= 80, `only ${providers.size} providers`);
  for (const e of entries) {
    assert.ok(e.examples.length > 0, `${e.provider}/${e.service}: no example`);
    assert.ok(e.counterExamples.length > 0, `${e.provider}/${e.service}: no counter-example`);
  }
});

for (const entry of entries) {
  const id = `${entry.provider}/${entry.service ?? '{service}'}`;
  test(`catalogue ${id}: examples match it, counter-examples do not`, () => {
    for (const ex of entry.examples) {
      const m = catalogue.match(ex.host);
      assert.ok(m, `${ex.host}: no match`);
      assert.ok(m.provider === entry.provider && entry.patterns.includes(m.pattern), `${ex.host}: matched ${m.provider} by ${m.pattern} instead`);
      if (ex.service !== undefined) assert.equal(m.service, ex.service, `${ex.host}: service`);
      if (ex.region !== undefined) assert.equal(m.region, ex.region, `${ex.host}: region`);
      if (ex.resource !== undefined) assert.equal(m.resource, ex.resource, `${ex.host}: resource`);
    }
    for (const host of entry.counterExamples) {
      const hit = entry.patterns.find((p) => compilePattern(p).regex.test(host.toLowerCase()));
      assert.equal(hit, undefined, `${host} must not match ${id} (matched ${hit})`);
    }
  });
}

test('catalogue matching ignores case and a trailing dot, and finds nothing for unknown names', () => {
  assert.equal(catalogue.match('API.Stripe.COM.')?.provider, 'stripe');
  assert.equal(catalogue.match('intranet.example.internal'), undefined);
});

test('pattern syntax: captures, multi-label resources and rejected patterns', () => {
  const { regex, suffix } = compilePattern('{resource+}.s3.{region}.amazonaws.com');
  assert.equal(suffix, 'amazonaws.com');
  assert.equal(regex.exec('a.b.s3.eu-west-1.amazonaws.com')?.groups?.resource, 'a.b');
  assert.throws(() => compilePattern('x.**.example.com'), /only allowed as the first label/);
  assert.throws(() => compilePattern('{colour}.example.com'), /unknown capture/);
  assert.throws(() => compilePattern('a..example.com'), /empty label/);
  assert.throws(() => compilePattern('{region}.{region}.example.com'), /appears twice/);
  const bad = readCatalogueEntries([{ provider: 'x', patterns: ['a.(b).com'] }], 'labels.catalogue');
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.problem : '', /^labels\.catalogue\[0\]\.patterns: .*unexpected characters/);
  const unknownKey = readCatalogueEntries([{ provider: 'x', patterns: ['a.com'], colour: 1 }], 'c');
  assert.match(!unknownKey.ok ? unknownKey.problem : '', /c\[0\]\.colour: unknown key/);
});

test('a longer literal suffix wins over a generic pattern; configured entries win within a suffix', () => {
  const c = new Catalogue([{ provider: 'acme', service: 'orders', patterns: ['orders.example.com'], examples: [], counterExamples: [] }, ...entries]);
  assert.equal(c.match('orders.example.com')?.provider, 'acme');
  assert.equal(c.match('sqs.eu-west-1.amazonaws.com')?.service, 'sqs');
  assert.equal(c.match('ec2.eu-west-1.amazonaws.com')?.service, 'ec2');
});
