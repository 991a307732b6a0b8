#!/usr/bin/env node
// The benchmark's fake `claude`: emits a realistic `--include-partial-messages` stream as fast as
// the pipe (or terminal) takes it. Every line is shaped like the real CLI 2.1.330's lines
// (shared/fixtures/claude-code-2.1.330/b_partial.ndjson: same keys, same order, same sizes), with
// deterministic content so every contestant must arrive at the same text, session id and cost.
//
// One turn: system/init, system/status, stream_event message_start, content_block_start, N
// content_block_delta text_deltas, the assistant line (the whole text), content_block_stop,
// message_delta, message_stop, then result (whose `result` is the whole text). With BENCH_BLOCK=K
// the N deltas are split over ceil(N/K) messages of K deltas, each with its own framing and
// assistant line (what a long agentic run looks like; keeps every line small for the
// streaming-memory figure); `result` then carries the last message's text, as the real CLI does.
//
// It speaks both sides the real CLI speaks:
// - `-p ... -- PROMPT` (text input, what effect-claude-code sends): one turn, then exit 0;
// - `--input-format stream-json` (what the Agent SDK sends): reads stdin lines, answers every
//   `control_request` with a `control_response`, runs one turn per `user` line, exits when stdin
//   closes.
//
// Environment:
//   BENCH_EVENTS          N, text deltas per turn (default 1000)
//   BENCH_DELTA_SIZE      characters per delta (default 12, like the real ones)
//   BENCH_BLOCK           deltas per message (default 0: all N in one message)
//   BENCH_MODE            "run" (default) or "wait": write init, message_start, content_block_start
//                         and BENCH_WAIT_DELTAS deltas, then wait; on SIGINT write what the real
//                         CLI writes after an interrupt (aborted assistant, "[Request interrupted by
//                         user]", block/message stop, result error_during_execution /
//                         aborted_streaming) and exit 0
//   BENCH_WAIT_DELTAS     deltas written before waiting (default 10)
//   BENCH_SIGINT_DELAY_MS extra delay between SIGINT and the final lines (default 0; the real CLI
//                         takes ~55 ms)
//   BENCH_TIMING_FILE     "wait" mode: JSON {pid, sigint, exit} (epoch ms, sub-ms precision)
//                         written at start and again at exit
import * as fs from "node:fs"

const env = process.env
const int = (value, fallback) => {
  const n = value === undefined || value === "" ? fallback : Number(value)
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`fake-claude-bench: bad number ${JSON.stringify(value)}\n`)
    process.exit(2)
  }
  return n
}
const N = int(env.BENCH_EVENTS, 1000)
const SIZE = Math.max(1, int(env.BENCH_DELTA_SIZE, 12))
const BLOCK = int(env.BENCH_BLOCK, 0) || Math.max(N, 1)
const MODE = env.BENCH_MODE ?? "run"
const WAIT_DELTAS = int(env.BENCH_WAIT_DELTAS, 10)
const SIGINT_DELAY = int(env.BENCH_SIGINT_DELAY_MS, 0)
const TIMING_FILE = env.BENCH_TIMING_FILE

const argv = process.argv.slice(2)
const sep = argv.indexOf("--")
const flags = sep < 0 ? argv : argv.slice(0, sep)
const flag = (name) => {
  const i = flags.indexOf(name)
  return i >= 0 ? flags[i + 1] : undefined
}
const streamJsonInput = flag("--input-format") === "stream-json"
const partial = flags.includes("--include-partial-messages")
if (flag("--output-format") !== "stream-json" || !flags.includes("--verbose")) {
  process.stderr.write("Error: this fake only speaks --output-format stream-json --verbose\n")
  process.exit(1)
}

const hex = (n, width) => n.toString(16).padStart(width, "0")
const SESSION_ID = flag("--session-id") ?? `be4c0000-0000-4000-8000-${hex(N, 12)}`
const MODEL = flag("--model") ?? "claude-opus-5-5"
/** The total cost the result reports: deterministic, a function of N, not a round number. */
const COST = 0.049676000000000005 + N * 0.000015
let uuidCounter = 0
const uuid = () => `6c7d2bcd-3b36-4641-9cce-${hex(++uuidCounter, 12)}`
const messageId = (m) => `msg_mock_e20cdd956ba826e6${hex(m, 8)}`

// The real init and result lines (b_partial.ndjson); session id, cwd, cost and text are replaced.
const INIT = {
  "type": "system",
  "subtype": "init",
  "cwd": "/home/dev/project",
  "session_id": "ed725312-ae13-4870-b586-518560784c6d",
  "tools": [
    "Task",
    "Bash",
    "CronCreate",
    "CronDelete",
    "CronList",
    "Edit",
    "EnterWorktree",
    "ExitWorktree",
    "ListAgents",
    "Monitor",
    "NotebookEdit",
    "Read",
    "ReportFindings",
    "ScheduleWakeup",
    "SendMessage",
    "Skill",
    "TaskStop",
    "ToolSearch",
    "WebFetch",
    "WebSearch",
    "Workflow",
    "Write"
  ],
  "mcp_servers": [],
  "model": "claude-opus-5-5",
  "permissionMode": "default",
  "slash_commands": [
    "deep-research",
    "dataviz",
    "update-config",
    "verify",
    "debug",
    "code-review",
    "simplify",
    "batch",
    "fewer-permission-prompts",
    "doctor",
    "loop",
    "claude-api",
    "workflow-authoring",
    "run",
    "run-skill-generator",
    "plugin-authoring",
    "agents",
    "auto-mode-setup",
    "autocompact",
    "clear",
    "color",
    "compact",
    "config",
    "output-style",
    "context",
    "effort",
    "fast",
    "focus",
    "heapdump",
    "init",
    "mcp",
    "model",
    "__remote-workflow",
    "workflow-launch-exec",
    "reload-plugins",
    "reload-skills",
    "rename",
    "security-review",
    "usage",
    "insights",
    "recap",
    "goal",
    "list-agents",
    "team-onboarding"
  ],
  "terminal_slash_commands": ["doctor", "color", "focus", "reload-plugins"],
  "apiKeySource": "ANTHROPIC_API_KEY",
  "claude_code_version": "2.1.330",
  "output_style": "default",
  "agents": ["claude", "Explore", "general-purpose", "Plan", "statusline-setup"],
  "skills": [
    "deep-research",
    "dataviz",
    "update-config",
    "verify",
    "debug",
    "code-review",
    "simplify",
    "batch",
    "fewer-permission-prompts",
    "doctor",
    "loop",
    "claude-api",
    "workflow-authoring",
    "run",
    "run-skill-generator",
    "plugin-authoring"
  ],
  "plugins": [{ "name": "cc-plugin-agents-md", "path": "builtin", "source": "cc-plugin-agents-md@builtin" }, {
    "name": "cc-plugin-privacy",
    "path": "builtin",
    "source": "cc-plugin-privacy@builtin"
  }, { "name": "cc-plugin-plugin-authoring", "path": "builtin", "source": "cc-plugin-plugin-authoring@builtin" }],
  "capabilities": [
    "interrupt_receipt_v1",
    "interrupt_cancel_queued_v1",
    "interrupt_send_now_v1",
    "interrupt_requeue_taken_v1",
    "msg_lifecycle_v1",
    "request_marker_lists_v1",
    "ask_user_question_unanswered_v1",
    "lifecycle_wakeup_source_v1",
    "sdk_mcp_tools_list_changed",
    "sdk_mcp_manifests",
    "mcp_read_resource_v1",
    "mcp_tool_ui_meta_v1",
    "ui_surface_v1",
    "mcp_call_result_not_for_model_v1",
    "mcp_call_check_permissions_v1",
    "voice_call_talk_line_v1",
    "withdrawn_files_note_v2",
    "withdrawn_tools_v1",
    "ui_pane_widget_v1",
    "reload_plugins_refuse_if_busy_v1",
    "get_usage_detached_v1",
    "silent_resend_files_v1"
  ],
  "analytics_disabled": true,
  "product_feedback_disabled": true,
  "served_by_anthropic": false,
  "uuid": "63a024d8-ac62-4b65-8015-9d8ab94e5c76",
  "memory_paths": { "auto": "/home/dev/.claude/projects/-home-dev-project/memory/" },
  "original_cwd": "/home/dev/project",
  "additional_directories": [],
  "messaging_socket_path": "/tmp/cc-socks/12345.sock",
  "fast_mode_state": "off",
  "fast_mode_disabled_reason": "sdk_opt_in_required",
  "per_turn_effort_active": true,
  "ultrathink_available": false,
  "ultrathink_typed_raises": false,
  "view_mode": "default"
}
const RESULT = {
  "duration_api_ms": 213,
  "stop_reason": "end_turn",
  "session_id": "ed725312-ae13-4870-b586-518560784c6d",
  "total_cost_usd": 0.049676000000000005,
  "usage": {
    "input_tokens": 12259,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 0,
    "output_tokens": 32,
    "output_tokens_details": { "thinking_tokens": 0 },
    "server_tool_use": { "web_search_requests": 0, "web_fetch_requests": 0 },
    "service_tier": "standard",
    "cache_creation": { "ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0 },
    "inference_geo": "",
    "iterations": [],
    "speed": "standard",
    "fallback_credit": null
  },
  "modelUsage": {
    "claude-opus-5-5": {
      "inputTokens": 12259,
      "outputTokens": 32,
      "cacheReadInputTokens": 0,
      "cacheCreationInputTokens": 0,
      "webSearchRequests": 0,
      "costUSD": 0.049676000000000005,
      "contextWindow": 1000000,
      "maxOutputTokens": 128000,
      "thinkingTokens": 0,
      "cacheCreationEphemeral5mInputTokens": 0,
      "cacheCreationEphemeral1hInputTokens": 0,
      "canonicalModel": "claude-opus-5-5",
      "provider": "firstParty",
      "costBasis": "list"
    }
  },
  "permission_denials": [],
  "terminal_reason": "completed",
  "fast_mode_state": "off",
  "fast_mode_disabled_reason": "sdk_opt_in_required",
  "subagent_stats": {
    "spawned": 0,
    "requested": { "background": 0, "foreground": 0, "unset": 0 },
    "started_in_background": 0,
    "max_depth": 0,
    "spawned_by_subagents": 0,
    "completed": 0,
    "failed": 0,
    "killed": { "parent": 0, "user": 0, "system": 0 },
    "refused": { "depth_limit": 0, "concurrency_limit": 0, "budget": 0 },
    "by_type": {}
  },
  "safety_stops": 0,
  "is_error": false,
  "num_turns": 1,
  "subtype": "success",
  "api_error_status": null,
  "result": "Hi from mock API. I saw 2 message(s) (1 user); your last message was 6 chars and began \"say hi\".",
  "ttft_ms": 446,
  "type": "result",
  "duration_ms": 520,
  "uuid": "aba040f4-8ecf-4b35-a4bd-5c6dc86fb9dd",
  "begun_message_ids": ["msg_mock_e20cdd956ba826e64be7c423"],
  "ttft_stream_ms": 311,
  "time_to_request_ms": 270,
  "first_content_frame_ms": 312,
  "queued_turn_count": 0,
  "result_index": 0,
  "model_usage_since_last_result": {
    "claude-opus-5-5": {
      "inputTokens": 12259,
      "outputTokens": 32,
      "cacheReadInputTokens": 0,
      "cacheCreationInputTokens": 0,
      "webSearchRequests": 0,
      "costUSD": 0.049676000000000005,
      "contextWindow": 1000000,
      "maxOutputTokens": 128000,
      "thinkingTokens": 0,
      "cacheCreationEphemeral5mInputTokens": 0,
      "cacheCreationEphemeral1hInputTokens": 0,
      "canonicalModel": "claude-opus-5-5",
      "provider": "firstParty",
      "costBasis": "list"
    }
  }
}

// -----------------------------------------------------------------------------------------------
// Output: lines are batched into ~128 KiB writes, written synchronously (the fake does nothing
// else meanwhile), so the consumer is the bottleneck.
// -----------------------------------------------------------------------------------------------

const isTTY = fs.fstatSync(1).isCharacterDevice()
let batch = []
let batchChars = 0
const sleepBuffer = new Int32Array(new SharedArrayBuffer(4))
const writeAll = (text) => {
  const bytes = Buffer.from(text, "utf8")
  let offset = 0
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(1, bytes, offset)
    } catch (error) {
      if (error.code === "EAGAIN") Atomics.wait(sleepBuffer, 0, 0, 1)
      else if (error.code === "EPIPE" || error.code === "EIO") process.exit(0)
      else throw error
    }
  }
}
const flush = () => {
  if (batch.length === 0) return
  const text = batch.length === 1 ? batch[0] : batch.join("")
  batch = []
  batchChars = 0
  writeAll(text)
}
const line = (text) => {
  batch.push(text)
  batchChars += text.length
  if (batchChars >= 131072) flush()
}
const out = (object) => line(JSON.stringify(object) + "\n")

// -----------------------------------------------------------------------------------------------
// Text: delta i is SIZE characters of a fixed 4096-character corpus (English words with quotes,
// newlines and a few multi-byte characters), starting where delta i - 1 ended.
// -----------------------------------------------------------------------------------------------

const CORPUS_LENGTH = 4096
const corpus = (() => {
  const words = [
    "the",
    "stream",
    "of",
    "events",
    "is",
    "decoded",
    "line",
    "by",
    "\"quoted\"",
    "café",
    "naïve",
    "— dash",
    "and",
    "every",
    "delta",
    "carries",
    "a",
    "few",
    "characters",
    "of",
    "text.\n",
    "Then",
    "tool",
    "calls,",
    "results",
    "{json}",
    "[array]",
    "back\\slash",
    "tab\there",
    "emoji-free",
    "ok"
  ]
  let text = ""
  for (let i = 0; text.length < CORPUS_LENGTH; i = (i * 7 + 3) % words.length) text += words[i] + " "
  return text.slice(0, CORPUS_LENGTH)
})()
const corpus2 = corpus + corpus
const deltaJson = new Map()
let textOffset = 0
/** The next delta: [its text, its JSON-encoded text]. */
const nextDelta = () => {
  const size = Math.min(SIZE, CORPUS_LENGTH)
  let entry = deltaJson.get(textOffset)
  if (entry === undefined) {
    const text = SIZE <= CORPUS_LENGTH
      ? corpus2.slice(textOffset, textOffset + SIZE)
      : corpus.repeat(Math.ceil(SIZE / CORPUS_LENGTH) + 1).slice(textOffset, textOffset + SIZE)
    entry = [text, JSON.stringify(text)]
    deltaJson.set(textOffset, entry)
  }
  textOffset = (textOffset + size) % CORPUS_LENGTH
  return entry
}

// -----------------------------------------------------------------------------------------------
// Lines
// -----------------------------------------------------------------------------------------------

const streamEvent = (event, msgId, extra) =>
  out({
    type: "stream_event",
    event,
    session_id: SESSION_ID,
    parent_tool_use_id: null,
    uuid: uuid(),
    ...extra,
    api_message_id: msgId
  })

const usage = { input_tokens: 12259, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 }

const messageStart = (msgId) => {
  if (!partial) return
  streamEvent(
    {
      type: "message_start",
      message: {
        id: msgId,
        type: "message",
        role: "assistant",
        model: MODEL,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage
      }
    },
    msgId,
    { ttft_ms: 50, thinking_display: "updates" }
  )
  streamEvent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, msgId)
}

/** Writes `count` deltas of message `msgId`; returns their text. */
const deltas = (msgId, count) => {
  const head =
    "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":"
  const middle = `}},"session_id":"${SESSION_ID}","parent_tool_use_id":null,"uuid":"`
  const tail = `","api_message_id":"${msgId}"}\n`
  const texts = new Array(count)
  for (let i = 0; i < count; i++) {
    const [text, json] = nextDelta()
    texts[i] = text
    if (partial) line(head + json + middle + uuid() + tail)
  }
  return texts.join("")
}

const assistant = (msgId, text, aborted) =>
  out({
    type: "assistant",
    message: {
      id: msgId,
      type: "message",
      role: "assistant",
      model: MODEL,
      content: [{ type: "text", text }],
      stop_reason: null,
      stop_sequence: null,
      usage,
      context_management: null
    },
    parent_tool_use_id: null,
    session_id: SESSION_ID,
    uuid: uuid(),
    timestamp: "2026-11-24T00:49:17.289Z",
    request_id: "req_mock_c67f059729c2010acbcdc6ac",
    ...(aborted ? { aborted: true } : {})
  })

const messageEnd = (msgId, outputTokens) => {
  if (!partial) return
  streamEvent({ type: "content_block_stop", index: 0 }, msgId)
  streamEvent({
    type: "message_delta",
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: { output_tokens: outputTokens }
  }, msgId)
  streamEvent({ type: "message_stop" }, msgId)
}

const result = (text, messages, interrupted) => {
  const r = { ...RESULT }
  r.session_id = SESSION_ID
  r.total_cost_usd = COST
  r.modelUsage = { [MODEL]: { ...RESULT.modelUsage["claude-opus-5-5"], costUSD: COST } }
  r.model_usage_since_last_result = r.modelUsage
  r.begun_message_ids = messages
  r.uuid = uuid()
  if (interrupted) {
    r.stop_reason = null
    r.terminal_reason = "aborted_streaming"
    r.is_error = true
    r.subtype = "error_during_execution"
    r.errors = ["[ede_diagnostic] result_type=user last_content_type=n/a stop_reason=null"]
    delete r.result
  } else {
    r.result = text
  }
  // keep the real key order: "type" near the end, "result" before "ttft_ms"
  const ordered = {}
  for (const key of Object.keys(RESULT)) if (key in r) ordered[key] = r[key]
  for (const key of Object.keys(r)) if (!(key in ordered)) ordered[key] = r[key]
  out(ordered)
}

const systemInit = () => {
  out({ ...INIT, cwd: process.cwd(), session_id: SESSION_ID, model: MODEL, uuid: uuid() })
  out({ type: "system", subtype: "status", status: "requesting", session_id: SESSION_ID, uuid: uuid() })
  flush() // the first event goes out at once (time-to-first-event)
}

/** One whole turn, as fast as the consumer takes it. */
const turn = () => {
  systemInit()
  let remaining = N
  let text = ""
  const messages = []
  for (let m = 1; remaining > 0 || m === 1; m++) {
    const msgId = messageId(m)
    messages.push(msgId)
    const count = Math.min(BLOCK, remaining)
    remaining -= count
    messageStart(msgId)
    text = deltas(msgId, count)
    assistant(msgId, text, false)
    messageEnd(msgId, count)
  }
  result(text, messages, false)
  flush()
}

const showCursor = () => {
  if (isTTY) writeAll("\x1b[?25h")
}

// -----------------------------------------------------------------------------------------------
// Modes
// -----------------------------------------------------------------------------------------------

const now = () => performance.timeOrigin + performance.now()

if (MODE === "wait") {
  const timing = { pid: process.pid, sigint: null, exit: null }
  const writeTiming = () => {
    if (TIMING_FILE) fs.writeFileSync(TIMING_FILE, JSON.stringify(timing))
  }
  writeTiming()
  const msgId = messageId(1)
  let text = ""
  const keepAlive = setInterval(() => {}, 1 << 30)
  let interrupted = false
  // installed before anything is written: a consumer may send SIGINT as soon as it sees a delta
  process.on("SIGINT", () => {
    if (interrupted) return
    interrupted = true
    timing.sigint = now()
    const finish = () => {
      assistant(msgId, text, true)
      out({
        type: "user",
        message: { role: "user", content: [{ type: "text", text: "[Request interrupted by user]" }] },
        parent_tool_use_id: null,
        session_id: SESSION_ID,
        uuid: uuid(),
        timestamp: "2026-11-24T00:56:27.873Z"
      })
      messageEnd(msgId, WAIT_DELTAS)
      result(text, [msgId], true)
      flush()
      showCursor()
      clearInterval(keepAlive)
      timing.exit = now()
      writeTiming()
      process.exit(0)
    }
    if (SIGINT_DELAY > 0) setTimeout(finish, SIGINT_DELAY)
    else finish()
  })
  systemInit()
  messageStart(msgId)
  text = deltas(msgId, WAIT_DELTAS)
  flush()
} else if (streamJsonInput) {
  // The Agent SDK's side: control requests and user messages on stdin, one line each.
  const respond = (request) => {
    const subtype = request.request?.subtype
    const response = subtype === "initialize"
      ? {
        commands: [],
        agents: [],
        output_style: "default",
        available_output_styles: ["default"],
        models: [],
        account: {},
        pending_permission_requests: [],
        pending_user_dialog_requests: []
      }
      : {}
    out({ type: "control_response", response: { subtype: "success", request_id: request.request_id, response } })
    flush()
  }
  let pending = ""
  process.stdin.setEncoding("utf8")
  process.stdin.on("data", (chunk) => {
    pending += chunk
    let nl
    while ((nl = pending.indexOf("\n")) !== -1) {
      const text = pending.slice(0, nl)
      pending = pending.slice(nl + 1)
      if (text.trim() === "") continue
      const message = JSON.parse(text)
      if (message.type === "control_request") respond(message)
      else if (message.type === "user") turn()
      // control_response (answers to our requests: none are sent) and others: ignored
    }
  })
  process.stdin.on("end", () => {
    flush()
    process.exit(0)
  })
} else {
  if (sep < 0 || (argv[sep + 1] ?? "").trim() === "") {
    process.stderr.write(
      "Error: Input must be provided either through stdin or as a prompt argument when using --print\n"
    )
    process.exit(1)
  }
  turn()
  showCursor()
  process.exit(0)
}
