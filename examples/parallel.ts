/**
 * Several independent runs at once with `Effect.all({ concurrency })`: each is its own CLI
 * process and session. Shows the total wall time against the sum of the runs' times, and that a
 * failed run (here: resuming a session that does not exist) does not hide the others' answers.
 *
 *   npx tsx examples/parallel.ts            # a local stand-in model answers
 *   npx tsx examples/parallel.ts --real     # the real Claude
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Duration, Effect, Either } from "effect"
import { ClaudeCode } from "effect-claude-code"
import * as Backend from "./_backend.js"

const runs: ReadonlyArray<{ readonly prompt: string; readonly options?: ClaudeCode.Options }> = [
  { prompt: "What is 6 * 7? Answer with the equation only." },
  { prompt: "What is 1234 + 4321? Answer with the equation only." },
  { prompt: "What is 100 / 8? Answer with the equation only." },
  { prompt: "Write a haiku about Effect." },
  { prompt: "Where were we?", options: { resume: "00000000-0000-4000-8000-000000000000" } }
]

const seconds = (duration: Duration.Duration) => `${(Duration.toMillis(duration) / 1000).toFixed(2)} s`

const program = Effect.gen(function*() {
  const [elapsed, outcomes] = yield* Effect.all(
    // Effect.either: a failed run becomes a value, so the others still complete and are shown.
    runs.map(({ options, prompt }) => ClaudeCode.run(prompt, options).pipe(Effect.timed, Effect.either)),
    { concurrency: 3 } // at most three CLI processes at a time
  ).pipe(Effect.timed)

  let sum = Duration.zero
  for (const [i, outcome] of outcomes.entries()) {
    if (Either.isLeft(outcome)) {
      yield* Console.log(`#${i + 1} ${runs[i]!.prompt}\n   failed with ${outcome.left._tag}: ${outcome.left.message}`)
      continue
    }
    const [took, result] = outcome.right
    sum = Duration.sum(sum, took)
    yield* Console.log(
      `#${i + 1} ${runs[i]!.prompt} (${seconds(took)}, $${result.costUsd.toFixed(6)})\n   ` +
        result.text.replaceAll("\n", "\n   ")
    )
  }
  yield* Console.log(
    `${runs.length} runs in ${seconds(elapsed)}; the successful ones alone took ${seconds(sum)} in all`
  )
})

program.pipe(Effect.provide(Backend.layer), NodeRuntime.runMain)
