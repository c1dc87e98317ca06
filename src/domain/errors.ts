/**
 * Errors are values with a reason: a machine-readable `code` plus an i18n key the UI
 * translates. Field-level problems ride along in `issues` so a form can mark each field.
 */
export interface FieldIssue {
  /** dotted path of the field, e.g. `members.0.birthYear` */
  path: string;
  /** i18n key under `errors.` */
  messageKey: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly messageKey: string,
    message?: string,
  ) {
    super(message ?? code);
    this.name = 'DomainError';
  }
}

export class ValidationError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super('validation_failed', 'errors.validationFailed', `invalid input: ${issues.map((i) => `${i.path}: ${i.messageKey}`).join('; ')}`);
    this.name = 'ValidationError';
  }
}
