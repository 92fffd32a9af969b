/**
 * Enough of POSIX shell syntax to read the commands in our docs: quotes, backslashes, comments, line
 * continuations, pipelines and lists, redirections and leading variable assignments. No expansion.
 */

/** One simple command: its words, without assignments and redirections. */
export interface SimpleCommand {
  readonly env: Readonly<Record<string, string>>;
  readonly words: readonly string[];
}

const OPERATORS = ['&&', '||', '|', ';', '&'];

/** Splits a command line (continuations already joined) into simple commands. */
export function simpleCommands(line: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  const endWord = () => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) commands.push(commandOf(words));
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (c === '#' && !inWord) {
      break;
    } else if (/\s/.test(c)) {
      endWord();
    } else {
      const operator = OPERATORS.find((op) => line.startsWith(op, i));
      if (operator !== undefined) {
        endCommand();
        i += operator.length - 1;
      } else {
        word += c;
        inWord = true;
      }
    }
  }
  if (quote) throw new Error(`unterminated ${quote} in: ${line}`);
  endCommand();
  return commands;
}

function commandOf(words: readonly string[]): SimpleCommand {
  const env: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] as string;
    if (rest.length === 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
      env[w.slice(0, w.indexOf('='))] = w.slice(w.indexOf('=') + 1);
    } else if (/^\d?[<>]{1,2}$/.test(w)) {
      i++; // the redirection's target
    } else if (/^\d?[<>]{1,2}./.test(w)) {
      // a redirection written together with its target
    } else {
      rest.push(w);
    }
  }
  return { env, words: rest };
}

/** The command lines of a shell block: continuation lines joined, blank and comment-only lines dropped. */
export function commandLines(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}
