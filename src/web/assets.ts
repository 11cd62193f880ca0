/**
 * The stylesheet and the script, each one file made at start from the parts in src/web/static/css
 * and js (base first, then by name), served under a name carrying their hash so browsers keep
 * them until they change.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';

const STATIC = new URL('./static/', import.meta.url);

interface Bundle {
  path: string;
  body: Buffer;
  type: string;
}

function bundle(folder: 'css' | 'js', type: string): Bundle {
  const dir = new URL(`${folder}/`, STATIC);
  const names = readdirSync(dir)
    .filter((name) => name.endsWith(`.${folder}`))
    .sort((a, b) => (a.startsWith('base.') ? -1 : b.startsWith('base.') ? 1 : a.localeCompare(b)));
  const body = Buffer.concat(names.map((name) => readFileSync(new URL(name, dir))));
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
  return { path: `/static/quire.${hash}.${folder}`, body, type };
}

const stylesheet = bundle('css', 'text/css; charset=utf-8');
const script = bundle('js', 'text/javascript; charset=utf-8');

/** Where pages link the stylesheet and the script. */
export const STYLESHEET_PATH = stylesheet.path;
export const SCRIPT_PATH = script.path;

/** The stylesheet and the script, for their routes. */
export const BUNDLES = [stylesheet, script];
