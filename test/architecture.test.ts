import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'mocha'
import { expect } from 'chai'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const src = join(root, 'src')
const CORE = ['domain', 'application'].map((layer) => join(src, layer))

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
}

// Static and dynamic imports and re-exports: `from '…'`, `import '…'`, `import('…')`, `require('…')`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g

/** Every module specifier in a TypeScript source text. */
export function specifiersOf(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((match) => match[1]!)
}

describe('Architecture', () => {
  const coreFiles = CORE.flatMap(filesUnder)

  it('finds the core sources it checks', () => {
    expect(coreFiles.length).to.be.greaterThan(20)
  })

  it('reads every kind of import statement', () => {
    const text =
      `import a from 'pkg-a'\nimport type { B } from "pkg-b"\nimport 'pkg-c'\nconst d = await import('pkg-d')\nexport * from './e.ts'`
    expect(specifiersOf(text)).to.deep.equal(['pkg-a', 'pkg-b', 'pkg-c', 'pkg-d', './e.ts'])
  })

  it('keeps domain and application free of packages, node: modules and adapters', () => {
    const offences: string[] = []
    for (const file of coreFiles) {
      for (const specifier of specifiersOf(readFileSync(file, 'utf8'))) {
        const target = specifier.startsWith('.') ? resolve(dirname(file), specifier) : undefined
        const inCore = target !== undefined && CORE.some((layer) => target.startsWith(layer + '/'))
        if (!inCore) offences.push(`${relative(root, file)} imports ${specifier}`)
      }
    }
    expect(offences).to.deep.equal([])
  })

  it('keeps the domain free of the application layer', () => {
    const offences = filesUnder(join(src, 'domain')).flatMap((file) =>
      specifiersOf(readFileSync(file, 'utf8'))
        .filter((specifier) => specifier.includes('/application/'))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`)
    )
    expect(offences).to.deep.equal([])
  })

  it('imports inversify from the composition root only (container.ts and its capability modules)', () => {
    const importers = filesUnder(src)
      .filter((file) =>
        specifiersOf(readFileSync(file, 'utf8')).some((s) => s === 'inversify' || s.startsWith('@inversifyjs/'))
      )
      .map((file) => relative(root, file))
    expect(
      importers.filter((file) => file !== 'src/adapters/container.ts' && !file.startsWith('src/adapters/composition/')),
    ).to.deep.equal([])
    expect(importers).to.include('src/adapters/container.ts')
  })

  it('writes every relative import with its .ts extension', () => {
    const offences = filesUnder(src).flatMap((file) =>
      specifiersOf(readFileSync(file, 'utf8'))
        .filter((specifier) => specifier.startsWith('.') && !specifier.endsWith('.ts'))
        .map((specifier) => `${relative(root, file)} imports ${specifier}`)
    )
    expect(offences).to.deep.equal([])
  })
})
