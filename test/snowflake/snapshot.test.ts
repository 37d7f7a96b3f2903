import { describe, expect, it } from 'vitest';
import { readSnapshot, writeSnapshot } from '../../src/dialects/snapshot.js';
import { makeFutureGrant, makeGrant, makeMembership } from '../../src/model/keys.js';
import type { Live } from '../../src/model/types.js';

const live: Live = {
  platform: 'snowflake',
  roles: [{ name: 'R2', isUser: false }, { name: 'R1', isUser: false, description: 'd', owner: 'o' }, { name: 'ALICE', isUser: true }],
  memberships: [makeMembership({ role: 'R1', member: 'ALICE', memberKind: 'user' })],
  grants: [
    makeGrant({ role: 'R1', privilege: 'select', object: { kind: 'view', database: 'EHR', schema: 'C', name: 'V' } }),
    makeGrant({ role: 'R1', privilege: 'usage', object: { kind: 'database', database: 'EHR' }, grantedBy: 'SECURITYADMIN' }),
  ],
  futureGrants: [makeFutureGrant({ role: 'R1', privilege: 'select', schema: { kind: 'schema', database: 'EHR', schema: 'C' }, objectType: 'tables' })],
  schemas: [{ kind: 'schema', database: 'EHR', schema: 'C' }],
  tables: [{ object: { kind: 'view', database: 'EHR', schema: 'C', name: 'V' }, columns: [] }],
};

describe('snapshots', () => {
  it('round-trips and is stable whatever the input order', () => {
    const text = writeSnapshot(live);
    expect(readSnapshot(text)).toEqual({ ...live, roles: expect.any(Array), grants: expect.any(Array) });
    const shuffled = { ...live, roles: [...live.roles].reverse(), grants: [...live.grants].reverse() };
    expect(writeSnapshot(shuffled)).toBe(text);
    expect(writeSnapshot(readSnapshot(text))).toBe(text);
  });
  it('keeps a masking policy\'s tags (tag-based masking) and refuses a tag of another kind', () => {
    const tag = { kind: 'tag' as const, database: 'GOV', schema: 'TAGS', name: 'phi "class"' };
    const withTags: Live = { ...live, maskingPolicies: [{ key: 'policy:masking:M', name: 'M', schema: { kind: 'schema', database: 'GOV', schema: 'TAGS' }, mask: 'hash', unmaskedFor: [], columns: [], tags: [tag] }] };
    expect(readSnapshot(writeSnapshot(withTags)).maskingPolicies?.[0].tags).toEqual([tag]);
    const doc = JSON.parse(writeSnapshot(withTags));
    doc.maskingPolicies[0].tags[0].kind = 'table';
    expect(() => readSnapshot(JSON.stringify(doc))).toThrow(/maskingPolicies\[0\]\.tags\[0\]\.kind must be tag/);
  });
  it('keeps the managed tags on columns, recomputing their keys, an empty value included', () => {
    const tag = { kind: 'tag' as const, database: 'GOV', schema: 'TAGS', name: 'PHI' };
    const column = { table: { kind: 'table' as const, database: 'EHR', schema: 'C', name: 'Visit "Notes"' }, column: 'MRN' };
    const withTags: Live = { ...live, columnTags: [{ key: 'forged', column, tag, value: '' }] };
    const back = readSnapshot(writeSnapshot(withTags)).columnTags;
    expect(back).toEqual([{ key: 'columntag:tag:GOV.TAGS.PHI:table:EHR.C."Visit ""Notes""".MRN', column, tag, value: '' }]);
    const doc = JSON.parse(writeSnapshot(withTags));
    doc.columnTags[0].tag.kind = 'schema';
    expect(() => readSnapshot(JSON.stringify(doc))).toThrow(/columnTags\[0\]\.tag\.kind must be tag/);
  });
  it('accepts an empty snapshot', () => {
    const l = readSnapshot('{"platform":"databricks","roles":[],"grants":[],"memberships":[],"futureGrants":[],"schemas":[],"tables":[]}');
    expect(l).toEqual({ platform: 'databricks', roles: [], grants: [], memberships: [], futureGrants: [], schemas: [], tables: [] });
    expect(readSnapshot('{"platform":"postgres"}').grants).toEqual([]);
  });
  it('recomputes keys instead of trusting the file', () => {
    const doc = JSON.parse(writeSnapshot(live));
    doc.grants[0].key = 'forged';
    expect(readSnapshot(JSON.stringify(doc)).grants.map((g) => g.key)).not.toContain('forged');
  });
  it.each([
    ['not json', '{', /not JSON/],
    ['platform', '{"platform":"oracle"}', /platform must be one of/],
    ['privilege', '{"platform":"snowflake","grants":[{"role":"R","privilege":"all","object":{"kind":"database","database":"D"}}]}', /grants\[0\]\.privilege/],
    ['object kind', '{"platform":"snowflake","grants":[{"role":"R","privilege":"usage","object":{"kind":"compute_pool","database":"D"}}]}', /grants\[0\]\.object\.kind/],
    ['table name', '{"platform":"snowflake","tables":[{"object":{"kind":"table","database":"D","schema":"S"},"columns":[]}]}', /tables\[0\]\.object\.name/],
    ['future schema kind', '{"platform":"snowflake","futureGrants":[{"role":"R","privilege":"select","objectType":"tables","schema":{"kind":"table","database":"D","schema":"S","name":"T"}}]}', /futureGrants\[0\]\.schema\.kind/],
    ['roles array', '{"platform":"snowflake","roles":{}}', /roles must be an array/],
    ['member kind', '{"platform":"snowflake","memberships":[{"role":"R","member":"U","memberKind":"group"}]}', /memberships\[0\]\.memberKind/],
  ])('names the bad field: %s', (_n, text, re) => expect(() => readSnapshot(text)).toThrow(re));
});
