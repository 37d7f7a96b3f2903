/**
 * A routine signature for platforms whose type names are plain words (Snowflake,
 * Databricks): each argument type trimmed, inner whitespace collapsed, folded the way
 * the platform folds type names, joined as `(VARCHAR, NUMBER(38,0))`. Anything but
 * letters, digits, `_`, spaces, parentheses and commas is refused: a signature is part
 * of a name and reaches SQL only through the dialect's own writer.
 */
import { RbacError } from '../model/errors.js';

const TYPE = /^[A-Za-z_][A-Za-z0-9_ ]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\s*\[\])?$/;

export function wordSignature(types: readonly string[], fold: (s: string) => string): string {
  const out = types.map((t) => {
    const word = t.trim().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1');
    if (!TYPE.test(word)) {
      throw new RbacError('CONFIG', `argument type ${JSON.stringify(t)} is not a type name`, 'write the type as the platform names it, e.g. varchar or number(38,0)');
    }
    return fold(word);
  });
  return `(${out.join(', ')})`;
}
