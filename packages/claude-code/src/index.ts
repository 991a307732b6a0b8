/**
 * Drive the Claude Code CLI from Effect programs as a typed, cancellable stream.
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
 * @since 0.1.0
 */
export * as ClaudeError from "./ClaudeError.js"

/**
 * The events the CLI writes, as a `Schema` tagged union, and the line decoder.
 *
 * @since 0.1.0
 */
export * as ClaudeEvent from "./ClaudeEvent.js"

/**
 * The folded result of a run.
 *
 * @since 0.1.0
 */
export * as ClaudeResult from "./ClaudeResult.js"

/**
 * Conversations: remember the session id and resume it turn after turn, per process or in one
 * long-lived streaming-input process.
 *
 * @since 0.1.0
 */
export * as Session from "./Session.js"
