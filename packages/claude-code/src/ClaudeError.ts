/**
 * The typed errors of running Claude Code. Each says what happened and what to do, and carries the
 * facts (executable, exit code, signal, diagnostic output, the offending line, the partial result).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { ClaudeResult } from "./ClaudeResult.js"
import { DecodeError, truncate } from "./internal/decodeError.js"

export {
  /**
   * A line of output that is a JSON object of a known `type` with the wrong shape: carries the line
   * number, the line cut to 2 KB and what did not match. (Defined beside the decoder, which cannot
   * import this module without a cycle.)
   *
   * @example
   * ```ts
   * import { ClaudeCode } from "effect-claude-code"
   * import { Effect } from "effect"
   *
   * const program = ClaudeCode.run("hi").pipe(
   *   Effect.catchTag("DecodeError", (error) => Effect.logError(`line ${error.lineNumber}: ${error.issue}`, error.line))
   * )
   * ```
   *
   * @since 0.1.0
   * @category errors
   */
  DecodeError
} from "./internal/decodeError.js"

/**
 * Why the CLI could not be started.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * assert.strictEqual(Schema.is(ClaudeError.SpawnErrorReason)("CwdMissing"), true)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const SpawnErrorReason = Schema.Literal("NotFound", "NotExecutable", "CwdMissing", "ArgumentsTooLong", "Unknown")

/**
 * The reasons of {@link SpawnErrorReason}, as a type.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "effect-claude-code"
 *
 * const fixable = (reason: ClaudeError.SpawnErrorReason): boolean => reason !== "Unknown"
 * assert.strictEqual(fixable("NotFound"), true)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type SpawnErrorReason = typeof SpawnErrorReason.Type

/**
 * The reason for a failed spawn, from the error's `code` (`ENOENT` -> `NotFound`, `EACCES` /
 * `EPERM` / `ENOEXEC` -> `NotExecutable`, `E2BIG` -> `ArgumentsTooLong`). A missing working directory
 * also shows as `ENOENT`: check the directory first to report `CwdMissing`.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "effect-claude-code"
 *
 * assert.strictEqual(ClaudeError.spawnErrorReason({ code: "ENOENT" }), "NotFound")
 * assert.strictEqual(ClaudeError.spawnErrorReason({ code: "EACCES" }), "NotExecutable")
 * assert.strictEqual(ClaudeError.spawnErrorReason(new Error("?")), "Unknown")
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const spawnErrorReason = (cause: unknown): SpawnErrorReason => {
  const code = typeof cause === "object" && cause !== null && "code" in cause
    ? (cause as { readonly code: unknown }).code
    : undefined
  switch (code) {
    case "ENOENT":
      return "NotFound"
    case "EACCES":
    case "EPERM":
    case "ENOEXEC":
      return "NotExecutable"
    case "E2BIG":
      return "ArgumentsTooLong"
    default:
      return "Unknown"
  }
}

const describeCause = (cause: unknown): string =>
  cause instanceof Error ? cause.message : typeof cause === "string" ? cause : String(cause)

/**
 * The CLI could not be started.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = ClaudeCode.run("hi", { executable: "/opt/claude/bin/claude" }).pipe(
 *   Effect.catchTag("SpawnError", (error) =>
 *     error.reason === "NotFound" ? Effect.logError("install Claude Code: npm i -g @anthropic-ai/claude-code") : Effect.fail(error))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class SpawnError extends Schema.TaggedError<SpawnError>("effect-claude-code/SpawnError")("SpawnError", {
  executable: Schema.String,
  cwd: Schema.optional(Schema.String),
  reason: SpawnErrorReason,
  cause: Schema.Defect
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const where = this.cwd === undefined ? "" : ` in ${this.cwd}`
    switch (this.reason) {
      case "NotFound":
        return `Claude Code executable "${this.executable}" was not found: install Claude Code ` +
          `(npm install -g @anthropic-ai/claude-code) or pass the \`executable\` option.`
      case "NotExecutable":
        return `Claude Code executable "${this.executable}" could not be executed (${describeCause(this.cause)}): ` +
          `check that it is a runnable file with execute permission, or pass another \`executable\`.`
      case "CwdMissing":
        return `The working directory ${this.cwd ?? "(unset)"} does not exist, so "${this.executable}" could not ` +
          `be started: create it or pass an existing \`cwd\`.`
      case "ArgumentsTooLong":
        return `The command line for "${this.executable}"${where} is too long (E2BIG; one argument may be at ` +
          `most 131071 bytes): send the prompt on stdin or shorten the system prompt / settings.`
      case "Unknown":
        return `Claude Code ("${this.executable}"${where}) could not be started: ${describeCause(this.cause)}.`
    }
  }
}

/**
 * Reading the CLI's output failed.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = ClaudeCode.run("hi").pipe(
 *   Effect.catchTag("ReadError", (error) => Effect.logError("reading the CLI's output failed", error.cause))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ReadError extends Schema.TaggedError<ReadError>("effect-claude-code/ReadError")("ReadError", {
  cause: Schema.Defect
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Reading Claude Code's output failed: ${describeCause(this.cause)}. The process may have been ` +
      `killed or its terminal closed; run again.`
  }
}

/**
 * The `record` option's file could not be opened (before the CLI is started) or written (the
 * run is stopped: a recording with holes would replay as a different run).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "effect-claude-code"
 *
 * const error = new ClaudeError.RecordError({ path: "/read-only/run.ndjson", operation: "open", cause: new Error("EROFS") })
 * assert.ok(error.message.includes("/read-only/run.ndjson"))
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class RecordError extends Schema.TaggedError<RecordError>("effect-claude-code/RecordError")("RecordError", {
  path: Schema.String,
  operation: Schema.Literal("open", "write"),
  cause: Schema.Defect
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return this.operation === "open"
      ? `Could not open ${this.path} to record the run (${describeCause(this.cause)}), so Claude Code was not ` +
        `started: create the directory, check its permissions, or drop the \`record\` option.`
      : `Writing the recording ${this.path} failed (${describeCause(this.cause)}), so the run was stopped: ` +
        `free disk space or choose another \`record\` path.`
  }
}

/**
 * The options of a run are invalid (found before anything is started).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "effect-claude-code"
 *
 * const error = new ClaudeError.InvalidOptions({ option: "maxTurns", problem: "must be a positive integer, got 0" })
 * assert.strictEqual(error.message, "Invalid option `maxTurns`: must be a positive integer, got 0.")
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidOptions extends Schema.TaggedError<InvalidOptions>("effect-claude-code/InvalidOptions")(
  "InvalidOptions",
  { option: Schema.String, problem: Schema.String }
) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Invalid option \`${this.option}\`: ${this.problem}.`
  }
}

const hintFor = (diagnostics: ReadonlyArray<string>): string | undefined => {
  const text = diagnostics.join("\n")
  if (/unknown option/i.test(text)) {
    return "The CLI rejected an argument: a prompt that begins with \"-\" is read as an option, and " +
      "options this CLI version does not know are refused; check the CLI version and the options."
  }
  if (/is already in use/i.test(text)) {
    return "The session id is already taken: pass a new `sessionId`, or `resume` the existing session."
  }
  if (/No conversation found/i.test(text)) {
    return "No session has that id in this working directory: start a new session or resume an existing id."
  }
  if (/requires --verbose|Input must be provided/i.test(text)) {
    return "The CLI refused its arguments or input: check the option combination and how the prompt is sent."
  }
  return undefined
}

/**
 * The CLI ended (or its output did) without a `result` line.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = ClaudeCode.run("hi", { extraArgs: ["--no-such-flag"] }).pipe(
 *   Effect.catchTag("ProcessError", (error) =>
 *     Effect.logError(`exit ${error.exitCode}, signal ${error.signal}`, error.diagnostics.join("\n")))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ProcessError extends Schema.TaggedError<ProcessError>("effect-claude-code/ProcessError")("ProcessError", {
  exitCode: Schema.NullOr(Schema.Number),
  signal: Schema.NullOr(Schema.String),
  /** The last lines of non-JSON output and stderr, e.g. `error: unknown option '--x'`. */
  diagnostics: Schema.Array(Schema.String),
  /** What was decoded before the end (the session id, if the CLI got that far). */
  partial: Schema.optional(ClaudeResult),
  command: Schema.optional(Schema.String)
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const how = this.signal !== null
      ? `was killed by ${this.signal}`
      : this.exitCode !== null
      ? `exited with code ${this.exitCode}`
      : "ended"
    const what = this.command === undefined ? "Claude Code" : `Claude Code (${truncate(this.command, 200)})`
    const parts = [`${what} ${how} without writing a result.`]
    const hint = hintFor(this.diagnostics)
    if (hint !== undefined) parts.push(hint)
    if (this.diagnostics.length > 0) {
      parts.push(`Its output ended with:\n${this.diagnostics.slice(-10).join("\n")}`)
    } else if (this.signal !== null || this.exitCode === 143 || this.exitCode === 137) {
      parts.push("It was stopped from outside (a signal); run again, or use SIGINT to end a turn cleanly.")
    } else {
      parts.push("It wrote no diagnostics; run with the pipe transport to capture stderr, or check the CLI by hand.")
    }
    if (this.partial?.sessionId !== undefined) parts.push(`Session id: ${this.partial.sessionId}.`)
    return parts.join(" ")
  }
}

/** `resetsAt` is a Unix time; seconds in the CLI's output, but accept milliseconds too. */
const resetsAtMillis = (resetsAt: number): number => resetsAt < 1e12 ? resetsAt * 1000 : resetsAt

const formatResetsAt = (resetsAt: number): string => {
  const date = new Date(resetsAtMillis(resetsAt))
  return Number.isNaN(date.getTime()) ? String(resetsAt) : date.toISOString()
}

/**
 * Claude reported failure in its `result` line: `is_error` true, or a `terminal_reason` other than
 * `"completed"` (API errors come as `subtype: "success"` with `is_error: true`).
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = ClaudeCode.run("hi", { maxTurns: 1 }).pipe(
 *   Effect.catchTag("ClaudeFailure", (error) =>
 *     error.apiErrorStatus === 529 ? Effect.logWarning("overloaded, try later") : Effect.logError(error.message))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class ClaudeFailure extends Schema.TaggedError<ClaudeFailure>("effect-claude-code/ClaudeFailure")(
  "ClaudeFailure",
  {
    subtype: Schema.optional(Schema.String),
    terminalReason: Schema.optional(Schema.String),
    apiErrorStatus: Schema.optional(Schema.Number),
    errors: Schema.Array(Schema.String),
    result: ClaudeResult
  }
) {
  /**
   * The failure a result reports (use with `ClaudeResult.isFailure`).
   *
   * @example
   * ```ts
   * import { ClaudeError, ClaudeResult } from "effect-claude-code"
   * import { Effect, Stream } from "effect"
   *
   * // fold events yourself, and fail as run() does
   * const run = (events: Stream.Stream<any>) =>
   *   Effect.flatMap(ClaudeResult.fold(events), (result) =>
   *     ClaudeResult.isFailure(result) ? Effect.fail(ClaudeError.ClaudeFailure.fromResult(result)) : Effect.succeed(result))
   * ```
   *
   * @since 0.1.0
   */
  static fromResult(result: ClaudeResult): ClaudeFailure {
    return new ClaudeFailure({
      subtype: result.subtype,
      terminalReason: result.terminalReason,
      apiErrorStatus: result.apiErrorStatus,
      errors: result.errors,
      result
    })
  }

  /**
   * @since 0.1.0
   */
  override get message(): string {
    const detail = [...this.errors, this.result.text].filter((s) => s.length > 0).map((s) => truncate(s, 500))
    const facts = detail.length > 0 ? ` (${detail.join("; ")})` : ""
    const session = this.result.sessionId === undefined ? "" : ` Session id: ${this.result.sessionId}.`
    return `${this.explain()}${facts}${session}`
  }

  /**
   * @since 0.1.0
   * @internal
   */
  private explain(): string {
    const status = this.apiErrorStatus
    if (status === 401 || status === 403) {
      return `The Anthropic API refused the credentials (HTTP ${status}): check ANTHROPIC_API_KEY (or log in ` +
        `with \`claude /login\`) and ANTHROPIC_BASE_URL.`
    }
    if (status === 429) {
      const resetsAt = this.result.rateLimit?.resetsAt
      return `Rate limited by the Anthropic API (HTTP 429): retry after ${
        resetsAt === undefined ? "a while" : formatResetsAt(resetsAt)
      }.`
    }
    if (status === 529) {
      return "The Anthropic API is overloaded (HTTP 529): retry later; CLAUDE_CODE_MAX_RETRIES sets how often the " +
        "CLI retries by itself."
    }
    if (status !== undefined && status >= 500) {
      return `The Anthropic API failed (HTTP ${status}): retry later.`
    }
    if (status !== undefined) {
      return `The Anthropic API rejected the request (HTTP ${status}): check the model, the prompt and the options.`
    }
    if (this.terminalReason === "max_turns" || this.subtype === "error_max_turns") {
      return `Claude stopped after ${this.result.numTurns} turns, the maximum allowed: raise \`maxTurns\` ` +
        `or resume the session to continue.`
    }
    if (
      this.terminalReason === "budget_exhausted" || this.subtype === "error_max_budget_usd"
    ) {
      return `Claude stopped at the budget limit after spending $${this.result.costUsd}: raise \`maxBudgetUsd\` ` +
        `or resume the session to continue.`
    }
    if (this.errors.some((error) => error.startsWith("No conversation found"))) {
      return "The session to resume was not found (unknown id, or another working directory): start a new " +
        "session or pass an existing session id."
    }
    if (this.terminalReason === "aborted_streaming" || this.terminalReason === "aborted_tools") {
      return "The turn was interrupted before it completed; resume the session to continue."
    }
    if (this.terminalReason === "api_error") {
      return "The Anthropic API failed; check the API key, the model and the network, then retry."
    }
    return `Claude reported failure (subtype ${this.subtype ?? "unknown"}, terminal reason ${
      this.terminalReason ?? "unknown"
    }).`
  }
}

/**
 * The run was cancelled. `partial` holds what was decoded, including the session id, so the
 * conversation can be resumed.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const controller = new AbortController()
 * setTimeout(() => controller.abort(), 10_000).unref()
 * const program = ClaudeCode.run("Refactor the parser", { cancel: controller.signal }).pipe(
 *   Effect.catchTag("Cancelled", (error) => Effect.log(`stopped; resume with ${error.partial.sessionId}`))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class Cancelled extends Schema.TaggedError<Cancelled>("effect-claude-code/Cancelled")("Cancelled", {
  reason: Schema.optional(Schema.String),
  partial: ClaudeResult
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const why = this.reason === undefined ? "" : ` (${this.reason})`
    const session = this.partial.sessionId === undefined
      ? " No session was started."
      : ` Resume session ${this.partial.sessionId} to continue.`
    return `The Claude Code run was cancelled${why}.${session}`
  }
}

/**
 * The CLI wrote nothing for longer than the idle timeout. `partial` holds what was decoded.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = ClaudeCode.run("hi", { idleTimeout: "2 minutes" }).pipe(
 *   Effect.catchTag("IdleTimeout", (error) => Effect.logWarning(`silent for ${error.timeout}`, error.partial.sessionId))
 * )
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class IdleTimeout extends Schema.TaggedError<IdleTimeout>("effect-claude-code/IdleTimeout")("IdleTimeout", {
  /** Encoded as milliseconds. */
  timeout: Schema.DurationFromMillis,
  partial: ClaudeResult
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    const session = this.partial.sessionId === undefined ? "" : ` Resume session ${this.partial.sessionId} to continue.`
    return `Claude Code wrote nothing for ${Duration.format(this.timeout)} and was stopped: raise \`idleTimeout\` ` +
      `if long silent tool runs are expected, or check the API endpoint.${session}`
  }
}

/**
 * Any error of running Claude Code.
 *
 * @example
 * ```ts
 * import { ClaudeError } from "effect-claude-code"
 *
 * const retryable = (error: ClaudeError.ClaudeCodeError): boolean =>
 *   error._tag === "IdleTimeout" || (error._tag === "ClaudeFailure" && error.apiErrorStatus === 529)
 * assert.strictEqual(retryable(new ClaudeError.InvalidOptions({ option: "model", problem: "empty" })), false)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ClaudeCodeError =
  | SpawnError
  | ReadError
  | InvalidOptions
  | RecordError
  | DecodeError
  | ProcessError
  | ClaudeFailure
  | Cancelled
  | IdleTimeout

/**
 * The schema of {@link ClaudeCodeError} (e.g. to send errors across a worker boundary).
 *
 * @example
 * ```ts
 * import { ClaudeError } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const error = new ClaudeError.InvalidOptions({ option: "model", problem: "empty" })
 * assert.strictEqual(Schema.is(ClaudeError.ClaudeCodeError)(error), true)
 * // errors are Schema classes: they survive a round trip through JSON
 * const encoded = Schema.encodeSync(ClaudeError.ClaudeCodeError)(error)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ClaudeCodeError = Schema.Union(
  SpawnError,
  ReadError,
  InvalidOptions,
  RecordError,
  DecodeError,
  ProcessError,
  ClaudeFailure,
  Cancelled,
  IdleTimeout
)

/**
 * Whether `u` is a run that Claude rejected for rate limits: a {@link ClaudeFailure} with HTTP
 * status 429, or whose latest `rate_limit_event` has `status: "rejected"`. Other failures (and
 * every other error) are not.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = ClaudeCode.run("hi").pipe(
 *   Effect.catchIf(ClaudeError.isRateLimited, (error) => Effect.logWarning("rate limited", error.apiErrorStatus))
 * )
 * assert.strictEqual(ClaudeError.isRateLimited(new Error("429")), false)
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRateLimited = (u: unknown): u is ClaudeFailure =>
  u instanceof ClaudeFailure && (u.apiErrorStatus === 429 || u.result.rateLimit?.status === "rejected")

/**
 * When the rate limit that rejected the run resets, in epoch milliseconds (from the latest
 * `rate_limit_event`'s `resetsAt`), or `undefined` when the CLI did not say (API-key users get no
 * `rate_limit_event`, only the 429).
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * // wait for the limit to reset, then try once more
 * const program = ClaudeCode.run("hi").pipe(
 *   Effect.catchIf(ClaudeError.isRateLimited, (error) => {
 *     const resetsAt = ClaudeError.rateLimitResetsAt(error) ?? Date.now() + 60_000
 *     return Effect.zipRight(Effect.sleep(Math.max(0, resetsAt - Date.now())), ClaudeCode.run("hi"))
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const rateLimitResetsAt = (error: ClaudeFailure): number | undefined => {
  const resetsAt = error.result.rateLimit?.resetsAt
  return resetsAt === undefined || !Number.isFinite(resetsAt) ? undefined : resetsAtMillis(resetsAt)
}
