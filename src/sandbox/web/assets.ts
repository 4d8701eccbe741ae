import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { packageRoot } from '../../util/paths.js';

/**
 * The page's files: plain browser JS (ES modules), CSS and HTML in `src/sandbox/web/assets/`, read once from
 * the package root so the same files serve whether the bot runs from `src/` (tsx) or from `dist/src/`.
 */
export function assetsDir(): string {
  return join(packageRoot(), 'src', 'sandbox', 'web', 'assets');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export interface Asset {
  type: string;
  body: string;
}

/** Name → file, for the known types only; a request for any other name is a 404 (no path is ever joined). */
export function loadAssets(dir = assetsDir()): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (type) assets.set(name, { type, body: readFileSync(join(dir, name), 'utf8') });
  }
  return assets;
}
