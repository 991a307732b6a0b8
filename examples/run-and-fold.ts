/**
 * Three ways to get a run's result (`ClaudeResult`): `ClaudeCode.run` folds the events for you;
 * `ClaudeResult.fold` does the same over a stream you can also watch; `ClaudeResult.scan` gives
 * the result so far after every event, for progress displays. Also: handling the typed errors.
 *
 *   npx tsx examples/run-and-fold.ts            # a local stand-in model answers
 *   npx tsx examples/run-and-fold.ts --real     # the real Claude
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Option, Stream } from "effect"
import { ClaudeCode, ClaudeResult } from "effect-claude-code"
import * as Backend from "./_backend.js"

const prompt = "Run `echo hello` with the Bash tool and tell me what it printed."
const options: ClaudeCode.Options = { allowedTools: ["Bash(echo:*)"] }

const summary = (result: ClaudeResult.ClaudeResult) =>
  [
    `  text:        ${result.text}`,
    `  session id:  ${result.sessionId}`,
    `  ended:       ${result.subtype} (stop reason ${result.stopReason}, success ${ClaudeResult.isSuccess(result)})`,
    `  model turns: ${result.numTurns}, ${result.durationMs} ms (${result.durationApiMs} ms in the API)`,
    `  cost:        $${result.costUsd.toFixed(6)}, tokens ${JSON.stringify(result.usage)}`,
    ...result.toolCalls.map((call) =>
      `  tool call:   ${call.name} ${JSON.stringify(call.input)} -> ${JSON.stringify(call.result?.content)}`
    )
  ].join("\n")

const program = Effect.gen(function*() {
  // 1. The simplest: run to the end and get the folded result. A turn Claude reports as failed
  //    fails with ClaudeError.ClaudeFailure (which carries the result).
  const result = yield* ClaudeCode.run(prompt, options)
  yield* Console.log(`1. ClaudeCode.run\n${summary(result)}`)

  // 2. The same fold over the event stream, here counting the events by kind on the way.
  const counts: Record<string, number> = {}
  const folded = yield* ClaudeCode.stream(prompt, options).pipe(
    Stream.tap((event) => Effect.sync(() => counts[event._tag] = (counts[event._tag] ?? 0) + 1)),
    ClaudeResult.fold
  )
  yield* Console.log(`2. ClaudeResult.fold over ClaudeCode.stream: "${folded.text}"`)
  yield* Console.log(`  events: ${JSON.stringify(counts)}`)

  // 3. The result so far after every event: a progress line each time the answer passes another
  //    100 characters, then the last result.
  yield* Console.log("3. ClaudeResult.scan")
  let shown = -1
  const last = yield* ClaudeCode.stream("Tell me a short story.", { includePartialMessages: true }).pipe(
    ClaudeResult.scan,
    Stream.tap((soFar) => {
      const hundreds = Math.floor(soFar.text.length / 100)
      if (hundreds === shown) return Effect.void
      shown = hundreds
      return Console.log(`  ${soFar.text.length} characters after ${soFar.eventCount} events`)
    }),
    Stream.runLast,
    Effect.map(Option.getOrElse(() => ClaudeResult.empty))
  )
  yield* Console.log(
    `  done: ${last.text.length} characters, ${last.eventCount} events, ${last.usage.outputTokens} output tokens`
  )

  // Errors are typed (ClaudeError.ClaudeCodeError): handle the ones you expect by tag.
  const missing = yield* ClaudeCode.run("hello", { executable: "/no/such/claude" }).pipe(
    Effect.map((result) => result.text),
    Effect.catchTags({
      SpawnError: (error) => Effect.succeed(`SpawnError (${error.reason}): ${error.message}`),
      ClaudeFailure: (error) => Effect.succeed(`ClaudeFailure: ${error.message}`)
    })
  )
  yield* Console.log(`4. A typed error: ${missing}`)
})

program.pipe(Effect.provide(Backend.layer), NodeRuntime.runMain)
