/** Splits DEV-style YAML front matter from the Markdown that follows it. */
import { parse as parseYaml } from 'yaml';
import { AppError } from '../errors.ts';

export interface FrontMatterSplit {
  /** The parsed mapping, or null when the text has no front matter. */
  data: Record<string, unknown> | null;
  /** The Markdown after the front matter. */
  body: string;
}

const FENCE = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

export function splitFrontMatter(markdown: string): FrontMatterSplit {
  const match = FENCE.exec(markdown);
  if (!match) return { data: null, body: markdown };
  let data: unknown;
  try {
    // The core schema builds plain values only; aliases are capped against expansion attacks.
    data = parseYaml(match[1] ?? '', { schema: 'core', maxAliasCount: 50, uniqueKeys: true });
  } catch (error) {
    const reason = (error as Error).message.split('\n')[0];
    throw new AppError('validation_failed', `Front matter is not valid YAML: ${reason}`, {
      errors: [{ field: 'body_markdown', message: `front matter is not valid YAML: ${reason}` }],
    });
  }
  if (data === null || data === undefined)
    return { data: {}, body: markdown.slice(match[0].length) };
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
  return { data: data as Record<string, unknown>, body: markdown.slice(match[0].length) };
}
