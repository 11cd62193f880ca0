/**
 * Generated avatars: a letter on a coloured circle, a stand-in until someone sets a picture. SVG
 * for pages; PNG for feeds, since RSS 2.0 allows only GIF, JPEG and PNG images.
 */

const PALETTE = [
  '#3b49df',
  '#0e7c66',
  '#b7410e',
  '#6b3fa0',
  '#9a2a5a',
  '#1d6fa5',
  '#5c6b00',
  '#8a4b08',
];

/** The side of the PNG avatar: the widest image RSS 2.0 allows. */
export const AVATAR_PNG_SIZE = 144;

/** What an avatar shows, picked from the name: usernames are `[a-z0-9_]`, so at most 37 x 8. */
function looks(username: string): { letter: string; colour: string } {
  let hash = 0;
  for (const ch of username) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return {
    letter: (username[0] ?? '?').toUpperCase(),
    colour: PALETTE[hash % PALETTE.length] as string,
  };
}

function svgOf({ letter, colour }: { letter: string; colour: string }): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><rect width="64" height="64" rx="32" fill="${colour}"/><text x="32" y="42" font-family="system-ui,sans-serif" font-size="30" text-anchor="middle" fill="#fff">${letter}</text></svg>`;
}

export function avatarSvg(username: string): string {
  return svgOf(looks(username));
}

/**
 * Each distinct avatar rendered once and kept: keyed by letter and colour, not by name, so the
 * cache cannot grow past the few hundred images there can be, whoever asks for what.
 */
const pngs = new Map<string, Promise<Buffer>>();

/**
 * The avatar as a PNG, rendered from the same SVG by sharp (loaded on first use, as only feeds
 * readers ask for it). A server without fonts still draws the circle; the letter then may not be.
 */
export function avatarPng(username: string): Promise<Buffer> {
  const look = looks(username);
  const key = look.letter + look.colour;
  let png = pngs.get(key);
  if (!png) {
    png = import('sharp').then(({ default: sharp }) =>
      sharp(Buffer.from(svgOf(look)), { density: (72 * AVATAR_PNG_SIZE) / 64 })
        .png()
        .toBuffer(),
    );
    // A failed render is not kept: the next request tries again.
    png.catch(() => pngs.delete(key));
    pngs.set(key, png);
  }
  return png;
}
