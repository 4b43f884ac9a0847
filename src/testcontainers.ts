/**
 * hexauth's testcontainers module (`hexauth/testcontainers`), shaped like the official ones
 * (`@testcontainers/redis`, `@testcontainers/mongodb`): the hexauth image as a
 * {@linkcode GenericContainer}, waited for on `/readyz`, with its stores and a first admin.
 * Needs `testcontainers` (an optional peer dependency) and a container runtime.
 *
 * @example
 * ```ts
 * import { HexauthContainer } from 'hexauth/testcontainers'
 * const hexauth = await (await HexauthContainer.build('path/to/hexauth'))
 *   .withNetwork(network)
 *   .withMongo('mongodb://mongo:27017/hexauth')
 *   .withRedis('redis://redis:6379')
 *   .withAdmin('admin', 'correct horse battery')
 *   .start()
 * const jwks = createRemoteJWKSet(new URL(hexauth.getJwksUrl()))
 * ```
 * @module
 */
import { randomBytes } from 'node:crypto'
import { AbstractStartedContainer, GenericContainer, type StartedTestContainer, Wait } from 'testcontainers'
import { TEST_ONLY_ARGON2_ENV } from './test_only_settings.ts'

/** The port hexauth listens on in its image. */
export const HEXAUTH_PORT = 3000

/** The image's own command (the Dockerfile's `CMD`): the compiled source on Node 24. */
export const HEXAUTH_COMMAND: readonly string[] = ['node', '--max-semi-space-size=4', 'dist/main.js']

/**
 * The shell command that creates an admin inside the container through hexauth's CLI: the
 * account registered with the password piped on standard input (the CLI never takes one
 * from its arguments), then promoted. The name and password come from the exec's environment
 * (`HEXAUTH_ADMIN_USERNAME`, `HEXAUTH_ADMIN_PASSWORD`), never from the command line.
 */
export const CREATE_ADMIN_SCRIPT = [
  'set -e',
  'printf \'%s\\n\' "$HEXAUTH_ADMIN_PASSWORD" | node dist/adapters/cli/main.js register "$HEXAUTH_ADMIN_USERNAME"',
  'node dist/adapters/cli/main.js promote "$HEXAUTH_ADMIN_USERNAME"',
].join('\n')

/** An admin to create at start. */
interface Admin {
  readonly username: string
  readonly password: string
}

/**
 * The hexauth image with test-friendly defaults: listening on all interfaces, fast test-only
 * argon2 parameters, rate limits off, warnings only in its log; `/readyz` must answer 200
 * (its stores reachable, its keys loaded) before {@linkcode start} resolves. Any hexauth
 * variable can still be set with `withEnvironment`.
 */
export class HexauthContainer extends GenericContainer {
  readonly #admins: Admin[] = []
  #mongo = false

  /** @param image the image name, `hexauth:<tag>`; or see {@linkcode HexauthContainer.build} */
  constructor(image: string) {
    super(image)
    this.withExposedPorts(HEXAUTH_PORT)
      .withCommand([...HEXAUTH_COMMAND])
      .withEnvironment({
        HOST: '0.0.0.0',
        PORT: String(HEXAUTH_PORT),
        LOG_LEVEL: 'warn',
        RATE_LIMIT: 'off',
        ...TEST_ONLY_ARGON2_ENV,
      })
      .withWaitStrategy(Wait.forHttp('/readyz', HEXAUTH_PORT).forStatusCode(200))
      .withStartupTimeout(120_000)
  }

  /**
   * Builds the image from a checkout of hexauth (its Dockerfile) and answers a container of it.
   * @param context the directory holding hexauth's Dockerfile
   * @param imageName the tag to build
   */
  static async build(context: string, imageName = 'hexauth:testcontainers'): Promise<HexauthContainer> {
    await GenericContainer.fromDockerfile(context).build(imageName, { deleteOnExit: false })
    return new HexauthContainer(imageName)
  }

  /**
   * Users, items and signing keys in this MongoDB, as the container reaches it (a network alias:
   * `mongodb://mongo:27017/hexauth`). The keys are sealed under a random `KEY_ENCRYPTION_SECRET`
   * of this container unless one is set: containers sharing a database need the same one.
   */
  withMongo(url: string): this {
    this.#mongo = true
    const secret = this.environment.KEY_ENCRYPTION_SECRET ?? randomBytes(32).toString('base64')
    return this.withEnvironment({ MONGO_URL: url, KEY_ENCRYPTION_SECRET: secret })
  }

  /** Revocations (and rate limits, when on) in this Redis, as the container reaches it. */
  withRedis(url: string): this {
    return this.withEnvironment({ REDIS_URL: url })
  }

  /**
   * An admin created at start through the CLI inside the container. Needs {@linkcode withMongo}:
   * the CLI is a process of its own, and only a store the service shares with it keeps the account.
   */
  withAdmin(username: string, password: string): this {
    this.#admins.push({ username, password })
    return this
  }

  /** The exec each admin of {@linkcode withAdmin} is created with: command and environment. */
  adminCommands(): { readonly command: string[]; readonly env: Record<string, string> }[] {
    return this.#admins.map((admin) => ({
      command: ['sh', '-c', CREATE_ADMIN_SCRIPT],
      env: { HEXAUTH_ADMIN_USERNAME: admin.username, HEXAUTH_ADMIN_PASSWORD: admin.password },
    }))
  }

  override async start(): Promise<StartedHexauthContainer> {
    if (this.#admins.length > 0 && !this.#mongo) {
      throw new Error(
        'HexauthContainer.withAdmin needs withMongo: the admin is created by the CLI, a process of its own, in the MongoDB the service reads',
      )
    }
    // One entry per variable: a later withEnvironment of the same name replaces the earlier one.
    this.createOpts.Env = Object.entries(this.environment).map(([name, value]) => `${name}=${value}`)
    const started = await super.start()
    try {
      for (const { command, env } of this.adminCommands()) {
        const result = await started.exec(command, { env })
        if (result.exitCode !== 0) {
          throw new Error(
            `HexauthContainer: creating the admin "${env.HEXAUTH_ADMIN_USERNAME}" failed (exit ${result.exitCode}): ${result.output.trim()}`,
          )
        }
      }
    } catch (error) {
      await started.stop()
      throw error
    }
    return new StartedHexauthContainer(started)
  }
}

/** A started {@linkcode HexauthContainer}. */
export class StartedHexauthContainer extends AbstractStartedContainer {
  constructor(started: StartedTestContainer) {
    super(started)
  }

  /** Its base URL from the host: `http://<host>:<mapped port>`. */
  getBaseUrl(): string {
    return `http://${this.getHost()}:${this.getMappedPort(HEXAUTH_PORT)}`
  }

  /** Its JWK Set from the host: where a resource server under test gets the verification keys. */
  getJwksUrl(): string {
    return `${this.getBaseUrl()}/.well-known/jwks.json`
  }
}
