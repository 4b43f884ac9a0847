import { type DestinationStream, type Logger, pino } from 'pino'

/** The service's structured logger. */
export type { Logger }

/**
 * Paths pino blanks before a line is written: credentials and tokens never reach a log,
 * whatever a caller passes.
 */
export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'refresh_token',
  '*.refresh_token',
  'jwtSecret',
  '*.jwtSecret',
  // The key configuration's KEY_ENCRYPTION_SECRET, and sealed or private key material.
  'encryptionSecret',
  '*.encryptionSecret',
  'keys.encryptionSecret',
  '*.keys.encryptionSecret',
  'sealed',
  '*.sealed',
  // The configuration's store URLs carry REDIS_PASSWORD and MONGO_PASSWORD.
  'redisUrl',
  '*.redisUrl',
  'mongoUrl',
  '*.mongoUrl',
]

/** A JSON logger at `level`, writing to `destination` (standard output by default). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, base: { service: 'hexauth' }, redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } }
  return destination === undefined ? pino(options) : pino(options, destination)
}
