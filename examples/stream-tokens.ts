/**
 * Streams a run's events as they happen and handles each kind: the session start, the answer's
 * tokens, tool calls and their results, rate-limit notices, and the final result. Shows the
 * `ClaudeEvent` union (`_tag`) and the `StreamEvent`s that `includePartialMessages` adds.
 *
 *   npx tsx examples/stream-tokens.ts            # a local stand-in model answers
 *   npx tsx examples/stream-tokens.ts --real     # the real Claude
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Stream } from "effect"
import { ClaudeCode, type ClaudeEvent } from "effect-claude-code"
import * as Backend from "./_backend.js"

const write = (text: string) => Effect.sync(() => process.stdout.write(text))

const program = Effect.gen(function*() {
  const started = Date.now()
  let tokens = 0
  let firstTokenMs: number | undefined

  const onEvent = (event: ClaudeEvent.ClaudeEvent): Effect.Effect<void> => {
    switch (event._tag) {
      case "SystemInit":
        return Console.log(`[init] session ${event.session_id}, model ${event.model}, ${event.tools.length} tools`)
      case "StreamEvent": {
        // Raw Messages API events: message_start, content_block_start/delta/stop, message_delta/stop.
        const payload = event.event
        if (payload.type === "content_block_delta" && payload.delta.type === "text_delta") {
          tokens++
          firstTokenMs ??= Date.now() - started
          return write(payload.delta.text)
        }
        if (payload.type === "message_stop") return write("\n")
        return Effect.void
      }
      case "Assistant": {
        // One line per complete content block; the text was already streamed token by token.
        const calls = event.message.content.flatMap((block) => block.type === "tool_use" ? [block] : [])
        return Effect.forEach(calls, (call) => Console.log(`[tool call] ${call.name} ${JSON.stringify(call.input)}`))
      }
      case "User": {
        // What the tools answered, sent back to the model.
        const content = event.message.content
        const blocks = typeof content === "string" ? [] : content
        const results = blocks.flatMap((block) => block.type === "tool_result" ? [block] : [])
        return Effect.forEach(results, (result) => Console.log(`[tool result] ${JSON.stringify(result.content)}`))
      }
      case "RateLimit":
        return Console.log(`[rate limit] ${event.rate_limit_info.status}`)
      case "Result":
        return Console.log(
          `[result] ${event.subtype} in ${event.duration_ms} ms, $${event.total_cost_usd.toFixed(6)}, ` +
            `${event.usage.input_tokens} input / ${event.usage.output_tokens} output tokens`
        )
      default:
        // SystemStatus, SystemApiRetry, SystemPermissionDenied, SystemOther, Unknown.
        return Effect.void
    }
  }

  yield* ClaudeCode.stream("Tell me a short story about a terminal.", { includePartialMessages: true }).pipe(
    Stream.runForEach(onEvent)
  )
  yield* Console.log(`${tokens} text deltas, the first after ${firstTokenMs} ms`)
})

program.pipe(Effect.provide(Backend.layer), NodeRuntime.runMain)
