/**
 * Param validation shared by the launch form, the api and the CLI, so that all three give the
 * same message for the same mistake. Study-specific constraints (impossible combinations) are
 * checked in main by the study itself, after these per-field checks pass.
 */
import type { ParamSpec, Params, ParamValue } from './model'

export interface ParamIssue {
  param: string
  message: string
}

/** What a param allows, in words: "a number in [1e-7, 1] (log scale)". */
export function describeAllowed(spec: ParamSpec): string {
  switch (spec.type) {
    case 'choice':
      return `one of ${spec.choices.map((c) => JSON.stringify(c)).join(', ')}`
    case 'boolean':
      return 'true or false'
    case 'text':
      return `text of at most ${spec.maxLength} characters`
    case 'number':
    case 'integer': {
      const kind = spec.type === 'integer' ? 'an integer' : 'a number'
      const lo = spec.min === undefined ? '-∞' : String(spec.min)
      const hi = spec.max === undefined ? '∞' : String(spec.max)
      const open = spec.min === undefined || spec.exclusiveMin ? '(' : '['
      const close = spec.max === undefined || spec.exclusiveMax ? ')' : ']'
      return `${kind} in ${open}${lo}, ${hi}${close}${spec.log ? ' (log scale)' : ''}`
    }
  }
}

/** Check one value against its spec; returns the problem in words, or null. */
export function checkParam(name: string, spec: ParamSpec, value: unknown): string | null {
  const allowed = describeAllowed(spec)
  const bad = (why: string): string => `param "${name}": ${why}; allowed: ${allowed}`
  switch (spec.type) {
    case 'choice':
      return typeof value === 'string' && spec.choices.includes(value)
        ? null
        : bad(`${JSON.stringify(value)} is not a choice`)
    case 'boolean':
      return typeof value === 'boolean' ? null : bad(`${JSON.stringify(value)} is not a boolean`)
    case 'text':
      if (typeof value !== 'string') return bad(`${JSON.stringify(value)} is not text`)
      return value.length <= spec.maxLength ? null : bad(`the text has ${value.length} characters`)
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || Number.isNaN(value)) return bad(`${JSON.stringify(value)} is not a number`)
      if (!Number.isFinite(value)) return bad(`${value} is not finite`)
      if (spec.type === 'integer' && !Number.isInteger(value)) return bad(`${value} is not an integer`)
      if (spec.min !== undefined && (spec.exclusiveMin ? value <= spec.min : value < spec.min))
        return bad(`${value} is below the minimum`)
      if (spec.max !== undefined && (spec.exclusiveMax ? value >= spec.max : value > spec.max))
        return bad(`${value} is above the maximum`)
      return null
    }
  }
}

/**
 * Fill defaults and check every field. Unknown names are errors (a typo must not silently
 * run the default). Returns the resolved params or the list of issues.
 */
export function resolveParams(
  specs: Record<string, ParamSpec>,
  input: Record<string, unknown>,
): { ok: true; params: Params } | { ok: false; issues: ParamIssue[] } {
  const issues: ParamIssue[] = []
  const params: Params = {}
  for (const key of Object.keys(input)) {
    if (!Object.prototype.hasOwnProperty.call(specs, key)) {
      issues.push({
        param: key,
        message: `unknown param "${key}"; allowed: ${Object.keys(specs).join(', ')}`,
      })
    }
  }
  for (const [name, spec] of Object.entries(specs)) {
    const value = Object.prototype.hasOwnProperty.call(input, name) ? input[name] : spec.default
    const problem = checkParam(name, spec, value)
    if (problem) issues.push({ param: name, message: problem })
    else params[name] = value as ParamValue
  }
  return issues.length ? { ok: false, issues } : { ok: true, params }
}

/** Parse a command-line or form string into a param value of the spec's type. */
export function parseParamText(spec: ParamSpec, text: string): ParamValue | undefined {
  const t = text.trim()
  switch (spec.type) {
    case 'choice':
      return t
    case 'text':
      return text
    case 'boolean':
      if (t === 'true' || t === '1' || t === 'on') return true
      if (t === 'false' || t === '0' || t === 'off') return false
      return undefined
    case 'number':
    case 'integer': {
      if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined
      return Number(t)
    }
  }
}

/** A canonical JSON text of params (sorted keys), the input of the params hash. */
export function canonicalParams(params: Params): string {
  const keys = Object.keys(params).sort()
  return JSON.stringify(keys.map((k) => [k, params[k]]))
}
