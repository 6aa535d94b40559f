import type { InputHTMLAttributes } from 'vue'

/** Attributes for the real <input> inside a naive-ui NInput, so e2e tests can fill it by test id. */
export function inputAttrs(testid: string): InputHTMLAttributes {
  return { 'data-testid': testid, autocomplete: 'off', spellcheck: false } as InputHTMLAttributes
}
