/** One series of a lead chart (LeadChart.vue). */
export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

/** Colours that stay apart in print and for common colour blindness (blue / orange / green / purple). */
export const CHART_COLORS = {
  visits: '#1a5fb4',
  open: '#c64600',
  in_progress: '#e5a50a',
  resolved: '#26a269',
  explained: '#813d9c',
  satisfied: '#26a269',
  basically_satisfied: '#e5a50a',
  dissatisfied: '#c01c28',
  score: '#1a5fb4',
} as const;
