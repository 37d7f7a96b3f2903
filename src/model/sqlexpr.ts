/**
 * The one place where SQL written by a person (a row filter's `where`, a custom mask
 * `expression`) enters generated statements. It must be a single expression: this
 * check rejects anything that could end the statement it is embedded in or hide
 * text from review: `;`, comments, unbalanced parentheses and unterminated quotes,
 * outside string literals and quoted identifiers. The expression is reviewed in the
 * pull request and shown in full in the plan; this check makes sure what is reviewed
 * is all that runs.
 */
export function checkSqlExpression(text: string): string | undefined {
  if (text.trim() === '') return 'the expression is empty';
  if (text.includes('\u0000')) return 'the expression holds a NUL byte';
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "'" || ch === '"' || ch === '`') {
      // Skip a quoted literal or identifier; a doubled quote stays inside it.
      let j = i + 1;
      for (;;) {
        if (j >= text.length) return `unterminated ${ch} quote at character ${i + 1}`;
        if (text[j] === ch) {
          if (text[j + 1] === ch) {
            j += 2;
            continue;
          }
          break;
        }
        j++;
      }
      i = j;
      continue;
    }
    if (ch === '$' && /^\$[A-Za-z_]*\$/.test(text.slice(i))) return `dollar quoting is not allowed (character ${i + 1})`;
    if (ch === ';') return `";" at character ${i + 1} would end the statement`;
    if (ch === '-' && text[i + 1] === '-') return `a comment ("--") at character ${i + 1} is not allowed`;
    if (ch === '/' && text[i + 1] === '*') return `a comment ("/*") at character ${i + 1} is not allowed`;
    if (ch === '(') depth++;
    if (ch === ')') {
      depth--;
      if (depth < 0) return `unbalanced ")" at character ${i + 1}`;
    }
  }
  if (depth !== 0) return 'unbalanced "(": a parenthesis is never closed';
  return undefined;
}
