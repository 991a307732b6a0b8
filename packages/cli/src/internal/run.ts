/**
 * One run of the command once its flags are parsed: loaded on demand, so `--help` and usage errors
 * do not pay for loading the library and the pseudo-terminal binding.
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { ClaudeCode, ClaudeEvent, ClaudeResult } from "effect-claude-code"
import type { ClaudeError } from "effect-claude-code"
import * as ExitCode from "../ExitCode.js"
import * as Io from "./io.js"
import { errorLine, flagName, NAME, type Status, summaryLine, textDelta } from "./render.js"

/** What to print on stdout. @internal */
export type Output = "text" | "events" | "json"

/** A parsed invocation. @internal */
export interface Input {
  /** The prompt, or `-` to read it from stdin. */
  readonly prompt: string
  readonly output: Output
  /** The library's options, without `cancel`. */
  readonly options: ClaudeCode.Options
}

/** The library's messages name its options (`executable`); show this command's flags instead. */
const withFlagNames = (message: string): string =>
  message.replace(/`(\w+)`/g, (whole, name: string) => {
    const flag = flagName(name)
    return flag === name ? whole : `\`${flag}\``
  })

const messageOf = (error: ClaudeError.ClaudeCodeError | Io.StdinError): string =>
  error._tag === "InvalidOptions"
    ? `invalid ${flagName(error.option)}: ${withFlagNames(error.problem)}.`
    : withFlagNames(error.message)

const encodeResult = Schema.encodeSync(ClaudeResult.ClaudeResult)

const eventLine = (event: ClaudeEvent.ClaudeEvent): string => {
  try {
    return ClaudeEvent.encodeLine(event) + "\n"
  } catch {
    // An event the schema cannot write back: its decoded fields are still a faithful record.
    const { _tag, ...fields } = event as unknown as Record<string, unknown>
    return JSON.stringify(fields) + "\n"
  }
}

const statusOf = (code: ExitCode.ExitCode): Status =>
  code === ExitCode.Done ? "done" : code === ExitCode.Cancelled ? "cancelled" : "failed"

/** Completes when `signal` aborts. */
const aborted = (signal: AbortSignal): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (signal.aborted) return resume(Effect.void)
    const onAbort = () => resume(Effect.void)
    signal.addEventListener("abort", onAbort, { once: true })
    return Effect.sync(() => signal.removeEventListener("abort", onAbort))
  })

/**
 * Runs the prompt and prints it in the chosen output mode; returns the exit code. Never fails:
 * every error is printed to stderr as one line and mapped to its code.
 *
 * @internal
 */
export const execute: (input: Input, signal: AbortSignal) => Effect.Effect<ExitCode.ExitCode> = Effect.fn(
  "effect-claude-code-cli/execute"
)(function*(input: Input, signal: AbortSignal) {
  // The prompt from stdin, unless a signal comes first.
  let prompt = input.prompt
  if (prompt === "-") {
    const read = yield* Effect.raceFirst(
      Effect.either(Io.readStdin),
      Effect.as(aborted(signal), undefined)
    )
    if (read === undefined) {
      yield* Io.stderr(`${NAME}: cancelled while reading the prompt from stdin.\n`)
      return ExitCode.Cancelled
    }
    if (Either.isLeft(read)) {
      yield* Io.stderr(errorLine(messageOf(read.left)))
      return ExitCode.Usage
    }
    prompt = read.right
  }

  const output = input.output
  let result = ClaudeResult.empty
  let printedText = false
  let lastChar = ""
  const onChunk = (events: Chunk.Chunk<ClaudeEvent.ClaudeEvent>) => {
    let out = ""
    for (const event of events) {
      const before = result
      result = ClaudeResult.step(result, event)
      if (output === "text") out += textDelta(before, result, event._tag === "Result")
      else if (output === "events") out += eventLine(event)
    }
    if (out.length === 0) return Effect.void
    if (output === "text") {
      printedText = true
      lastChar = out[out.length - 1]!
    }
    return Io.stdout(out)
  }

  const started = yield* Clock.currentTimeMillis
  const outcome = yield* ClaudeCode.stream(prompt, { ...input.options, cancel: signal }).pipe(
    Stream.runForEachChunk(onChunk),
    Effect.either
  )
  const elapsedMillis = (yield* Clock.currentTimeMillis) - started

  const error = Either.isLeft(outcome) ? outcome.left : undefined
  // The reader of stdout went away: the stream was stopped (and the CLI with it); say nothing more.
  if (error?._tag === "OutputClosed") return ExitCode.OutputClosed
  const code = error === undefined ? ExitCode.Done : ExitCode.fromErrorTag(error._tag)

  const tail = output === "text"
    ? (printedText && lastChar !== "\n" ? "\n" : "")
    : output === "json" && result.eventCount > 0
    ? JSON.stringify(encodeResult(result)) + "\n"
    : ""
  if (Either.isLeft(yield* Effect.either(Io.stdout(tail)))) return ExitCode.OutputClosed

  if (error !== undefined) yield* Io.stderr(errorLine(messageOf(error)))
  if (output === "text" && result.eventCount > 0) {
    yield* Io.stderr(summaryLine({ status: statusOf(code), result, elapsedMillis, cwd: input.options.cwd }))
  }
  return code
})
