// The JSON Schema (`rbac schema`, editors) agrees with the validator on temporary members.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFor } from '../../src/config/schema.js';

describe('JSON Schema of roles files: temporary members', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const validate = ajv.compile(jsonSchemaFor('roles'));
  const roles = (members: unknown[], extra: object = {}) => ({ roles: [{ name: 'oncall', ...extra, members }] });

  it('accepts plain names and the long form', () => {
    expect(validate(roles(['bob', { name: 'alice', until: '2026-12-03T18:00Z', reason: 'INC-4411' }], { break_glass: true })), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(roles([{ name: 'alice', since: '2026-12-03T10:00+01:00', until: '2026-12-03T18:00:00.5-05:00' }]))).toBe(true);
  });
  it('refuses a long form without until, with an unknown key, or with a zoneless time', () => {
    expect(validate(roles([{ name: 'alice', reason: 'x' }]))).toBe(false);
    expect(validate(roles([{ name: 'alice', until: '2026-12-03T18:00Z', expires: 'soon' }]))).toBe(false);
    expect(validate(roles([{ name: 'alice', until: '2026-12-03T18:00' }]))).toBe(false);
  });
});
