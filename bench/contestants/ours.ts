// Contestants 4 and 5: effect-claude-code over pipes or a pseudo-terminal. "fold" mode is
// `ClaudeCode.run` (every line decoded and validated by Schema, folded into a ClaudeResult);
// "stream" mode is `ClaudeCode.stream` consumed chunk by chunk, keeping only a hash of the text.
import { ClaudeCode, type ClaudeEvent } from "effect-claude-code"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { CONSUME, FAKE, fnv, FNV_SEED, main as runContestant, sinceStart } from "./common.mjs"

export const main = (transport: ClaudeCode.Transport): Promise<void> => {
  const ready = sinceStart()
  const options: ClaudeCode.Options = { executable: FAKE, transport, includePartialMessages: true }
  const fold = () =>
    Effect.runPromise(ClaudeCode.run("Write a long story", options)).then((result) => ({
      events: result.eventCount,
      textLength: result.text.length,
      textHash: fnv(FNV_SEED, result.text),
      sessionId: result.sessionId,
      cost: result.costUsd,
      firstEvent: undefined
    }))
  const stream = () => {
    let firstEvent: number | undefined
    let events = 0
    let hash = FNV_SEED
    let textLength = 0
    let sessionId: string | undefined
    let cost: number | undefined
    const see = (event: ClaudeEvent.ClaudeEvent) => {
      if (event._tag === "StreamEvent") {
        const payload = event.event
        if (payload.type === "content_block_delta" && payload.delta.type === "text_delta") {
          hash = fnv(hash, payload.delta.text)
          textLength += payload.delta.text.length
        }
      } else if (event._tag === "Result") {
        sessionId = event.session_id
        cost = event.total_cost_usd
      }
    }
    const events$ = ClaudeCode.stream("Write a long story", options)
    return Effect.runPromise(
      // BENCH_READ=runFold (bench/young-gen.mjs only): read with a consumer that runs no effect
      process.env.BENCH_READ === "runFold"
        ? Stream.runFold(events$, undefined, (_, event) => {
          if (firstEvent === undefined) firstEvent = sinceStart()
          events++
          see(event)
        })
        : Stream.runForEachChunk(events$, (chunk) =>
          Effect.sync(() => {
            if (firstEvent === undefined) firstEvent = sinceStart()
            events += Chunk.size(chunk)
            for (const event of chunk) see(event)
          }))
    ).then(() => ({ events, textLength, textHash: hash, sessionId, cost, firstEvent }))
  }
  return runContestant(`ours-${transport}`, ready, CONSUME === "fold" ? fold : stream)
}
