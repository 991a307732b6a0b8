/**
 * `DecodeError` lives here, not in `ClaudeError.ts` (which re-exports it), so that `ClaudeEvent.ts`
 * can use it without an import cycle (`ClaudeError` -> `ClaudeResult` -> `ClaudeEvent`).
 *
 * @internal
 */
import * as Schema from "effect/Schema"

/**
 * How much of an offending line a {@link DecodeError} keeps.
 *
 * @since 0.1.0
 * @category constants
 * @internal
 */
export const MAX_LINE_IN_ERROR = 2048

/**
 * Cuts `text` to at most `max` UTF-16 units (never inside a surrogate pair) and says how much was
 * left off.
 *
 * @since 0.1.0
 * @category utils
 * @internal
 */
export const truncate = (text: string, max: number): string => {
  if (text.length <= max) return text
  let end = max
  const last = text.charCodeAt(end - 1)
  if (last >= 0xd800 && last <= 0xdbff) end--
  return `${text.slice(0, end)}… (${text.length - end} more characters)`
}

/**
 * A line of output that is a JSON object of a known `type` but does not have the shape this library
 * relies on. It names the line (1-based among the non-blank lines), a copy of the line cut to 2 KB,
 * and what did not match.
 *
 * @since 0.1.0
 * @category errors
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("effect-claude-code/DecodeError")("DecodeError", {
  lineNumber: Schema.Number,
  line: Schema.String,
  issue: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `Claude Code output line ${this.lineNumber} could not be decoded: ${this.issue}. ` +
      `The CLI may be newer or older than this library supports: upgrade effect-claude-code or pin ` +
      `the CLI version, and report the line if the problem persists. Line: ${this.line}`
  }
}
