import { containerRuntimeAnswers } from './redis_server.ts'

/** A MongoDB a suite can use, and how to let it go. */
export interface MongoHandle {
  readonly url: string
  readonly source: 'MONGO_URL' | 'testcontainers'
  stop(): Promise<void>
}

/**
 * A MongoDB for a test suite: `MONGO_URL`, else a testcontainers container when a runtime
 * answers. Answers a reason string when there is none, for the suite's skip line (no MongoDB
 * server can be installed on the development machines).
 */
export async function acquireMongo(): Promise<MongoHandle | string> {
  const url = process.env.MONGO_URL
  if (url !== undefined && url !== '') return { url, source: 'MONGO_URL', stop: () => Promise.resolve() }
  if (await containerRuntimeAnswers()) {
    const { MongoDBContainer } = await import('@testcontainers/mongodb')
    const container = await new MongoDBContainer('mongo:8').start()
    return {
      url: `${container.getConnectionString()}/hexauth?directConnection=true`,
      source: 'testcontainers',
      stop: async () => {
        await container.stop()
      },
    }
  }
  return 'no MONGO_URL and no container runtime answered (set MONGO_URL to a MongoDB to run them)'
}
