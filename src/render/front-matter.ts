/** Splits DEV-style YAML front matter from the Markdown that follows it. */
import { parse as parseYaml } from 'yaml';
import { AppError } from '../errors.ts';

export interface FrontMatterSplit {
  /** The parsed mapping, or null when the text has no front matter. */
  data: Record<string, unknown> | null;
  /** The Markdown after the front matter. */
  body: string;
}

const OPEN = /^\uFEFF?---[ \t]*\r?\n/;
/** The first `---` line after the opening one closes the front matter, even right after it. */
const CLOSE = /^---[ \t]*(?:\r?\n|$)/m;

export function splitFrontMatter(markdown: string): FrontMatterSplit {
  const open = OPEN.exec(markdown);
  const rest = open ? markdown.slice(open[0].length) : '';
  const close = open ? CLOSE.exec(rest) : null;
  if (!close) return { data: null, body: markdown };
  const yaml = rest.slice(0, close.index);
  const body = rest.slice(close.index + close[0].length);
  let data: unknown;
  try {
    // The core schema builds plain values only; aliases are capped against expansion attacks.
    // logLevel 'error': unknown tags in user input must not print process warnings to stderr.
    data = parseYaml(yaml, {
      schema: 'core',
      maxAliasCount: 50,
      uniqueKeys: true,
      logLevel: 'error',
    });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new AppError('validation_failed', `Front matter is not valid YAML: ${reason}`, {
      errors: [{ field: 'body_markdown', message: `front matter is not valid YAML: ${reason}` }],
    });
  }
  if (data === null || data === undefined) return { data: {}, body };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new AppError(
      'validation_failed',
      'Front matter must be a YAML mapping of keys to values',
      {
        errors: [
          { field: 'body_markdown', message: 'front matter must be a mapping of keys to values' },
        ],
      },
    );
  }
  return { data: data as Record<string, unknown>, body };
}
