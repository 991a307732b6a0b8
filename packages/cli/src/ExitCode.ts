/**
 * The exit codes of the `effect-claude-code` command: what a script can rely on.
 *
 * @since 0.1.0
 */
import type { NonEmptyReadonlyArray } from "effect/Array"

/**
 * An exit code of the command.
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * const retryable = (code: ExitCode.ExitCode): boolean => code === ExitCode.CliFailed
 * assert.strictEqual(retryable(4), true)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ExitCode = 0 | 1 | 2 | 3 | 4 | 70 | 130 | 141

/**
 * The run completed and Claude reported success.
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.Done, 0)
 * ```
 *
 * @since 0.1.0
 * @category codes
 */
export const Done = 0 as const

/**
 * Claude reported an error in its result (`ClaudeError.ClaudeFailure`: API error, max turns,
 * budget, unknown session, ...).
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.ClaudeFailed, 1)
 * ```
 *
 * @since 0.1.0
 * @category codes
 */
export const ClaudeFailed = 1 as const

/**
 * Usage error: an unknown or malformed flag, a missing or empty prompt, an invalid option value
 * (`ClaudeError.InvalidOptions`), or stdin that could not be read for `-`.
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.Usage, 2)
 * ```
 *
 * @since 0.1.0
 * @category codes
 */
export const Usage = 2 as const

/**
 * The Claude Code CLI could not be started (`ClaudeError.SpawnError`: not found, not executable,
 * missing `--cwd`, arguments too long).
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.SpawnFailed, 3)
 * ```
 *
 * @since 0.1.0
 * @category codes
 */
export const SpawnFailed = 3 as const

/**
 * The CLI failed without writing a result (`ClaudeError.ProcessError`, `ReadError`, `DecodeError`,
 * `IdleTimeout`).
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.CliFailed, 4)
 * ```
 *
 * @since 0.1.0
 * @category codes
 */
export const CliFailed = 4 as const

/**
 * A bug in this command (an unexpected defect); the message says what broke.
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.Internal, 70)
 * ```
 *
 * @since 0.1.0
 * @category codes
 */
export const Internal = 70 as const

/**
 * Cancelled by SIGINT or SIGTERM (`ClaudeError.Cancelled`): the CLI was interrupted gracefully so
 * the session is saved; what it produced and the session id are still printed.
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.Cancelled, 130)
 * ```
 *
 * @since 0.1.0
 * @category codes
 */
export const Cancelled = 130 as const

/**
 * stdout was closed before the run ended (e.g. piped into `head`); the CLI is stopped.
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.OutputClosed, 141)
 * ```
 *
 * @since 0.1.0
 * @category codes
 */
export const OutputClosed = 141 as const

/**
 * Every code with a one-line description, in the order the help text lists them.
 *
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * for (const [code, text] of ExitCode.descriptions) console.log(`${code}\t${text}`)
 * ```
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
 * @example
 * ```ts
 * import { ExitCode } from "effect-claude-code-cli"
 *
 * assert.strictEqual(ExitCode.fromErrorTag("SpawnError"), ExitCode.SpawnFailed)
 * assert.strictEqual(ExitCode.fromErrorTag("Cancelled"), 130)
 * ```
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
