/**
 * One run of the command once its flags are parsed: loaded on demand, so `--help` and usage errors
 * do not pay for loading the library and the pseudo-terminal binding.
 */
import { ClaudeCode, ClaudeEvent, ClaudeResult } from "effect-claude-code"
import type { ClaudeError } from "effect-claude-code"
import type * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import * as ExitCode from "../ExitCode.js"
import * as Io from "./io.js"
import { errorLine, flagName, NAME, type Status, summaryLine, textDelta } from "./render.js"
import * as Screen from "./screen.js"
import { style, summaryBlock, useColour } from "./terminal.js"

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

  return yield* Effect.scoped(runPrompt(prompt, input, signal))
})

/** Whether stdout and stderr are the same terminal, so the answer shows among the status lines. */
const sameTerminal = (): boolean => {
  if (process.stdout.isTTY !== true) return false
  try {
    return Fs.fstatSync(1).rdev === Fs.fstatSync(2).rdev
  } catch {
    return false
  }
}

const runPrompt = (prompt: string, input: Input, signal: AbortSignal) =>
  Effect.gen(function*() {
    const output = input.output
    // On a terminal, `--output text` shows a status line and the tool calls on stderr as they happen.
    const onTerminal = process.stderr.isTTY === true
    const s = style(useColour(process.env, onTerminal))
    const screen = output === "text" && onTerminal
      ? yield* Screen.make({
        write: (text) => process.stderr.write(text),
        stdoutOnScreen: sameTerminal(),
        style: s,
        columns: () => process.stderr.columns || 80
      }, signal)
      : undefined
    let result = ClaudeResult.empty
    let printedText = false
    let lastChar = ""
    const writeText = (text: string) => {
      if (output === "text" && text.length > 0) {
        printedText = true
        lastChar = text[text.length - 1]!
      }
      return screen === undefined ? Io.stdout(text) : screen.answer(text)
    }

    const onChunk = (events: Chunk.Chunk<ClaudeEvent.ClaudeEvent>): Effect.Effect<void, Io.OutputClosed> => {
      let out = ""
      // On a terminal, each stretch of text is written before the event after it is shown.
      const writes: Array<Effect.Effect<void, Io.OutputClosed>> = []
      for (const event of events) {
        const before = result
        result = ClaudeResult.step(result, event)
        if (output === "text") out += textDelta(before, result, event._tag === "Result")
        else if (output === "events") out += eventLine(event)
        if (screen !== undefined) {
          if (out.length > 0) writes.push(writeText(out))
          out = ""
          writes.push(Effect.sync(() => screen.event(event)))
        }
      }
      if (out.length > 0) writes.push(writeText(out))
      return writes.length === 0
        ? Effect.void
        : writes.length === 1
        ? writes[0]!
        : Effect.all(writes, { discard: true })
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
    const code = error === undefined
      ? ExitCode.Done
      // A --record file that cannot be created is a usage error; one that fails mid-run stops the run.
      : error._tag === "RecordError"
      ? (error.operation === "open" ? ExitCode.Usage : ExitCode.CliFailed)
      : ExitCode.fromErrorTag(error._tag)

    const tail = output === "text"
      ? (printedText && lastChar !== "\n" ? "\n" : "")
      : output === "json" && result.eventCount > 0
      ? JSON.stringify(encodeResult(result)) + "\n"
      : ""
    if (Either.isLeft(yield* Effect.either(writeText(tail)))) return ExitCode.OutputClosed
    if (screen !== undefined) yield* screen.finish

    if (error !== undefined) {
      const line = errorLine(messageOf(error))
      // Red on a terminal that takes colour (plain otherwise: s is then the identity).
      yield* Io.stderr(screen === undefined ? line : s.red(line.slice(0, -1)) + "\n")
    }
    if (output === "text" && result.eventCount > 0) {
      const summary = { status: statusOf(code), result, elapsedMillis, cwd: input.options.cwd }
      yield* Io.stderr(onTerminal ? summaryBlock(summary, s) : summaryLine(summary))
    }
    return code
  })
