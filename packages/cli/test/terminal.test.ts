import { assert, describe, it } from "@effect/vitest"
import { ClaudeEvent, ClaudeResult } from "effect-claude-code"
import * as Either from "effect/Either"
import { Display } from "../src/internal/screen.js"
import {
  fit,
  FRAMES,
  nextPhase,
  notes,
  oneLine,
  type Phase,
  statusLine,
  style,
  summaryBlock,
  toolCall,
  toolResult,
  useColour,
  width
} from "../src/internal/terminal.js"
import { fixtureLines } from "./utils/bin.js"

const plain = style(false)

const events = (name: string): Array<ClaudeEvent.ClaudeEvent> =>
  fixtureLines(name).flatMap((line, i) => {
    const decoded = ClaudeEvent.decodeLine(line, i + 1)
    if (Either.isLeft(decoded)) throw decoded.left
    return decoded.right._tag === "Diagnostic" ? [] : [decoded.right]
  })

/** Every note a run's events produce, in order. */
const allNotes = (name: string, columns = 100): Array<string> => {
  const seen = { denied: new Set<string>() }
  return events(name).flatMap((event) => notes(event, seen, plain, columns))
}

/**
 * Enough of a terminal to replay what the display writes: printable characters, `\r`, `\n`, and
 * the three sequences it uses (erase line, cursor up, cursor to column). Returns the screen's lines.
 */
const replay = (output: string): Array<string> => {
  const lines: Array<Array<string>> = [[]]
  let row = 0
  let col = 0
  for (let i = 0; i < output.length; i++) {
    const c = output[i]!
    if (c === "\r") col = 0
    else if (c === "\n") {
      row++
      col = 0
      if (lines[row] === undefined) lines[row] = []
    } else if (c === "\u001b") {
      const m = /^\u001b\[(\d*)([A-Za-z])/.exec(output.slice(i))
      if (m === null) throw new Error(`unexpected escape at ${i}: ${JSON.stringify(output.slice(i, i + 8))}`)
      const n = m[1] === "" ? 1 : Number(m[1])
      if (m[2] === "K") lines[row] = []
      else if (m[2] === "A") row = Math.max(0, row - n)
      else if (m[2] === "G") col = n - 1
      else if (m[2] !== "m") throw new Error(`unexpected sequence ${m[0]}`)
      i += m[0].length - 1
    } else {
      const line = lines[row]!
      while (line.length < col) line.push(" ")
      line[col++] = c
    }
  }
  return lines.map((line) => line.join("").trimEnd())
}

describe("colour", () => {
  it("only on a terminal, never with NO_COLOR or TERM=dumb; FORCE_COLOR forces it", () => {
    assert.isTrue(useColour({}, true))
    assert.isFalse(useColour({}, false))
    assert.isFalse(useColour({ NO_COLOR: "1" }, true))
    assert.isTrue(useColour({ NO_COLOR: "" }, true))
    assert.isFalse(useColour({ NO_COLOR: "1", FORCE_COLOR: "1" }, true))
    assert.isFalse(useColour({ TERM: "dumb" }, true))
    assert.isTrue(useColour({ FORCE_COLOR: "1" }, false))
    assert.isFalse(useColour({ FORCE_COLOR: "0" }, true))
    assert.strictEqual(style(true).red("x"), "\u001b[31mx\u001b[39m")
    assert.strictEqual(style(false).red("x"), "x")
  })
})

describe("one terminal line", () => {
  it("drops escape sequences and control characters and folds white space", () => {
    assert.strictEqual(
      oneLine("printf '\u001b[2J\u001b]0;title\u0007'\n  && echo\tdone\r\u0000\u009b"),
      "printf '' && echo done"
    )
  })

  it("fits text to a width in columns, wide characters counting two", () => {
    assert.strictEqual(width("日本語 ok"), 9)
    assert.strictEqual(fit("echo hello world", 10), "echo hell…")
    assert.strictEqual(fit("日本語です", 6), "日本…")
    assert.strictEqual(fit("short", 10), "short")
  })
})

describe("tool calls", () => {
  it("name and the most telling input", () => {
    assert.strictEqual(toolCall("Bash", { command: "echo hello", description: "Print hello" }), "Bash: echo hello")
    assert.strictEqual(toolCall("Read", { file_path: "/src/index.ts", limit: 10 }), "Read: /src/index.ts")
    assert.strictEqual(toolCall("Grep", { pattern: "TODO", path: "src" }), "Grep: TODO in src")
    assert.strictEqual(
      toolCall("WebFetch", { url: "https://example.com", prompt: "summary" }),
      "WebFetch: https://example.com"
    )
    assert.strictEqual(toolCall("mcp__srv__lookup", { id: 3, term: "ada" }), "mcp__srv__lookup: ada")
    assert.strictEqual(toolCall("TodoWrite", { todos: [] }), "TodoWrite")
  })

  it("a result as its first line and how many lines follow, errors marked", () => {
    assert.deepStrictEqual(toolResult("hello", false), { text: "hello", more: "" })
    assert.deepStrictEqual(toolResult("\na\nb\nc\n\n", false), { text: "a", more: " (+2 lines)" })
    assert.deepStrictEqual(toolResult([{ type: "text", text: "x\ny" }], false), { text: "x", more: " (+1 line)" })
    assert.deepStrictEqual(toolResult("", false), { text: "(no output)", more: "" })
    assert.deepStrictEqual(toolResult(undefined, true), { text: "error: (no output)", more: "" })
    assert.deepStrictEqual(toolResult("exit 1\nboom", true), { text: "error: exit 1", more: " (+1 line)" })
  })

  it("a run's tool call and its result", () => {
    assert.deepStrictEqual(allNotes("c_tool_default"), ["● Bash: echo hello", "  ⎿ hello"])
  })

  it("a denied call shows the denial once, not the error result that repeats it", () => {
    const lines = allNotes("c_tool_denied", 60)
    assert.deepStrictEqual(lines, [
      "● Bash: touch created_by_tool.txt",
      "  ⎿ denied: touch in '/home/dev/project/created_by_tool.tx…"
    ])
    assert.strictEqual(width(lines[1]!), 59)
  })

  it("calls inside a subagent are indented under the call that started it", () => {
    const [, , tool, result] = events("c_tool_default") as [
      unknown,
      unknown,
      ClaudeEvent.Assistant,
      ClaudeEvent.User
    ]
    const inside = { parent_tool_use_id: "toolu_task_1" }
    const seen = { denied: new Set<string>() }
    assert.deepStrictEqual(
      [
        ...notes(new ClaudeEvent.Assistant({ ...tool, ...inside }), seen, plain, 80),
        ...notes(new ClaudeEvent.User({ ...result, ...inside }), seen, plain, 80)
      ],
      ["  ● Bash: echo hello", "    ⎿ hello"]
    )
  })

  it("API retries", () => {
    const retry = new ClaudeEvent.SystemApiRetry({
      type: "system",
      subtype: "api_retry",
      attempt: 2,
      max_retries: 10,
      retry_delay_ms: 1500,
      error_status: 529
    })
    assert.deepStrictEqual(notes(retry, { denied: new Set() }, plain, 80), [
      "! API error 529: retrying in 1.5s (attempt 2 of 10)"
    ])
  })
})

describe("status line", () => {
  it("spinner frame, what is going on, elapsed time", () => {
    assert.strictEqual(
      statusLine({ _tag: "Waiting" }, 2430, plain, 80),
      `${FRAMES[30 % FRAMES.length]} Waiting for Claude… 2.4s`
    )
    assert.strictEqual(statusLine({ _tag: "Tool", name: "Bash" }, 0, plain, 80), `${FRAMES[0]} Running Bash… 0.0s`)
    assert.strictEqual(width(statusLine({ _tag: "Cancelling" }, 0, plain, 20)), 19)
  })

  it("follows the run: waiting, running a tool, waiting, writing, finished", () => {
    const phases = events("c_tool_default").reduce<Array<Phase>>(
      (acc, event) => [...acc, nextPhase(acc[acc.length - 1]!, event)],
      [{ _tag: "Starting" }]
    )
    assert.deepStrictEqual(phases.map((phase) => phase._tag), [
      "Starting",
      "Waiting",
      "Writing",
      "Tool",
      "Waiting",
      "Writing",
      "Finished"
    ])
  })
})

describe("summary", () => {
  it("cost, tokens, time, session and the command to resume", () => {
    const result = events("c_tool_denied").reduce(ClaudeResult.step, ClaudeResult.empty)
    assert.strictEqual(
      summaryBlock({ status: "done", result, elapsedMillis: 2345, cwd: "/my project" }, plain),
      "✓ done in 2.3s · $0.1011 · tokens 24,681 in / 118 out / 0 cached\n" +
        "  1 tool call was denied (Bash); allow with --allowed-tools Bash or choose a --permission-mode\n" +
        "  session 88246cd7-9fb4-4722-acf0-d3e51b804d88\n" +
        `  resume: effect-claude-code --resume 88246cd7-9fb4-4722-acf0-d3e51b804d88 --cwd '/my project' "..."\n`
    )
    const failed = summaryBlock(
      { status: "failed", result: ClaudeResult.empty, elapsedMillis: 100, cwd: undefined },
      plain
    )
    assert.strictEqual(failed, "✗ failed after 0.1s · $0.0000 · tokens 0 in / 0 out / 0 cached\n")
  })
})

describe("the display", () => {
  const make = (stdoutOnScreen: boolean) => {
    let screen = ""
    const display = new Display({
      write: (text) => {
        screen += text
      },
      stdoutOnScreen,
      style: plain,
      columns: () => 80
    })
    const answer = (text: string, now: number) => {
      display.beforeAnswer(text, now)
      if (stdoutOnScreen) screen += text
      display.afterAnswer()
    }
    return { display, answer, screen: () => screen }
  }

  it("status while waiting, erased before text and tool lines; no frame left behind", () => {
    const { answer, display, screen } = make(true)
    const [init, text1, tool, result, text2, end] = events("c_tool_default")
    display.tick(0, 0)
    assert.deepStrictEqual(replay(screen()), [`${FRAMES[0]} Starting Claude Code… 0.0s`])
    display.event(init!, 10)
    display.tick(400, 400)
    assert.deepStrictEqual(replay(screen()), [`${FRAMES[5]} Waiting for Claude… 0.4s`])
    answer("I will run a command.", 500)
    display.event(text1!, 500)
    display.tick(900, 900) // mid-line: no status
    display.event(tool!, 900)
    display.tick(1300, 1300) // below the tool line
    assert.deepStrictEqual(replay(screen()), [
      "I will run a command.",
      "",
      "● Bash: echo hello",
      `${FRAMES[16 % FRAMES.length]} Running Bash… 1.3s`
    ])
    display.event(result!, 1400)
    display.tick(1700, 1700)
    answer(`\n\nThe tool returned: "hello". Done.`, 1800)
    display.event(text2!, 1800)
    display.event(end!, 1800)
    display.tick(3000, 3000) // finished: no status
    answer("\n", 3000)
    display.finish()
    assert.deepStrictEqual(replay(screen()), [
      "I will run a command.",
      "",
      "● Bash: echo hello",
      "  ⎿ hello",
      "",
      `The tool returned: "hello". Done.`,
      ""
    ])
  })

  it("text right after a tool line starts after a blank line; finishing ends the last line", () => {
    const { answer, display, screen } = make(true)
    const [, , tool, result] = events("c_tool_default")
    display.event(tool!, 0)
    display.event(result!, 0)
    display.tick(500, 500)
    answer("Done.", 600)
    display.finish()
    assert.deepStrictEqual(replay(screen()), ["● Bash: echo hello", "  ⎿ hello", "", "Done.", ""])
  })

  it("with stdout elsewhere the status stays up while the answer is written", () => {
    const { answer, display, screen } = make(false)
    display.event(events("c_tool_default")[0]!, 0)
    answer("some text", 0)
    display.tick(300, 300)
    assert.deepStrictEqual(replay(screen()), [`${FRAMES[3]} Waiting for Claude… 0.3s`])
    display.cancelling()
    display.tick(400, 400)
    assert.deepStrictEqual(replay(screen()), [`${FRAMES[5]} Cancelling: Claude Code is saving the session… 0.4s`])
    display.finish()
    assert.deepStrictEqual(replay(screen()), [""])
  })
})
