import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import { KeyRing } from '../../application/key_ring.ts'
import { SigningKeys } from '../../application/ports/signing_keys.ts'
import type { AsymmetricAlgorithm } from '../../domain/signing_key.ts'
import { type AppContainer, Config } from '../container.ts'
import { publicPart } from '../crypto/jose_key_maker.ts'
import { formatKeys } from './format_keys.ts'

/**
 * A new private JWK for a key file (`kid`: its RFC 7638 thumbprint, `alg`, `use: "sig"`), as
 * one line of JSON: `hexauth keys generate > key.json`. It is the command's output, on stdout.
 */
export async function generateKeyJwk(alg: AsymmetricAlgorithm): Promise<string> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  const jwk = await exportJWK(privateKey)
  const kid = await calculateJwkThumbprint({ ...publicPart(jwk) }, 'sha256')
  return `${JSON.stringify({ ...jwk, kid, alg, use: 'sig' })}\n`
}

/** `keys list`: the keys the service holds, with their states. */
export async function listKeys(c: AppContainer, json: boolean): Promise<string> {
  return formatKeys((await c.getAsync<SigningKeys>(SigningKeys)).describe(), json)
}

/**
 * `keys rotate`: schedules the next managed key in MongoDB, pre-published like any other.
 * @throws `RangeError` when the keys are a shared secret, a key file or each process's memory
 */
export async function rotateKeys(c: AppContainer): Promise<string> {
  const config = await c.getAsync(Config)
  if (config.keys.mode === 'hs256') {
    throw new RangeError(
      'Cannot rotate keys: JWT_ALGORITHM is HS256, one shared secret (JWT_SECRET); change the secret instead',
    )
  }
  if (config.keys.mode === 'file') {
    throw new RangeError(
      'Cannot rotate keys: they come from JWT_KEYS_FILE; add a key to the file (hexauth keys generate), send SIGHUP, and move it first once verifiers hold it',
    )
  }
  if (config.mongoUrl === undefined) {
    throw new RangeError(
      'Cannot rotate keys: MONGO_URL is not set, so each process keeps keys of its own in memory and no rotation here reaches the service',
    )
  }
  const { key, created } = await (await c.getAsync(KeyRing)).rotate()
  const times = `published ${new Date(key.publishedAt).toISOString()}, signs from ${
    new Date(key.signsFrom).toISOString()
  }`
  return created
    ? `Scheduled key ${key.kid} (${key.alg}): ${times}; every instance holds it within JWT_KEY_REFRESH\n`
    : `Key ${key.kid} (${key.alg}) is already scheduled: ${times}\n`
}
