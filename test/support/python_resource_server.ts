import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

/** Debian's interpreter, where apt installs python3-jwt and python3-cryptography. */
const PYTHON = '/usr/bin/python3'
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'pyjwt_resource_server.py')

/** What the Python resource server answered for one token. */
export interface PythonVerdict {
  readonly ok: boolean
  readonly kid?: string
  readonly claims?: Record<string, unknown>
  readonly error?: string
}

/** Why PyJWT cannot run here, for the suite's skip line; `undefined` when it can. */
export function pyjwtMissing(): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', 'import jwt, cryptography; print(jwt.__version__)'], { encoding: 'utf8' })
  if (probe.error !== undefined) {
    return `${PYTHON} cannot run (${probe.error.message}): apt-get install -y python3-jwt python3-cryptography`
  }
  if (probe.status !== 0) {
    return `${PYTHON} has no PyJWT with cryptography: apt-get install -y python3-jwt python3-cryptography`
  }
  return undefined
}

/** A PyJWT resource server (test/support/pyjwt_resource_server.py) running as a process. */
export class PythonResourceServer {
  readonly #child: ChildProcess
  readonly #lines: AsyncIterator<string>
  #stderr = ''

  private constructor(child: ChildProcess) {
    this.#child = child
    this.#lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]()
    child.stderr!.on('data', (chunk) => {
      this.#stderr += chunk
    })
  }

  /** Starts one configured with hexauth's metadata URL; resolves once it has read the metadata. */
  static async start(
    metadataUrl: string,
    audience: string,
    algorithms: readonly string[],
  ): Promise<PythonResourceServer> {
    const server = new PythonResourceServer(
      spawn(PYTHON, [SCRIPT, metadataUrl, audience, algorithms.join(',')], { stdio: ['pipe', 'pipe', 'pipe'] }),
    )
    const ready = await server.#next()
    if (ready.ready !== true) throw new Error(`the Python resource server did not start: ${JSON.stringify(ready)}`)
    return server
  }

  /** Verifies `token` as the resource server does on each request. */
  async verify(token: string): Promise<PythonVerdict> {
    this.#child.stdin!.write(`${token}\n`)
    return await this.#next() as unknown as PythonVerdict
  }

  /** Ends the process. */
  stop(): void {
    this.#child.stdin!.end()
    this.#child.kill()
  }

  async #next(): Promise<Record<string, unknown>> {
    const { value, done } = await this.#lines.next()
    if (done === true) throw new Error(`the Python resource server ended: ${this.#stderr}`)
    return JSON.parse(value) as Record<string, unknown>
  }
}
