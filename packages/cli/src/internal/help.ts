/**
 * `--help`: every flag with a one-line explanation, what a terminal shows, examples and the exit
 * codes, laid out for the terminal's width. (@effect/cli's generated help spends four lines on
 * each flag, most of them saying "A user-defined piece of text." and "This setting is optional.")
 */
import * as ExitCode from "../ExitCode.js"
import { NAME } from "./render.js"
import type { Style } from "./terminal.js"
import { width } from "./terminal.js"

/** A flag as the help lists it: how it is written and what it does. @internal */
export interface Flag {
  readonly usage: string
  readonly text: string
}

/**
 * The flags, in the order the help lists them; the command's options take their descriptions
 * from here. @internal
 */
export const flags = {
  claude: { usage: "--claude PATH", text: "the Claude Code executable (default: claude on PATH)" },
  cwd: { usage: "--cwd DIR", text: "the project Claude works in (default: the current directory)" },
  model: { usage: "--model MODEL", text: "the model: an alias like sonnet or opus, or a full model name" },
  resume: { usage: "--resume ID", text: "continue the session with this id (every run prints its id)" },
  continue: { usage: "--continue", text: "continue the most recent session of the working directory" },
  forkSession: { usage: "--fork-session", text: "with --resume or --continue: branch off under a new session id" },
  sessionId: { usage: "--session-id UUID", text: "the id of the new session" },
  partial: { usage: "--partial", text: "stream the answer in small pieces as it is generated" },
  maxTurns: { usage: "--max-turns N", text: "stop after N agentic turns (exit code 1)" },
  permissionMode: {
    usage: "--permission-mode MODE",
    text: "default, acceptEdits, auto, bypassPermissions, manual, dontAsk, plan"
  },
  allowedTools: {
    usage: "--allowed-tools TOOLS",
    text: "tools allowed without asking, e.g. Read,Grep or \"Bash(git log:*)\""
  },
  disallowedTools: {
    usage: "--disallowed-tools TOOLS",
    text: "tools that are refused (same syntax; both flags repeatable)"
  },
  systemPrompt: { usage: "--system-prompt TEXT", text: "replace the default system prompt" },
  appendSystemPrompt: { usage: "--append-system-prompt TEXT", text: "append to the default system prompt" },
  transport: {
    usage: "--transport pty|pipe",
    text: "run Claude Code in a pseudo-terminal (default) or over plain pipes"
  },
  idleTimeout: {
    usage: "--idle-timeout SECONDS",
    text: "stop when Claude Code writes nothing for this long (exit code 4)"
  },
  output: {
    usage: "--output text|events|json",
    text: "text (default), events (a JSON line per event) or json (the result)"
  },
  record: { usage: "--record FILE", text: "also save Claude Code's raw output (NDJSON) to FILE" }
} as const satisfies Record<string, Flag>

/** Flags @effect/cli adds to every command. */
const builtIn: ReadonlyArray<Flag> = [
  { usage: "-h, --help", text: "show this help and exit" },
  { usage: "--version", text: "print the version and exit" },
  { usage: "--completions SHELL", text: "print a completion script for sh, bash, fish or zsh" },
  { usage: "--log-level LEVEL", text: "show the library's log messages from LEVEL on (debug, info, ...)" },
  { usage: "--wizard", text: "build the command line interactively" }
]

const examples: ReadonlyArray<readonly [command: string, comment: string]> = [
  [`${NAME} "What does this project do?"`, ""],
  [`${NAME} --cwd ~/src/app --allowed-tools Read,Grep --partial "Find the config loader"`, ""],
  [`git diff | ${NAME} --append-system-prompt "Be terse." -`, "the prompt from stdin"],
  [`${NAME} --output json "Summarise README.md" | jq -r .text`, ""],
  [`${NAME} --resume 0b1c2d3e-... "And now the tests"`, "continue a session"],
  [`${NAME} --record run.ndjson "Fix the build"`, "keep the raw output"],
  [`${NAME} -- "--verbose: what does it do?"`, "a prompt that starts with -"]
]

/** Breaks `text` into lines of at most `columns` columns, at spaces. */
const wrap = (text: string, columns: number): Array<string> => {
  const lines: Array<string> = []
  let line = ""
  for (const word of text.split(" ")) {
    if (line.length > 0 && width(line) + 1 + width(word) > columns) {
      lines.push(line)
      line = word
    } else line = line.length === 0 ? word : `${line} ${word}`
  }
  if (line.length > 0) lines.push(line)
  return lines
}

/** A two-column table: `left` padded to one width, `right` wrapped beside it. */
const table = (rows: ReadonlyArray<readonly [string, string]>, columns: number, s: Style): Array<string> => {
  const leftWidth = Math.max(...rows.map(([left]) => width(left))) + 2
  const rightWidth = Math.max(24, columns - 2 - leftWidth)
  return rows.flatMap(([left, right]) => {
    const [first = "", ...rest] = wrap(right, rightWidth)
    const pad = " ".repeat(leftWidth - width(left))
    return [`  ${s.bold(left)}${pad}${first}`, ...rest.map((line) => `  ${" ".repeat(leftWidth)}${line}`)]
  })
}

const paragraph = (text: string, columns: number): Array<string> => wrap(text, columns - 2).map((line) => `  ${line}`)

/**
 * The help text for a terminal `columns` wide (each line ends in a line break).
 *
 * @internal
 */
export const helpText = (version: string, columns: number, s: Style): string => {
  const cols = Math.max(40, columns)
  const heading = (text: string) => ["", s.bold(text)]
  const lines = [
    `${s.bold(NAME)} ${version}: run one prompt through Claude Code and print the answer as it arrives.`,
    ...heading("USAGE"),
    `  ${NAME} [options] [--] PROMPT`,
    ...paragraph(
      "PROMPT is one argument; - reads it from stdin; after -- it may start with -.",
      cols
    ),
    ...heading("OPTIONS"),
    ...table([...Object.values(flags), ...builtIn].map((flag) => [flag.usage, flag.text] as const), cols, s),
    ...heading("ON A TERMINAL"),
    ...paragraph(
      "With --output text, stderr shows a status line while Claude works, each tool call and a line of its " +
        "result, and at the end a summary: cost, tokens, time, the session id and the command to resume it. " +
        "stdout gets the answer alone, so it can be piped. Ctrl-C cancels gracefully: the session is saved " +
        "and its id printed. Colour only on a terminal; NO_COLOR turns it off.",
      cols
    ),
    ...heading("EXAMPLES"),
    ...examples.map(([command, comment]) => `  ${command}${comment.length > 0 ? s.dim(`   # ${comment}`) : ""}`),
    ...heading("EXIT CODES"),
    ...table(ExitCode.descriptions.map(([code, text]) => [String(code), text] as const), cols, s)
  ]
  return lines.map((line) => line + "\n").join("")
}
