/**
 * The recorded Claude Code 2.1.330 transcripts in `shared/fixtures/` beside the repository:
 * `*.ndjson` (stdout over a pipe), `*.rc`, `*.stderr`, `pty/*.raw` (raw pseudo-terminal bytes).
 */
import * as Fs from "node:fs"
import * as Path from "node:path"

/** The fixtures directory: `../shared/fixtures/...` from the repository root (this file is `packages/claude-code/test/utils/`). */
export const fixturesDir = Path.resolve(import.meta.dirname, "../../../../../shared/fixtures/claude-code-2.1.330")

const ensureDir = (): void => {
  if (!Fs.existsSync(fixturesDir)) {
    throw new Error(
      `Claude Code fixtures not found at ${fixturesDir}: they live in shared/fixtures/claude-code-2.1.330 ` +
        `next to the repository checkout (../shared from the repository root).`
    )
  }
}

/** A pipe transcript: `name` is the file name without `.ndjson`. */
export interface NdjsonFixture {
  readonly name: string
  readonly text: string
  /** The non-empty lines. */
  readonly lines: ReadonlyArray<string>
  /** The exit code, when an `.rc` file was recorded. */
  readonly exitCode: number | undefined
  readonly stderr: string | undefined
}

/** A pseudo-terminal capture: `name` is the file name without `.raw`. */
export interface PtyFixture {
  readonly name: string
  /** The raw bytes decoded as UTF-8. */
  readonly text: string
  readonly bytes: Uint8Array
}

const readOptional = (file: string): string | undefined =>
  Fs.existsSync(file) ? Fs.readFileSync(file, "utf8") : undefined

/** Every `*.ndjson` fixture, sorted by name. */
export const ndjsonFixtures = (): ReadonlyArray<NdjsonFixture> => {
  ensureDir()
  return Fs.readdirSync(fixturesDir).filter((file) => file.endsWith(".ndjson")).sort().map((file) => {
    const name = file.slice(0, -".ndjson".length)
    const text = Fs.readFileSync(Path.join(fixturesDir, file), "utf8")
    const rc = readOptional(Path.join(fixturesDir, `${name}.rc`))
    return {
      name,
      text,
      lines: text.split("\n").filter((line) => line.length > 0),
      exitCode: rc === undefined ? undefined : Number(rc.trim()),
      stderr: readOptional(Path.join(fixturesDir, `${name}.stderr`))
    }
  })
}

/** One `*.ndjson` fixture by name (without the extension). */
export const ndjsonFixture = (name: string): NdjsonFixture => {
  const found = ndjsonFixtures().find((fixture) => fixture.name === name)
  if (found === undefined) throw new Error(`No fixture ${name}.ndjson in ${fixturesDir}`)
  return found
}

/** Every `pty/*.raw` fixture, sorted by name. */
export const ptyFixtures = (): ReadonlyArray<PtyFixture> => {
  ensureDir()
  const dir = Path.join(fixturesDir, "pty")
  return Fs.readdirSync(dir).filter((file) => file.endsWith(".raw")).sort().map((file) => {
    const bytes = new Uint8Array(Fs.readFileSync(Path.join(dir, file)))
    return { name: file.slice(0, -".raw".length), bytes, text: new TextDecoder().decode(bytes) }
  })
}

/** One `pty/*.raw` fixture by name (without the extension). */
export const ptyFixture = (name: string): PtyFixture => {
  const found = ptyFixtures().find((fixture) => fixture.name === name)
  if (found === undefined) throw new Error(`No fixture pty/${name}.raw in ${fixturesDir}`)
  return found
}

/** A small deterministic PRNG (mulberry32) for property-style tests. */
export const prng = (seed: number): () => number => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Cuts `text` into chunks at random places (1..maxChunk UTF-16 units each, sometimes empty
 * chunks), including inside `\r\n`, escape sequences and surrogate pairs.
 */
export const randomChunks = (text: string, seed: number, maxChunk = 64): Array<string> => {
  const random = prng(seed)
  const chunks: Array<string> = []
  let i = 0
  while (i < text.length) {
    if (random() < 0.05) chunks.push("")
    const size = 1 + Math.floor(random() * maxChunk)
    chunks.push(text.slice(i, i + size))
    i += size
  }
  return chunks
}

/** Cuts raw bytes into chunks at random places (including inside multi-byte UTF-8 characters). */
export const randomByteChunks = (bytes: Uint8Array, seed: number, maxChunk = 64): Array<Uint8Array> => {
  const random = prng(seed)
  const chunks: Array<Uint8Array> = []
  let i = 0
  while (i < bytes.length) {
    const size = 1 + Math.floor(random() * maxChunk)
    chunks.push(bytes.subarray(i, i + size))
    i += size
  }
  return chunks
}
