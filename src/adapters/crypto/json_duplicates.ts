/**
 * Whether a JSON text has an object with the same key twice. `JSON.parse` keeps the last,
 * another parser may keep the first: a token whose claims depend on the parser is refused.
 * Keys are compared decoded (`"\u0074ype"` is `"type"`). Throws on text that is not JSON.
 */
export function hasDuplicateKeys(json: string): boolean {
  const objects: Array<Set<string> | undefined> = [] // undefined marks an array
  let expectingKey = false
  for (let i = 0; i < json.length; i++) {
    const ch = json[i]
    if (ch === '"') {
      let end = i + 1
      while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1
      const keys = objects.at(-1)
      if (expectingKey && keys !== undefined) {
        const key = JSON.parse(json.slice(i, end + 1)) as string
        if (keys.has(key)) return true
        keys.add(key)
        expectingKey = false
      }
      i = end
    } else if (ch === '{') {
      objects.push(new Set())
      expectingKey = true
    } else if (ch === '[') {
      objects.push(undefined)
      expectingKey = false
    } else if (ch === '}' || ch === ']') {
      objects.pop()
      expectingKey = false
    } else if (ch === ',') {
      expectingKey = objects.at(-1) !== undefined
    }
  }
  return false
}
