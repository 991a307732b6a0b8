/**
 * Four ways to stop a run early. Each one stops the CLI the same way (SIGINT first, so it saves
 * the session, then harder if it does not exit) and leaves no process behind:
 *
 * 1. interrupt the fiber that consumes the stream;
 * 2. `Effect.timeout`;
 * 3. an explicit `cancel` Deferred: the run fails with `ClaudeError.Cancelled`, whose `partial`
 *    result holds the session id (and usage, tool calls so far), so the conversation can be
 *    resumed (the text so far is what the stream delivered: `stream` does not keep a copy of it;
 *    `ClaudeCode.run` does, in `partial.text`);
 * 4. an `AbortSignal` as `cancel`, for code outside Effect.
 *
 *   npx tsx examples/cancel.ts            # a local stand-in model answers
 *   npx tsx examples/cancel.ts --real     # the real Claude
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Deferred, Effect, Fiber, Stream } from "effect"
import { ClaudeCode, type ClaudeEvent } from "effect-claude-code"
import * as Backend from "./_backend.js"

const longStory = "Tell me a long story, slowly."

/** The text a token adds to the answer (`StreamEvent`s come with `includePartialMessages`). */
const textDelta = (event: ClaudeEvent.ClaudeEvent): string =>
  event._tag === "StreamEvent" && event.event.type === "content_block_delta" &&
    event.event.delta.type === "text_delta"
    ? event.event.delta.text
    : ""

/** How many characters of the story have arrived, in the latest `story`. */
let length = 0

/** The story's tokens, printed as they arrive; `then` runs once `after` characters have arrived. */
const story = (options: ClaudeCode.Options, after: number, then: Effect.Effect<unknown>) => {
  length = 0
  return ClaudeCode.stream(longStory, { ...options, includePartialMessages: true }).pipe(
    Stream.map(textDelta),
    Stream.tap((text) => {
      const reached = length < after && length + text.length >= after
      length += text.length
      return Effect.zipRight(Effect.sync(() => process.stdout.write(text)), reached ? then : Effect.void)
    })
  )
}

const program = Effect.gen(function*() {
  // 1. Interrupt the consuming fiber once some 40 characters have arrived.
  yield* Console.log("1. Interrupting the fiber")
  const enough = yield* Deferred.make<void>()
  const fiber = yield* story({}, 40, Deferred.succeed(enough, undefined)).pipe(Stream.runDrain, Effect.fork)
  yield* Effect.raceFirst(Deferred.await(enough), Fiber.join(fiber))
  yield* Fiber.interrupt(fiber) // returns once the CLI is gone
  yield* Console.log("\n   -> interrupted; the CLI was stopped")

  // 2. A timeout: the run is interrupted when the time is up.
  yield* Console.log("2. Effect.timeout")
  const timedOut = yield* ClaudeCode.run(longStory).pipe(
    Effect.timeout("2 seconds"),
    Effect.as("finished in time"),
    Effect.catchTag("TimeoutException", () => Effect.succeed("timed out after 2 seconds; the CLI was stopped"))
  )
  yield* Console.log(`   -> ${timedOut}`)

  // 3. An explicit cancel: complete the Deferred (from anywhere) and the run fails with
  //    Cancelled, carrying what was decoded so far; then resume the session it started.
  yield* Console.log("3. The cancel option with a Deferred")
  const cancel = yield* Deferred.make<void>()
  const sessionId = yield* story({ cancel }, 60, Deferred.succeed(cancel, undefined)).pipe(
    Stream.runDrain,
    Effect.as(undefined),
    Effect.catchTag("Cancelled", (cancelled) =>
      Console.log(
        `\n   -> Cancelled: ${cancelled.message}\n      streamed text: ${length} characters, ` +
          `session ${cancelled.partial.sessionId}`
      ).pipe(Effect.as(cancelled.partial.sessionId)))
  )
  if (sessionId !== undefined) {
    const resumed = yield* ClaudeCode.run("Please finish the story in one sentence.", { resume: sessionId })
    yield* Console.log(`   resumed session ${resumed.sessionId}: ${resumed.text}`)
  }

  // 4. An AbortSignal works the same way, for code outside Effect (a request's signal, a Stop
  //    button's AbortController, ...). Here the controller is aborted after 20 characters.
  yield* Console.log("4. The cancel option with an AbortSignal")
  const controller = new AbortController()
  const aborted = yield* story({ cancel: controller.signal }, 20, Effect.sync(() => controller.abort())).pipe(
    Stream.runDrain,
    Effect.as("finished before the signal"),
    Effect.catchTag(
      "Cancelled",
      (cancelled) => Effect.succeed(`Cancelled (${length} characters so far): ${cancelled.message}`)
    )
  )
  yield* Console.log(`\n   -> ${aborted}`)
})

program.pipe(Effect.provide(Backend.layer), NodeRuntime.runMain)
