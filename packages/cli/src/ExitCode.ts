/**
 * The exit codes of the `effect-claude-code` command: what a script can rely on.
 *
 * @since 0.1.0
 */
import type { NonEmptyReadonlyArray } from "effect/Array"

/**
 * An exit code of the command.
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = 0 | 1 | 2 | 3 | 4 | 70 | 130 | 141

/**
 * The run completed and Claude reported success.
 *
 * @since 0.1.0
 * @category codes
 */
export const Done = 0 as const

/**
 * Claude reported an error in its result (`ClaudeError.ClaudeFailure`: API error, max turns,
 * budget, unknown session, ...).
 *
 * @since 0.1.0
 * @category codes
 */
export const ClaudeFailed = 1 as const

/**
 * Usage error: an unknown or malformed flag, a missing or empty prompt, an invalid option value
 * (`ClaudeError.InvalidOptions`), or stdin that could not be read for `-`.
 *
 * @since 0.1.0
 * @category codes
 */
export const Usage = 2 as const

/**
 * The Claude Code CLI could not be started (`ClaudeError.SpawnError`: not found, not executable,
 * missing `--cwd`, arguments too long).
 *
 * @since 0.1.0
 * @category codes
 */
export const SpawnFailed = 3 as const

/**
 * The CLI failed without writing a result (`ClaudeError.ProcessError`, `ReadError`, `DecodeError`,
 * `IdleTimeout`).
 *
 * @since 0.1.0
 * @category codes
 */
export const CliFailed = 4 as const

/**
 * A bug in this command (an unexpected defect); the message says what broke.
 *
 * @since 0.1.0
 * @category codes
 */
export const Internal = 70 as const

/**
 * Cancelled by SIGINT or SIGTERM (`ClaudeError.Cancelled`): the CLI was interrupted gracefully so
 * the session is saved; what it produced and the session id are still printed.
 *
 * @since 0.1.0
 * @category codes
 */
export const Cancelled = 130 as const

/**
 * stdout was closed before the run ended (e.g. piped into `head`); the CLI is stopped.
 *
 * @since 0.1.0
 * @category codes
 */
export const OutputClosed = 141 as const

/**
 * Every code with a one-line description, in the order the help text lists them.
 *
 * @since 0.1.0
 * @category codes
 */
export const descriptions: NonEmptyReadonlyArray<readonly [ExitCode, string]> = [
  [Done, "done: Claude reported success"],
  [ClaudeFailed, "Claude reported an error in its result (API error, max turns, unknown session, ...)"],
  [Usage, "usage error: bad flag, missing or empty prompt, invalid option value"],
  [SpawnFailed, "the Claude Code CLI could not be started (not found, not executable, missing --cwd)"],
  [CliFailed, "the CLI failed without a result (crash, early exit, unreadable output, idle timeout)"],
  [Cancelled, "cancelled by SIGINT/SIGTERM (Ctrl-C): the session is saved, its id printed"],
  [OutputClosed, "stdout was closed before the run ended (e.g. piped into head)"],
  [Internal, "internal error in this command"]
]

/**
 * The exit code for an error of a run, by its `_tag` (`ClaudeError.ClaudeCodeError`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromErrorTag = (tag: string): ExitCode => {
  switch (tag) {
    case "ClaudeFailure":
      return ClaudeFailed
    case "InvalidOptions":
    case "StdinError":
      return Usage
    case "SpawnError":
      return SpawnFailed
    case "ProcessError":
    case "ReadError":
    case "DecodeError":
    case "IdleTimeout":
      return CliFailed
    case "Cancelled":
      return Cancelled
    case "OutputClosed":
      return OutputClosed
    default:
      return Internal
  }
}
