import { createPinia } from 'pinia'
import { createApp } from 'vue'
import 'vue-echarts/style.css'
import './charts/echarts'
import App from './App.vue'
import { errorText, initClient } from './client'

async function boot(): Promise<void> {
  await initClient()
  const app = createApp(App)
  app.use(createPinia())
  app.mount('#app')
}

boot().catch((err: unknown) => {
  const el = document.getElementById('app')
  if (el) el.textContent = `Descent could not start: ${errorText(err)}`
})
