import type { ClaudeResult } from "effect-claude-code"

/** The command's name, as shown in messages and hints. @internal */
export const NAME = "effect-claude-code"

/**
 * What the text output prints for one event, given the fold before and after it.
 *
 * Between `result` lines the fold's `text` only ever grows by appending (deltas, and for an
 * `assistant` line only the part a stream did not already deliver), so the new part is the
 * suffix. The `result` line replaces `text` with its own `result`, which is usually the last
 * text block again: it is printed only where it extends what is on screen, so nothing is ever
 * printed twice.
 *
 * @internal
 */
export const textDelta = (
  before: ClaudeResult.ClaudeResult,
  after: ClaudeResult.ClaudeResult,
  isResult: boolean
): string => {
  const old = before.text
  const text = after.text
  if (text.length <= old.length) return ""
  if (!isResult) return text.slice(old.length)
  return text.startsWith(old) ? text.slice(old.length) : ""
}

/** Names of the library's options as this command's flags, for `InvalidOptions`. */
const flagNames: Record<string, string> = {
  prompt: "PROMPT",
  maxTurns: "--max-turns",
  sessionId: "--session-id",
  resume: "--resume",
  continue: "--continue",
  forkSession: "--fork-session",
  permissionMode: "--permission-mode",
  model: "--model",
  cwd: "--cwd",
  executable: "--claude",
  idleTimeout: "--idle-timeout",
  transport: "--transport",
  record: "--record"
}

/** The flag (or `PROMPT`) that a library option name stands for. @internal */
export const flagName = (option: string): string => flagNames[option] ?? option

/**
 * One line for stderr: the message with its line breaks folded (lines ending in `:` run on
 * into the next, others are separated by ` | `).
 *
 * @internal
 */
export const errorLine = (message: string): string => {
  const lines = message.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length > 0)
  let out = ""
  for (const line of lines) {
    out = out.length === 0 ? line : out.endsWith(":") ? `${out} ${line}` : `${out} | ${line}`
  }
  return `${NAME}: ${out}\n`
}

/** Quotes `value` for a POSIX shell when it needs it. @internal */
export const shellQuote = (value: string): string =>
  /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`

/** How a run ended, as the first word of the summary line. @internal */
export type Status = "done" | "failed" | "cancelled"

const seconds = (millis: number): string => `${(millis / 1000).toFixed(1)}s`

const cost = (usd: number): string => `$${usd.toFixed(4)}`

/**
 * The summary line for stderr, e.g.
 * `done · $0.0123 · tokens 1200 in / 85 out / 1000 cache read / 0 cache write · 3.2s · session
 * 0b1c... · resume with: effect-claude-code --resume 0b1c... PROMPT`.
 *
 * @internal
 */
export const summaryLine = (options: {
  readonly status: Status
  readonly result: ClaudeResult.ClaudeResult
  readonly elapsedMillis: number
  readonly cwd: string | undefined
}): string => {
  const { result } = options
  const usage = result.usage
  const parts = [
    options.status,
    cost(result.costUsd),
    `tokens ${usage.inputTokens} in / ${usage.outputTokens} out / ${usage.cacheReadInputTokens} cache read / ` +
    `${usage.cacheCreationInputTokens} cache write`,
    seconds(options.elapsedMillis)
  ]
  if (result.sessionId !== undefined) {
    const cwd = options.cwd === undefined ? "" : ` --cwd ${shellQuote(options.cwd)}`
    parts.push(`session ${result.sessionId}`)
    parts.push(`resume with: ${NAME} --resume ${result.sessionId}${cwd} PROMPT`)
  }
  return parts.join(" · ") + "\n"
}

/**
 * Splits tool lists: each flag value may hold several tools separated by commas; commas inside
 * parentheses (`Bash(git diff:*,git log:*)`) belong to the tool's pattern.
 *
 * @internal
 */
export const splitTools = (values: ReadonlyArray<string>): Array<string> => {
  const tools: Array<string> = []
  for (const value of values) {
    let depth = 0
    let start = 0
    for (let i = 0; i <= value.length; i++) {
      const c = value[i]
      if (c === "(") depth++
      else if (c === ")") depth = Math.max(0, depth - 1)
      else if (i === value.length || (c === "," && depth === 0)) {
        const tool = value.slice(start, i).trim()
        if (tool.length > 0) tools.push(tool)
        start = i + 1
      }
    }
  }
  return tools
}
