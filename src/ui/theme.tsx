/**
 * Colour is optional and only ever repeats what symbols and words already say.
 * With NO_COLOR set (or colour off) no styling at all is emitted: no colours, no
 * bold, no inverse, so frames carry no ANSI codes.
 */
import { createContext, useContext, type ReactNode } from 'react';
import { Text } from 'ink';

/** Whether the UI may style text. Provided once at the root. */
export interface Theme {
  color: boolean;
}

/** Theme context; defaults to colour on so components render styled in isolation. */
export const ThemeContext = createContext<Theme>({ color: true });

/** Semantic tones; each maps to one style when colour is on. */
export type Tone = 'add' | 'remove' | 'change' | 'danger' | 'muted' | 'accent' | 'ok' | 'warn' | 'strong' | 'cursor';

/** NO_COLOR (https://no-color.org): present and not empty disables colour. */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.NO_COLOR;
  return v === undefined || v === '';
}

/** Styled text when colour is on; plain text otherwise. */
export function T(props: { tone?: Tone; children?: ReactNode }): ReactNode {
  const { color } = useContext(ThemeContext);
  const { tone, children } = props;
  if (!color || !tone) return <Text>{children}</Text>;
  switch (tone) {
    case 'add':
    case 'ok':
      return <Text color="green">{children}</Text>;
    case 'remove':
      return <Text color="red">{children}</Text>;
    case 'change':
    case 'warn':
      return <Text color="yellow">{children}</Text>;
    case 'danger':
      return (
        <Text color="red" bold>
          {children}
        </Text>
      );
    case 'muted':
      return <Text dimColor>{children}</Text>;
    case 'accent':
      return <Text color="cyan">{children}</Text>;
    case 'strong':
      return <Text bold>{children}</Text>;
    case 'cursor':
      return <Text inverse>{children}</Text>;
  }
}

/** One terminal line: never wraps, truncated at the box width with an ellipsis. */
export function Line(props: { children?: ReactNode }): ReactNode {
  return <Text wrap="truncate-end">{props.children ?? ' '}</Text>;
}

/** The tone of a change sign. */
export function signTone(sign: '+' | '-' | '~'): Tone {
  return sign === '+' ? 'add' : sign === '-' ? 'remove' : 'change';
}
