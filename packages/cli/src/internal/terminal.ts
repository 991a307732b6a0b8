/**
 * What a person sees on a terminal while a run goes on, as pure functions: colour detection,
 * terminal-safe one-line text, tool calls and their results, the status line and the summary.
 * `screen.ts` puts them on the screen.
 */
import type { ClaudeEvent, ClaudeResult } from "effect-claude-code"
import { NAME, shellQuote, type Status } from "./render.js"

// -----------------------------------------------------------------------------
// Colour
// -----------------------------------------------------------------------------

/**
 * Whether to colour output for a stream: never with `NO_COLOR` (any non-empty value) or
 * `TERM=dumb`; `FORCE_COLOR` forces it on (`0` / `false`: off); otherwise only on a terminal.
 *
 * @internal
 */
export const useColour = (env: Readonly<Record<string, string | undefined>>, isTTY: boolean): boolean => {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false
  const force = env.FORCE_COLOR
  if (force !== undefined && force !== "") return force !== "0" && force !== "false"
  if (env.TERM === "dumb") return false
  return isTTY
}

/** Text styles; the identity when colour is off. @internal */
export interface Style {
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly red: (text: string) => string
  readonly green: (text: string) => string
  readonly yellow: (text: string) => string
  readonly cyan: (text: string) => string
}

const sgr = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`
const same = (text: string) => text

/** The styles, coloured or plain. @internal */
export const style = (colour: boolean): Style =>
  colour
    ? {
      bold: sgr(1, 22),
      dim: sgr(2, 22),
      red: sgr(31, 39),
      green: sgr(32, 39),
      yellow: sgr(33, 39),
      cyan: sgr(36, 39)
    }
    : { bold: same, dim: same, red: same, green: same, yellow: same, cyan: same }

// -----------------------------------------------------------------------------
// One safe line of a given width
// -----------------------------------------------------------------------------

const escapes = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-Z\\-_])/g

const controls = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * Text from the CLI or a tool made safe for one terminal line: escape sequences and control
 * characters removed (a command cannot clear the screen or move the cursor), runs of white space,
 * line breaks included, folded into one space.
 *
 * @internal
 */
export const oneLine = (text: string): string =>
  text.replace(escapes, "").replace(/\s+/g, " ").replace(controls, "").trim()

const isWide = (cp: number): boolean =>
  (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
  (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
  (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
  (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd)

const isZeroWidth = (cp: number): boolean =>
  (cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200d) || (cp >= 0xfe00 && cp <= 0xfe0f)

const charWidth = (cp: number): number => (isZeroWidth(cp) ? 0 : isWide(cp) ? 2 : 1)

/** Columns `text` (one line, no escape sequences) takes on a terminal. @internal */
export const width = (text: string): number => {
  let columns = 0
  for (const char of text) columns += charWidth(char.codePointAt(0)!)
  return columns
}

/** `text` cut to at most `columns` terminal columns, ending in `…` when cut. @internal */
export const fit = (text: string, columns: number): string => {
  if (width(text) <= columns) return text
  if (columns <= 0) return ""
  let out = ""
  let used = 0
  for (const char of text) {
    const w = charWidth(char.codePointAt(0)!)
    if (used + w > columns - 1) break
    out += char
    used += w
  }
  return out + "…"
}

// -----------------------------------------------------------------------------
// Tool calls
// -----------------------------------------------------------------------------

/** Input fields that say the most about a call, best first. */
const tellingKeys = [
  "command",
  "file_path",
  "notebook_path",
  "pattern",
  "url",
  "query",
  "path",
  "description",
  "prompt",
  "skill",
  "subject"
] as const

/**
 * A tool call as one line: its name and the most telling part of its input (`Bash: echo hello`,
 * `Read: src/index.ts`, `Grep: TODO in src`), or the name alone when the input says nothing short.
 *
 * @internal
 */
export const toolCall = (name: string, input: ClaudeEvent.JsonObject): string => {
  const text = (key: string): string | undefined => {
    const value = input[key]
    return typeof value === "string" && oneLine(value).length > 0 ? oneLine(value) : undefined
  }
  const key = tellingKeys.find((key) => text(key) !== undefined)
  let detail = key === undefined ? undefined : text(key)
  if (key === "pattern" && text("path") !== undefined) detail = `${detail} in ${text("path")}`
  if (detail === undefined) {
    const first = Object.values(input).find((value) => typeof value === "string" && oneLine(value).length > 0)
    detail = typeof first === "string" ? oneLine(first) : undefined
  }
  return detail === undefined ? oneLine(name) : `${oneLine(name)}: ${detail}`
}

/** The text of a `tool_result`'s content; blocks that are not text show as `[type]`. */
const resultText = (content: ClaudeEvent.ToolResultContent | undefined): string => {
  if (content === undefined) return ""
  if (typeof content === "string") return content
  return content.map((block) => (block.type === "text" ? block.text : `[${block.rawType}]`)).join("\n")
}

/**
 * What a tool returned, for one line: the first line of its output, the number of further lines,
 * or `(no output)`; marked `error:` when the tool failed.
 *
 * @internal
 */
export const toolResult = (
  content: ClaudeEvent.ToolResultContent | undefined,
  isError: boolean
): { readonly text: string; readonly more: string } => {
  const lines = resultText(content).split(/\r?\n/).map(oneLine)
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop()
  const first = lines.findIndex((line) => line.length > 0)
  const rest = first < 0 ? 0 : lines.length - first - 1
  const text = first < 0 ? "(no output)" : lines[first]!
  return { text: isError ? `error: ${text}` : text, more: rest > 0 ? ` (+${rest} line${rest === 1 ? "" : "s"})` : "" }
}

const CALL = "● "
const RESULT = "  ⎿ "

/**
 * What the screen shows for an event, besides the answer text: a line per tool call, per tool
 * result, per permission denial and per API retry, fitted to `columns`. `seen` remembers the
 * denied calls, whose error result repeats the denial and is not shown again.
 *
 * @internal
 */
export const notes = (
  event: ClaudeEvent.ClaudeEvent,
  seen: { readonly denied: Set<string> },
  s: Style,
  columns: number
): Array<string> => {
  const out: Array<string> = []
  const max = Math.max(10, columns - 1)
  switch (event._tag) {
    case "Assistant": {
      const indent = event.parent_tool_use_id ? "  " : ""
      for (const block of event.message.content) {
        if (block.type === "tool_use" || block.type === "server_tool_use") {
          const line = fit(toolCall(block.name, block.input), max - indent.length - CALL.length)
          const colon = line.indexOf(": ")
          const styled = colon < 0 ? s.bold(line) : s.bold(line.slice(0, colon)) + line.slice(colon)
          out.push(indent + s.cyan(CALL) + styled)
        }
      }
      break
    }
    case "User": {
      if (typeof event.message.content === "string") break
      const indent = event.parent_tool_use_id ? "  " : ""
      for (const block of event.message.content) {
        if (block.type !== "tool_result" || seen.denied.has(block.tool_use_id)) continue
        const isError = block.is_error === true
        const { more, text } = toolResult(block.content, isError)
        const line = fit(text, max - indent.length - RESULT.length - width(more)) + more
        out.push(indent + s.dim(RESULT) + (isError ? s.red(line) : s.dim(line)))
      }
      break
    }
    case "SystemPermissionDenied": {
      seen.denied.add(event.tool_use_id)
      const why = oneLine(event.message)
      const line = fit(`denied: ${why.length > 0 ? why : `${event.tool_name} needs permission`}`, max - RESULT.length)
      out.push(s.dim(RESULT) + s.yellow(line))
      break
    }
    case "SystemApiRetry": {
      const status = event.error_status === null ? "" : ` ${event.error_status}`
      const line = `! API error${status}: retrying in ${(event.retry_delay_ms / 1000).toFixed(1)}s ` +
        `(attempt ${event.attempt} of ${event.max_retries})`
      out.push(s.yellow(fit(line, max)))
      break
    }
    default:
      break
  }
  return out
}

// -----------------------------------------------------------------------------
// Status line
// -----------------------------------------------------------------------------

/** What the run is doing, for the status line. @internal */
export type Phase =
  | { readonly _tag: "Starting" }
  | { readonly _tag: "Waiting" }
  | { readonly _tag: "Thinking" }
  | { readonly _tag: "Writing" }
  | { readonly _tag: "Tool"; readonly name: string }
  | { readonly _tag: "Cancelling" }
  | { readonly _tag: "Finished" }

/** The phase after `event`. @internal */
export const nextPhase = (phase: Phase, event: ClaudeEvent.ClaudeEvent): Phase => {
  if (phase._tag === "Cancelling" || phase._tag === "Finished") return phase
  switch (event._tag) {
    case "SystemInit":
      return { _tag: "Waiting" }
    case "Assistant": {
      const blocks = event.message.content
      const tool = blocks.find((block) => block.type === "tool_use" || block.type === "server_tool_use")
      if (tool !== undefined && "name" in tool) return { _tag: "Tool", name: oneLine(tool.name) }
      if (blocks.some((block) => block.type === "thinking" || block.type === "redacted_thinking")) {
        return { _tag: "Thinking" }
      }
      return blocks.some((block) => block.type === "text") ? { _tag: "Writing" } : phase
    }
    case "User":
      return { _tag: "Waiting" }
    case "StreamEvent": {
      const payload = event.event
      if (payload.type === "content_block_start") {
        const block = payload.content_block
        if (block.type === "thinking" || block.type === "redacted_thinking") return { _tag: "Thinking" }
        if (block.type === "text") return { _tag: "Writing" }
      }
      return phase
    }
    case "Result":
      return { _tag: "Finished" }
    default:
      return phase
  }
}

/** The spinner's frames. @internal */
export const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"] as const

/** Milliseconds per spinner frame. @internal */
export const FRAME_MILLIS = 80

const phaseText = (phase: Phase): string => {
  switch (phase._tag) {
    case "Starting":
      return "Starting Claude Code"
    case "Waiting":
      return "Waiting for Claude"
    case "Thinking":
      return "Thinking"
    case "Writing":
      return "Writing"
    case "Tool":
      return `Running ${phase.name}`
    case "Cancelling":
      return "Cancelling: Claude Code is saving the session"
    case "Finished":
      return "Finishing"
  }
}

/**
 * The status line: spinner frame, what is going on and for how long, e.g.
 * `⠹ Waiting for Claude… 2.4s`, fitted to `columns`.
 *
 * @internal
 */
export const statusLine = (phase: Phase, elapsedMillis: number, s: Style, columns: number): string => {
  const frame = FRAMES[Math.floor(elapsedMillis / FRAME_MILLIS) % FRAMES.length]!
  const text = fit(`${phaseText(phase)}… ${(elapsedMillis / 1000).toFixed(1)}s`, Math.max(10, columns - 1) - 2)
  return `${s.cyan(frame)} ${s.dim(text)}`
}

// -----------------------------------------------------------------------------
// Summary
// -----------------------------------------------------------------------------

const count = (n: number): string => n.toLocaleString("en-US")

/**
 * The summary for a terminal, a few lines (each ending in a line break), e.g.
 *
 * ```
 * ✓ done in 2.3s · $0.0497 · tokens 12,259 in / 32 out / 0 cached
 *   session f121c0a2-da28-4814-af97-b2a28224f1d9
 *   resume: effect-claude-code --resume f121c0a2-da28-4814-af97-b2a28224f1d9 "..."
 * ```
 *
 * with a line for denied tool calls and how to allow them.
 *
 * @internal
 */
export const summaryBlock = (options: {
  readonly status: Status
  readonly result: ClaudeResult.ClaudeResult
  readonly elapsedMillis: number
  readonly cwd: string | undefined
}, s: Style): string => {
  const { result, status } = options
  const usage = result.usage
  const seconds = `${(options.elapsedMillis / 1000).toFixed(1)}s`
  const head = status === "done"
    ? s.green(`✓ done in ${seconds}`)
    : status === "failed"
    ? s.red(`✗ failed after ${seconds}`)
    : s.yellow(`■ cancelled after ${seconds}`)
  const write = usage.cacheCreationInputTokens > 0 ? ` / ${count(usage.cacheCreationInputTokens)} cache write` : ""
  const tokens = `tokens ${count(usage.inputTokens)} in / ${count(usage.outputTokens)} out / ` +
    `${count(usage.cacheReadInputTokens)} cached${write}`
  const lines = [`${head}${s.dim(` · $${result.costUsd.toFixed(4)} · ${tokens}`)}`]
  const denied = [...new Set(result.permissionDenials.map((denial) => oneLine(denial.toolName)))]
  if (denied.length > 0) {
    const calls = result.permissionDenials.length
    lines.push(s.yellow(
      `  ${calls} tool call${calls === 1 ? " was" : "s were"} denied (${denied.join(", ")}); ` +
        `allow with --allowed-tools ${denied.join(",")} or choose a --permission-mode`
    ))
  }
  if (result.sessionId !== undefined) {
    const cwd = options.cwd === undefined ? "" : ` --cwd ${shellQuote(options.cwd)}`
    lines.push(s.dim(`  session ${result.sessionId}`))
    lines.push(`  ${s.dim("resume:")} ${NAME} --resume ${result.sessionId}${cwd} "..."`)
  }
  return lines.map((line) => line + "\n").join("")
}
