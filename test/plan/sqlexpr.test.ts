import { describe, expect, it } from 'vitest';
import { checkSqlExpression } from '../../src/model/sqlexpr.js';

describe('checkSqlExpression', () => {
  it.each([
    ['true'],
    ["facility_id = 'F01'"],
    ["facility_id IN ('F01', 'F02') AND (status <> 'x;y')"],
    ["note = 'it''s -- fine /* here */'"],
    ['"Weird;Name" > 0'],
    ["concat('***-**-', right({value}, 4))"],
  ])('accepts %s', (e) => {
    expect(checkSqlExpression(e)).toBeUndefined();
  });

  it.each([
    ['true); DROP TABLE x; --', /would end the statement|unbalanced/],
    ['true; DROP TABLE x', /would end the statement/],
    ['true -- and more', /comment/],
    ['true /* hidden */', /comment/],
    ["facility_id = 'F01", /unterminated ' quote/],
    ['(a = b', /never closed/],
    ['a = b)', /unbalanced "\)"/],
    ['$$x$$', /dollar quoting/],
    ['   ', /empty/],
  ])('rejects %s', (e, why) => {
    expect(checkSqlExpression(e)).toMatch(why);
  });
});
