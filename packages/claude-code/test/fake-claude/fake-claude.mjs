#!/usr/bin/env node
// The project's fake `claude`: produces what the real CLI cannot be made to produce on demand
// (crashes mid-line, hangs, ignored signals, garbage, huge lines). It accepts the real CLI's
// argv (`-p --output-format stream-json --verbose ... -- PROMPT`) and is steered by environment
// variables so tests can use the library exactly as users do:
//
//   FAKE_CLAUDE_MODE      what to do (see `modes` below), default "echo"
//   FAKE_CLAUDE_FIXTURE   a .ndjson file to replay (mode "fixture")
//   FAKE_CLAUDE_EXIT      exit code after replaying (default 0)
//   FAKE_CLAUDE_ARGV_FILE write the received argv as JSON to this file
//   FAKE_CLAUDE_PID_FILE  write the pid to this file (for grandchild / parent-death tests)
//   FAKE_CLAUDE_GRANDCHILD_PID_FILE  modes "grandchild*": write the grandchild's pid to this file
//   FAKE_CLAUDE_SIZE      bytes for "big-line" (default 50 MiB) and "big-result" (default 100 MiB),
//                         deltas for "deltas" (default 20000), the grandchild's lifetime in ms for
//                         "grandchild-detached-no-result" (default 60000)
//   FAKE_CLAUDE_ENV_FILE  write the received environment as JSON to this file
//   FAKE_CLAUDE_REPORT_FILE  mode "sigint-report": where to write how its last writes went
//   FAKE_CLAUDE_COUNT_FILE   mode "rate-limited": counts the runs (shared by the retries of a test)
//   FAKE_CLAUDE_REJECTIONS   mode "rate-limited": how many runs are rejected before one answers (default 1)
//   FAKE_CLAUDE_RESETS_AT    mode "rate-limited": the rejected rate_limit_event's resetsAt (Unix seconds)
//
// Every mode that keeps running writes its `system/init` line first, so a test can wait for
// that event instead of sleeping.
import { spawn } from "node:child_process"
import * as fs from "node:fs"

const argv = process.argv.slice(2)
const env = process.env
if (env.FAKE_CLAUDE_ARGV_FILE) fs.writeFileSync(env.FAKE_CLAUDE_ARGV_FILE, JSON.stringify(argv))
if (env.FAKE_CLAUDE_PID_FILE) fs.writeFileSync(env.FAKE_CLAUDE_PID_FILE, String(process.pid))
if (env.FAKE_CLAUDE_ENV_FILE) fs.writeFileSync(env.FAKE_CLAUDE_ENV_FILE, JSON.stringify(process.env))

const sep = argv.indexOf("--")
const flag = (name) => {
  const i = argv.indexOf(name)
  return i >= 0 && (sep < 0 || i < sep) ? argv[i + 1] : undefined
}
const sessionId = flag("--session-id") ?? flag("--resume") ?? "00000000-0000-4000-8000-000000000001"
const model = flag("--model") ?? "claude-fake-1"

let batch // while set (see `together`), lines are collected here instead of written
const out = (obj) => {
  const line = JSON.stringify(obj) + "\n"
  if (batch !== undefined) batch += line
  else process.stdout.write(line)
}
/** Writes the lines `write` produces in one write, so that no reader sees some of them before the others are written. */
const together = (write) => {
  batch = ""
  write()
  const text = batch
  batch = undefined
  process.stdout.write(text)
}
const init = () =>
  out({
    type: "system",
    subtype: "init",
    cwd: process.cwd(),
    session_id: sessionId,
    tools: ["Bash"],
    mcp_servers: [],
    model,
    permissionMode: flag("--permission-mode") ?? "default",
    slash_commands: [],
    apiKeySource: "none",
    claude_code_version: "0.0.0-fake",
    output_style: "default",
    uuid: "10000000-0000-4000-8000-000000000000"
  })
const assistant = (text, id = "msg_fake_1") =>
  out({
    type: "assistant",
    message: {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text }],
      stop_reason: null,
      usage: { input_tokens: 3, output_tokens: 5 }
    },
    parent_tool_use_id: null,
    session_id: sessionId,
    uuid: "20000000-0000-4000-8000-000000000000"
  })
const result = (text, extra = {}) =>
  out({
    type: "result",
    subtype: "success",
    is_error: false,
    duration_ms: 12,
    duration_api_ms: 10,
    num_turns: 1,
    result: text,
    stop_reason: "end_turn",
    session_id: sessionId,
    total_cost_usd: 0.0001,
    usage: { input_tokens: 3, output_tokens: 5, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    modelUsage: {},
    permission_denials: [],
    terminal_reason: "completed",
    uuid: "30000000-0000-4000-8000-000000000000",
    ...extra
  })
const forever = () => setInterval(() => {}, 1 << 30)
const readStdin = () => {
  try {
    return fs.readFileSync(0, "utf8")
  } catch {
    return ""
  }
}
const prompt = () => (sep >= 0 ? argv[sep + 1] : undefined) ?? readStdin()

const modes = {
  // Answer with the prompt itself (or what stdin carried), so tests can check it arrived intact.
  echo() {
    const text = prompt()
    init()
    assistant(text)
    result(text)
  },
  fixture() {
    process.stdout.write(fs.readFileSync(env.FAKE_CLAUDE_FIXTURE))
    process.exitCode = Number(env.FAKE_CLAUDE_EXIT ?? 0)
  },
  // Like the real CLI: on SIGINT write the interrupted turn's events and exit 0.
  "wait-for-sigint"() {
    // The handler goes first: a test may send SIGINT as soon as it sees the lines below.
    process.on("SIGINT", () => {
      out({
        type: "user",
        message: { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] },
        parent_tool_use_id: null,
        session_id: sessionId,
        uuid: "40000000-0000-4000-8000-000000000000"
      })
      result("", {
        subtype: "error_during_execution",
        is_error: true,
        terminal_reason: "aborted_streaming",
        errors: []
      })
      process.exit(0)
    })
    init()
    assistant("partial answer")
    forever()
  },
  // Like "wait-for-sigint", but on SIGINT it checks that its last lines could still be written
  // (nobody may be consuming the events any more, yet stdout must stay open until it exits) and
  // writes "ok" or the write error's code to FAKE_CLAUDE_REPORT_FILE before exiting.
  "sigint-report"() {
    // The handler goes first: a test may send SIGINT as soon as it sees the lines below.
    process.on("SIGINT", () => {
      let reported = false
      const report = (what) => {
        if (reported) return
        reported = true
        fs.writeFileSync(env.FAKE_CLAUDE_REPORT_FILE, what)
        process.exit(0)
      }
      process.stdout.on("error", (error) => report(error.code ?? String(error)))
      // More than a pipe buffer, so the write only completes if someone reads it.
      const text = "interrupted ".repeat(20000)
      process.stdout.write(JSON.stringify({ type: "unknown_after_sigint", text }) + "\n")
      process.stdout.write(
        JSON.stringify({
          type: "result",
          subtype: "error_during_execution",
          is_error: true,
          duration_ms: 12,
          duration_api_ms: 10,
          num_turns: 1,
          session_id: sessionId,
          total_cost_usd: 0,
          usage: { input_tokens: 0, output_tokens: 0 },
          modelUsage: {},
          permission_denials: [],
          terminal_reason: "aborted_streaming",
          errors: []
        }) + "\n",
        (error) => report(error ? error.code ?? String(error) : "ok")
      )
    })
    // One write: the test kills the parent as soon as it has seen `init`; a second write could
    // come after that (this process descheduled between the two) and fail with EPIPE before any
    // SIGINT, crashing this process.
    together(() => {
      init()
      assistant("partial answer")
    })
    forever()
  },
  "crash-mid-line"() {
    init()
    process.stdout.write(
      "{\"type\":\"assistant\",\"message\":{\"id\":\"msg_cut\",\"content\":[{\"type\":\"te",
      () => process.kill(process.pid, "SIGSEGV")
    )
  },
  "exit-no-result"() {
    init()
    process.stderr.write("fatal: something went wrong in the fake\n")
    process.exitCode = 3
  },
  "result-then-hang"() {
    init()
    assistant("done")
    result("done")
    forever()
  },
  "ignore-signals"() {
    for (const s of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(s, () => {})
    init()
    forever()
  },
  silent() {
    forever()
  },
  "init-then-silent"() {
    init()
    forever()
  },
  // FAKE_CLAUDE_SIZE text deltas (default 20000), numbered: "0,", "1,", ... as fast as the
  // output takes them (--include-partial-messages output), then the assistant line and the result.
  deltas() {
    const count = Number(env.FAKE_CLAUDE_SIZE ?? 20000)
    init()
    const parts = []
    let lines = ""
    for (let i = 0; i < count; i++) {
      parts.push(`${i},`)
      lines += JSON.stringify({
        type: "stream_event",
        event: { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: `${i},` } },
        session_id: sessionId,
        parent_tool_use_id: null,
        uuid: `40000000-0000-4000-8000-${String(i).padStart(12, "0")}`
      }) + "\n"
      if (lines.length >= 65536) {
        process.stdout.write(lines)
        lines = ""
      }
    }
    process.stdout.write(lines)
    const text = parts.join("")
    assistant(text)
    result(text)
  },
  "big-line"() {
    const size = Number(env.FAKE_CLAUDE_SIZE ?? 50 * 1024 * 1024)
    const text = "x".repeat(size)
    init()
    assistant(text)
    result(text)
  },
  // One line of FAKE_CLAUDE_SIZE characters: the result alone.
  "big-result"() {
    init()
    result("y".repeat(Number(env.FAKE_CLAUDE_SIZE ?? 100 * 1024 * 1024)))
  },
  "unknown-option"() {
    process.stderr.write(`error: unknown option '${argv.find((a) => a.startsWith("--bogus")) ?? "--bogus"}'\n`)
    process.exitCode = 1
  },
  // Closes its output (stdout, stderr, and on a terminal every descriptor of it) and lives on.
  "close-output"() {
    init()
    const targets = new Set([1, 2].map((fd) => fs.readlinkSync(`/proc/self/fd/${fd}`)))
    for (const fd of fs.readdirSync("/proc/self/fd")) {
      let target
      try {
        target = fs.readlinkSync(`/proc/self/fd/${fd}`)
      } catch {
        continue
      }
      if (targets.has(target)) fs.closeSync(Number(fd))
    }
    forever()
  },
  // Like "grandchild", but the leader exits with code 3 without a result.
  "grandchild-no-result"() {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "inherit" })
    if (env.FAKE_CLAUDE_GRANDCHILD_PID_FILE) fs.writeFileSync(env.FAKE_CLAUDE_GRANDCHILD_PID_FILE, String(child.pid))
    child.unref()
    init()
    process.exitCode = 3
  },
  // Like "grandchild-no-result", but the grandchild leaves the process group (a new session):
  // killing the CLI's group does not reach it. It exits on its own after FAKE_CLAUDE_SIZE ms
  // (default 60000), so that a test that forgets it leaves nothing for long.
  "grandchild-detached-no-result"() {
    const lifetime = Number(env.FAKE_CLAUDE_SIZE ?? 60000)
    const child = spawn(process.execPath, ["-e", `setTimeout(() => {}, ${lifetime})`], {
      stdio: "inherit",
      detached: true
    })
    if (env.FAKE_CLAUDE_GRANDCHILD_PID_FILE) fs.writeFileSync(env.FAKE_CLAUDE_GRANDCHILD_PID_FILE, String(child.pid))
    child.unref()
    init()
    process.exitCode = 3
  },
  // Rejected for rate limits (a rejected rate_limit_event, the synthetic API error message and a
  // 429 result, exit 1) for the first FAKE_CLAUDE_REJECTIONS runs counted in FAKE_CLAUDE_COUNT_FILE,
  // then answers like "echo".
  "rate-limited"() {
    const file = env.FAKE_CLAUDE_COUNT_FILE
    const count = file && fs.existsSync(file) ? Number(fs.readFileSync(file, "utf8")) : 0
    if (file) fs.writeFileSync(file, String(count + 1))
    if (count >= Number(env.FAKE_CLAUDE_REJECTIONS ?? 1)) return modes.echo()
    init()
    out({
      type: "rate_limit_event",
      rate_limit_info: {
        status: "rejected",
        ...(env.FAKE_CLAUDE_RESETS_AT ? { resetsAt: Number(env.FAKE_CLAUDE_RESETS_AT) } : {}),
        rateLimitType: "five_hour",
        isUsingOverage: false
      },
      session_id: sessionId,
      uuid: "50000000-0000-4000-8000-000000000000"
    })
    out({
      type: "assistant",
      message: {
        id: "msg_fake_rate_limited",
        type: "message",
        role: "assistant",
        model: "<synthetic>",
        content: [{ type: "text", text: "API Error: Request rejected (429) · Rate limited" }],
        stop_reason: "stop_sequence",
        usage: { input_tokens: 0, output_tokens: 0 }
      },
      parent_tool_use_id: null,
      session_id: sessionId,
      error: "rate_limit",
      is_api_error_message: true,
      api_error_status: 429
    })
    result("API Error: Request rejected (429) · Rate limited", {
      is_error: true,
      total_cost_usd: 0,
      usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      terminal_reason: "api_error",
      api_error_status: 429
    })
    process.exitCode = 1
  },
  // Two tool calls (Bash succeeds, Read fails) and their results, then an answer; the result
  // reports cache tokens too.
  tools() {
    init()
    const toolUse = (id, name, input) =>
      out({
        type: "assistant",
        message: {
          id: `msg_${id}`,
          type: "message",
          role: "assistant",
          model,
          content: [{ type: "tool_use", id, name, input }],
          stop_reason: null,
          usage: { input_tokens: 3, output_tokens: 5 }
        },
        parent_tool_use_id: null,
        session_id: sessionId
      })
    const toolResult = (id, content, isError) =>
      out({
        type: "user",
        message: { role: "user", content: [{ type: "tool_result", tool_use_id: id, content, is_error: isError }] },
        parent_tool_use_id: null,
        session_id: sessionId
      })
    toolUse("toolu_fake_bash", "Bash", { command: "echo secret-tool-input" })
    toolResult("toolu_fake_bash", "secret-tool-input", false)
    toolUse("toolu_fake_read", "Read", { file_path: "/nonexistent" })
    toolResult("toolu_fake_read", "File does not exist.", true)
    assistant("done with tools", "msg_fake_2")
    result("done with tools", {
      num_turns: 3,
      total_cost_usd: 0.0125,
      usage: { input_tokens: 120, output_tokens: 45, cache_read_input_tokens: 800, cache_creation_input_tokens: 64 }
    })
  },
  // Leaves a grandchild that holds the terminal open after the leader exits.
  grandchild() {
    const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1 << 30)"], { stdio: "inherit" })
    if (env.FAKE_CLAUDE_GRANDCHILD_PID_FILE) fs.writeFileSync(env.FAKE_CLAUDE_GRANDCHILD_PID_FILE, String(child.pid))
    child.unref()
    init()
    assistant("bye")
    result("bye")
  }
}

const mode = env.FAKE_CLAUDE_MODE ?? "echo"
if (!(mode in modes)) {
  process.stderr.write(`fake-claude: unknown FAKE_CLAUDE_MODE ${mode}\n`)
  process.exit(2)
}
modes[mode]()
