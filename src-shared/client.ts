/**
 * Builds the typed Client from the channel map and two transport primitives. Both the Electron
 * preload and the web client use it, so the renderer never knows which one it holds.
 */
import { channels, type Channel, type Client, type EventName, type Events, type Input, type Output } from './api'

export interface Transport {
  invoke(channel: Channel, input: unknown): Promise<unknown>
  subscribe(event: EventName, handler: (payload: unknown) => void): () => void
}

export function createClient(transport: Transport): Client {
  const client = {
    on<E extends EventName>(event: E, handler: (payload: Events[E]) => void) {
      return transport.subscribe(event, handler as (p: unknown) => void)
    },
  } as Client
  for (const channel of channels) {
    ;(client as unknown as Record<string, (input: unknown) => Promise<unknown>>)[channel] = (input: unknown) =>
      transport.invoke(channel, input ?? {})
  }
  return client
}

export type { Channel, Input, Output }
