/// <reference types="vite/client" />
import type { Client } from '../../src-shared/api'

declare module '*.vue' {
  import type { DefineComponent } from 'vue'
  const component: DefineComponent<object, object, unknown>
  export default component
}

declare global {
  interface Window {
    /** the typed client the Electron preload exposes (absent in a browser) */
    descent?: Client
  }
}
