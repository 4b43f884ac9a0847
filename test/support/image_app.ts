import { execFileSync } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')

/** A directory laid out as the image's `/app`: package.json, node_modules, and dist/ (no src/). */
export interface ImageApp {
  readonly dir: string
  remove(): void
}

/**
 * Lays out the image's `/app` in a temporary directory: `package.json`, this checkout's
 * `node_modules` (linked), and `src/` compiled to `dist/` as the Dockerfile's build stage does
 * (`tsc -p tsconfig.build.json --declaration false`). Takes some seconds.
 */
export function buildImageApp(): ImageApp {
  const dir = mkdtempSync(join(tmpdir(), 'hexauth-app-'))
  copyFileSync(resolve(root, 'package.json'), join(dir, 'package.json'))
  symlinkSync(resolve(root, 'node_modules'), join(dir, 'node_modules'))
  execFileSync(process.execPath, [
    resolve(root, 'node_modules/typescript/bin/tsc'),
    ...['-p', resolve(root, 'tsconfig.build.json'), '--declaration', 'false', '--outDir', join(dir, 'dist')],
  ])
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}
