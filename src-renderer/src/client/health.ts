/**
 * Storage health, as the renderer sees it: the last api error with code 'storage' (the run
 * database locked by another process, read-only, or its disk full — main names the file and the
 * cause), cleared as soon as a call that writes succeeds again. App.vue shows it as a banner
 * until then, whichever view made the call.
 */
import { ref } from 'vue'
import type { Channel, Client } from '../../../src-shared/api'
import { channels, isReadChannel } from '../../../src-shared/api'

export const storageProblem = ref<{ message: string; channel: Channel; at: number } | null>(null)


export function isStorageError(err: unknown): err is { code: 'storage'; message: string } {
  return !!err && typeof err === 'object' && (err as { code?: unknown }).code === 'storage'
}

/** The same client, each call reporting storage errors (and recoveries) to `storageProblem`. */
export function watchStorage(client: Client): Client {
  const wrapped = { on: client.on.bind(client) } as Client
  for (const channel of channels) {
    const call = (client as unknown as Record<string, (input: unknown) => Promise<unknown>>)[channel]
    ;(wrapped as unknown as Record<string, (input: unknown) => Promise<unknown>>)[channel] = async (input: unknown) => {
      try {
        const out = await call(input)
        if (storageProblem.value && !isReadChannel(channel)) storageProblem.value = null
        return out
      } catch (err) {
        if (isStorageError(err)) storageProblem.value = { message: err.message, channel, at: Date.now() }
        throw err
      }
    }
  }
  return wrapped
}
