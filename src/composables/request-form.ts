import { newId } from '@/domain/ids';

export interface RequestForm {
  id: string;
  category: string;
  description: string;
  dueOn: string;
}

export function emptyRequestForm(): RequestForm {
  return { id: newId(), category: 'other', description: '', dueOn: '' };
}

/** What the member does next with an open request. */
export const REQUEST_STEPS = ['note', 'in_progress', 'resolved', 'explained', 'escalate'] as const;
export type RequestStep = (typeof REQUEST_STEPS)[number];

export interface RequestStepForm {
  step: RequestStep | '';
  text: string;
}
