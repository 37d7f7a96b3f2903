/** A plain line prompt for terminals where the Ink UI is not used. */
import { createInterface } from 'node:readline/promises';

export async function confirmOnTerminal(question: string, expected: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return answer.trim() === expected;
  } finally {
    rl.close();
  }
}
