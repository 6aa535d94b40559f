/** The ECharts parts only the sweep page draws with: IQR bands, the phase diagram, parallel coordinates. */
import { CustomChart, HeatmapChart, ParallelChart, ScatterChart } from 'echarts/charts'
import { ParallelComponent, VisualMapComponent } from 'echarts/components'
import { use } from 'echarts/core'
import '../charts/echarts'

use([CustomChart, HeatmapChart, ParallelChart, ScatterChart, ParallelComponent, VisualMapComponent])
