import { readFileSync } from 'node:fs'

/**
 * The variables whose value may instead come from a file named by `<NAME>_FILE` (a Docker or
 * Compose secret mounted under `/run/secrets`), so no secret has to sit in the environment.
 */
export const SECRET_FILE_VARIABLES: readonly string[] = [
  'JWT_SECRET',
  'KEY_ENCRYPTION_SECRET',
  'REDIS_PASSWORD',
  'MONGO_PASSWORD',
  'CLIENTS',
]

type Environment = Readonly<Record<string, string | undefined>>

/**
 * `env` with each `<NAME>_FILE` of {@linkcode SECRET_FILE_VARIABLES} read into `<NAME>`: the
 * file's content less one trailing newline. Throws a `RangeError` naming the variable when both
 * `<NAME>` and `<NAME>_FILE` are set, or when the file cannot be read or holds nothing. As in
 * `loadConfig`, an empty variable counts as unset.
 */
export function resolveSecretFiles(env: Environment): Record<string, string | undefined> {
  const resolved: Record<string, string | undefined> = { ...env }
  for (const name of SECRET_FILE_VARIABLES) {
    const path = env[`${name}_FILE`]
    if (path === undefined || path.trim() === '') continue
    if (env[name] !== undefined && env[name]!.trim() !== '') {
      throw new RangeError(`Cannot read ${name}_FILE: ${name} is set too; set only one of them`)
    }
    resolved[name] = readSecret(name, path)
  }
  return resolved
}

function readSecret(name: string, path: string): string {
  let content: string
  try {
    content = readFileSync(path, 'utf8')
  } catch (error) {
    // The path and the error code only: never anything read from the file.
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error'
    throw new RangeError(`Cannot read ${name}_FILE: ${path} cannot be read (${code})`, { cause: error })
  }
  const value = content.replace(/\r?\n$/, '')
  if (value.trim() === '') throw new RangeError(`Cannot read ${name}_FILE: ${path} is empty`)
  return value
}
