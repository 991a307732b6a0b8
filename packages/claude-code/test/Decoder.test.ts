/**
 * The fast path of the line decoder (hand-compiled `content_block_delta` lines) must agree with
 * the Schema decoder, which stays the authority: whatever the fast path accepts, Schema accepts
 * with an equal event (same prototype, same own fields); whatever Schema refuses, the fast path
 * refuses too. Checked on every recorded line and on systematic mutations of the delta lines.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import { ndjsonFixtures, prng } from "./utils/fixtures.js"

type Json = { [key: string]: unknown }

/** Delta lines the recordings lack, in the CLI's shape (tool input, thinking, signature). */
const extraDeltaLines = [
  `{"type":"stream_event","event":{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"command\\": \\"ls"}},"session_id":"s","parent_tool_use_id":null,"uuid":"u","api_message_id":"m"}`,
  `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}},"session_id":"s","parent_tool_use_id":"toolu_1","uuid":"u"}`,
  `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"abc"}},"session_id":"s","parent_tool_use_id":null,"uuid":"u","ttft_ms":12,"thinking_display":"summarized"}`,
  `{"type":"stream_event","event":{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}}`
]

const recordedLines = (): Array<string> =>
  ndjsonFixtures().flatMap((fixture) => fixture.lines.filter((line) => line.startsWith("{")))

/** Checks one parsed line; returns whether the fast path took it. */
const agree = (json: Json, label: string): boolean => {
  const fast = ClaudeEvent.decodeParsedFast(json)
  const slow = ClaudeEvent.decodeParsedWithSchema(json)
  if (fast === undefined) return false
  if (Either.isLeft(slow)) {
    assert.fail(
      `${label}: the fast path accepted a line the Schema refuses (${slow.left.message}): ${JSON.stringify(json)}`
    )
  }
  assert.strictEqual(Object.getPrototypeOf(fast), Object.getPrototypeOf(slow.right), label)
  assert.deepStrictEqual({ ...fast }, { ...slow.right }, label)
  return true
}

const clone = (json: Json): Json => JSON.parse(JSON.stringify(json))

/** Every path to a value inside `json` (objects only, as the delta lines are). */
const paths = (json: unknown, prefix: Array<string> = []): Array<Array<string>> => {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return []
  return Object.entries(json).flatMap(([key, value]) => [[...prefix, key], ...paths(value, [...prefix, key])])
}

const setAt = (json: Json, path: ReadonlyArray<string>, value: unknown): Json => {
  const copy = clone(json)
  let target: Json = copy
  for (const key of path.slice(0, -1)) target = target[key] as Json
  const last = path[path.length - 1]!
  if (value === REMOVE) delete target[last]
  else target[last] = value
  return copy
}

const REMOVE = Symbol("remove")
const replacements: ReadonlyArray<unknown> = [REMOVE, null, 0, 1.5, "", "text_delta", true, [], {}, ["x"], {
  type: "x"
}]

describe("the content_block_delta fast path", () => {
  it("takes every recorded delta line and agrees with Schema on every recorded line", () => {
    let taken = 0
    let deltas = 0
    for (const line of [...recordedLines(), ...extraDeltaLines]) {
      const json = JSON.parse(line) as Json
      const isDelta = json.type === "stream_event" && (json.event as Json | undefined)?.type === "content_block_delta"
      if (isDelta) deltas++
      if (agree(json, line.slice(0, 120))) taken++
    }
    assert.isAbove(deltas, 10)
    assert.strictEqual(taken, deltas, "every well-formed delta line takes the fast path")
  })

  it("agrees with Schema on every single-field mutation of the delta lines", () => {
    const deltaLines = [...recordedLines(), ...extraDeltaLines].map((line) => JSON.parse(line) as Json).filter((json) =>
      json.type === "stream_event" && (json.event as Json | undefined)?.type === "content_block_delta"
    )
    const seen = new Set<string>()
    let checked = 0
    let refused = 0
    for (const json of deltaLines) {
      for (const path of paths(json)) {
        for (const value of replacements) {
          const mutated = setAt(json, path, value)
          const key = JSON.stringify(mutated)
          if (seen.has(key)) continue
          seen.add(key)
          checked++
          if (
            !agree(mutated, `${path.join(".")} := ${String(value === REMOVE ? "(removed)" : JSON.stringify(value))}`)
          ) {
            refused++
          }
        }
      }
      // extra fields anywhere are ignored by both
      for (const path of [[], ...paths(json)]) {
        const target = path.length === 0 ? undefined : path.reduce<unknown>((o, k) => (o as Json)[k], json)
        if (path.length > 0 && (typeof target !== "object" || target === null)) continue
        const mutated = setAt(json, [...path, "extra_field"], { nested: 1 })
        assert.isTrue(agree(mutated, `extra field at ${path.join(".") || "top level"}`))
      }
    }
    assert.isAbove(checked, 1000)
    assert.isAbove(refused, 0, "some mutations must leave the fast path for Schema")
  })

  it("agrees with Schema on random deep mutations", () => {
    const random = prng(20261124)
    const deltaLines = extraDeltaLines.map((line) => JSON.parse(line) as Json)
    for (let i = 0; i < 5000; i++) {
      let json = deltaLines[Math.floor(random() * deltaLines.length)]!
      const mutations = 1 + Math.floor(random() * 3)
      for (let m = 0; m < mutations; m++) {
        const all = paths(json)
        const path = all[Math.floor(random() * all.length)]!
        json = setAt(json, path, replacements[Math.floor(random() * replacements.length)])
      }
      agree(json, `random mutation ${i}`)
    }
  })

  it("a wrong delta line still fails with the Schema's error, naming the field", () => {
    const line =
      `{"type":"stream_event","event":{"type":"content_block_delta","index":"0","delta":{"type":"text_delta","text":"x"}}}`
    const decoded = ClaudeEvent.decodeLine(line, 7)
    assert.isTrue(Either.isLeft(decoded))
    if (Either.isLeft(decoded)) {
      assert.strictEqual(decoded.left.lineNumber, 7)
      assert.include(decoded.left.issue, "index")
    }
  })

  it("warm-up: its lines are valid lines of the types every run writes, decoded by Schema", () => {
    const tags = ClaudeEvent.warmUpLines.map((line) => {
      const decoded = ClaudeEvent.decodeLine(line)
      assert.isTrue(Either.isRight(decoded), Either.isLeft(decoded) ? decoded.left.message : line)
      assert.isUndefined(ClaudeEvent.decodeParsedFast(JSON.parse(line)), "the fast path needs no warm-up")
      return Either.isRight(decoded) ? decoded.right._tag : undefined
    })
    assert.deepStrictEqual(tags, ["SystemInit", "SystemStatus", "StreamEvent", "Assistant", "Result"])
  })

  it("warm-up: decodes its lines on later turns of the event loop, then lines decode as before", async () => {
    const recorded = recordedLines().slice(0, 50)
    const before = recorded.map((line) => ClaudeEvent.decodeLine(line))
    ClaudeEvent.warmUp()
    ClaudeEvent.warmUp() // a second call does nothing more
    // one line per turn of the event loop: give it its turns
    for (let i = 0; i <= ClaudeEvent.warmUpLines.length; i++) await new Promise((resolve) => setImmediate(resolve))
    const after = recorded.map((line) => ClaudeEvent.decodeLine(line))
    assert.deepStrictEqual(after, before)
  })
})
