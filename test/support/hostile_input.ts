/**
 * Names an object literal answers through its prototype: a path parameter or body key that
 * reaches a plain-object lookup with one of these finds a function or an object, not nothing.
 */
export const PROTOTYPE_NAMES: readonly string[] = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__lookupGetter__',
]
