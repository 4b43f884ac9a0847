// The echo upstream of test/support/proxies.ts in a process of its own, for bench/forward_auth.ts
// (whose own event loop is blocked while wrk runs): prints its host:port, then serves until killed.
import { startEchoUpstream } from '../test/support/proxies.ts'

console.log((await startEchoUpstream()).address)
