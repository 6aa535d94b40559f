/**
 * Saving files from the renderer: a Blob and an <a download> (works in Electron and in the
 * browser), and rendering a chart option to SVG with an offscreen ECharts instance.
 */
import type { EChartsOption } from 'echarts'
import { init } from 'echarts/core'
import '../charts/echarts'

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

export function downloadText(text: string, filename: string, type: string): void {
  downloadBlob(new Blob([text], { type }), filename)
}

export function downloadDataUrl(dataUrl: string, filename: string): void {
  const [head, body] = dataUrl.split(',', 2)
  const type = /data:([^;]+)/.exec(head)?.[1] ?? 'application/octet-stream'
  const bin = atob(body)
  const bytes = new Uint8Array(bin.length)
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
  downloadBlob(new Blob([bytes], { type }), filename)
}

/**
 * The same option drawn by ECharts' SVG renderer (server-side mode, no DOM node): text stays
 * text. The toolbox is left out and animation off; `zoom` keeps the reader's current window.
 */
export function optionToSvg(
  option: EChartsOption,
  opts: { width: number; height: number; dark: boolean; zoom?: { start?: number; end?: number } | null },
): string {
  const chart = init(null as unknown as HTMLElement, opts.dark ? 'dark' : undefined, {
    renderer: 'svg',
    ssr: true,
    width: Math.max(200, Math.round(opts.width)),
    height: Math.max(150, Math.round(opts.height)),
  })
  try {
    const dz = Array.isArray(option.dataZoom) ? option.dataZoom : option.dataZoom ? [option.dataZoom] : []
    chart.setOption({
      ...option,
      animation: false,
      backgroundColor: opts.dark ? '#18181c' : '#ffffff',
      toolbox: { show: false },
      dataZoom: dz.map((d) => ({ ...d, ...(opts.zoom ?? {}) })),
    } as EChartsOption)
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}
