/**
 * Replay recorded runs in tests: a {@link ClaudeCode.ClaudeCode} service that answers each prompt
 * with a recording made by the `record` option (or the command's `--record FILE`), decoded by the
 * library's own decoder and folded by its own fold, without starting the CLI. Programs under test
 * run unchanged, deterministically and in microseconds.
 *
 * A recording is the CLI's raw NDJSON output, nothing added, so it stays readable by
 * `ClaudeEvent.decodeLines` and by any tool that reads stream-json. Which prompt it answers is
 * said where it is used, in the test: `Replay.layer({ "What is 2 + 2?": "two.ndjson" })`, or a
 * list of `{ prompt, file }` / `{ prompt, lines }` whose `prompt` is a string, a `RegExp` or a
 * predicate (for prompts with a date or file contents in them, or to tell turns apart by their
 * options).
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs/promises"
import * as Url from "node:url"
import * as ClaudeCode from "./ClaudeCode.js"
import * as ClaudeError from "./ClaudeError.js"
import * as ClaudeEvent from "./ClaudeEvent.js"
import * as ClaudeResult from "./ClaudeResult.js"
import { validate } from "./internal/args.js"
import { truncate } from "./internal/decodeError.js"
import { splitAll } from "./internal/lines.js"
import { DIAGNOSTIC_LINES, pushDiagnostic } from "./internal/runner.js"

/**
 * Which prompts a recording answers: the exact prompt, a `RegExp` searched in it, or a predicate
 * that also sees the run's options (e.g. `options.resume` to tell the turns of a conversation
 * apart).
 *
 * @example
 * ```ts
 * import type { Replay } from "effect-claude-code/testing"
 *
 * const matchers: Array<Replay.PromptMatcher> = [
 *   "What is 2 + 2?",
 *   /^Summarise /,
 *   (prompt, options) => options.resume !== undefined && prompt.includes("name")
 * ]
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type PromptMatcher = string | RegExp | ((prompt: string, options: ClaudeCode.Options) => boolean)

/**
 * One recording and the prompts it answers: a `file` written by the `record` option (a path,
 * relative to the working directory, or a `file:` URL such as
 * `new URL("./recordings/two.ndjson", import.meta.url)`), or its `lines` inline (NDJSON text or
 * one string per line).
 *
 * @example
 * ```ts
 * import type { Replay } from "effect-claude-code/testing"
 *
 * const recording: Replay.Recording = { prompt: /haiku/, file: "test/recordings/haiku.ndjson" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Recording =
  | { readonly prompt: PromptMatcher; readonly file: string | URL }
  | { readonly prompt: PromptMatcher; readonly lines: string | ReadonlyArray<string> }

/**
 * The recordings of a replay, tried in order (the first match wins): a list of
 * {@link Recording}s, or an object from exact prompts to files.
 *
 * @example
 * ```ts
 * import type { Replay } from "effect-claude-code/testing"
 *
 * const byPrompt: Replay.Recordings = { "What is 2 + 2?": "test/recordings/two.ndjson" }
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Recordings = ReadonlyArray<Recording> | { readonly [prompt: string]: string | URL }

/**
 * A recording file could not be read (when the replay is built, so a suite fails before its
 * first test).
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Replay } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.flip(Replay.make({ "hi": "/no/such/recording.ndjson" }))
 * Effect.runPromise(program).then((error) => assert.strictEqual(error._tag, "RecordingError"))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RecordingError extends Schema.TaggedError<RecordingError>("effect-claude-code/RecordingError")(
  "RecordingError",
  { path: Schema.String, cause: Schema.Defect }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const why = this.cause instanceof Error ? this.cause.message : String(this.cause)
    return `Could not read the recording ${this.path} (${why}): relative paths are resolved against the working ` +
      `directory (${process.cwd()}); for a file beside the test use new URL("./file.ndjson", import.meta.url).`
  }
}

/**
 * No recording matches a prompt the program ran. This is a defect of the test, not a failure of
 * Claude Code, so the replay dies with it (`Effect.die`) instead of failing: a program's own
 * error handling (`catchAll`, retries, fallbacks) cannot mistake it for a CLI error and hide it.
 * Tests that expect it can use `Effect.exit` and `Cause.dieOption`.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Replay } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const replay = Replay.layer([{ prompt: "What is 2 + 2?", lines: ['{"type":"result","subtype":"success","is_error":false,"session_id":"s1","result":"4"}'] }])
 * const program = Effect.flip(ClaudeCode.run("What is 3 + 3?")).pipe(Effect.provide(replay))
 * Effect.runPromise(program).then((error) => assert.strictEqual(error._tag, "UnknownPrompt"))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownPrompt extends Schema.TaggedError<UnknownPrompt>("effect-claude-code/UnknownPrompt")(
  "UnknownPrompt",
  {
    prompt: Schema.String,
    /** The recordings' prompts, as in the message: `"exact"`, `/regexp/`, `a predicate` (with the file). */
    known: Schema.Array(Schema.String)
  }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const known = this.known.length === 0 ? "none" : this.known.join(", ")
    return `No recording matches the prompt ${JSON.stringify(truncate(this.prompt, 200))}. Known prompts: ${known}. ` +
      `Record a run of it (the \`record\` option) and add it to Replay.layer(...).`
  }
}

/**
 * One run asked of the replay: the prompt, the options as passed, and the recording that answered
 * (its label, as in {@link UnknownPrompt}), or `undefined` if none did.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Replay } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   yield* ClaudeCode.run("What is 2 + 2?", { model: "m" })
 *   const calls: ReadonlyArray<Replay.Call> = yield* Effect.flatMap(Replay.Replay, (replay) => replay.calls)
 *   return calls.map((call) => call.options.model)
 * }).pipe(Effect.provide(Replay.layer([{ prompt: "What is 2 + 2?", lines: ['{"type":"result","subtype":"success","is_error":false,"session_id":"s1","result":"4"}'] }])))
 * Effect.runPromise(program).then((models) => assert.deepStrictEqual(models, ["m"]))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Call {
  readonly prompt: string
  readonly options: ClaudeCode.Options
  readonly recording: string | undefined
}

/**
 * The replaying `ClaudeCode` service, with what it was asked.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Replay } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const replay: Replay.Replay = yield* Replay.make([{ prompt: /2 \+ 2/, lines: ['{"type":"result","subtype":"success","is_error":false,"session_id":"s1","result":"4"}'] }])
 *   const result = yield* replay.run("What is 2 + 2?")
 *   return result.text
 * })
 * Effect.runPromise(program).then((text) => assert.strictEqual(text, "4"))
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Replay extends ClaudeCode.ClaudeCodeService {
  /** Every run asked for so far, in order. */
  readonly calls: Effect.Effect<ReadonlyArray<Call>>
}

/**
 * The tag under which {@link layer} also provides the replay, to read its {@link Replay.calls}.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Replay } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const asked = Effect.flatMap(Replay.Replay, (replay) => replay.calls)
 * ```
 *
 * @since 0.1.0
 * @category tags
 */
export const Replay: Context.Tag<Replay, Replay> = Context.GenericTag<Replay>("effect-claude-code/Replay")

/** A recording decoded once: what every replay of it emits, returns and ends with. */
interface Decoded {
  readonly events: Chunk.Chunk<ClaudeEvent.ClaudeEvent>
  /** What `run` returns (when `runEnd` is undefined). */
  readonly result: ClaudeResult.ClaudeResult
  readonly runEnd: ClaudeError.ClaudeCodeError | undefined
  /** As `runEnd`, folded as `stream` folds: without accumulating the text (see the runner). */
  readonly streamEnd: ClaudeError.ClaudeCodeError | undefined
}

/**
 * Decodes lines as a run does: events up to and including the first `result`; a line that is not
 * an event kept as a diagnostic; an undecodable line ends the run with its `DecodeError`; the end
 * is a `ClaudeFailure` for a failed result and a `ProcessError` (exit code unknown) for none.
 */
const decode = (lines: ReadonlyArray<string>): Decoded => {
  const events: Array<ClaudeEvent.ClaudeEvent> = []
  const diagnostics: Array<string> = []
  let failure: ClaudeError.DecodeError | undefined
  let sawResult = false
  for (let i = 0; i < lines.length && failure === undefined && !sawResult; i++) {
    const decoded = ClaudeEvent.decodeLine(lines[i]!, i + 1)
    if (Either.isLeft(decoded)) {
      failure = decoded.left
    } else if (decoded.right._tag === "Diagnostic") {
      pushDiagnostic(diagnostics, lines[i]!)
    } else {
      events.push(decoded.right)
      sawResult = decoded.right._tag === "Result"
    }
  }
  const fold = (keepText: boolean) => {
    const folder = new ClaudeResult.Folder(ClaudeResult.empty, { keepText })
    for (const event of events) folder.add(event)
    const result = folder.result()
    const end: ClaudeError.ClaudeCodeError | undefined = failure ?? (sawResult
      ? (ClaudeResult.isFailure(result) ? ClaudeError.ClaudeFailure.fromResult(result) : undefined)
      : new ClaudeError.ProcessError({
        exitCode: null,
        signal: null,
        diagnostics: diagnostics.slice(-DIAGNOSTIC_LINES),
        partial: result
      }))
    return { result, end }
  }
  const run = fold(true)
  return { events: Chunk.unsafeFromArray(events), result: run.result, runEnd: run.end, streamEnd: fold(false).end }
}

const describeMatcher = (matcher: PromptMatcher): string =>
  typeof matcher === "string"
    ? JSON.stringify(truncate(matcher, 80))
    : matcher instanceof RegExp
    ? String(matcher)
    : matcher.name === "" || matcher.name === "prompt"
    ? "a predicate"
    : `a predicate (${matcher.name})`

const matches = (matcher: PromptMatcher, prompt: string, options: ClaudeCode.Options): boolean =>
  typeof matcher === "string"
    ? matcher === prompt
    : matcher instanceof RegExp
    ? prompt.search(matcher) !== -1 // unlike `test`, ignores and keeps `lastIndex` (a /g RegExp is stateful)
    : matcher(prompt, options)

const load = (
  recording: Recording
): Effect.Effect<{ readonly label: string; readonly decoded: Decoded }, RecordingError> => {
  const prompt = describeMatcher(recording.prompt)
  if ("lines" in recording) {
    const text = typeof recording.lines === "string" ? recording.lines : recording.lines.join("\n")
    return Effect.succeed({ label: prompt, decoded: decode(splitAll([text])) })
  }
  const file = recording.file
  const path = typeof file === "string" ? file : Url.fileURLToPath(file)
  return Effect.tryPromise({
    try: () => Fs.readFile(file),
    catch: (cause) => new RecordingError({ path, cause })
  }).pipe(
    // Invalid UTF-8 becomes U+FFFD and lines are split and cleaned exactly as in a run.
    Effect.map((bytes) => ({
      label: `${prompt} (${path})`,
      decoded: decode(splitAll([new TextDecoder().decode(bytes)]))
    }))
  )
}

const normalise = (recordings: Recordings): ReadonlyArray<Recording> =>
  Array.isArray(recordings)
    ? recordings as ReadonlyArray<Recording>
    : Object.entries(recordings as { readonly [prompt: string]: string | URL }).map(([prompt, file]) => ({
      prompt,
      file
    }))

/**
 * Reads and decodes the recordings and builds the replaying service. Each run is checked like a
 * real one (bad options fail with `InvalidOptions`), then answered by the first recording whose
 * prompt matches: its events, then the error a real run with that output ends with
 * (`ClaudeFailure` for an `is_error` result, `ProcessError` for no result, `DecodeError` for a
 * malformed line). The options are otherwise not looked at (`cwd`, `transport`, `cancel`, `record`,
 * `resume`, ... have no effect). A prompt no recording matches dies with {@link UnknownPrompt}.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Replay } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const replay = Replay.make([{ prompt: "What is 2 + 2?", lines: ['{"type":"result","subtype":"success","is_error":false,"session_id":"s1","result":"4"}'] }])
 * const program = Effect.flatMap(replay, (claude) => claude.run("What is 2 + 2?"))
 * Effect.runPromise(program).then((result) => assert.strictEqual(result.text, "4"))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: (recordings: Recordings) => Effect.Effect<Replay, RecordingError> = Effect.fn("Replay.make")(
  function*(recordings: Recordings) {
    const entries = yield* Effect.forEach(
      normalise(recordings),
      (recording) => Effect.map(load(recording), (loaded) => ({ ...loaded, prompt: recording.prompt })),
      { concurrency: 8 }
    )
    const known = entries.map((entry) => entry.label)
    const calls: Array<Call> = []

    /** The recording that answers a run, after the checks a real run makes first. */
    const answer = (
      prompt: string,
      options: ClaudeCode.Options
    ): Either.Either<Decoded, ClaudeError.InvalidOptions | UnknownPrompt> => {
      const entry = entries.find((entry) => matches(entry.prompt, prompt, options))
      calls.push({ prompt, options, recording: entry?.label })
      const problem = validate(prompt, options)
      if (problem !== undefined) return Either.left(new ClaudeError.InvalidOptions(problem))
      return entry === undefined ? Either.left(new UnknownPrompt({ prompt, known })) : Either.right(entry.decoded)
    }

    const stream: Replay["stream"] = (prompt, options = {}) =>
      Stream.suspend(() => {
        const found = answer(prompt, options)
        if (Either.isLeft(found)) {
          return found.left._tag === "UnknownPrompt" ? Stream.die(found.left) : Stream.fail(found.left)
        }
        const events = Stream.fromChunk(found.right.events)
        return found.right.streamEnd === undefined ? events : Stream.concat(events, Stream.fail(found.right.streamEnd))
      })

    const run: Replay["run"] = (prompt, options = {}) =>
      Effect.suspend(() => {
        const found = answer(prompt, options)
        if (Either.isLeft(found)) {
          return found.left._tag === "UnknownPrompt" ? Effect.die(found.left) : Effect.fail(found.left)
        }
        return found.right.runEnd === undefined ? Effect.succeed(found.right.result) : Effect.fail(found.right.runEnd)
      })

    return {
      defaults: {},
      stream,
      run,
      calls: Effect.sync(() => calls.slice())
    }
  }
)

/**
 * A layer providing {@link ClaudeCode.ClaudeCode} (and {@link Replay}) from recordings; use it
 * with `Effect.provide` or `@effect/vitest`'s `layer(...)`. It fails with {@link RecordingError}
 * when a file cannot be read.
 *
 * @example
 * ```ts
 * import { ClaudeCode } from "effect-claude-code"
 * import { Replay } from "effect-claude-code/testing"
 * import { Effect } from "effect"
 *
 * const TestClaude = Replay.layer([
 *   { prompt: "What is 2 + 2?", file: new URL("./recordings/two.ndjson", import.meta.url) },
 *   { prompt: /^Summarise/, lines: ['{"type":"result","subtype":"success","is_error":false,"session_id":"s1","result":"Short."}'] }
 * ])
 * // in a test: `layer(TestClaude)("my program", (it) => ...)` with @effect/vitest
 * const program = ClaudeCode.run("Summarise the README").pipe(Effect.provide(TestClaude))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (recordings: Recordings): Layer.Layer<ClaudeCode.ClaudeCode | Replay, RecordingError> =>
  Layer.effectContext(
    Effect.map(
      make(recordings),
      (replay) => Context.make(Replay, replay).pipe(Context.add(ClaudeCode.ClaudeCode, replay))
    )
  )
