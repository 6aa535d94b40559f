/** The study kit: everything a study folder imports besides `numeric/`. */
export { defineStudy, param } from './define'
export type {
  ClaimDefinition,
  ClaimVerdict,
  FigureDefinition,
  FigureView,
  ParamsOf,
  RunView,
  SolveContext,
  StudyDefinition,
} from './define'
export { fmt, compare } from './format'
