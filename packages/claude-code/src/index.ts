/**
 * Drive the Claude Code CLI from Effect programs as a typed, cancellable stream.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeEvent } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * // fold a run into its result
 * const answer = Effect.gen(function*() {
 *   const result = yield* ClaudeCode.run("What is 2 + 2?", { model: "claude-sonnet-4-5" })
 *   yield* Effect.log(result.text, result.sessionId, result.costUsd)
 * })
 *
 * // or stream its events as they arrive
 * const tokens = ClaudeCode.stream("Write a haiku", { includePartialMessages: true }).pipe(
 *   Stream.runForEach((event) => {
 *     const text = ClaudeEvent.textDelta(event)
 *     return text === undefined ? Effect.void : Effect.sync(() => process.stdout.write(text))
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */

/**
 * Run prompts: `ClaudeCode.stream`, `ClaudeCode.run`, the `ClaudeCode` service and its layer.
 *
 * @since 0.1.0
 */
export * as ClaudeCode from "./ClaudeCode.js"

/**
 * The typed errors of a run.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeError } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = ClaudeCode.run("hi").pipe(
 *   Effect.catchTag("ClaudeFailure", (error: ClaudeError.ClaudeFailure) => Effect.logWarning(error.message))
 * )
 * ```
 *
 * @since 0.1.0
 */
export * as ClaudeError from "./ClaudeError.js"

/**
 * The events the CLI writes, as a `Schema` tagged union, and the line decoder.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeEvent } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * const tools = ClaudeCode.stream("List the files", {}).pipe(
 *   Stream.filter((event) => event._tag === "Assistant"),
 *   Stream.runCollect
 * )
 * ```
 *
 * @since 0.1.0
 */
export * as ClaudeEvent from "./ClaudeEvent.js"

/**
 * The folded result of a run.
 *
 * @example
 * ```ts
 * import { ClaudeCode, ClaudeResult } from "effect-claude-code"
 * import { Stream } from "effect"
 *
 * // the same result run() gives, from the events
 * const result = ClaudeResult.fold(ClaudeCode.stream("What is 2 + 2?", {}))
 * ```
 *
 * @since 0.1.0
 */
export * as ClaudeResult from "./ClaudeResult.js"

/**
 * Conversations: remember the session id and resume it turn after turn, per process or in one
 * long-lived streaming-input process.
 *
 * @example
 * ```ts
 * import { Session } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const chat = Effect.scoped(
 *   Effect.gen(function*() {
 *     const session = yield* Session.make({ model: "claude-sonnet-4-5" })
 *     yield* session.run("My name is Ada.")
 *     return yield* session.run("What is my name?")
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */
export * as Session from "./Session.js"
